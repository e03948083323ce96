/* The packed BOOTX64.EFI's own code (boot/uefi/packed.h): unpack the
 * loader, load it from memory, start it. Small on purpose: everything the
 * loader does happens in the loader. An error (corrupt payload, no memory,
 * the firmware refusing the image) ends as the loader's own errors do
 * (halt.c): the message on the console and COM1, a pause to read it, then
 * power-off through the firmware. */
#include <efi.h>

#include "common/pack.h"
#include "common/uart.h"
#include "common/x86io.h"
#include "uefi/packed.h"

extern const uint8_t packed_loader[], packed_loader_end[]; /* payload.S */

static uint32_t crc_tables[BC_CRC32_SLICES][256];
static struct uefi_packed_args args;

#define COM1 0x3f8

/* `a` and `b` as one line on COM1 and the console. */
static void say(EFI_SYSTEM_TABLE *st, const char *a, const char *b)
{
    CHAR16 line[160];
    char bytes[160];
    unsigned n = 0;
    for (const char *s = a; *s && n < 157; s++)
        bytes[n++] = *s;
    for (const char *s = b; *s && n < 157; s++)
        bytes[n++] = *s;
    bytes[n++] = '\n';
    bc_uart_write(COM1, bytes, n);
    for (unsigned i = 0; i + 1 < n; i++)
        line[i] = (CHAR16)(uint8_t)bytes[i];
    line[n - 1] = '\r';
    line[n] = '\n';
    line[n + 1] = 0;
    if (st->ConOut)
        st->ConOut->OutputString(st->ConOut, line);
}

#define HALT_DELAY_US 3000000u

_Noreturn static void fail(EFI_SYSTEM_TABLE *st, const char *why, EFI_STATUS s)
{
    say(st, "MultiOS Boot: the packed loader cannot start: ", why);
    say(st, "boot stopped; powering off in 3 s", "");
    st->BootServices->Stall(HALT_DELAY_US);
    st->RuntimeServices->ResetSystem(EfiResetShutdown, s, 0, NULL);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Unpacks the payload into pages of its own (*buf, *pages; the caller
 * frees them); *size gets the loader's length. Fails (halts) otherwise. */
static void unpack(EFI_SYSTEM_TABLE *st, EFI_PHYSICAL_ADDRESS *buf, UINTN *pages, size_t *size)
{
    size_t packed = (size_t)(packed_loader_end - packed_loader);
    if (packed < BC_PACK_HEADER_SIZE)
        fail(st, bc_pack_strerror(BC_PACK_TRUNCATED), EFI_LOAD_ERROR);
    uint32_t claimed = mm_load_le32(packed_loader + 8); /* checked by bc_pack_unpack */
    *pages = ((UINTN)claimed + 4095) / 4096;
    EFI_STATUS s = st->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, *pages, buf);
    if (EFI_ERROR(s))
        fail(st, "no memory to unpack it", s);
    bc_pack_status ps =
        bc_pack_unpack(packed_loader, packed, (void *)(uintptr_t)*buf, claimed, size, crc_tables);
    if (ps != BC_PACK_OK)
        fail(st, bc_pack_strerror(ps), EFI_LOAD_ERROR);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    args.magic = UEFI_PACKED_MAGIC;
    args.tsc_entry = x86_rdtsc();
    EFI_BOOT_SERVICES *bs = st->BootServices;
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL, dp_guid = DEVICE_PATH_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_STATUS s = bs->HandleProtocol(image, &li_guid, (void **)&li);
    if (EFI_ERROR(s))
        fail(st, "no loaded image protocol", s);
    args.device = li->DeviceHandle;
    EFI_DEVICE_PATH *volume = NULL; /* the loader's image then has the volume as its device */
    if (EFI_ERROR(bs->HandleProtocol(li->DeviceHandle, &dp_guid, (void **)&volume)))
        volume = NULL;
    EFI_PHYSICAL_ADDRESS buf;
    UINTN pages;
    size_t size;
    unpack(st, &buf, &pages, &size);
    EFI_HANDLE loader;
    s = bs->LoadImage(FALSE, image, volume, (void *)(uintptr_t)buf, size, &loader);
    bs->FreePages(buf, pages);
    if (EFI_ERROR(s))
        fail(st, "the firmware refused the unpacked loader (LoadImage)", s);
    EFI_LOADED_IMAGE *child;
    if (!EFI_ERROR(bs->HandleProtocol(loader, &li_guid, (void **)&child))) {
        child->LoadOptions = &args;
        child->LoadOptionsSize = sizeof args;
    }
    return bs->StartImage(loader, NULL, NULL);
}
