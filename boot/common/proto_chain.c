/* The chainload back ends (boot.cfg protocol=efi and protocol=bios-chainload):
 * another loader is started while the firmware still runs, so the driver's
 * exit, final map and build never happen. Both prepare steps hand the
 * machine over through the front end (bc_fw_ops.chain_efi / chain_bios)
 * and come back only when that failed or the started image returned: then
 * bc_boot_fail shows the menu again (or halts when there is none). */
#include "driver.h"
#include "mm/fmt.h"

/* The EFI application named by kernel= is read into the boot heap (the
 * firmware copies it at LoadImage; the heap is rewound when the menu comes
 * back) and started with cmdline= as its LoadOptions. */
_Noreturn static void efi_prepare(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    const char *path = b->cfg.kernel;
    char why[96] = "no EFI application support in this loader";
    uint64_t size;
    const void *image =
        bc_boot_read_file(b, path, "EFI application", BC_KERNEL_FILE_MAX, false, &size);
    mm_log(bc_boot_log(b), MM_LOG_INFO, "starting EFI application %s (%llu bytes)", path,
           (unsigned long long)size);
    if (fw->chain_efi)
        fw->chain_efi(fw->ctx, path, image, size, b->cfg.cmdline, why, sizeof why);
    bc_boot_fail(b, "%s: %s", path, why);
}

_Noreturn static void bios_prepare(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    const bc_boot_entry *e = b->entry;
    const char *why = "no BIOS chainloading in this loader";
    char where[24] = "";
    if (e->partition)
        mm_snprintf(where, sizeof where, " partition %u", (unsigned)e->partition);
    mm_log(bc_boot_log(b), MM_LOG_INFO, "chainloading drive 0x%x%s", (unsigned)e->drive, where);
    if (fw->chain_bios)
        why = fw->chain_bios(fw->ctx, e->drive, e->partition);
    bc_boot_fail(b, "drive 0x%x%s: %s", (unsigned)e->drive, where, why);
}

const bc_backend bc_backend_efi = {
    .protocol = BC_PROTO_EFI,
    .prepare = efi_prepare,
};

const bc_backend bc_backend_bios_chainload = {
    .protocol = BC_PROTO_BIOS_CHAINLOAD,
    .prepare = bios_prepare,
};
