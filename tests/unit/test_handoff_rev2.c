/* bc_handoff_check() on revision-2 handoffs: framebuffer, modules, CPUs.
 * A fixture builds a handoff with bc_handoff_build() from a map whose
 * revision-2 ranges are placeholders (reserved), then retypes those
 * entries in the handoff's own map to MOS_MEM_FRAMEBUFFER / _MODULE /
 * _AP_STACKS and fills the revision-2 fields, so the checks are tested
 * apart from how the builder will later fill them. One host buffer stands
 * for the physical window from WINDOW_PHYS: the handoff region, the
 * revision-2 region (also HANDOFF memory, for bc_handoff_rev2_fill), then
 * the AP stacks area holding the per-CPU records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/handoff.h"
#include "common/handoff_rev2.h"

#define WINDOW_PHYS  0x200000ULL
#define AP_BYTES     0x2000ULL
#define REV2_BYTES   0x1000ULL /* the region bc_handoff_rev2_fill writes, also HANDOFF */
#define MiB          (1024ULL * 1024)
#define FB_PHYS      0xfd000000ULL
#define FB_BYTES     0x300000ULL /* 1024 x 768 x 4 */
#define MODULE_PHYS  0x1400000ULL
#define MODULE_BYTES 0x2000ULL
/* Offsets inside the handoff region (above what the layout uses). */
#define MODULES_OFF 0x800u
#define CPUS_OFF    0x900u
#define MODCMD_OFF  0xa00u

typedef struct fixture {
    mm_entry entries[32];
    mm_map map;
    bc_handoff_layout l;
    unsigned char *window; /* handoff region, then AP stacks */
    struct mos_handoff *h;
    uint32_t fb_entry, module_entry, ap_entry; /* placeholder indexes */
    char why[160];
} fixture;

/* The final map (R = handoff region bytes):
 *   [0, 0x9f000)                  usable
 *   [0x9f000, 0x100000)           reserved
 *   [0x100000, 0x106000)          kernel
 *   [0x106000, 0x116000)          kernel stack
 *   [0x116000, 0x200000)          usable
 *   [0x200000, +R)                handoff   (modules, cpus, module cmdlines inside)
 *   [+R, +8 KiB)                  ap-stacks (records at its start)
 *   [.., +1 MiB)                  temp heap
 *   [.., +4 KiB)                  frame bitmap
 *   [.., +56 KiB)                 page tables
 *   [.., 0x1400000)               usable
 *   [0x1400000, 0x1402000)        module
 *   [0x1402000, 0x8000000)        usable
 *   [0xfd000000, +3 MiB)          framebuffer */
static void make_map(fixture *f)
{
    uint64_t ap = WINDOW_PHYS + f->l.bytes + REV2_BYTES, heap = ap + AP_BYTES;
    uint64_t pt = heap + MiB + 0x1000, rest = pt + 0xe000;
    const mm_entry fixed[] = {
        {0, 0x9f000, MM_TYPE_USABLE, 1, 0},
        {0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0},
        {0x100000, 0x6000, MM_TYPE_KERNEL, 0, 0},
        {0x106000, 0x10000, MM_TYPE_KERNEL_STACK, 0, 0},
        {0x116000, 0xea000, MM_TYPE_USABLE, 1, 0},
        {WINDOW_PHYS, f->l.bytes + REV2_BYTES, MM_TYPE_HANDOFF, 0, 0},
        {ap, AP_BYTES, MM_TYPE_RESERVED, 0, 0},
        {heap, MiB, MM_TYPE_TEMP_HEAP, 0, 0},
        {heap + MiB, 0x1000, MM_TYPE_FRAME_BITMAP, 0, 0},
        {pt, 0xe000, MM_TYPE_PAGE_TABLES, 0, 0},
        {rest, MODULE_PHYS - rest, MM_TYPE_USABLE, 1, 0},
        {MODULE_PHYS, MODULE_BYTES, MM_TYPE_RESERVED, 0, 0},
        {MODULE_PHYS + MODULE_BYTES, 0x8000000 - MODULE_PHYS - MODULE_BYTES, MM_TYPE_USABLE, 1, 0},
        {FB_PHYS, FB_BYTES, MM_TYPE_RESERVED, 0, 0},
    };
    memcpy(f->entries, fixed, sizeof fixed);
    f->map =
        (mm_map){.entries = f->entries, .count = sizeof fixed / sizeof fixed[0], .capacity = 32};
    f->ap_entry = 6;
    f->module_entry = 11;
    f->fb_entry = 13;
}

static bc_handoff_input make_input(const fixture *f)
{
    uint64_t heap = WINDOW_PHYS + f->l.bytes + REV2_BYTES + AP_BYTES;
    return (bc_handoff_input){
        .fields =
            {
                .boot_mode = MOS_BOOT_MODE_BIOS,
                .bios_memory_detect = MOS_BIOS_DETECT_E820,
                .temp_heap_base = heap,
                .temp_heap_size = MiB,
                .bitmap_addr = heap + MiB,
                .bitmap_size = 0x1000,
                .bitmap_frame_count = 0x8000,
                .bitmap_granularity = 4096,
                .kernel_phys_base = 0x100000,
                .kernel_virt_base = 0xffffffff80000000ULL,
                .kernel_size = 0x6000,
                .kernel_entry = 0xffffffff80000010ULL,
                .stack_phys_base = 0x106000,
                .stack_size = 0x10000,
                .stack_virt_top = 0xffff800000000000ULL + 0x116000 - 8,
                .cr3 = heap + MiB + 0x1000,
                .hhdm_offset = 0xffff800000000000ULL,
                .hhdm_size = 4096 * MiB,
                .identity_map_size = 4096 * MiB,
            },
        .map = &f->map,
        .cmdline = "quiet",
    };
}

static struct mos_memmap_entry *hmap(fixture *f)
{
    return (struct mos_memmap_entry *)(f->window + f->l.map_off);
}

static struct mos_module *modules(fixture *f)
{
    return (struct mos_module *)(f->window + MODULES_OFF);
}

static struct mos_cpu *cpus(fixture *f)
{
    return (struct mos_cpu *)(f->window + CPUS_OFF);
}

static struct mos_cpu_record *records(fixture *f)
{
    return (struct mos_cpu_record *)(f->window + f->l.bytes + REV2_BYTES);
}

static void reseal(fixture *f)
{
    size_t n = (size_t)f->h->memmap_count * f->h->memmap_entry_size;
    f->h->memmap_crc32 = mos_crc32_skip(hmap(f), n, n);
    bc_handoff_seal(f->h, 7);
}

/* 1024x768, 32 bpp, x8r8g8b8. */
static void fill_framebuffer(fixture *f)
{
    struct mos_handoff *h = f->h;
    hmap(f)[f->fb_entry].type = MOS_MEM_FRAMEBUFFER;
    h->fb_addr = FB_PHYS;
    h->fb_size = FB_BYTES;
    h->fb_width = 1024;
    h->fb_height = 768;
    h->fb_pitch = 4096;
    h->fb_bpp = 32;
    h->fb_memory_model = MOS_FB_MODEL_RGB;
    h->fb_source = MOS_FB_SOURCE_VBE;
    h->fb_red_mask_size = h->fb_green_mask_size = h->fb_blue_mask_size = 8;
    h->fb_red_mask_shift = 16;
    h->fb_green_mask_shift = 8;
    h->fb_blue_mask_shift = 0;
}

/* Two modules sharing the MODULE entry: 5000 bytes, then 100 bytes. */
static void fill_modules(fixture *f)
{
    static const char cmd0[] = "root=/dev/ram0", cmd1[] = "";
    hmap(f)[f->module_entry].type = MOS_MEM_MODULE;
    memcpy(f->window + MODCMD_OFF, cmd0, sizeof cmd0);
    memcpy(f->window + MODCMD_OFF + 32, cmd1, sizeof cmd1);
    modules(f)[0] = (struct mos_module){MODULE_PHYS, 5000, WINDOW_PHYS + MODCMD_OFF,
                                        sizeof cmd0, 0,    "initrd.img"};
    modules(f)[1] = (struct mos_module){MODULE_PHYS + 0x1000, 100, WINDOW_PHYS + MODCMD_OFF + 32,
                                        sizeof cmd1,          0,   "font.psf"};
    f->h->modules_addr = WINDOW_PHYS + MODULES_OFF;
    f->h->module_count = 2;
    f->h->module_entry_size = sizeof(struct mos_module);
}

/* BSP (APIC 0), AP 1 started (record 0), AP 3 failed. */
static void fill_cpus(fixture *f)
{
    uint64_t rec = WINDOW_PHYS + f->l.bytes + REV2_BYTES;
    hmap(f)[f->ap_entry].type = MOS_MEM_AP_STACKS;
    records(f)[0] = (struct mos_cpu_record){.apic_id = 1, .stack_top = 0xffff800000001000ULL};
    cpus(f)[0] = (struct mos_cpu){0, 0, MOS_CPU_BSP, 0, 0};
    cpus(f)[1] = (struct mos_cpu){1, 1, MOS_CPU_STARTED, 0, rec};
    cpus(f)[2] = (struct mos_cpu){3, 2, MOS_CPU_FAILED, 0, 0};
    f->h->cpus_addr = WINDOW_PHYS + CPUS_OFF;
    f->h->cpu_count = 3;
    f->h->cpu_entry_size = sizeof(struct mos_cpu);
    f->h->bsp_apic_id = 0;
    f->h->lapic_addr = 0xfee00000;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(bc_handoff_layout_init(&f->l, 32, 16, 0), MM_OK);
    assert_true(MODCMD_OFF + 64 <= f->l.bytes && f->l.cmdline_off + 16 <= MODULES_OFF);
    f->window = aligned_alloc(4096, f->l.bytes + REV2_BYTES + AP_BYTES);
    memset(f->window, 0, f->l.bytes + REV2_BYTES + AP_BYTES);
    make_map(f);
    bc_handoff_input in = make_input(f);
    assert_int_equal(bc_handoff_build(&in, &f->l, f->window, WINDOW_PHYS, &f->h), MM_OK);
    fill_framebuffer(f);
    fill_modules(f);
    fill_cpus(f);
    reseal(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->window);
    free(f);
    return 0;
}

static void expect_verdict(fixture *f, mm_status want, const char *msg)
{
    reseal(f);
    uint64_t off = (uint64_t)(uintptr_t)f->window - WINDOW_PHYS;
    mm_status got = bc_handoff_check(f->h, off, f->why, sizeof f->why);
    if (got != want)
        fail_msg("got %s (%s), want %s", mm_status_name(got), f->why, mm_status_name(want));
    if (!strstr(f->why, msg))
        fail_msg("reason \"%s\" lacks \"%s\"", f->why, msg);
}

/* ---- whole handoffs ---- */

static void full_rev2_passes(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->h->revision, 2);
    assert_int_equal(f->h->size, 456);
    expect_verdict(f, MM_OK, "ok");
}

/* Nothing reported: no framebuffer, no modules, CPUs not enumerated. */
static void rev2_without_extras_passes(void **state)
{
    fixture *f = *state;
    struct mos_handoff *h = f->h;
    memset((unsigned char *)h + MOS_HANDOFF_SIZE_REV1, 0, sizeof *h - MOS_HANDOFF_SIZE_REV1);
    expect_verdict(f, MM_OK, "ok");
}

/* A revision-1 kernel's view: 368 bytes, rev-2 bytes beyond `size` are
 * not looked at even when they are garbage. */
static void rev1_handoff_still_passes(void **state)
{
    fixture *f = *state;
    f->h->revision = 1;
    f->h->size = MOS_HANDOFF_SIZE_REV1;
    f->h->cpu_count = 99;
    f->h->fb_bpp = 7;
    expect_verdict(f, MM_OK, "ok");
}

static void rev2_must_cover_its_fields(void **state)
{
    fixture *f = *state;
    f->h->size = MOS_HANDOFF_SIZE_REV1;
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "size 368 outside [456, 4096] for revision 2");
}

/* ---- framebuffer ---- */

static void fb_outside_its_entry(void **state)
{
    fixture *f = *state;
    f->h->fb_addr = FB_PHYS + 0x1000; /* fb_size now runs past the entry */
    expect_verdict(f, MM_ERR_MAP_INVALID, "framebuffer at 0xfd001000 is not inside a framebuffer");
}

static void fb_entry_of_wrong_type(void **state)
{
    fixture *f = *state;
    hmap(f)[f->fb_entry].type = MOS_MEM_MMIO;
    expect_verdict(f, MM_ERR_MAP_INVALID, "is not inside a framebuffer entry");
}

static void fb_beyond_direct_map(void **state)
{
    fixture *f = *state;
    f->h->hhdm_size = FB_PHYS + FB_BYTES - 0x1000;
    f->h->identity_map_size = f->h->hhdm_size;
    expect_verdict(f, MM_ERR_MAP_INVALID, "framebuffer is not covered by the direct map");
}

static void fb_bad_bpp(void **state)
{
    fixture *f = *state;
    f->h->fb_bpp = 8;
    expect_verdict(f, MM_ERR_MAP_INVALID, "bpp is not 16, 24 or 32");
}

/* r 8@16 and g 8@12 share bits 16..19. */
static void fb_masks_overlap(void **state)
{
    fixture *f = *state;
    f->h->fb_green_mask_shift = 12;
    expect_verdict(f, MM_ERR_MAP_INVALID, "colour masks overlap");
}

static void fb_mask_outside_pixel(void **state)
{
    fixture *f = *state;
    f->h->fb_red_mask_shift = 30; /* 30 + 8 > 32 */
    expect_verdict(f, MM_ERR_MAP_INVALID, "colour mask outside the pixel");
}

static void fb_pitch_too_short(void **state)
{
    fixture *f = *state;
    f->h->fb_pitch = 4092;
    expect_verdict(f, MM_ERR_MAP_INVALID, "pitch shorter than a scanline");
}

static void fb_larger_than_size(void **state)
{
    fixture *f = *state;
    f->h->fb_height = 769;
    expect_verdict(f, MM_ERR_MAP_INVALID, "larger than fb_size");
}

static void fb_fields_without_address(void **state)
{
    fixture *f = *state;
    f->h->fb_addr = 0;
    expect_verdict(f, MM_ERR_MAP_INVALID, "framebuffer fields set without an address");
}

static void fb_wrong_model(void **state)
{
    fixture *f = *state;
    f->h->fb_memory_model = 2;
    expect_verdict(f, MM_ERR_MAP_INVALID, "memory model is not RGB");
}

/* ---- modules ---- */

static void module_outside_its_entry(void **state)
{
    fixture *f = *state;
    modules(f)[1].size = 0x1001; /* [0x1401000, 0x1402001) crosses the entry's end */
    expect_verdict(f, MM_ERR_MAP_INVALID, "module at 0x1401000 is not inside a module entry");
}

static void module_unaligned(void **state)
{
    fixture *f = *state;
    modules(f)[0].addr += 0x10;
    expect_verdict(f, MM_ERR_MAP_INVALID, "module 0: no address or not 4 KiB aligned");
}

/* An empty file: size 0, its page still inside the MODULE entry. */
static void module_empty(void **state)
{
    fixture *f = *state;
    modules(f)[1].size = 0;
    expect_verdict(f, MM_OK, "ok");
}

static void module_without_address(void **state)
{
    fixture *f = *state;
    modules(f)[1].addr = 0;
    modules(f)[1].size = 0;
    expect_verdict(f, MM_ERR_MAP_INVALID, "module 1: no address or not 4 KiB aligned");
}

static void module_cmdline_unterminated(void **state)
{
    fixture *f = *state;
    modules(f)[0].cmdline_size = 4; /* "root" without its NUL */
    expect_verdict(f, MM_ERR_MAP_INVALID, "module 0: cmdline is not NUL-terminated");
}

static void module_cmdline_outside_handoff(void **state)
{
    fixture *f = *state;
    modules(f)[0].cmdline_addr = MODULE_PHYS;
    expect_verdict(f, MM_ERR_MAP_INVALID, "module cmdline at 0x1400000 is not inside a handoff");
}

static void module_array_outside_handoff(void **state)
{
    fixture *f = *state;
    f->h->module_count = 1000; /* 64000 bytes from 0x200800 */
    expect_verdict(f, MM_ERR_MAP_INVALID, "modules at 0x200800 is not inside a handoff");
}

static void module_entry_size_small(void **state)
{
    fixture *f = *state;
    f->h->module_entry_size = 56;
    expect_verdict(f, MM_ERR_MAP_INVALID, "modules entry size too small");
}

/* A larger stride from a later revision: entries are found by it. */
static void module_stride_honoured(void **state)
{
    fixture *f = *state;
    struct mos_module m1 = modules(f)[1];
    memset(modules(f), 0, 3 * sizeof(struct mos_module));
    fill_modules(f);
    memset(&modules(f)[1], 0, sizeof m1);
    memcpy((unsigned char *)modules(f) + 72, &m1, sizeof m1);
    f->h->module_entry_size = 72;
    expect_verdict(f, MM_OK, "ok");
}

/* ---- CPUs ---- */

static void cpu_two_bsps(void **state)
{
    fixture *f = *state;
    cpus(f)[2] = (struct mos_cpu){0, 2, MOS_CPU_BSP, 0, 0};
    expect_verdict(f, MM_ERR_MAP_INVALID, "exactly one BSP");
}

static void cpu_no_bsp(void **state)
{
    fixture *f = *state;
    cpus(f)[0].flags = MOS_CPU_FAILED;
    expect_verdict(f, MM_ERR_MAP_INVALID, "exactly one BSP");
}

static void cpu_bsp_id_mismatch(void **state)
{
    fixture *f = *state;
    f->h->bsp_apic_id = 1;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 0: BSP flag on a CPU that is not bsp_apic_id");
}

static void cpu_started_and_failed(void **state)
{
    fixture *f = *state;
    cpus(f)[1].flags |= MOS_CPU_FAILED;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 1: unknown or contradictory flags");
}

static void cpu_unknown_flag(void **state)
{
    fixture *f = *state;
    cpus(f)[2].flags |= 0x100;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 2: unknown or contradictory flags");
}

static void cpu_record_outside_ap_stacks(void **state)
{
    fixture *f = *state;
    cpus(f)[1].record_addr = WINDOW_PHYS + 0xc00; /* handoff memory */
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu record at 0x200c00 is not inside a ap-stacks");
}

static void cpu_record_unaligned(void **state)
{
    fixture *f = *state;
    cpus(f)[1].record_addr += 8;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 1: record not 64-byte aligned");
}

static void cpu_record_wrong_apic(void **state)
{
    fixture *f = *state;
    records(f)[0].apic_id = 3;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 1: record holds another APIC id");
}

static void cpu_failed_with_record(void **state)
{
    fixture *f = *state;
    cpus(f)[2].record_addr = WINDOW_PHYS + f->l.bytes + REV2_BYTES + 64;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpu 2: record given for a CPU not started");
}

static void cpu_array_unaligned(void **state)
{
    fixture *f = *state;
    f->h->cpus_addr += 4;
    expect_verdict(f, MM_ERR_MAP_INVALID, "cpus array missing or not 8-byte aligned");
}

/* ---- bc_handoff_rev2_fill ---- */

static const bc_rev2_fb fb_1024x768 = {FB_PHYS, 1024, 768, 4096, 32, 8,
                                       16,      8,    8,   8,    0,  MOS_FB_SOURCE_GOP};
static const bc_rev2_module two_modules[] = {
    {MODULE_PHYS, 5000, "/boot/initrd.img", "root=/dev/ram0 rw"},
    {MODULE_PHYS + 0x1000, 100, "/boot/a-path-longer-than-thirty-one-bytes.bin", NULL},
};

static bc_rev2_input fill_input(fixture *f)
{
    return (bc_rev2_input){.fb = &fb_1024x768,
                           .modules = two_modules,
                           .module_count = 2,
                           .cpus = cpus(f),
                           .cpu_count = 3,
                           .bsp_apic_id = 0,
                           .smp_flags = MOS_SMP_X2APIC,
                           .lapic_addr = 0xfee00000};
}

/* The revision-2 region (R = WINDOW_PHYS + handoff bytes):
 *   R + 0     modules[2]   (64 bytes each)
 *   R + 128   cpus[3]      (24 bytes each)
 *   R + 200   "root=/dev/ram0 rw\0" "\0"
 * then the handoff passes every check. */
static void fill_builds_a_valid_handoff(void **state)
{
    fixture *f = *state;
    bc_rev2_input in = fill_input(f);
    bc_rev2_layout l;
    uint64_t rphys = WINDOW_PHYS + f->l.bytes;
    uint8_t *r = f->window + f->l.bytes;
    assert_int_equal(bc_rev2_layout_init(&l, 2, bc_rev2_cmdline_bytes(two_modules, 2), 3), MM_OK);
    assert_int_equal(l.cpus_off, 128);
    assert_int_equal(l.cmdlines_off, 200);
    assert_int_equal(l.bytes, 4096);
    f->h->fb_flags = 0x77; /* stale bytes: the fill starts from zero */
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, rphys), MM_OK);
    struct mos_handoff *h = f->h;
    assert_true(h->fb_addr == FB_PHYS && h->fb_size == 3 * 1024 * 1024);
    assert_int_equal(h->fb_bpp, 32);
    assert_int_equal(h->fb_red_mask_shift, 16);
    assert_int_equal(h->fb_source, MOS_FB_SOURCE_GOP);
    assert_int_equal(h->fb_memory_model, MOS_FB_MODEL_RGB);
    assert_int_equal(h->fb_flags, 0);
    assert_true(h->modules_addr == rphys && h->cpus_addr == rphys + 128);
    const struct mos_module *m = (const void *)r;
    assert_string_equal(m[0].path, "/boot/initrd.img");
    assert_string_equal(m[1].path, "/boot/a-path-longer-than-thirty"); /* 31 + NUL */
    assert_true(m[0].cmdline_addr == rphys + 200 && m[0].cmdline_size == 18);
    assert_string_equal((const char *)r + 200, "root=/dev/ram0 rw");
    assert_true(m[1].cmdline_addr == rphys + 218 && m[1].cmdline_size == 1);
    assert_memory_equal(r + 128, cpus(f), 3 * sizeof(struct mos_cpu));
    assert_int_equal(h->smp_flags, MOS_SMP_X2APIC);
    expect_verdict(f, MM_OK, "ok");
}

/* Nothing to report: every revision-2 field 0 except the strides. */
static void fill_with_nothing(void **state)
{
    fixture *f = *state;
    bc_rev2_input in = {0};
    bc_rev2_layout l;
    assert_int_equal(bc_rev2_layout_init(&l, 0, 0, 0), MM_OK);
    assert_int_equal(l.bytes, 0);
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, NULL, 0), MM_OK);
    assert_true(f->h->fb_addr == 0 && f->h->fb_size == 0 && f->h->modules_addr == 0);
    assert_int_equal(f->h->cpu_count, 0);
    assert_int_equal(f->h->module_entry_size, sizeof(struct mos_module));
    expect_verdict(f, MM_OK, "ok");
}

/* One module more than the layout holds, or longer command lines: refused
 * and the handoff left as it was. */
static void fill_refuses_what_does_not_fit(void **state)
{
    fixture *f = *state;
    bc_rev2_input in = fill_input(f);
    bc_rev2_layout l;
    struct mos_handoff before = *f->h;
    uint8_t *r = f->window + f->l.bytes;
    assert_int_equal(bc_rev2_layout_init(&l, 1, 64, 3), MM_OK);
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, 0), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bc_rev2_layout_init(&l, 2, 18, 3), MM_OK); /* needs 19 */
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, 0), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bc_rev2_layout_init(&l, 2, 64, 2), MM_OK);
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, 0), MM_ERR_BUFFER_TOO_SMALL);
    assert_memory_equal(f->h, &before, sizeof before);
    f->h->size = MOS_HANDOFF_SIZE_REV1;
    assert_int_equal(bc_rev2_layout_init(&l, 2, 64, 3), MM_OK);
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, 0), MM_ERR_INVALID_ARGUMENT);
    in.modules = NULL;
    f->h->size = sizeof(struct mos_handoff);
    assert_int_equal(bc_handoff_rev2_fill(f->h, &in, &l, r, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_rev2_layout_init(&l, 1, 4ULL << 30, 1), MM_ERR_OVERFLOW);
    assert_int_equal(bc_rev2_layout_init(NULL, 1, 1, 1), MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(full_rev2_passes),
        T(rev2_without_extras_passes),
        T(rev1_handoff_still_passes),
        T(rev2_must_cover_its_fields),
        T(fb_outside_its_entry),
        T(fb_entry_of_wrong_type),
        T(fb_beyond_direct_map),
        T(fb_bad_bpp),
        T(fb_masks_overlap),
        T(fb_mask_outside_pixel),
        T(fb_pitch_too_short),
        T(fb_larger_than_size),
        T(fb_fields_without_address),
        T(fb_wrong_model),
        T(module_outside_its_entry),
        T(module_unaligned),
        T(module_empty),
        T(module_without_address),
        T(module_cmdline_unterminated),
        T(module_cmdline_outside_handoff),
        T(module_array_outside_handoff),
        T(module_entry_size_small),
        T(module_stride_honoured),
        T(cpu_two_bsps),
        T(cpu_no_bsp),
        T(cpu_bsp_id_mismatch),
        T(cpu_started_and_failed),
        T(cpu_unknown_flag),
        T(cpu_record_outside_ap_stacks),
        T(cpu_record_unaligned),
        T(cpu_record_wrong_apic),
        T(cpu_failed_with_record),
        T(cpu_array_unaligned),
        T(fill_builds_a_valid_handoff),
        T(fill_with_nothing),
        T(fill_refuses_what_does_not_fit),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
