/* The boot driver: the one sequence both loaders run, from boot.cfg to the
 * jump into the kernel. Its steps, in bc_boot_run's order:
 *
 *   config     boot.cfg read and checked (it sizes everything after it)
 *   map        the firmware's memory map, sanitized (UEFI: provisional)
 *   boot heap  placed first; the loader's own allocations come from it
 *   entry      the boot menu's choice (menu.h); a failure until the
 *              firmware is left brings the menu back
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
#include "jump.h"
#include "menu.h"
#include "handoff_rev2.h"
#include "paging.h"
#include "ranges.h"
#include "track.h"
#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/heap.h"
#include "mm/log.h"
#include "mm/pool.h"

#define BC_BOOT_CFG_PATH     "/boot.cfg"
#define BC_KERNEL_FILE_MAX   (256u * 1024u * 1024u) /* bytes */
#define BC_EXIT_MAX_ATTEMPTS 4u                     /* ExitBootServices calls before giving up */
#define BC_HEAP_MIN_SIZE     (256u * 1024u)         /* bytes: below this a shrunk heap is refused */
#define BC_HEAP_EXTENSIONS   8u    /* boot heap refills before the heap reports exhaustion */
#define BC_FILE_ROOM         4096u /* file_read buffers: sizes rounded up to this (largest sector) */
#define BC_HEAP_REFILL_MIN   (1024u * 1024u) /* bytes: smallest refill asked for */

/* Facts the front end reports about the machine (bc_fw_ops.platform). */
typedef struct bc_platform {
    uint64_t acpi_rsdp;          /* physical, 0 if none */
    uint64_t smbios;             /* entry point (smbios.h, validated), physical, 0 if none */
    uint64_t tsc_frequency_hz;   /* 0 when not calibrated */
    uint64_t efi_system_table;   /* physical, 0 on BIOS */
    uint64_t identity_min;       /* bytes the identity map must cover (the loader runs there) */
    uint64_t memtest_window_end; /* RAM the loader's code can reach for the memory test; 0 = all */
    uint64_t efi_map_capacity;   /* bytes the final raw EFI map may take (0 on BIOS) */
    uint32_t bios_memory_detect; /* MOS_BIOS_DETECT_* */
    uint32_t nx;                 /* 1 when the CPU has NX (the tables then use it) */
    bc_rev2_fb fb;               /* the framebuffer the log is drawn on; addr 0 = none */
    uint32_t vga_text;           /* 1: no fb, the screen is VGA text 80 x 25 at 0xb8000 */
    const void *ap_blob;         /* the AP trampoline (ap_trampoline.S) as linked; NULL: no APs */
    uint32_t ap_blob_size;       /* bytes */
    /* BIOS only: the drive the loader was started from (DL at entry)
     * and the 0-based partition table slot of the boot volume on it. */
    uint32_t bios_drive_known; /* 0 on UEFI: there is no BIOS drive */
    uint32_t bios_drive;
    uint32_t boot_partition; /* BC_PARTITION_NONE: the files are not in a partition */
} bc_platform;

#define BC_PARTITION_NONE 0xffffffffu

/* The raw firmware map a kernel also receives (UEFI only; all 0 on BIOS). */
typedef struct bc_efi_map {
    const void *data;
    uint64_t size;      /* bytes */
    uint32_t desc_size; /* firmware descriptor stride */
    uint32_t desc_version;
} bc_efi_map;

/* What a kernel wants of the screen (bc_boot_video). */
typedef enum bc_video_kind {
    BC_VIDEO_AS_IS = 0,  /* leave the screen as it is; describe it */
    BC_VIDEO_LINEAR = 1, /* a linear framebuffer mode */
} bc_video_kind;

typedef struct bc_video_want {
    uint32_t kind;               /* bc_video_kind */
    uint32_t width, height, bpp; /* LINEAR: pixels, bits; 0 = no preference */
} bc_video_want;

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
    uint32_t eax, ebx, esi; /* PROTECTED: registers at entry (EDI = EBP = 0) */
    uint32_t esp;           /* PROTECTED: stack pointer, 0 = none promised */
    uint64_t gdt;           /* physical, below 4 GiB: a GDT to load, either mode; 0 = the
                               loaders' own (entry.h: BC_SEL_CODE64 or BC_SEL_CODE32,
                               BC_SEL_DATA) */
    uint16_t gdt_limit;     /* bytes - 1 */
    uint16_t cs, ds;        /* selectors of `gdt` (code; data for DS, ES, SS, FS, GS) */
} bc_entry;

#define BC_PLACE_NO_LIMIT UINT64_MAX /* bc_fw_ops.place: no upper end */

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
    /* Reads bytes [offset, offset + size) of the file (inside the size
     * file_size said; offset 0 and that size: the whole file) into `dst`,
     * which has room for `size` rounded up to BC_FILE_ROOM bytes: the
     * bytes after `size` up to there may be overwritten (a last partial
     * sector read whole saves a device call). */
    mm_status (*file_read)(void *ctx, const char *path, uint64_t offset, void *dst, uint64_t size,
                           char *why, size_t why_len);
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
    /* Takes `size` bytes (a multiple of 4 KiB) aligned to `align` inside
     * [min, max) (max BC_PLACE_NO_LIMIT: anywhere at or above `min`) from
     * free memory for the loader; MM_ERR_NOT_FOUND when nothing fits. The
     * range is the loader's until the kernel runs. */
    mm_status (*place)(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                       uint64_t *base);
    /* Takes exactly [base, base + size) (page multiples) when all of it is
     * free; MM_ERR_NOT_USABLE otherwise. For kernels loaded where they
     * were linked (Multiboot, a Linux kernel at its preferred address). */
    mm_status (*place_at)(void *ctx, uint64_t base, uint64_t size);
    /* Gives back [base, base + size) taken by `place` (page multiples). */
    void (*release)(void *ctx, uint64_t base, uint64_t size);
    /* The screen for the kernel, before `exit`. BC_VIDEO_LINEAR: sets the
     * framebuffer mode closest to width x height (both 0: the firmware's
     * choice, fbmode.h), of `bpp` bits per pixel when that size offers
     * it (0: the most), logs a WARN when the size is not exact, and draws
     * the log there from then on (screen cleared). BC_VIDEO_AS_IS: changes
     * nothing. Either way *fb gets the mode in use (addr 0: no linear
     * framebuffer) and *vga_text 1 when there is none and the screen is
     * VGA text mode 80 x 25 at 0xb8000, else 0. May be called again (a
     * later entry after a failed one). May be NULL (no screen to tell). */
    void (*video)(void *ctx, const bc_video_want *want, bc_rev2_fb *fb, uint32_t *vga_text);
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
    /* The TSC frequency in Hz measured across the loader's work since its
     * entry (called once, after the prepare step, before `exit`); 0 keeps
     * what `platform` said. May be NULL. */
    uint64_t (*tsc_finish)(void *ctx);
    /* Stops the machine cleanly after an error was logged. Must not return. */
    void (*halt)(void *ctx);
    /* Enters the kernel as `e` says (entry.h's state for the loaders'
     * GDT; PROTECTED through bc_pm_jump_fill and BC_ENTER32_TAIL). Returns
     * only for an entry the front end cannot make, with the reason; the
     * firmware is gone then, so the boot stops. */
    const char *(*enter)(void *ctx, const bc_entry *e);

    /* The boot menu's screen, keys and clock (menu.h), valid while the
     * firmware runs; asked once. NULL (or a NULL answer): no menu, the
     * default entry boots and a failure halts. */
    const bc_menu_io *(*menu_io)(void *ctx);
    /* protocol=efi: starts the EFI application `image` (`size` bytes,
     * read from `path` on the boot volume) with `cmdline` (UTF-8) as its
     * LoadOptions and returns when it returns, with the firmware still
     * usable and everything the start took freed. `why` gets
     * "<step>: <status>" either way. MM_OK when the application returned
     * success, MM_ERR_IO otherwise. NULL where the firmware has none. */
    mm_status (*chain_efi)(void *ctx, const char *path, const void *image, uint64_t size,
                           const char *cmdline, char *why, size_t why_len);
    /* protocol=bios-chainload: starts the boot sector of BIOS drive
     * `drive` (`partition` 0: its sector 0; 1 .. 4: that primary MBR
     * partition's first sector) as a BIOS would. Returns only when it
     * cannot, with the static reason; the loader then keeps running.
     * NULL where the firmware has none. */
    const char *(*chain_bios)(void *ctx, uint32_t drive, uint32_t partition);
} bc_fw_ops;

typedef struct bc_boot bc_boot;

/* The buffer bc_fw_ops.file_read fills for a file of `size` bytes: `size`
 * rounded up to BC_FILE_ROOM. `size` must be checked against its maximum
 * first (far below 2^64). */
static inline uint64_t bc_file_room(uint64_t size)
{
    return mm_align_down(size + BC_FILE_ROOM - 1, BC_FILE_ROOM);
}

/* A boot protocol's back end: turns the selected entry's files into what
 * a kernel of that protocol expects. Adding a protocol adds one of these
 * (and its line in bc_backends); nothing else in the driver changes. */
typedef struct bc_backend {
    uint32_t protocol; /* BC_PROTO_* */
    /* Lowest address for the boot heap when boot.cfg does not set
     * min_heap_addr (bytes; 0 = min_heap_addr's default): keeps the heap
     * off the low addresses kernels loaded where they were linked use.
     * Lowered back to min_heap_addr when nothing fits above it. */
    uint64_t heap_min;
    /* Before the firmware is left: reads and checks the kernel (and its
     * modules) and places every range the kernel needs. Stops the boot on
     * bad input (bc_boot_fail: back to the menu when there is one). A
     * back end that hands the machine over while the firmware runs
     * (chainloading) does it here and never returns: it ends in
     * bc_boot_fail when the image cannot start or comes back. */
    void (*prepare)(bc_boot *b);
    /* After the final map: builds what the kernel receives, fills `e`.
     * NULL for back ends whose prepare never returns. */
    void (*build)(bc_boot *b, bc_entry *e);
    /* Right before the jump (after the last log line); may be NULL. */
    void (*last)(bc_boot *b);
} bc_backend;

/* The back end of `protocol`, NULL when the loader has none. */
const bc_backend *bc_backend_of(uint32_t protocol);

/* A placed range of a multi-instance kind (modules, kernel segments,
 * protocol data): fixed-size records from the driver's pool. */
typedef struct bc_range_rec {
    struct bc_range_rec *next; /* in placement order */
    bc_placed r;
    uint32_t id; /* bc_range_id */
} bc_range_rec;

/* The driver's phases, for the profile logged before the jump: each
 * stamp is the TSC at the end of its phase (FRONT: the front end's work
 * from its entry to bc_boot_run). */
enum {
    BC_PHASE_FRONT,
    BC_PHASE_CONFIG,
    BC_PHASE_MAP,
    BC_PHASE_HEAP,
    BC_PHASE_PLATFORM,
    BC_PHASE_PREPARE, /* the menu, the entry's back end's prepare */
    BC_PHASE_EXIT,
    BC_PHASE_FINAL_MAP,
    BC_PHASE_BUILD,
    BC_PHASE_COUNT
};

#define BC_EXTRA_RANGES 48u /* ranges of the multi-instance kinds (modules, heap extensions) */

/* Everything the driver knows, in the order it learns it. Zeroed by
 * bc_boot_run; the front end reads it only in tests. */
struct bc_boot {
    const bc_fw_ops *fw;
    uint64_t tsc_entry, tsc_memmap;
    uint64_t tsc_phase[BC_PHASE_COUNT]; /* TSC at the end of each phase */
    bc_bootcfg cfg;
    mm_config mem;
    mm_map *map;
    mm_sanitize_report sanitize;
    const bc_boot_entry *entry;              /* the boot.cfg entry being booted */
    const bc_backend *backend;               /* its protocol's */
    const bc_menu_io *menu;                  /* NULL: no menu */
    mm_heap_mark attempt_mark;               /* the boot heap before the entry's attempt */
    bc_jump retry;                           /* where a failed attempt goes back to the menu */
    int retry_armed;                         /* a failure now goes back to the menu */
    char failure[BC_MENU_LINE_MAX];          /* the failed attempt's message, for the menu */
    bc_placed range[BC_RANGE_COUNT];         /* the single-instance kinds */
    bc_placed extension[BC_HEAP_EXTENSIONS]; /* the boot heap's refills */
    bc_range_rec *records, **records_end;    /* the other multi-instance kinds */
    bc_range_rec *pending;                   /* taken from the pool, not yet placed */
    mm_pool record_pool;                     /* records, slabs from the boot heap */
    mm_frame_source record_frames;
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

/* Logs `fmt` at ERROR and stops the attempt: before the firmware is left,
 * while an entry is being prepared, with the menu shown for this boot
 * (bc_menu_wanted) and a bc_fw_ops.menu_io, everything the attempt placed
 * is given back and the menu comes back with the message; otherwise halts
 * through the firmware. */
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

/* bc_boot_place, at or above physical `min` (first fit from there: a
 * Linux kernel that must not lie below its preferred address, tables a
 * 32-bit entry reaches). Same results as bc_boot_place. */
mm_status bc_boot_place_above(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                              uint64_t min, bc_placed *out);

/* bc_boot_place, inside [0, limit) (physical; where in it is the
 * firmware's choice): ranges a 32-bit kernel must reach, e.g. Multiboot
 * modules below 4 GiB on a UEFI machine whose firmware hands out memory
 * from the top. Same results as bc_boot_place (MM_ERR_NOT_FOUND when
 * nothing fits below `limit`). */
mm_status bc_boot_place_below(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                              uint64_t limit, bc_placed *out);

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

/* Size in bytes of the file at `path`; `what` names it in messages
 * ("kernel", "module 2"). A missing, empty (unless `empty_ok`),
 * unreadable or larger than `max` bytes (far below 2^64) file stops the
 * boot with its name. */
uint64_t bc_boot_file_size(bc_boot *b, const char *path, const char *what, uint64_t max,
                           bool empty_ok);

/* Reads bytes [offset, offset + size) of the file at `path` (inside the
 * size bc_boot_file_size said; offset 0 and that size: the whole file)
 * into `dst`, which has room for bc_file_room(size) bytes (the front end
 * may write up to there). Nothing for size 0; an unreadable file stops
 * the boot naming `what`. */
void bc_boot_read_into(bc_boot *b, const char *path, const char *what, uint64_t offset, void *dst,
                       uint64_t size);

/* The first `bytes` bytes of the file at `path` (at most the size
 * bc_boot_file_size said) into a boot-heap buffer of bc_file_room(bytes)
 * bytes, returned; an unreadable file stops the boot naming `what`. */
void *bc_boot_read_head(bc_boot *b, const char *path, const char *what, uint64_t bytes);

/* Reads the file at `path` into the boot heap (a buffer of
 * bc_file_room(size) bytes; `max` far below 2^64); `what` names it in
 * messages ("kernel", "module 2"). A missing, empty (unless
 * `empty_ok`), unreadable or larger than `max` bytes file stops the boot
 * with its name. Returns the buffer, its size in *size. */
void *bc_boot_read_file(bc_boot *b, const char *path, const char *what, uint64_t max, bool empty_ok,
                        uint64_t *size);

/* Sets up the screen as `want` asks (bc_fw_ops.video), before `exit`: a
 * LINEAR request without a size takes boot.cfg's `resolution=` (else the
 * firmware's choice). b->platform.fb and b->platform.vga_text then
 * describe the screen the kernel gets. Back ends call it once in
 * prepare, when they know what their kernel wants; entries that never
 * call it get the screen as it is and no description. */
void bc_boot_video(bc_boot *b, const bc_video_want *want);

/* Records the framebuffer bc_boot_video set (if any) as the range
 * BC_RANGE_FRAMEBUFFER, in whole granules (carving it never rounds into
 * a neighbour), so the final map types it: device memory the firmware
 * gave, recorded, not taken from it. */
void bc_boot_record_framebuffer(bc_boot *b);

/* The selected entry's string `s` (kernel, cmdline, module path or args). */
const char *bc_boot_str(const bc_boot *b, bc_cfg_str s);

#endif
