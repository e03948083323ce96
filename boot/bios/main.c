/* Stage 2, protected-mode part: from the boot drive to the kernel.
 *
 * stage2_main runs the steps of boot/common/handoff.h in order:
 *   A  A20, the boot volume (GPT ESP or MBR FAT partition), boot.cfg, the
 *      memory map (E820 or its fallbacks, from bios_memory_detect on),
 *      sanitized, with the loader's low memory and the firmware areas
 *      carved; the kernel file read and validated;
 *   B  every range placed with mm_map_find (1 MiB .. 4 GiB: this code runs
 *      in 32-bit mode) and carved to its own type;
 *   C  map validated, frame bitmap, kernel copied, page tables, handoff,
 *      sealed, long mode, jump.
 * Any error ends in fatal(): message on screen and COM1, the loader-failed
 * code on isa-debug-exit, halt. */
#include "a20.h"
#include "bios.h"
#include "bios_layout.h"
#include "common/entry.h"
#include "console.h"
#include "loader.h"
#include "machine.h"

#define FOUR_GIB      ((uint64_t)4 << 30)
#define ONE_MIB       ((uint64_t)1 << 20)
#define BOOT_CFG_PATH "/boot.cfg"

static struct loader L;
static struct lm_jump jump;

__attribute__((noreturn)) void stage2_main(uint32_t drive);

/* ---- low-memory buffers ([LOW_BUF_BASE, LOW_BUF_END), loader-owned) ---- */

static uint32_t low_next = LOW_BUF_BASE;

static void *low_alloc(uint32_t size, const char *what)
{
    uint32_t base = (low_next + 15u) & ~15u;
    if (size > LOW_BUF_END - base)
        fatal("%s: %u bytes do not fit the loader's low buffers", what, size);
    low_next = base + size;
    BC_TRACK_ALLOC(&L, MM_ALLOC_HEAP, what, size);
    return (void *)base;
}

static void *phys_ptr(uint64_t phys)
{
    return (void *)(uintptr_t)phys;
}

static void *identity(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_ptr(phys);
}

/* ---- A: volume, config, memory map ---- */

static void check_gdt(void)
{
    extern const uint64_t stage2_gdt[BC_GDT_ENTRIES];
    uint64_t want[BC_GDT_ENTRIES];
    bc_gdt_fill(want);
    /* The CPU sets the "accessed" bit (bit 40) of descriptors it loads. */
    const uint64_t accessed = (uint64_t)1 << 40;
    for (uint32_t i = 0; i < BC_GDT_ENTRIES; i++) {
        if ((stage2_gdt[i] | accessed) != (want[i] | accessed))
            fatal("stage 2 GDT entry %u differs from boot/common's layout", i);
    }
}

static void open_volume(uint32_t drive)
{
    if (disk_open(&L.disk, (uint8_t)drive))
        fatal("drive 0x%x: no INT 13h extensions (EDD), cannot read the disk", drive);
    uint32_t scratch_size = 16384;
    part_disk pd = {.read = disk_read,
                    .ctx = &L.disk,
                    .sector_size = L.disk.sector_size,
                    .sectors = L.disk.sectors,
                    .scratch = low_alloc(scratch_size, "partition scratch"),
                    .scratch_size = scratch_size};
    part_status ps = part_find_boot_volume(&pd, &L.volume);
    if (ps != PART_OK)
        fatal("drive 0x%x: no boot volume (EFI system partition or FAT partition): %s", drive,
              ps == PART_ERR_IO ? "disk read error" : part_strerror(ps));
    L.fs = low_alloc(sizeof *L.fs, "FAT state");
    fat_status fs = fat_mount(L.fs, disk_read, &L.disk, L.disk.sector_size, L.volume.first_lba,
                              L.volume.sectors);
    if (fs != FAT_OK)
        fatal("boot volume at LBA %llu: %s", (unsigned long long)L.volume.first_lba,
              fat_strerror(fs));
    mm_log(&con_log, MM_LOG_INFO, "boot volume: partition %u at LBA %llu, FAT%u, %u-byte sectors",
           L.volume.index + 1, (unsigned long long)L.volume.first_lba, L.fs->fat_bits,
           L.disk.sector_size);
}

/* boot.cfg from the volume root (missing means the defaults), applied to
 * lib/mm's config through boot/common's bridge; every problem is listed
 * with its line, then the boot stops. */
static void read_config(void)
{
    fat_file f;
    const void *text = NULL;
    fat_status fst = fat_lookup(L.fs, BOOT_CFG_PATH, &f);
    if (fst != FAT_ERR_NOT_FOUND) {
        if (fst == FAT_OK && f.size > BC_CFG_MAX_FILE)
            fatal("boot.cfg: %u bytes, more than the %u allowed", f.size, BC_CFG_MAX_FILE);
        void *buf = low_alloc(BC_CFG_MAX_FILE, "boot.cfg buffer");
        if (fst == FAT_OK)
            fst = fat_read_file(L.fs, &f, buf, BC_CFG_MAX_FILE);
        if (fst != FAT_OK)
            fatal("boot.cfg: cannot read: %s", fat_strerror(fst));
        text = buf;
    }
    if (bc_bootcfg_load(text, text ? f.size : 0, &L.cfg, &L.mem, &con_log) != MM_OK)
        fatal("boot.cfg has errors (listed above)");
}

/* Retypes the usable parts of [base, base + len) (the firmware may have
 * reserved some of it already; those keep their type). */
static void carve_usable_parts(uint64_t base, uint64_t len, mm_type type, const char *what)
{
    uint64_t end = base + len;
    for (uint32_t i = 0; i < L.map.count; i++) {
        const mm_entry *e = &L.map.entries[i];
        uint64_t lo = e->base > base ? e->base : base;
        uint64_t hi = mm_entry_end(e) < end ? mm_entry_end(e) : end;
        if (e->type != MM_TYPE_USABLE || lo >= hi)
            continue;
        mm_status st = mm_map_carve(&L.map, lo, hi - lo, type, MM_CARVE_DEFAULT);
        if (st != MM_OK)
            fatal("memory map: cannot carve %s: %s", what, mm_strerror(st));
        i = 0; /* entries moved: rescan (a handful of entries below 1 MiB) */
    }
}

/* Below 1 MiB: IVT + BDA and everything from the EBDA (or the seed's
 * 0x9F000, whichever is lower) up to 1 MiB are firmware's; the loader's own
 * low memory (stage 2, stacks, buffers) is bootloader-reclaimable. */
static void carve_low_memory(void)
{
    uint32_t ebda = ebda_base();
    uint64_t fw = ebda && ebda < 0x9f000 ? ebda & ~0xfffu : 0x9f000;
    mm_status st = mm_map_carve(&L.map, 0, 0x1000, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
    if (st == MM_OK)
        st = mm_map_carve(&L.map, fw, ONE_MIB - fw, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
    if (st != MM_OK)
        fatal("memory map: cannot reserve the firmware areas: %s", mm_strerror(st));
    carve_usable_parts(LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE,
                       MM_TYPE_BOOTLOADER_RECLAIMABLE, "the loader's low memory");
    mm_log(&con_log, MM_LOG_DEBUG,
           "low memory: [0, 0x1000) and [0x%llx, 0x100000) firmware, [0x%x, 0x%x) loader",
           (unsigned long long)fw, LOADER_LOW_BASE, LOADER_LOW_END);
}

static void log_map(void)
{
    struct mm_map_stats s;
    mm_map_stats(&L.map, &s);
    mm_log(&con_log, MM_LOG_INFO, "memory map: %u entries, %llu KiB usable (method %s)",
           L.map.count, (unsigned long long)(s.usable_bytes >> 10),
           bm_method_name(L.detect.method));
    for (uint32_t i = 0; i < L.map.count && mm_log_enabled(&con_log, MM_LOG_DEBUG); i++) {
        const mm_entry *e = &L.map.entries[i];
        mm_log(&con_log, MM_LOG_DEBUG, "  [0x%016llx, 0x%016llx) %s", (unsigned long long)e->base,
               (unsigned long long)mm_entry_end(e), mm_type_name((mm_type)e->type));
    }
}

static void detect_memory(void)
{
    uint32_t cap = bc_handoff_map_capacity(BM_E820_MAX_ENTRIES);
    mm_entry *storage = low_alloc(cap * (uint32_t)sizeof(mm_entry), "memory map");
    mm_map_init(&L.map, storage, cap);
    bm_e820 *raw = low_alloc(sizeof *raw, "E820 buffer");
    bm_bios bios = bios_for_biosmem();
    mm_status st = bm_detect(&bios, L.cfg.bios_memory_detect, &L.map, raw, &L.detect);
    if (st != MM_OK)
        fatal("memory detection failed: %s", mm_strerror(st));
    mm_log(&con_log, MM_LOG_INFO, "memory: detected with %s (%u entries%s)%s",
           bm_method_name(L.detect.method), L.detect.raw_entries,
           L.detect.method == MOS_BIOS_DETECT_E820 && raw->truncated ? ", list cut at the limit"
                                                                     : "",
           L.detect.method != L.cfg.bios_memory_detect ? " after fallback" : "");
    for (uint32_t i = 0; i < L.map.count && mm_log_enabled(&con_log, MM_LOG_DEBUG); i++) {
        const mm_entry *e = &L.map.entries[i];
        mm_log(&con_log, MM_LOG_DEBUG, "  firmware: base 0x%llx length 0x%llx type %u attr 0x%llx",
               (unsigned long long)e->base, (unsigned long long)e->length, e->raw_type,
               (unsigned long long)e->attributes);
    }
    size_t need = mm_map_sanitize_scratch_size(cap);
    void *scratch = low_alloc((uint32_t)need, "sanitize scratch");
    st = mm_map_sanitize(&L.map, L.mem.bitmap_granularity, scratch, need, &L.sanitize);
    if (st != MM_OK)
        fatal("memory map: cannot sanitize: %s", mm_strerror(st));
    if (L.sanitize.overlaps_resolved || L.sanitize.empty_dropped || L.sanitize.bytes_trimmed)
        mm_log(&con_log, MM_LOG_INFO,
               "memory map: sanitizer fixed %u overlaps, dropped %u empty entries, merged %u, "
               "trimmed %llu bytes",
               L.sanitize.overlaps_resolved, L.sanitize.empty_dropped, L.sanitize.merged,
               (unsigned long long)L.sanitize.bytes_trimmed);
    carve_low_memory();
    L.tsc_memmap = rdtsc();
    log_map();
}

/* ---- B: placement ---- */

#if MM_DEBUG
/* Profile tags of the placed ranges, as the UEFI loader names them. */
static const char *const range_tag[R_COUNT] = {
    [R_KERNEL_FILE] = "kernel file", [R_KERNEL] = "kernel",       [R_STACK] = "kernel stack",
    [R_TEMP_HEAP] = "temp heap",     [R_BOOT_HEAP] = "boot heap", [R_BITMAP] = "frame bitmap",
    [R_PAGE_TABLES] = "page tables", [R_HANDOFF] = "handoff",
};
#endif

/* Finds `size` bytes aligned to `align` in [min, 4 GiB) and carves them as
 * `type`. Base and size are rounded to the bitmap granularity (the map's
 * frame size) so that a carve never rounds into a neighbour.
 * MM_ERR_NOT_FOUND when nothing fits. */
static mm_status place(enum range_id id, uint64_t size, uint64_t align, uint64_t min, mm_type type)
{
    uint64_t base, frame = L.mem.bitmap_granularity;
    uint64_t a = align < frame ? frame : align;
    if (!mm_align_up(size, frame, &size) || size == 0)
        return MM_ERR_INVALID_ARGUMENT;
    mm_status st = mm_map_find(&L.map, size, a, min < ONE_MIB ? ONE_MIB : min, FOUR_GIB,
                               MM_FIND_BOTTOM_UP, &base);
    if (st == MM_OK)
        st = mm_map_carve(&L.map, base, size, type, MM_CARVE_DEFAULT);
    if (st == MM_OK) {
        L.range[id] = (struct range){base, size};
        BC_TRACK_ALLOC(&L, MM_ALLOC_OTHER, range_tag[id], size);
        mm_log(&con_log, MM_LOG_DEBUG, "%s: %llu KiB at 0x%llx", mm_type_name(type),
               (unsigned long long)(size >> 10), (unsigned long long)base);
    }
    return st;
}

static void place_or_die(enum range_id id, uint64_t size, uint64_t align, uint64_t min,
                         mm_type type)
{
    mm_status st = place(id, size, align, min, type);
    if (st != MM_OK)
        fatal("%s: cannot place %llu bytes below 4 GiB: %s", mm_type_name(type),
              (unsigned long long)size, mm_strerror(st));
}

/* Reads the kernel into a bootloader-reclaimable buffer and validates it. */
static void read_kernel(void)
{
    const char *path = L.cfg.kernel;
    fat_file f;
    fat_status st = fat_lookup(L.fs, path, &f);
    if (st == FAT_OK && f.is_dir)
        st = FAT_ERR_IS_DIR;
    if (st == FAT_ERR_NOT_FOUND)
        fatal("kernel %s: no such file on the boot volume (kernel= in boot.cfg)", path);
    if (st != FAT_OK)
        fatal("kernel %s: %s", path, fat_strerror(st));
    if (f.size == 0)
        fatal("kernel %s: empty file", path);
    place_or_die(R_KERNEL_FILE, f.size, 4096, ONE_MIB, MM_TYPE_BOOTLOADER_RECLAIMABLE);
    uint32_t reads = L.disk.reads;
    st =
        fat_read_file(L.fs, &f, phys_ptr(L.range[R_KERNEL_FILE].base), L.range[R_KERNEL_FILE].size);
    if (st != FAT_OK)
        fatal("kernel %s: cannot read: %s", path,
              st == FAT_ERR_IO ? "disk read error" : fat_strerror(st));
    if (bc_elf_parse(phys_ptr(L.range[R_KERNEL_FILE].base), f.size, &L.elf) != BC_ELF_OK)
        fatal("kernel %s: not a valid kernel: %s", path, L.elf.msg);
    mm_log(&con_log, MM_LOG_INFO,
           "kernel %s: %u bytes in %u disk reads, %u segments, entry 0x%llx, virt 0x%llx..0x%llx",
           path, f.size, L.disk.reads - reads, L.elf.count, (unsigned long long)L.elf.entry,
           (unsigned long long)L.elf.virt_base, (unsigned long long)L.elf.virt_end);
}

static void place_heaps(void)
{
    uint64_t want = L.mem.temp_heap_size;
    if (want == 0) {
        mm_log(&con_log, MM_LOG_WARN, "temp heap: temp_heap_size=0, none handed over");
    } else if (place(R_TEMP_HEAP, want, 4096, ONE_MIB, MM_TYPE_TEMP_HEAP) != MM_OK) {
        mm_log(&con_log, MM_LOG_WARN,
               "temp heap: cannot place %llu bytes below 4 GiB; handing over base 0, size 0",
               (unsigned long long)want);
    } else {
        mm_log(&con_log, MM_LOG_INFO, "temp heap: %llu KiB at 0x%llx",
               (unsigned long long)(want >> 10), (unsigned long long)L.range[R_TEMP_HEAP].base);
    }
    mm_status st = place(R_BOOT_HEAP, L.mem.heap_size, L.mem.heap_alignment, L.mem.min_heap_addr,
                         MM_TYPE_BOOT_HEAP);
    if (st != MM_OK)
        fatal("boot heap: no %llu bytes free at or above 0x%llx below 4 GiB (heap_size, "
              "min_heap_addr)",
              (unsigned long long)L.mem.heap_size, (unsigned long long)L.mem.min_heap_addr);
    mm_log(&con_log, MM_LOG_INFO, "boot heap: %llu KiB at 0x%llx",
           (unsigned long long)(L.range[R_BOOT_HEAP].size >> 10),
           (unsigned long long)L.range[R_BOOT_HEAP].base);
}

/* The paging layout both loaders use (docs/protocol.md): identity map of
 * the low 4 GiB (stage 2 runs below 1 MiB through the CR3 switch), direct
 * map of all RAM, the kernel's ranges. */
static void paging_layout(void)
{
    uint64_t hhdm = bc_paging_hhdm_size(L.map.entries, L.map.count);
    if (hhdm == 0)
        fatal("page tables: no RAM in the memory map");
    if (bc_paging_standard(&L.elf, L.range[R_KERNEL].base, FOUR_GIB, hhdm, L.nx ? BC_PAGING_NX : 0,
                           &L.paging) != MM_OK) {
        char why[96] = "bad kernel mappings";
        bc_paging_check(&L.paging.layout, why, sizeof why);
        fatal("page tables: bad layout: %s", why);
    }
}

/* Sizes come from the map before these carves (they never grow them). */
static void place_all(void)
{
    uint64_t bitmap_bytes, pt_bytes;
    if (mm_bitmap_storage_size(&L.map, L.mem.bitmap_granularity, &bitmap_bytes) != MM_OK)
        fatal("frame bitmap: cannot size it for this memory map");
    if (bc_handoff_layout_init(&L.handoff_layout, L.map.capacity, bc_cmdline_bytes(L.cfg.cmdline),
                               0) != MM_OK)
        fatal("handoff: cannot lay out its region");
    place_or_die(R_KERNEL, L.elf.span, L.elf.phys_align, ONE_MIB, MM_TYPE_KERNEL);
    place_or_die(R_STACK, BC_KERNEL_STACK_SIZE, 4096, ONE_MIB, MM_TYPE_KERNEL_STACK);
    place_heaps();
    paging_layout();
    if (bc_paging_bytes_needed(&L.paging.layout, &pt_bytes) != MM_OK)
        fatal("page tables: cannot size them");
    place_or_die(R_BITMAP, bitmap_bytes, 4096, ONE_MIB, MM_TYPE_FRAME_BITMAP);
    place_or_die(R_PAGE_TABLES, pt_bytes, 4096, ONE_MIB, MM_TYPE_PAGE_TABLES);
    place_or_die(R_HANDOFF, L.handoff_layout.bytes, 4096, ONE_MIB, MM_TYPE_HANDOFF);
}

/* ---- C: build and jump ---- */

/* memory_test=on: pattern-tests the free RAM below 4 GiB (what 32-bit code
 * reaches) after the bitmap is built; bad frames are carved to "bad" and
 * reserved in the bitmap by lib/mm, so map and bitmap stay in step. */
static void memory_test(void)
{
    mm_phys_window window = {.base = 0, .end = FOUR_GIB, .virt_offset = 0};
    mm_memtest t;
    mm_status st = mm_memtest_init(&t, &window, L.mem.bitmap_granularity);
    if (st == MM_OK)
        st = mm_memtest_map(&t, &L.map, &L.bitmap, &con_log);
    if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
        fatal("memory test: %s", mm_strerror(st));
    L.memtest_bad_bytes = t.result.bad_bytes;
    struct mm_map_stats stats;
    mm_map_stats(&L.map, &stats);
    if (stats.highest_usable_end > FOUR_GIB)
        mm_log(&con_log, MM_LOG_INFO, "memory test: RAM above 4 GiB is not tested on BIOS");
}

static void build_tables(void)
{
    mm_validate_error verr;
    if (mm_map_validate(&L.map, L.mem.bitmap_granularity, &verr) != MM_OK)
        fatal("memory map invalid after carving (entry %u: %s): loader bug", verr.index,
              mm_validate_rule_name(verr.rule));
    const struct range *b = &L.range[R_BITMAP];
    mm_status st = mm_bitmap_init(&L.bitmap, &L.map, L.mem.bitmap_granularity, phys_ptr(b->base),
                                  (size_t)b->size);
    if (st != MM_OK)
        fatal("frame bitmap: %s", mm_strerror(st));
    if (L.mem.enable_memory_test)
        memory_test();
    const struct range *k = &L.range[R_KERNEL];
    if (bc_elf_load(&L.elf, phys_ptr(L.range[R_KERNEL_FILE].base),
                    (size_t)L.range[R_KERNEL_FILE].size, phys_ptr(k->base),
                    (size_t)k->size) != BC_ELF_OK)
        fatal("kernel: cannot copy its segments");
    bc_paging_region region = {.phys = L.range[R_PAGE_TABLES].base,
                               .size = L.range[R_PAGE_TABLES].size,
                               .to_ptr = identity};
    st = bc_paging_build(&L.paging.layout, &region, &L.cr3);
    if (st != MM_OK)
        fatal("page tables: %s", mm_strerror(st));
}

static struct mos_handoff *build_handoff(void)
{
    const struct range *r = L.range;
    bc_handoff_sources src = {
        .boot_mode = MOS_BOOT_MODE_BIOS,
        .map = &L.map,
        .bitmap = &L.bitmap,
        .paging = &L.paging.layout,
        .elf = &L.elf,
        .sanitize = &L.sanitize,
        .cmdline = L.cfg.cmdline,
        .kernel = {r[R_KERNEL].base, r[R_KERNEL].size},
        .stack = {r[R_STACK].base, r[R_STACK].size},
        .temp_heap = {r[R_TEMP_HEAP].base, r[R_TEMP_HEAP].size},
        .boot_heap = {r[R_BOOT_HEAP].base, r[R_BOOT_HEAP].size},
        .bitmap_storage = {r[R_BITMAP].base, r[R_BITMAP].size},
        .cr3 = L.cr3,
        .acpi_rsdp = L.rsdp,
        .memtest_bad_bytes = L.memtest_bad_bytes,
        .tsc_loader_entry = L.tsc_entry,
        .tsc_memmap_done = L.tsc_memmap,
        .tsc_frequency_hz = L.tsc_hz,
    };
    bc_handoff_input in;
    bc_handoff_input_fill(&in, &src);
    in.bios_memory_detect = L.detect.method;
    struct mos_handoff *h;
    mm_status st = bc_handoff_build(&in, &L.handoff_layout, phys_ptr(r[R_HANDOFF].base),
                                    r[R_HANDOFF].base, &h);
    if (st != MM_OK)
        fatal("handoff: %s", mm_strerror(st));
    return h;
}

_Noreturn static void jump_to_kernel(struct mos_handoff *h)
{
    const struct range *stk = &L.range[R_STACK];
    uint64_t rsp = bc_entry_rsp(BC_HHDM_OFFSET, stk->base, stk->size);
    /* The return slot holds 0 so stack walkers stop (entry.h). */
    *(volatile uint64_t *)phys_ptr(rsp - BC_HHDM_OFFSET) = 0;
    jump = (struct lm_jump){.entry = L.elf.entry,
                            .rsp = rsp,
                            .rdi = BC_HHDM_OFFSET + L.range[R_HANDOFF].base,
                            .nxe = L.nx};
    mm_log(&con_log, MM_LOG_INFO, "jumping to the kernel at 0x%llx (handoff 0x%llx, CR3 0x%llx)",
           (unsigned long long)jump.entry, (unsigned long long)jump.rdi, (unsigned long long)L.cr3);
    bc_handoff_seal(h, rdtsc());
    enter_long_mode((uint32_t)L.cr3, &jump);
}

void stage2_main(uint32_t drive)
{
    L.tsc_entry = rdtsc();
    BC_TRACK_INIT(&L);
    con_init();
    idt_init();
    mm_log(&con_log, MM_LOG_INFO, BC_BANNER_FMT " (legacy BIOS), boot drive 0x%x", BC_BANNER_ARGS,
           drive);
    check_gdt();
    if (!cpu_long_mode(&L.nx))
        fatal("this CPU has no 64-bit long mode");
    const char *a20 = a20_enable();
    if (!a20)
        fatal("cannot enable the A20 gate (BIOS, keyboard controller and port 0x92 all failed)");
    mm_log(&con_log, MM_LOG_DEBUG, "A20: %s", a20);
    open_volume(drive);
    read_config();
    detect_memory();
    read_kernel();
    place_all();
    build_tables();
    L.rsdp = find_rsdp();
    L.tsc_hz = tsc_calibrate();
    mm_log(&con_log, MM_LOG_INFO, "ACPI RSDP 0x%llx, TSC %llu Hz, NX %s, %u disk reads",
           (unsigned long long)L.rsdp, (unsigned long long)L.tsc_hz, L.nx ? "on" : "off",
           L.disk.reads);
    struct mos_handoff *h = build_handoff();
    BC_TRACK_REPORT(&L, &con_log); /* DEBUG=1: the loader's allocations */
    jump_to_kernel(h);
}
