/* Filling the revision-2 part of a handoff (framebuffer, modules, CPUs)
 * after bc_handoff_build() and before bc_handoff_seal().
 *
 * The module and CPU arrays and the module command lines go to a region
 * of their own that the front end places and carves as MM_TYPE_HANDOFF
 * too (the protocol asks for HANDOFF memory, not for one range), laid out
 * by bc_rev2_layout_init. The framebuffer range, each module's file and
 * the AP stacks region must already be carved as MM_TYPE_FRAMEBUFFER,
 * MM_TYPE_MODULE and MM_TYPE_AP_STACKS (and, for the kernel, lie inside
 * the direct map): bc_handoff_check verifies it. */
#ifndef BC_HANDOFF_REV2_H
#define BC_HANDOFF_REV2_H

#include "mm/base.h"
#include "mos/handoff.h"

/* The framebuffer as the firmware described it. */
typedef struct bc_rev2_fb {
    uint64_t addr; /* physical base */
    uint32_t width, height, pitch, bpp;
    uint8_t red_size, red_shift, green_size, green_shift, blue_size, blue_shift;
    uint8_t source; /* MOS_FB_SOURCE_* */
} bc_rev2_fb;

/* One loaded module. */
typedef struct bc_rev2_module {
    uint64_t addr, size; /* physical, 4 KiB aligned; bytes of the file */
    const char *path;    /* as in boot.cfg, NUL-terminated (cut to 31 bytes) */
    const char *cmdline; /* the arguments, NUL-terminated, NULL = empty */
} bc_rev2_module;

typedef struct bc_rev2_input {
    const bc_rev2_fb *fb; /* NULL: no framebuffer */
    const bc_rev2_module *modules;
    uint32_t module_count;
    const struct mos_cpu *cpus; /* from bc_smp_start_all or bc_smp_bsp_only */
    uint32_t cpu_count;
    uint32_t bsp_apic_id;
    uint32_t smp_flags; /* MOS_SMP_* */
    uint64_t lapic_addr;
} bc_rev2_input;

/* Where things live in the revision-2 region (offsets from its start). */
typedef struct bc_rev2_layout {
    uint32_t module_capacity, cpu_capacity;
    uint64_t cmdline_capacity; /* bytes for every module command line with its NUL */
    uint64_t modules_off;      /* struct mos_module[module_capacity], 8-aligned */
    uint64_t cpus_off;         /* struct mos_cpu[cpu_capacity], 8-aligned */
    uint64_t cmdlines_off;
    uint64_t bytes; /* total, a multiple of 4096 (0 when nothing to hold) */
} bc_rev2_layout;

/* Bytes the command lines of `n` modules take with their NULs. */
uint64_t bc_rev2_cmdline_bytes(const bc_rev2_module *m, uint32_t n);

/* Lays out a region for the arrays and the command lines. MM_OK;
 * MM_ERR_INVALID_ARGUMENT for NULL; MM_ERR_OVERFLOW when the region would
 * reach 4 GiB. */
mm_status bc_rev2_layout_init(bc_rev2_layout *l, uint32_t module_capacity,
                              uint64_t cmdline_capacity, uint32_t cpu_capacity);

/* Zeroes the region (`l->bytes` bytes at `region`, physical
 * `region_phys`), copies modules (with their command lines and paths) and
 * CPUs into it and sets every revision-2 field of `h`: fb_* from `in->fb`
 * (fb_size = pitch * height rounded up to 4 KiB, model RGB), the arrays'
 * addresses, counts and strides, bsp_apic_id, smp_flags, lapic_addr.
 * Does not seal. MM_OK; MM_ERR_INVALID_ARGUMENT for NULL pointers, a
 * revision-1 `h` (size below sizeof(struct mos_handoff)) or an empty list
 * given a NULL array; MM_ERR_BUFFER_TOO_SMALL when the modules, command
 * lines or CPUs exceed the layout (h is then left as it was). */
mm_status bc_handoff_rev2_fill(struct mos_handoff *h, const bc_rev2_input *in,
                               const bc_rev2_layout *l, void *region, uint64_t region_phys);

#endif
