/* Test harness for boot/uefi/chainload.c, started by OVMF as
 * \EFI\BOOT\BOOTX64.EFI. It reads two files from its own volume and starts
 * each with uefi_chainload(), reporting on COM1:
 *     efi-launcher: /chain/notpe.bin: LoadImage: <status>   (not a PE file)
 *     chain-app: LoadOptions (...) "launcher says hi <U+00FC><U+20AC>"
 *     efi-launcher: /chain/app.efi: returned <status> after StartImage
 * then exits QEMU through isa-debug-exit: LAUNCHER_PASS when the first was
 * refused by LoadImage and the second came back with EFI_SUCCESS, else
 * LAUNCHER_FAIL. */
#include <efi.h>
#include <stdbool.h>

#include "uefi/chainload.h"
#include "uefi/firmware.h"
#include "efi_file.h"
#include "uefi/fs.h"
#include "uefi/serial.h"

#define LAUNCHER_PASS  0x31 /* QEMU exit status 0x63 */
#define LAUNCHER_FAIL  0x32 /* QEMU exit status 0x65 */
#define FILE_MAX_BYTES (1u << 20)
#define APP_CMDLINE    "launcher says hi \xc3\xbc\xe2\x82\xac"

static void put(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    serial_write(s, n);
}

/* Reads `path` and chainloads it; prints what happened, returns the status
 * and the step it came from. */
static EFI_STATUS try_file(EFI_SYSTEM_TABLE *st, EFI_HANDLE image, EFI_HANDLE device,
                           EFI_FILE_HANDLE root, const char *path, const char **step)
{
    struct efi_file f = {0, 0, 0};
    *step = "read";
    EFI_STATUS s = efi_file_read(st->BootServices, root, path, FILE_MAX_BYTES, &f);
    if (!EFI_ERROR(s)) {
        struct uefi_chainload req = {
            image, device, path, (const void *)(uintptr_t)f.phys, (UINTN)f.size, APP_CMDLINE};
        s = uefi_chainload(st->BootServices, &req, step);
    }
    efi_file_free(st->BootServices, &f);
    put("efi-launcher: ");
    put(path);
    put(": returned \"");
    put(fw_status_text(s));
    put("\" after ");
    put(*step);
    put("\n");
    return s;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_FILE_HANDLE root;
    const char *step = "";
    uint8_t verdict = LAUNCHER_FAIL;
    serial_init();
    if (!EFI_ERROR(st->BootServices->HandleProtocol(image, &li_guid, (void **)&li)) &&
        !EFI_ERROR(fs_open_root(st->BootServices, li->DeviceHandle, &root))) {
        EFI_STATUS bad = try_file(st, image, li->DeviceHandle, root, "/chain/notpe.bin", &step);
        bool refused = EFI_ERROR(bad) && step[0] == 'L'; /* "LoadImage" */
        EFI_STATUS good = try_file(st, image, li->DeviceHandle, root, "/chain/app.efi", &step);
        if (refused && good == EFI_SUCCESS)
            verdict = LAUNCHER_PASS;
    }
    put(verdict == LAUNCHER_PASS ? "efi-launcher: PASS\n" : "efi-launcher: FAIL\n");
    __asm__ volatile("outb %b0, %w1" : : "a"(verdict), "Nd"(0xf4));
    return EFI_SUCCESS;
}
