/* The demo kernel's proof of the handoff: every check and the report, in a
 * form that builds for the host too (no inline asm, no port I/O), so
 * synthetic handoffs can be run through it under cmocka.
 *
 * All memory the handoff names is reached at phys + hhdm_offset. On the
 * host a test allocates a buffer as "physical memory" and sets
 * hhdm_offset to its address.
 *
 * Output goes to one write callback: a human section (map table, heap,
 * bitmap and pool statistics, loader time) built up as the steps run, in
 * DEBUG=1 builds the allocation profile (mm_track_report), then
 * `MOS key=value` lines for everything measured so far, and last
 * `MOS-RESULT: PASS` or `MOS-RESULT: FAIL <reason>`, where the reason
 * starts with a stable kebab-case token (kernel/README.md lists them). */
#ifndef MOS_KERNEL_PROOF_H
#define MOS_KERNEL_PROOF_H

#include "mos/handoff.h"
#include "mm/bitmap.h"
#include "mm/fmt.h"
#include "mm/heap.h"
#include "mm/memmap.h"
#include "mm/pool.h"
#include "common/fbcon.h"
#include "common/track.h"

/* Size of the temporary heap and of its fallback, and where the
 * fallback is tried first. */
#define KP_FALLBACK_BASE 0x100000u
#define KP_FALLBACK_SIZE 0x100000u

/* What the machine layer found by probing the mappings the kernel runs
 * on (arch_probe_mappings); all zero on the host, where nothing is
 * probed. */
struct kp_probe {
    bool done;
    bool cr0_wp;          /* CR0.WP: supervisor writes honour read-only pages */
    bool nx_cpu;          /* CPUID 0x80000001 EDX bit 20 */
    bool nx_enabled;      /* EFER.NXE */
    bool text_writable;   /* a write to .text did not fault */
    bool rodata_writable; /* a write to .rodata did not fault */
    bool data_executable; /* a jump into .bss did not fault */
    uint64_t cr3;
};

/* What the machine layer tells the checks. Zero in an optional field means
 * "not known here": that check is skipped (host tests). */
struct kp_env {
    uint64_t handoff_virt; /* RDI at entry: hhdm_offset + handoff phys */
    mm_write_fn out;       /* report sink */
    void *out_ctx;
    mm_entry *map_storage; /* room for the translated map, map_capacity entries */
    uint32_t map_capacity;
    /* optional */
    uint64_t rsp;         /* a stack pointer taken in kmain */
    uint64_t image_start; /* virtual [start, end) of the linked image */
    uint64_t image_end;
    uint64_t entry;        /* address of _start */
    uint64_t tsc_at_kmain; /* TSC read first thing in kmain */
    struct kp_probe probe;
};

/* Everything the proof found, readable by tests after kp_run(). */
struct kp {
    const struct kp_env *env;
    const struct mos_handoff *h; /* set once the header checked out */
    uint64_t hhdm;
    uint32_t steps_done; /* KP_STEP_* bits */
    bool failed;
    char reason[160];

    mm_map map;
    struct mm_map_stats mstats;

    mm_bitmap bm;
    struct mm_bitmap_stats bm_at_adopt;
    uint64_t frames_free; /* after every test gave its frames back */

    mm_heap heap;
    uint64_t heap_base; /* physical */
    uint64_t heap_size;
    bool heap_fallback;
    bool kasprintf_ok;
    bool vector_ok;
    uint64_t vector_len;
    struct mm_heap_stats heap_stats;

    uint64_t frames_tested;          /* single + contiguous frames allocated and checked */
    uint64_t contig_base;            /* physical base of the contiguous run */
    uint64_t frame_top;              /* physical address of the highest free frame tested */
    struct mm_pool_stats pool_stats; /* at the pool's peak */
    uint32_t placements_checked;
    uint64_t reclaimed_bytes; /* loader memory turned into free frames */

    /* Firmware tables (acpi_rsdp, efi_system_table) as checked. */
    bool acpi_checked;     /* an RSDP was handed over and validated */
    uint8_t acpi_revision; /* its revision */
    bool acpi_xsdt;        /* tables walked through the XSDT (else the RSDT) */
    uint32_t acpi_tables;  /* entries of the root table */
    uint32_t acpi_cpus;    /* CPUs the MADT lists, UINT32_MAX without an MADT */
    bool efi_systab_ok;    /* "IBI SYST" found at efi_system_table */
    uint8_t fb_map;        /* KP_FB_*: the memory map picture on the framebuffer */

#if MM_DEBUG
    /* DEBUG=1 only: every heap, frame and pool allocation the checks make,
     * printed as a profile before the MOS lines. */
    mm_tracker track;
    mm_track_slot track_slots[BC_TRACK_SLOTS];
#endif

    uint64_t loader_us;   /* tsc_kernel_jump - tsc_loader_entry, UINT64_MAX unknown */
    uint64_t memmap_us;   /* tsc_memmap_done - tsc_loader_entry, UINT64_MAX unknown */
    uint64_t handover_us; /* tsc_kernel_jump to kmain, UINT64_MAX unknown */
};

enum kp_step {
    KP_STEP_HEADER = 1u << 0,
    KP_STEP_MAP = 1u << 1,
    KP_STEP_BITMAP = 1u << 2,
    KP_STEP_HEAP = 1u << 3,
    KP_STEP_HEAP_TESTS = 1u << 4,
    KP_STEP_FRAMES = 1u << 5,
    KP_STEP_POOL = 1u << 6,
    KP_STEP_PLACEMENT = 1u << 7,
    KP_STEP_TIMING = 1u << 8,
    KP_STEP_RECLAIM = 1u << 9,
    KP_STEPS_ALL = (1u << 10) - 1,
};

/* Prepares `kp` for a run with `env` (which must outlive it). */
void kp_init(struct kp *kp, const struct kp_env *env);

/* Checks the handoff header: pointer, magic, revision, size, checksum.
 * On success kp->h is set and the rest of the handoff may be read (e.g. to
 * decide where the console goes). Returns false and records the reason on
 * failure. */
bool kp_check_header(struct kp *kp);

/* Runs every later step in order, stopping at the first failure: map,
 * bitmap, temporary heap (or fallback), heap tests, frames, pool,
 * placement of loader-owned ranges and the CPU state, reclaim of loader
 * memory, timing. Needs kp_check_header() to
 * have passed. Returns true when all held. */
bool kp_run_steps(struct kp *kp);

/* What kp_draw_map did (kp->fb_map). */
enum kp_fb_map {
    KP_FB_NOT_TRIED = 0, /* kp_draw_map not called */
    KP_FB_NONE,          /* no framebuffer in the handoff (or revision 1) */
    KP_FB_DRAWN,
    KP_FB_REFUSED, /* too small for the picture */
};

/* The handoff's framebuffer (revision 2, fb_addr non-zero) as a bc_fb
 * reached through the direct map; false when there is none. Needs
 * kp_check_header() to have passed (which validated the fields). */
bool kp_handoff_fb(const struct kp *kp, bc_fb *fb);

/* Draws the picture of the kernel's copy of the map (boot/common/mapview.h:
 * a bar per entry, a colour per type, a legend) on `fb` and records the
 * outcome in kp->fb_map; `fb` NULL or the map step not done: KP_FB_NONE.
 * Once drawn, prints where each row's bar and each legend swatch is and
 * its colour (`MOS mapview_row<i>=X,Y,RRGGBB,TYPE`, `MOS
 * mapview_legend<k>=...`), for a screenshot test to compare.
 * Never fails the run: the picture is for people, the checks are not. */
void kp_draw_map(struct kp *kp, const bc_fb *fb);

/* Prints the machine-readable lines and the final MOS-RESULT line.
 * Returns true for PASS. */
bool kp_report(struct kp *kp);

/* kp_init + kp_check_header + kp_run_steps + kp_report. */
bool kp_run(struct kp *kp, const struct kp_env *env);

#endif
