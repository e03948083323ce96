/* State of the UEFI front end of the boot driver (boot/uefi/main.c and
 * memory.c). One instance, in .bss; the driver's ops get it as `ctx`. */
#ifndef UEFI_LOADER_H
#define UEFI_LOADER_H

#include <efi.h>

#include "common/driver.h"
#include "firmware.h"
#include "fs.h"
#include "gop.h"

struct loader {
    EFI_HANDLE image;
    EFI_SYSTEM_TABLE *st;
    EFI_BOOT_SERVICES *bs; /* NULL once boot services are gone */
    struct fs_volume vol;  /* the boot volume */
    EFI_HANDLE device;     /* ... and its handle (chainloaded images get it) */
    mm_logger log;
    uint64_t loader_top; /* end of the loader's image and stack: stays identity-mapped */
    uint64_t rsdp;       /* ACPI RSDP, 0 if none */
    uint64_t tsc_hz;     /* for the halt's delay after boot services are gone */
    bool nx;
    struct gop_screen screen; /* the framebuffer the log is also drawn on */

    /* Scratch (bootloader-reclaimable), sized once before ExitBootServices:
     * the raw EFI map buffer, the driver's map, a second map for first-fit
     * placement (what is free right now) and the sanitize scratch. */
    struct fw_memmap efimap;
    mm_map map;
    mm_map fitmap;
    void *sanitize_scratch;
    size_t sanitize_scratch_size;
    bool scratch_ready;
};

/* Stops the boot cleanly after an error that was already logged: gives a
 * person time to read the screen, then powers off through the firmware
 * (ResetSystem(EfiResetShutdown)); if that returns, halts the CPU with
 * interrupts off. Works before and after ExitBootServices. */
_Noreturn void loader_halt(struct loader *L);

/* Logs at ERROR and halts (loader_halt). */
_Noreturn void loader_fail(struct loader *L, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);

#endif
