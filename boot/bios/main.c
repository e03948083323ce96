/* Stage 2, protected-mode part: the BIOS front end of the boot driver
 * (boot/common/driver.h). stage2_main checks the CPU, enables A20, opens
 * the boot volume (GPT ESP or MBR FAT partition), then runs the driver
 * with the firmware services below:
 *   files      the FAT reader over INT 13h extensions;
 *   map        E820 or its fallbacks (from bios_memory_detect on),
 *              sanitized, the loader's low memory and the firmware areas
 *              below 1 MiB carved; final from the start;
 *   place      find + carve in that map, between 1 MiB and 4 GiB (this
 *              code runs in 32-bit mode);
 *   exit       nothing to leave;
 *   menu       VGA + COM1 out, INT 16h + COM1 in, BIOS ticks (menu_io.c);
 *   chain_bios the boot sector at 0x7C00 in real mode (chainload.c);
 *   enter      long mode through entry.S; 32-bit protected mode (the
 *              kernel's GDT or stage 2's) through enter32.c.
 * Errors end in con_halt(): message on screen and COM1, the loader-failed
 * code on isa-debug-exit, halt. */
#include "a20.h"
#include "bios.h"
#include "bios_layout.h"
#include "chainload.h"
#include "common/driver.h"
#include "common/entry.h"
#include "common/smbios.h"
#include "console.h"
#include "enter32.h"
#include "loader.h"
#include "machine.h"
#include "menu_io.h"
#include "unpack.h"
#include "vbe.h"

#define FOUR_GIB ((uint64_t)4 << 30)
#define ONE_MIB  ((uint64_t)1 << 20)

static struct bios_loader L;
static bc_boot boot;
static struct lm_jump jump;
static struct lm_gdt_jump gdt_jump;
static struct vbe_screen vbe;
extern const uint8_t bc_ap_trampoline_start[], bc_ap_trampoline_end[]; /* ap_trampoline.S */

__attribute__((noreturn)) void stage2_main(uint32_t drive);

/* ---- low-memory buffers ([LOW_BUF_BASE, LOW_BUF_END), loader-owned) ---- */

static uint32_t low_next = LOW_BUF_BASE;

static void *low_alloc(uint32_t size)
{
    uint32_t base = (low_next + 15u) & ~15u;
    if (size > LOW_BUF_END - base)
        return NULL;
    low_next = base + size;
    return (void *)base;
}

static void *low_alloc_or_die(uint32_t size, const char *what)
{
    void *p = low_alloc(size);
    if (!p)
        fatal("%s: %u bytes do not fit the loader's low buffers", what, size);
    return p;
}

/* ---- before the driver ---- */

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
    uint32_t scratch_size = 16384, window_size = 65536;
    bc_readahead_init(&L.ahead, disk_read, &L.disk, L.disk.sector_size, L.disk.sectors,
                      low_alloc_or_die(window_size, "disk read-ahead window"), window_size);
    part_disk pd = {.read = bc_readahead_read,
                    .ctx = &L.ahead,
                    .sector_size = L.disk.sector_size,
                    .sectors = L.disk.sectors,
                    .scratch = low_alloc_or_die(scratch_size, "partition scratch"),
                    .scratch_size = scratch_size};
    part_status ps = part_find_boot_volume(&pd, &L.volume);
    if (ps != PART_OK)
        fatal("drive 0x%x: no boot volume (EFI system partition or FAT partition): %s", drive,
              ps == PART_ERR_IO ? "disk read error" : part_strerror(ps));
    L.fs = low_alloc_or_die(sizeof *L.fs, "FAT state");
    fat_status fs = fat_mount(L.fs, bc_readahead_read, &L.ahead, L.disk.sector_size,
                              L.volume.first_lba, L.volume.sectors);
    if (fs != FAT_OK)
        fatal("boot volume at LBA %llu: %s", (unsigned long long)L.volume.first_lba,
              fat_strerror(fs));
    mm_log(&con_log, MM_LOG_INFO, "boot volume: partition %u at LBA %llu, FAT%u, %u-byte sectors",
           L.volume.index + 1, (unsigned long long)L.volume.first_lba, L.fs->fat_bits,
           L.disk.sector_size);
}

/* ---- files ---- */

static void why_fat(char *why, size_t len, fat_status st)
{
    mm_snprintf(why, len, "%s", st == FAT_ERR_IO ? "disk read error" : fat_strerror(st));
}

static mm_status lookup(const char *path, fat_file *f, char *why, size_t why_len)
{
    fat_status st = fat_lookup(L.fs, path, f);
    if (st == FAT_OK && f->is_dir)
        st = FAT_ERR_IS_DIR;
    if (st == FAT_ERR_NOT_FOUND)
        return MM_ERR_NOT_FOUND;
    if (st != FAT_OK) {
        why_fat(why, why_len, st);
        return MM_ERR_IO;
    }
    return MM_OK;
}

static mm_status file_size(void *ctx, const char *path, uint64_t *size, char *why, size_t why_len)
{
    (void)ctx;
    fat_file f;
    mm_status st = lookup(path, &f, why, why_len);
    if (st == MM_OK)
        *size = f.size;
    return st;
}

static mm_status file_read(void *ctx, const char *path, uint64_t offset, void *dst, uint64_t size,
                           char *why, size_t why_len)
{
    (void)ctx;
    fat_file f;
    mm_status st = lookup(path, &f, why, why_len);
    if (st != MM_OK)
        return st;
    uint32_t reads = L.disk.reads;
    fat_status fs = fat_read_at(L.fs, &f, offset, dst, size, bc_file_room(size));
    if (fs != FAT_OK) {
        why_fat(why, why_len, fs);
        return MM_ERR_IO;
    }
    mm_log(&con_log, MM_LOG_DEBUG, "%s: %llu bytes in %u disk reads", path,
           (unsigned long long)size, L.disk.reads - reads);
    return MM_OK;
}

static mm_status scratch(void *ctx, size_t bytes, void **out)
{
    (void)ctx;
    *out = bytes <= UINT32_MAX ? low_alloc((uint32_t)bytes) : NULL;
    return *out ? MM_OK : MM_ERR_OUT_OF_MEMORY;
}

/* ---- the memory map ---- */

/* Retypes the usable parts of [base, base + len) (the firmware may have
 * reserved some of it already; those keep their type). */
static mm_status carve_usable_parts(uint64_t base, uint64_t len, mm_type type)
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
            return st;
        i = 0; /* entries moved: rescan (a handful of entries below 1 MiB) */
    }
    return MM_OK;
}

/* Below 1 MiB: IVT + BDA and everything from the EBDA (or 0x9F000,
 * whichever is lower) up to 1 MiB are firmware's; the loader's own low
 * memory (stage 2, stacks, buffers) is bootloader-reclaimable. */
static mm_status carve_low_memory(void)
{
    uint32_t ebda = ebda_base();
    uint64_t fw = ebda && ebda < 0x9f000 ? ebda & ~0xfffu : 0x9f000;
    mm_status st = mm_map_carve(&L.map, 0, 0x1000, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
    if (st == MM_OK)
        st = mm_map_carve(&L.map, fw, ONE_MIB - fw, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
    if (st == MM_OK)
        st = carve_usable_parts(LOADER_LOW_BASE, LOADER_LOW_END - LOADER_LOW_BASE,
                                MM_TYPE_BOOTLOADER_RECLAIMABLE);
    return st; /* the final map, logged at INFO, shows these ranges */
}

static void log_raw_map(void)
{
    for (uint32_t i = 0; i < L.map.count && mm_log_enabled(&con_log, MM_LOG_DEBUG); i++) {
        const mm_entry *e = &L.map.entries[i];
        mm_log(&con_log, MM_LOG_DEBUG, "  firmware: base 0x%llx length 0x%llx type %u attr 0x%llx",
               (unsigned long long)e->base, (unsigned long long)e->length, e->raw_type,
               (unsigned long long)e->attributes);
    }
}

/* Detects once; the map is final from the start, so later calls return it
 * as the driver's placements left it. */
static mm_status memory_map(void *ctx, uint32_t granularity, uint32_t detect, mm_map **map,
                            mm_sanitize_report *report)
{
    (void)ctx;
    *map = &L.map;
    if (L.map_ready)
        return MM_OK;
    uint32_t cap = bc_handoff_map_capacity(BM_E820_MAX_ENTRIES);
    mm_entry *storage = low_alloc((uint32_t)(cap * sizeof(mm_entry)));
    bm_e820 *raw = low_alloc(sizeof *raw);
    if (!storage || !raw)
        return MM_ERR_OUT_OF_MEMORY;
    mm_map_init(&L.map, storage, cap);
    bm_bios bios = bios_for_biosmem();
    mm_status st = bm_detect(&bios, detect, &L.map, raw, &L.detect);
    if (st != MM_OK)
        return st;
    mm_log(&con_log, MM_LOG_INFO, "memory: detected with %s (%u entries%s)%s",
           bm_method_name(L.detect.method), L.detect.raw_entries,
           L.detect.method == MOS_BIOS_DETECT_E820 && raw->truncated ? ", list cut at the limit"
                                                                     : "",
           L.detect.method != detect ? " after fallback" : "");
    log_raw_map();
    /* Sanitizing needs scratch for the entries detected, not the map's
     * capacity: the low buffers then hold a boot.cfg of the largest size
     * beside the longest E820 list. */
    size_t need = mm_map_sanitize_scratch_size(L.map.count);
    void *scratch_mem = low_alloc((uint32_t)need);
    if (!scratch_mem)
        return MM_ERR_OUT_OF_MEMORY;
    st = mm_map_sanitize(&L.map, granularity, scratch_mem, need, report);
    if (st == MM_OK)
        st = carve_low_memory();
    L.map_ready = st == MM_OK;
    return st;
}

/* Finds `size` bytes aligned to `align` in [max(min, 1 MiB), min(max,
 * 4 GiB)) and carves them as bootloader-reclaimable (the driver gives
 * each range its own type later). */
static mm_status place(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                       uint64_t *base)
{
    (void)ctx;
    mm_status st = mm_map_find(&L.map, size, align, min < ONE_MIB ? ONE_MIB : min,
                               max < FOUR_GIB ? max : FOUR_GIB, MM_FIND_BOTTOM_UP, base);
    if (st == MM_OK)
        st = mm_map_carve(&L.map, *base, size, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT);
    return st;
}

/* This code runs in 32-bit mode: it reaches nothing at or above 4 GiB. */
static mm_status place_at(void *ctx, uint64_t base, uint64_t size)
{
    (void)ctx;
    if (base >= FOUR_GIB || size > FOUR_GIB - base)
        return MM_ERR_NOT_USABLE;
    return mm_map_carve(&L.map, base, size, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT);
}

static void release(void *ctx, uint64_t base, uint64_t size)
{
    (void)ctx;
    mm_map_carve(&L.map, base, size, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE);
}

/* ---- the rest ---- */

/* The mode the kernel asks for; the log moves from VGA text to it. A
 * later entry (after a failed one) asking for the same gets the mode
 * already set. */
static void video(void *ctx, const bc_video_want *want, bc_rev2_fb *fb, uint32_t *vga_text)
{
    (void)ctx;
    static void *low;
    static bc_video_want set; /* what the mode in use was set for */
    static bool graphics;     /* a VBE mode was set: VGA text is gone */
    bool same = set.kind == BC_VIDEO_LINEAR && set.width == want->width &&
                set.height == want->height && set.bpp == want->bpp;
    if (want->kind == BC_VIDEO_AS_IS || same) {
        *fb = vbe.fb;
        *vga_text = !graphics;
        return;
    }
    set = *want;
    if (!low)
        low = low_alloc_or_die(VBE_BUFFER_SIZE, "VBE buffers");
    vbe_set_mode(&vbe, want->width, want->height, want->bpp, low, &con_log);
    graphics |= vbe.fb.addr != 0;
    *fb = vbe.fb;
    *vga_text = !graphics;
    if (vbe.fb.addr) {
        con_use_framebuffer(&vbe.con);
        mm_log(&con_log, MM_LOG_INFO, "framebuffer: %ux%u, %u bpp, pitch %u at 0x%llx",
               vbe.fb.width, vbe.fb.height, vbe.fb.bpp, vbe.fb.pitch,
               (unsigned long long)vbe.fb.addr);
    }
}

/* The SMBIOS entry point in the BIOS area (stage 2 reads it identity-mapped). */
static uint64_t find_smbios(void)
{
    size_t off;
    const uint8_t *area = (const uint8_t *)BC_SMBIOS_SCAN_BASE;
    if (bc_smbios_scan(area, BC_SMBIOS_SCAN_END - BC_SMBIOS_SCAN_BASE, &off) != MM_OK)
        return 0;
    return BC_SMBIOS_SCAN_BASE + off;
}

static void platform(void *ctx, bc_platform *out)
{
    (void)ctx;
    out->acpi_rsdp = L.rsdp;
    out->smbios = find_smbios();
    out->bios_drive_known = 1;
    out->bios_drive = L.drive;
    out->boot_partition = L.volume.index;
    out->tsc_frequency_hz = tsc_cpuid_hz(); /* else measured after prepare (tsc_finish) */
    out->identity_min = FOUR_GIB;           /* stage 2 runs below 1 MiB through the CR3 switch */
    out->memtest_window_end = FOUR_GIB;
    out->bios_memory_detect = L.detect.method;
    out->nx = L.nx;
    out->ap_blob = bc_ap_trampoline_start;
    out->ap_blob_size = (uint32_t)(bc_ap_trampoline_end - bc_ap_trampoline_start);
    mm_log(&con_log, MM_LOG_INFO, "%u disk reads so far", L.disk.reads);
}

static mm_status leave(void *ctx, uint32_t attempt, bc_efi_map *efi)
{
    (void)ctx;
    (void)attempt;
    *efi = (bc_efi_map){0};
    return MM_OK;
}

static uint64_t timestamp(void *ctx)
{
    (void)ctx;
    return tsc_span_stamp();
}

/* CPUID's frequency stands; else the span since stage2_main, or the PIT
 * windows when the span is missing or too short. */
static uint64_t tsc_finish(void *ctx)
{
    (void)ctx;
    if (tsc_cpuid_hz())
        return 0;
    uint64_t hz = tsc_span_finish();
    const char *how = "ACPI PM timer across the boot";
    if (hz == 0) {
        hz = tsc_calibrate();
        how = "PIT windows";
    }
    mm_log(&con_log, MM_LOG_DEBUG, "TSC calibrated against the %s", how);
    return hz;
}

_Noreturn static void halt(void *ctx)
{
    (void)ctx;
    con_halt();
}

static const char *enter(void *ctx, const bc_entry *e)
{
    (void)ctx;
    if (e->mode == BC_ENTRY_PROTECTED)
        return enter_protected(e);
    if (e->mode == BC_ENTRY_LONG && e->gdt) {
        gdt_jump = (struct lm_gdt_jump){.entry = e->entry,
                                        .rsp = e->rsp,
                                        .rdi = e->rdi,
                                        .rsi = e->rsi,
                                        .nxe = e->nx,
                                        .cs = e->cs,
                                        .gdt_limit = e->gdt_limit,
                                        .gdt = e->gdt,
                                        .ds = e->ds};
        enter_long_mode_gdt((uint32_t)e->cr3, &gdt_jump);
    }
    jump = (struct lm_jump){.entry = e->entry, .rsp = e->rsp, .rdi = e->rdi, .nxe = e->nx};
    enter_long_mode((uint32_t)e->cr3, &jump);
}

static const bc_menu_io *menu_io(void *ctx)
{
    (void)ctx;
    static bc_menu_io io;
    io = bios_menu_io();
    return &io;
}

static const char *chain_bios(void *ctx, uint32_t drive, uint32_t partition)
{
    (void)ctx;
    return bios_chainload((uint8_t)drive, partition);
}

static bc_fw_ops bios_ops = {
    .boot_mode = MOS_BOOT_MODE_BIOS,
    .log = &con_log,
    .phys_offset = 0,
    .file_size = file_size,
    .file_read = file_read,
    .scratch = scratch,
    .memory_map = memory_map,
    .place = place,
    .place_at = place_at,
    .release = release,
    .video = video,
    .platform = platform,
    .exit = leave,
    .for_each_busy = NULL,
    .timestamp = timestamp,
    .tsc_finish = tsc_finish,
    .halt = halt,
    .enter = enter,
    .menu_io = menu_io,
    .chain_bios = chain_bios,
};

void stage2_main(uint32_t drive)
{
    uint64_t tsc_entry = stage2_entry_tsc;
    L.rsdp = find_rsdp();
    tsc_span_start(L.rsdp);
    con_init();
    idt_init();
    mm_log(&con_log, MM_LOG_INFO, BC_BANNER_FMT " (legacy BIOS), boot drive 0x%x", BC_BANNER_ARGS,
           drive);
    check_gdt();
    bool nx;
    if (!cpu_long_mode(&nx))
        fatal("this CPU has no 64-bit long mode");
    L.nx = nx;
    const char *a20 = a20_enable();
    if (!a20)
        fatal("cannot enable the A20 gate (BIOS, keyboard controller and port 0x92 all failed)");
    mm_log(&con_log, MM_LOG_DEBUG, "A20: %s", a20);
    L.drive = drive;
    open_volume(drive);
    bios_ops.tsc_entry = tsc_entry;
    bc_boot_run(&boot, &bios_ops);
}
