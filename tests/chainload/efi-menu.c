/* Test harness for the boot menu on UEFI (boot/uefi/menu_io.c,
 * boot/uefi/chainload.c), started by OVMF as \EFI\BOOT\BOOTX64.EFI: a
 * compiled-in boot.cfg with two efi entries,
 *   1 "Not an app"  /chain/notpe.bin: refused by LoadImage
 *   2 "Chain app"   /chain/app.efi with cmdline "from the menu" (default)
 * the menu with its countdown, and a failed entry bringing the menu back
 * with the reason. When the app returns EFI_SUCCESS the harness exits QEMU
 * through isa-debug-exit with HARNESS_PASS (status 0x63); a loader would
 * show the menu again instead. */
#include <efi.h>

#include "common/bootcfg.h"
#include "mm/fmt.h"
#include "uefi/chainload.h"
#include "uefi/console.h"
#include "uefi/firmware.h"
#include "efi_file.h"
#include "uefi/fs.h"
#include "uefi/menu_io.h"

#define HARNESS_PASS   0x31
#define HARNESS_FAIL   0x32
#define FILE_MAX_BYTES (1u << 20)

static const char cfg_text[] = "timeout=4\n"
                               "default=2\n"
                               "[Not an app]\n"
                               "protocol=efi\n"
                               "kernel=/chain/notpe.bin\n"
                               "[Chain app]\n"
                               "protocol=efi\n"
                               "kernel=/chain/app.efi\n"
                               "cmdline=from the menu\n";

static bc_bootcfg cfg;
static char reason[128];

static void say(const char *s)
{
    console_write(s, bc_strnlen(s, 256));
}

static _Noreturn void finish(uint8_t code)
{
    say(code == HARNESS_PASS ? "efi-menu: PASS\n" : "efi-menu: FAIL\n");
    __asm__ volatile("outb %b0, %w1" : : "a"(code), "Nd"(0xf4));
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Reads and starts entry `e`; NULL when it returned EFI_SUCCESS, else the
 * reason (in `reason`). */
static const char *boot_entry(EFI_SYSTEM_TABLE *st, EFI_HANDLE image, EFI_HANDLE device,
                              EFI_FILE_HANDLE root, const bc_boot_entry *e)
{
    struct efi_file f = {0, 0, 0};
    const char *path = bc_bootcfg_str(&cfg, e->kernel), *step = "read";
    EFI_STATUS s = efi_file_read(st->BootServices, root, path, FILE_MAX_BYTES, &f);
    if (!EFI_ERROR(s)) {
        struct uefi_chainload req = {image,         device,
                                     path,          (const void *)(uintptr_t)f.phys,
                                     (UINTN)f.size, bc_bootcfg_str(&cfg, e->cmdline)};
        s = uefi_chainload(st->BootServices, &req, &step);
    }
    efi_file_free(st->BootServices, &f);
    mm_snprintf(reason, sizeof reason, "%s: %s: %s", path, step, fw_status_text(s));
    return s == EFI_SUCCESS ? NULL : reason;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_FILE_HANDLE root;
    bc_cfg_errors errs;
    struct uefi_menu_clock clock;
    console_init(st);
    bc_bootcfg_defaults(&cfg);
    if (bc_bootcfg_parse(cfg_text, sizeof cfg_text - 1, &cfg, (bc_cfg_sink){0}, &errs) != MM_OK ||
        EFI_ERROR(st->BootServices->HandleProtocol(image, &li_guid, (void **)&li)) ||
        EFI_ERROR(fs_open_root(st->BootServices, li->DeviceHandle, &root)))
        finish(HARNESS_FAIL);
    st->BootServices->SetWatchdogTimer(0, 0, 0, NULL);
    bc_menu_io io = uefi_menu_io(st, &clock);
    const char *error = NULL;
    for (;;) {
        uint32_t i = 0;
        if (bc_menu_choose(&cfg, &io, error, &i) != MM_OK)
            finish(HARNESS_FAIL);
        const bc_boot_entry *e = bc_bootcfg_entry(&cfg, i);
        say("efi-menu: booting ");
        say(bc_bootcfg_str(&cfg, e->name));
        say("\n");
        error = boot_entry(st, image, li->DeviceHandle, root, e);
        if (!error)
            finish(HARNESS_PASS);
    }
}
