/* A pretend firmware for running the real boot driver (boot/common/
 * driver.h) on the host: RAM is a host buffer (physical p lives at
 * ram + p), files are byte strings, the memory map is a list the test
 * writes, and every service can be made to fail. The driver's last step
 * (enter or halt) jumps back into fake_fw_boot.
 *
 *   BIOS-like: the map is final from the start; placements carve it.
 *   UEFI-like: placements change only the firmware's own state; each
 *              memory_map call hands over a fresh copy of it (as
 *              GetMemoryMap does), so the driver must carve its ranges
 *              into the final map itself; exit can report a stale key. */
#ifndef FAKE_FW_H
#define FAKE_FW_H

#include <setjmp.h>

#include "common/driver.h"
#include "log_lines.h"

#define FAKE_FW_FILES   20
#define FAKE_FW_SCRATCH 4

typedef enum fake_kind { FAKE_BIOS, FAKE_UEFI } fake_kind;

typedef enum fake_end {
    FAKE_RUNNING = 0,
    FAKE_ENTERED, /* the driver jumped to the kernel */
    FAKE_HALTED,  /* the driver stopped after an error */
} fake_end;

typedef struct fake_file {
    const char *path;
    const void *data;
    uint64_t size;
} fake_file;

typedef struct fake_fw {
    /* Set by the test before fake_fw_boot. */
    fake_kind kind;
    unsigned char *ram; /* ram_size bytes; physical 0 is ram[0] */
    uint64_t ram_size;
    void *ram_mapping; /* the host mapping ram lies in (ram_size + 2 MiB) */
    fake_file files[FAKE_FW_FILES];
    uint32_t stale_exits;      /* exit answers MM_ERR_RETRY this many times first */
    uint32_t fail_place_from;  /* place calls numbered from 1: this one fails ... */
    uint32_t fail_place_count; /* ... and this many in all (0 = none) */
    bool place_top_down;       /* place takes the highest room, as a firmware may */
    bc_efi_map efi;            /* what a UEFI-like exit reports */
    uint64_t smbios;           /* platform: the SMBIOS entry point, 0 = none */
    uint32_t bios_drive;       /* BIOS-like platform: the boot drive (0x80) ... */
    uint32_t boot_partition;   /* ... and the boot volume's partition slot (0) */
    /* The boot menu: with menu_keys set the fake has bc_fw_ops.menu_io;
     * each poll answers the next character (bc_key_from_char), then only
     * time passes. Menu lines go to `log` like log lines. */
    const char *menu_keys;
    const void *ap_blob; /* reported as bc_platform.ap_blob (NULL: no APs) */
    bc_rev2_fb fb;       /* reported as bc_platform.fb (addr 0: none) */
    uint32_t vga_text;   /* reported as bc_platform.vga_text */

    /* The firmware's own map: the test adds entries with fake_fw_add. */
    mm_map fw_map;
    mm_map handed; /* UEFI-like: the copy memory_map hands over */

    /* Results. */
    fake_end end;
    bc_entry entered;
    uint32_t place_calls, exit_calls, map_calls;
    uint32_t release_calls;
    uint64_t released_bytes;
    uint32_t menu_frames; /* BC_MENU_CLEAR outputs: menus drawn */
    uint32_t menu_key_next;
    uint64_t menu_ms;
    bc_menu_io menu;
    uint32_t video_calls, video_kind;     /* the video op: calls, last kind asked */
    uint32_t video_w, video_h, video_bpp; /* ... and the mode asked */
    void *scratch[FAKE_FW_SCRATCH];
    uint32_t scratch_count;
    log_lines log;
    mm_logger logger;
    bc_fw_ops ops;
    bc_boot boot;
    jmp_buf back;
} fake_fw;

/* A fake with `ram_size` bytes of zeroed host RAM (2 MiB aligned; host
 * pages are taken only where written, so RAM past 4 GiB is cheap) and
 * room for `entries` firmware map entries. */
fake_fw *fake_fw_new(fake_kind kind, uint64_t ram_size, uint32_t entries);

void fake_fw_free(fake_fw *f);

/* Appends a firmware map entry (unsorted, overlapping allowed: the front
 * end sanitizes, as real firmware maps need). Fails the test on error. */
void fake_fw_add(fake_fw *f, uint64_t base, uint64_t length, mm_type type);

/* Runs bc_boot_run to its end and returns how it ended (f->end). */
fake_end fake_fw_boot(fake_fw *f);

/* Pointer to physical `phys` of the fake's RAM. */
void *fake_fw_ptr(const fake_fw *f, uint64_t phys);

/* Bytes of the driver's boot heap in use after a boot. */
uint64_t fake_fw_heap_used(const fake_fw *f);

#endif
