/* The boot driver: the one sequence both loaders run, from boot.cfg to the
 * jump into the kernel. Its steps, in bc_boot_run's order:
 *
 *   config     boot.cfg read and checked (it sizes everything after it)
 *   map        the firmware's memory map, sanitized (UEFI: provisional)
 *   boot heap  placed first; the loader's own allocations come from it
 *   kernel     file read into the boot heap, parsed
 *   place      kernel, stack, temp heap, bitmap, page tables, handoff
 *   platform   ACPI RSDP, TSC frequency, CPU facts
 *   exit       leave the firmware (UEFI: ExitBootServices with retries)
 *   final map  every placed range carved to its type, validated
 *   build      frame bitmap, memory test, kernel copied, page tables,
 *              handoff, sealed
 *   enter      the jump
 *
 * Every decision that can fail is made before `exit`, so its message still
 * reaches the firmware's console. What differs between firmwares is
 * behind bc_fw_ops; the ranges are those of ranges.h. */
#ifndef BC_DRIVER_H
#define BC_DRIVER_H

#include "bootcfg.h"
#include "elf.h"
#include "handoff.h"
#include "handoff_rev2.h"
#include "paging.h"
#include "ranges.h"
#include "track.h"
#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/heap.h"
#include "mm/log.h"

#define BC_BOOT_CFG_PATH     "/boot.cfg"
#define BC_KERNEL_FILE_MAX   (256u * 1024u * 1024u) /* bytes */
#define BC_EXIT_MAX_ATTEMPTS 4u                     /* ExitBootServices calls before giving up */
#define BC_HEAP_MIN_SIZE     (256u * 1024u)         /* bytes: below this a shrunk heap is refused */
#define BC_HEAP_EXTENSIONS   8u /* boot heap refills before the heap reports exhaustion */
#define BC_HEAP_REFILL_MIN   (1024u * 1024u) /* bytes: smallest refill asked for */

/* Facts the front end reports about the machine (bc_fw_ops.platform). */
typedef struct bc_platform {
    uint64_t acpi_rsdp;          /* physical, 0 if none */
    uint64_t tsc_frequency_hz;   /* 0 when not calibrated */
    uint64_t efi_system_table;   /* physical, 0 on BIOS */
    uint64_t identity_min;       /* bytes the identity map must cover (the loader runs there) */
    uint64_t memtest_window_end; /* RAM the loader's code can reach for the memory test; 0 = all */
    uint64_t efi_map_capacity;   /* bytes the final raw EFI map may take (0 on BIOS) */
    uint32_t bios_memory_detect; /* MOS_BIOS_DETECT_* */
    uint32_t nx;                 /* 1 when the CPU has NX (the tables then use it) */
    bc_rev2_fb fb;               /* the framebuffer the log is drawn on; addr 0 = none */
    const void *ap_blob;         /* the AP trampoline (ap_trampoline.S) as linked; NULL: no APs */
    uint32_t ap_blob_size;       /* bytes */
} bc_platform;

/* The raw firmware map a kernel also receives (UEFI only; all 0 on BIOS). */
typedef struct bc_efi_map {
    const void *data;
    uint64_t size;      /* bytes */
    uint32_t desc_size; /* firmware descriptor stride */
    uint32_t desc_version;
} bc_efi_map;

/* How the kernel is entered (bc_fw_ops.enter). */
typedef enum bc_entry_mode {
    BC_ENTRY_LONG = 0,      /* 64-bit mode, paging on with `cr3` */
    BC_ENTRY_PROTECTED = 1, /* 32-bit protected mode, paging off (Multiboot, 32-bit Linux) */
} bc_entry_mode;

typedef struct bc_entry {
    uint32_t mode;          /* bc_entry_mode */
    uint32_t nx;            /* LONG: set EFER.NXE */
    uint64_t entry;         /* LONG: virtual; PROTECTED: physical, below 4 GiB */
    uint64_t cr3;           /* LONG: the tables; they identity-map the front end's switch code */
    uint64_t rsp;           /* LONG: stack pointer */
    uint64_t rdi, rsi;      /* LONG: argument registers */
    uint32_t eax, ebx, esi; /* PROTECTED: registers at entry */
    uint32_t esp;           /* PROTECTED: stack pointer, 0 = none promised */
    uint64_t gdt;           /* physical, below 4 GiB: a GDT to load; 0 = the loaders' own
                               (entry.h: BC_SEL_CODE64 or BC_SEL_CODE32, BC_SEL_DATA) */
    uint16_t gdt_limit;     /* bytes - 1 */
    uint16_t cs, ds;        /* selectors of `gdt` (code; data for DS, ES, SS, FS, GS) */
} bc_entry;

/* What a firmware supplies. Every function gets `ctx`. Failures return a
 * status; the driver logs the message and decides. */
typedef struct bc_fw_ops {
    void *ctx;
    uint32_t boot_mode;    /* MOS_BOOT_MODE_* */
    mm_logger *log;        /* screen and serial; its level is set from boot.cfg */
    uintptr_t phys_offset; /* the loader reaches physical p at p + phys_offset */
    uint64_t tsc_entry;    /* TSC at the loader's first C instruction */

    /* Size in bytes of the file at `path` ('/'-separated, from the boot
     * volume's root): MM_OK, MM_ERR_NOT_FOUND, or another status with the
     * firmware's reason in `why` (`why_len` bytes). */
    mm_status (*file_size)(void *ctx, const char *path, uint64_t *size, char *why, size_t why_len);
    /* Reads the whole file (`size` bytes as file_size said) into `dst`. */
    mm_status (*file_read)(void *ctx, const char *path, void *dst, uint64_t size, char *why,
                           size_t why_len);
    /* Memory the loader needs before it has a heap (the boot.cfg text,
     * its own bookkeeping): `bytes` from the firmware's pool; stays the
     * loader's (bootloader-reclaimable) for the whole boot. */
    mm_status (*scratch)(void *ctx, size_t bytes, void **out);

    /* The memory map, sanitized at `granularity` (the front end's own low
     * memory and firmware areas already carved), in storage the front end
     * owns; capacity >= bc_handoff_map_capacity(raw entries); BIOS front
     * ends start detection at `bios_memory_detect` (MOS_BIOS_DETECT_*). Before
     * `exit` a UEFI map is provisional: allocations change it. After
     * `exit` it is the final map. */
    mm_status (*memory_map)(void *ctx, uint32_t granularity, uint32_t bios_memory_detect,
                            mm_map **map, mm_sanitize_report *report);
    /* Takes `size` bytes (a multiple of 4 KiB) aligned to `align` at or
     * above `min` from free memory for the loader; MM_ERR_NOT_FOUND when
     * nothing fits. The range is the loader's until the kernel runs. */
    mm_status (*place)(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t *base);
    /* Takes exactly [base, base + size) (page multiples) when all of it is
     * free; MM_ERR_NOT_USABLE otherwise. For kernels loaded where they
     * were linked (Multiboot, a Linux kernel at its preferred address). */
    mm_status (*place_at)(void *ctx, uint64_t base, uint64_t size);
    /* Gives back [base, base + size) taken by `place` (page multiples). */
    void (*release)(void *ctx, uint64_t base, uint64_t size);
    /* Sets the framebuffer mode closest to want_w x want_h (both 0: the
     * firmware's choice, fbmode.h), logs a WARN when it is not exact, and
     * draws the log there from then on (screen cleared). Called once,
     * right after the entry is chosen, for MultiOS entries only. May be NULL
     * (no framebuffer). */
    void (*video)(void *ctx, uint32_t want_w, uint32_t want_h);
    /* Fills `out` (RSDP, TSC frequency, ...). Called once, before `exit`. */
    void (*platform)(void *ctx, bc_platform *out);
    /* Leaves the firmware (`attempt` counts from 1). MM_OK: the firmware
     * is gone and *efi describes the final raw map. MM_ERR_RETRY: the map
     * changed under the loader, call again. Anything else: failed; the
     * firmware may be partly gone (console output still works). */
    mm_status (*exit)(void *ctx, uint32_t attempt, bc_efi_map *efi);
    /* Calls `fn` for each range the loader still runs on that the final
     * map calls usable (UEFI: boot-services code and data), so the memory
     * test leaves it alone. May be NULL. */
    void (*for_each_busy)(void *ctx, void (*fn)(void *arg, uint64_t base, uint64_t size),
                          void *arg);
    /* A TSC reading. */
    uint64_t (*timestamp)(void *ctx);
    /* Stops the machine cleanly after an error was logged. Must not return. */
    void (*halt)(void *ctx);
    /* Enters the kernel as `e` says (entry.h's state for the loaders'
     * GDT). Returns only for a mode the front end cannot enter, with the
     * reason; the firmware is gone then, so the boot stops. */
    const char *(*enter)(void *ctx, const bc_entry *e);
} bc_fw_ops;

typedef struct bc_boot bc_boot;

/* A boot protocol's back end: turns the selected entry's files into what
 * a kernel of that protocol expects. Adding a protocol adds one of these
 * (and its line in bc_backends); nothing else in the driver changes. */
typedef struct bc_backend {
    uint32_t protocol; /* BC_PROTO_* */
    /* Before the firmware is left: reads and checks the kernel (and its
     * modules) and places every range the kernel needs. Stops the boot on
     * bad input (bc_boot_fail). */
    void (*prepare)(bc_boot *b);
    /* After the final map: builds what the kernel receives, fills `e`. */
    void (*build)(bc_boot *b, bc_entry *e);
    /* Right before the jump (after the last log line); may be NULL. */
    void (*last)(bc_boot *b);
} bc_backend;

/* The back end of `protocol`, NULL when the loader has none. */
const bc_backend *bc_backend_of(uint32_t protocol);

#define BC_EXTRA_RANGES 48u /* ranges of the multi-instance kinds (modules, heap extensions) */

/* Everything the driver knows, in the order it learns it. Zeroed by
 * bc_boot_run; the front end reads it only in tests. */
struct bc_boot {
    const bc_fw_ops *fw;
    uint64_t tsc_entry, tsc_memmap;
    bc_bootcfg cfg;
    mm_config mem;
    mm_map *map;
    mm_sanitize_report sanitize;
    const bc_boot_entry *entry;       /* the boot.cfg entry being booted */
    const bc_backend *backend;        /* its protocol's */
    bc_placed range[BC_RANGE_COUNT];  /* the single-instance kinds */
    bc_placed extra[BC_EXTRA_RANGES]; /* the multi-instance kinds, kind in extra_id */
    uint8_t extra_id[BC_EXTRA_RANGES];
    uint32_t extras;
    uint32_t extensions; /* boot heap refills so far */
    mm_heap heap;
    uint64_t heap_wanted; /* bytes asked for: heap_size, or the default */
    const void *kernel_file;
    uint64_t kernel_file_size;
    bc_elf_image elf;
    bc_boot_paging pg;
    bc_handoff_layout layout;
    bc_platform platform;
    bc_efi_map efi;
    uint32_t exit_attempts;
    int firmware_gone;
    mm_bitmap bitmap;
    uint64_t memtest_bad_bytes;
    uint64_t cr3;
    struct mos_handoff *handoff;
    void *backend_data; /* the back end's own state (boot heap) */
#if MM_DEBUG
    mm_tracker track;
    mm_track_slot track_slots[BC_TRACK_SLOTS];
#endif
};

/* Boots: runs every step above in `b` (caller storage, any content) over
 * the firmware `fw`, and ends in fw->enter, or in fw->halt after logging
 * what went wrong. Never returns. */
_Noreturn void bc_boot_run(bc_boot *b, const bc_fw_ops *fw);

/* Logs `fmt` at ERROR and halts through the firmware. */
_Noreturn void bc_boot_fail(const bc_boot *b, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);

/* ---- services for back ends (before `exit` unless said otherwise) ---- */

/* The logger (screen and serial). */
const mm_logger *bc_boot_log(const bc_boot *b);

/* A pointer to physical `phys`; valid for any RAM the loader reaches. */
void *bc_boot_ptr(const bc_boot *b, uint64_t phys);

/* Places a range of kind `id` (ranges.h: its type, at least its
 * alignment and `align`): `size` bytes, rounded up to the bitmap
 * granularity, anywhere the firmware allows; a default-sized boot heap
 * shrinks to make room. Recorded for the final map; *out (may be NULL)
 * gets it. MM_ERR_NOT_FOUND when nothing fits, MM_ERR_MAP_FULL when the
 * record table is full. */
mm_status bc_boot_place(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align, bc_placed *out);

/* bc_boot_place, or the boot stops naming the range. */
void bc_boot_place_required(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                            bc_placed *out);

/* Places a range of kind `id` at exactly [base, base + size) (rounded out
 * to the bitmap granularity) when that memory is free; recorded like
 * bc_boot_place. MM_ERR_NOT_USABLE when some of it is not free. */
mm_status bc_boot_place_at(bc_boot *b, bc_range_id id, uint64_t base, uint64_t size);

/* `bytes` from the boot heap (refilled from the firmware as needed), 4 KiB
 * aligned, for `what` (named in the message when the boot stops). */
void *bc_boot_alloc(bc_boot *b, uint64_t bytes, const char *what);

/* bc_boot_alloc aligned to `align` bytes (a power of two) only: small
 * structures pack together instead of taking a page each. */
void *bc_boot_alloc_aligned(bc_boot *b, uint64_t bytes, uint32_t align, const char *what);

/* Reads the file at `path` into the boot heap; `what` names it in
 * messages ("kernel", "module 2"). A missing, empty (unless
 * `empty_ok`), unreadable or larger than `max` bytes file stops the boot
 * with its name. Returns the buffer, its size in *size. */
void *bc_boot_read_file(bc_boot *b, const char *path, const char *what, uint64_t max, bool empty_ok,
                        uint64_t *size);

/* The selected entry's string `s` (kernel, cmdline, module path or args). */
const char *bc_boot_str(const bc_boot *b, bc_cfg_str s);

#endif
