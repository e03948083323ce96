/* The Multiboot 1 and Multiboot 2 back ends (docs/multiboot.md): a kernel
 * written for GRUB's `multiboot` / `multiboot2` commands, loaded where it
 * was linked (or relocated, MB2 tag 10), its modules and information
 * structure below 4 GiB, entered in 32-bit protected mode with paging off.
 * The work follows multiboot.h's "Order of work"; every refusal happens in
 * prepare, while the firmware's console still shows it. */
#include "driver.h"
#include "inflate.h"
#include "multiboot.h"
#include "smbios.h"

#define MB_MAP_SLACK         64u /* map entries the final map may have beyond the provisional one */
#define MB_HEAP_MIN          (64ull << 20) /* boot heap above kernels linked at 1 or 2 MiB */
#define MB_RELOCATE_ATTEMPTS 64u           /* places a relocatable kernel tries */
#define VGA_TEXT_ADDR        0xb8000u      /* VGA text mode 80 x 25, 2 bytes a character */
#define VGA_TEXT_COLS        80u
#define VGA_TEXT_ROWS        25u
#define GZIP_MAGIC_BYTES     3u /* what bc_gzip_detect looks at */

/* What prepare learns and build uses. One boot at a time runs the driver,
 * and prepare zeroes this before anything else. */
typedef struct mb_state {
    uint32_t version; /* 1 or 2 */
    const uint8_t *file;
    size_t len;
    const char *cmdline; /* kernel path, blank, cmdline= (bc_mb_cmdline) */
    bc_mb_header h;
    bc_mb_plan linked; /* as the file says */
    bc_mb_plan plan;   /* where it is loaded */
    bc_mb_module mods[BC_CFG_MAX_MODULES];
    uint32_t mod_count;
    bc_placed info;
    uint8_t *peek;        /* BC_FILE_ROOM bytes of boot heap: a module's first bytes */
    bc_mb_framebuffer fb; /* the screen the kernel is told about */
    bool has_fb;
} mb_state;

static mb_state S;

static const char *proto_name(uint32_t version)
{
    return version == 1 ? "multiboot1" : "multiboot2";
}

/* ---- files ------------------------------------------------------------ */

/* The composed command line (path, blank, args) in the boot heap. */
static const char *compose_cmdline(bc_boot *b, const char *path, const char *args)
{
    size_t n = bc_mb_cmdline(NULL, 0, path, args) + 1;
    char *s = bc_boot_alloc(b, n, "Multiboot command line");
    bc_mb_cmdline(s, n, path, args);
    return s;
}

/* Size a gzip file inflates to, or the boot stops naming `what`. */
static uint64_t gzip_size(bc_boot *b, const void *src, uint64_t len, const char *what,
                          const char *path)
{
    uint32_t claimed = 0;
    bc_inflate_status st = bc_gzip_claimed_size(src, (size_t)len, &claimed);
    if (st != BC_INFLATE_OK || claimed == 0)
        bc_boot_fail(b, "%s %s: bad gzip file: %s", what, path,
                     st != BC_INFLATE_OK ? bc_inflate_strerror(st) : "claims 0 bytes");
    return claimed;
}

/* Inflates the gzip file src[0 .. len) into dst[0 .. cap); returns the
 * output length or stops the boot naming the file. */
static size_t gunzip(bc_boot *b, const void *src, uint64_t len, void *dst, uint64_t cap,
                     const char *what, const char *path)
{
    bc_inflate_work *work = bc_boot_alloc(b, sizeof *work, "gzip tables");
    size_t out = 0;
    bc_inflate_status st = bc_gzip_decompress(src, (size_t)len, dst, (size_t)cap, &out, work);
    if (st != BC_INFLATE_OK)
        bc_boot_fail(b, "%s %s: cannot decompress: %s", what, path, bc_inflate_strerror(st));
    mm_log(bc_boot_log(b), MM_LOG_INFO, "%s %s: gzip, %llu bytes inflated to %llu", what, path,
           (unsigned long long)len, (unsigned long long)out);
    return out;
}

/* The kernel file in the boot heap, decompressed when it is gzip. */
static void read_kernel(bc_boot *b, const char *path)
{
    uint64_t size;
    const uint8_t *f = bc_boot_read_file(b, path, "kernel", BC_KERNEL_FILE_MAX, false, &size);
    S.file = f;
    S.len = (size_t)size;
    if (!bc_gzip_detect(f, (size_t)size))
        return;
    uint64_t cap = gzip_size(b, f, size, "kernel", path);
    if (cap > BC_KERNEL_FILE_MAX)
        bc_boot_fail(b, "kernel %s: inflates to %llu bytes, more than the %u allowed", path,
                     (unsigned long long)cap, BC_KERNEL_FILE_MAX);
    uint8_t *out = bc_boot_alloc(b, cap, "kernel (decompressed)");
    S.len = gunzip(b, f, size, out, cap, "kernel", path);
    S.file = out;
}

/* ---- the kernel ---------------------------------------------------------- */

/* Information the loader can give on this machine (MB2 requests). */
static uint32_t info_available(const bc_boot *b)
{
    uint32_t avail = BC_MB2_INFO_ALWAYS;
    if (b->platform.acpi_rsdp) {
        const uint8_t *rsdp = bc_boot_ptr(b, b->platform.acpi_rsdp);
        avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_ACPI_OLD);
        if (rsdp[15] >= 2)
            avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_ACPI_NEW);
    }
    if (b->platform.efi_system_table)
        avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_EFI64) | BC_MB2_INFO_BIT(BC_MB2_TAG_EFI_MMAP);
    if (b->platform.smbios)
        avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_SMBIOS);
    if (b->platform.bios_drive_known)
        avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_BOOTDEV);
    if (b->fw->video)
        avail |= BC_MB2_INFO_BIT(BC_MB2_TAG_FRAMEBUFFER);
    return avail;
}

/* The map as the firmware sees it now: on UEFI the one the driver took
 * before the boot heap (and before anything else the firmware allocated
 * since) is stale, and relocation must not pick taken memory. */
static void refresh_map(bc_boot *b)
{
    mm_sanitize_report report;
    mm_status st = b->fw->memory_map(b->fw->ctx, (uint32_t)b->mem.bitmap_granularity,
                                     b->cfg.bios_memory_detect, &b->map, &report);
    if (st != MM_OK)
        bc_boot_fail(b, "memory map: %s", mm_strerror(st));
}

static void find_header(bc_boot *b, const char *path)
{
    if (bc_mb_find_header(S.file, S.len, S.version, info_available(b), &S.h) != BC_MB_OK)
        bc_boot_fail(b, "kernel %s: %s", path, S.h.msg);
    if (bc_mb_plan_build(S.file, S.len, &S.h, &S.linked) != BC_MB_OK)
        bc_boot_fail(b, "kernel %s: %s", path, S.linked.msg);
}

/* S.plan: the linked plan, moved for a relocatable kernel, checked
 * against the current map. */
static void plan_kernel(bc_boot *b, const char *path)
{
    S.plan = S.linked;
    if (bc_mb_plan_relocate(&S.plan, &S.h, b->map) != BC_MB_OK ||
        bc_mb_plan_check(&S.plan, b->map) != BC_MB_OK)
        bc_boot_fail(b, "kernel %s: %s", path, S.plan.msg);
}

/* The segments' memory rounded out to `g`, sorted by base, ranges that
 * share a granule merged (segments are disjoint but may share a page).
 * Returns the number of ranges in out[]. */
static uint32_t segment_ranges(const bc_mb_plan *p, uint64_t g, bc_placed out[BC_MB_MAX_SEGMENTS])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->count; i++) {
        uint64_t base = mm_align_down(p->segments[i].phys, g), end = 0;
        mm_align_up(p->segments[i].phys + p->segments[i].mem_size, g, &end); /* < 4 GiB */
        uint32_t j = n++;
        for (; j > 0 && out[j - 1].base > base; j--)
            out[j] = out[j - 1];
        out[j] = (bc_placed){base, end - base};
    }
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (m > 0 && out[i].base <= out[m - 1].base + out[m - 1].size) {
            uint64_t end = out[i].base + out[i].size;
            if (end > out[m - 1].base + out[m - 1].size)
                out[m - 1].size = end - out[m - 1].base;
        } else {
            out[m++] = out[i];
        }
    }
    return m;
}

_Noreturn static void not_free(bc_boot *b, const char *path, const bc_placed *r, mm_status st)
{
    bc_boot_fail(b, "kernel %s: [0x%llx, 0x%llx) is not free memory: %s", path,
                 (unsigned long long)r->base, (unsigned long long)(r->base + r->size),
                 mm_strerror(st));
}

/* Takes every segment's memory where the plan puts it. A relocatable
 * kernel whose first range the firmware refuses (UEFI's provisional map
 * calls boot-services memory usable) is planned again with that range
 * marked taken in the provisional map (the final map is taken afresh). */
static void place_segments(bc_boot *b, const char *path)
{
    bc_placed r[BC_MB_MAX_SEGMENTS];
    for (uint32_t attempt = 1;; attempt++) {
        plan_kernel(b, path);
        uint32_t n = segment_ranges(&S.plan, b->mem.bitmap_granularity, r);
        mm_status st = bc_boot_place_at(b, BC_RANGE_KERNEL_SEGMENT, r[0].base, r[0].size);
        if (st == MM_OK) {
            for (uint32_t i = 1; i < n; i++) {
                st = bc_boot_place_at(b, BC_RANGE_KERNEL_SEGMENT, r[i].base, r[i].size);
                if (st != MM_OK)
                    not_free(b, path, &r[i], st);
            }
            return;
        }
        if (!(S.h.has & BC_MB_HAS_RELOCATABLE) || attempt == MB_RELOCATE_ATTEMPTS ||
            mm_map_carve(b->map, r[0].base, r[0].size, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE) !=
                MM_OK)
            not_free(b, path, &r[0], st);
    }
}

/* ---- modules ------------------------------------------------------------- */

/* A range of `size` bytes below the 4 GiB a Multiboot kernel reaches,
 * for `what`. */
static uint64_t place_low(bc_boot *b, bc_range_id id, uint64_t size, const char *what)
{
    bc_placed r;
    mm_status st = bc_boot_place_below(b, id, size, 4096, BC_MB_4GIB, &r);
    if (st != MM_OK)
        bc_boot_fail(b, "%s: cannot place %llu bytes below 4 GiB: %s", what,
                     (unsigned long long)size, mm_strerror(st));
    return r.base;
}

/* Messages and the DEBUG=1 profile name modules by index; the profile
 * keeps the pointer, so these are literals. */
static const char *const module_names[] = {
    "module 0",  "module 1",  "module 2",  "module 3",  "module 4",  "module 5",
    "module 6",  "module 7",  "module 8",  "module 9",  "module 10", "module 11",
    "module 12", "module 13", "module 14", "module 15",
};
_Static_assert(sizeof module_names / sizeof module_names[0] == BC_CFG_MAX_MODULES,
               "a name per module");

/* Whether the `size`-byte file at `path` starts like a gzip member: its
 * first bytes read into S.peek. */
static bool gzip_file(bc_boot *b, const char *path, const char *what, uint64_t size)
{
    if (size < GZIP_MAGIC_BYTES)
        return false;
    if (!S.peek)
        S.peek = bc_boot_alloc(b, BC_FILE_ROOM, what);
    bc_boot_read_into(b, path, what, 0, S.peek, GZIP_MAGIC_BYTES);
    return bc_gzip_detect(S.peek, GZIP_MAGIC_BYTES);
}

/* Module `i`, placed below 4 GiB: a gzip file read into the boot heap and
 * inflated into its range, any other read straight into it. The range's
 * bytes after the module are zeroed. */
static void load_module(bc_boot *b, uint32_t i)
{
    const bc_boot_module *m = &b->entry->modules[i];
    const char *path = bc_boot_str(b, m->path);
    const char *what = module_names[i];
    uint64_t size = bc_boot_file_size(b, path, what, BC_KERNEL_FILE_MAX, true), out = size, at;
    uint8_t *dst;
    if (gzip_file(b, path, what, size)) {
        void *f = bc_boot_read_head(b, path, what, size);
        out = gzip_size(b, f, size, what, path);
        at = place_low(b, BC_RANGE_MODULE, bc_file_room(out), what);
        dst = bc_boot_ptr(b, at);
        out = gunzip(b, f, size, dst, out, what, path);
    } else {
        at = place_low(b, BC_RANGE_MODULE, bc_file_room(size ? size : 1), what);
        dst = bc_boot_ptr(b, at);
        bc_boot_read_into(b, path, what, 0, dst, size);
    }
    mm_memset(dst + out, 0, (size_t)(bc_file_room(out ? out : 1) - out));
    S.mods[i] = (bc_mb_module){at, out, compose_cmdline(b, path, bc_boot_str(b, m->args))};
    mm_log(bc_boot_log(b), MM_LOG_INFO, "%s %s: %llu bytes at 0x%llx", what, path,
           (unsigned long long)out, (unsigned long long)at);
}

/* ---- the screen ---------------------------------------------------------- */

/* S.fb from the screen bc_boot_video left: its linear framebuffer (RGB),
 * else VGA text; false when there is neither. */
static bool describe_screen(const bc_platform *p)
{
    const bc_rev2_fb *f = &p->fb;
    if (f->addr) {
        S.fb = (bc_mb_framebuffer){.addr = f->addr,
                                   .pitch = f->pitch,
                                   .width = f->width,
                                   .height = f->height,
                                   .bpp = f->bpp,
                                   .type = BC_MB_FB_RGB,
                                   .red_pos = f->red_shift,
                                   .red_size = f->red_size,
                                   .green_pos = f->green_shift,
                                   .green_size = f->green_size,
                                   .blue_pos = f->blue_shift,
                                   .blue_size = f->blue_size};
        return true;
    }
    if (!p->vga_text)
        return false;
    S.fb = (bc_mb_framebuffer){.addr = VGA_TEXT_ADDR,
                               .pitch = VGA_TEXT_COLS * 2,
                               .width = VGA_TEXT_COLS,
                               .height = VGA_TEXT_ROWS,
                               .bpp = 16,
                               .type = BC_MB_FB_EGA_TEXT};
    return true;
}

/* The screen the header asks for (a linear mode; text or no request:
 * the screen as it is), typed in the map; a required MB2 framebuffer
 * tag without a framebuffer stops the boot. */
static void set_screen(bc_boot *b)
{
    bc_video_want want = {BC_VIDEO_AS_IS, 0, 0, 0};
    if (S.h.video == BC_MB_VIDEO_LINEAR)
        want = (bc_video_want){BC_VIDEO_LINEAR, S.h.video_width, S.h.video_height, S.h.video_depth};
    bc_boot_video(b, &want);
    if (S.h.video_required && !b->platform.fb.addr)
        bc_boot_fail(b, "multiboot2: required tag 5 (framebuffer): no linear framebuffer mode "
                        "could be set");
    bc_boot_record_framebuffer(b);
    S.has_fb = describe_screen(&b->platform);
    if (S.has_fb)
        mm_log(bc_boot_log(b), MM_LOG_INFO, "%s: %s %ux%u, %u bpp, pitch %u at 0x%llx",
               proto_name(S.version), S.fb.type == BC_MB_FB_RGB ? "framebuffer" : "EGA text",
               S.fb.width, S.fb.height, S.fb.bpp, S.fb.pitch, (unsigned long long)S.fb.addr);
}

/* ---- the information structure ---------------------------------------- */

/* Everything the info builders read; `map` is the current map. */
static void info_input(const bc_boot *b, bc_mb_info_input *in)
{
    mm_memset(in, 0, sizeof *in);
    in->map = b->map;
    in->cmdline = S.cmdline;
    in->modules = S.mods;
    in->module_count = S.mod_count;
    in->plan = &S.plan;
    in->shdrs = S.plan.shnum ? S.file + S.plan.shoff : NULL;
    in->rsdp = b->platform.acpi_rsdp ? bc_boot_ptr(b, b->platform.acpi_rsdp) : NULL;
    in->smbios = b->platform.smbios ? bc_boot_ptr(b, b->platform.smbios) : NULL;
    if (b->platform.bios_drive_known) {
        in->flags |= BC_MB_INFO_BOOTDEV;
        in->bios_drive = b->platform.bios_drive;
        in->partition = b->platform.boot_partition;
        in->sub_partition = BC_PARTITION_NONE;
    }
    in->efi_system_table = b->platform.efi_system_table;
    in->efi_map = b->efi.data;
    in->efi_map_size = (uint32_t)b->efi.size;
    in->efi_desc_size = b->efi.desc_size;
    in->efi_desc_version = b->efi.desc_version;
    in->fb = S.has_fb ? &S.fb : NULL;
}

/* Sized for the final map (MB_MAP_SLACK more entries) and the final EFI
 * map (its capacity), which are not known yet. */
static void place_info(bc_boot *b)
{
    bc_mb_info_input in;
    info_input(b, &in);
    if (b->platform.efi_map_capacity) {
        static const uint8_t none[1];
        in.efi_map = none;
        in.efi_map_size = (uint32_t)b->platform.efi_map_capacity;
        in.efi_desc_size = 48;
    }
    uint32_t size = bc_mb_info_size(S.version, &in, MB_MAP_SLACK);
    if (size == 0)
        bc_boot_fail(b, "%s: cannot size the information structure", proto_name(S.version));
    S.info.base = place_low(b, BC_RANGE_PROTOCOL_DATA, size, "Multiboot information");
    S.info.size = size;
}

/* ---- the protocol ------------------------------------------------------ */

/* What the kernel learns about the machine besides the map, for the log. */
static void log_platform(bc_boot *b)
{
    bc_smbios_ep ep;
    const bc_platform *p = &b->platform;
    if (S.version == 2 && p->smbios &&
        bc_smbios_validate(bc_boot_ptr(b, p->smbios), BC_SMBIOS_EP_MAX, &ep) == MM_OK)
        mm_log(bc_boot_log(b), MM_LOG_INFO, "multiboot2: SMBIOS %u.%u (%s) at 0x%llx", ep.major,
               ep.minor, ep.is64 ? "_SM3_" : "_SM_", (unsigned long long)p->smbios);
    if (p->bios_drive_known)
        mm_log(bc_boot_log(b), MM_LOG_INFO, "%s: boot device 0x%x, partition %u (0-based)",
               proto_name(S.version), p->bios_drive, p->boot_partition);
}

static void mb_prepare(bc_boot *b, uint32_t version)
{
    const char *path = bc_boot_str(b, b->entry->kernel);
    mm_memset(&S, 0, sizeof S);
    S.version = version;
    read_kernel(b, path);
    find_header(b, path);
    refresh_map(b);
    place_segments(b, path);
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "kernel %s: %s, %u segments in [0x%llx, 0x%llx), entry 0x%x", path, proto_name(version),
           S.plan.count, (unsigned long long)S.plan.lowest, (unsigned long long)S.plan.end,
           S.plan.entry);
    S.cmdline = compose_cmdline(b, path, bc_boot_str(b, b->entry->cmdline));
    S.mod_count = b->entry->module_count;
    for (uint32_t i = 0; i < S.mod_count; i++)
        load_module(b, i);
    set_screen(b);
    place_info(b);
    log_platform(b);
}

static void mb1_prepare(bc_boot *b)
{
    mb_prepare(b, 1);
}

static void mb2_prepare(bc_boot *b)
{
    mb_prepare(b, 2);
}

static void load_kernel(bc_boot *b)
{
    mm_phys_window w = {0, BC_MB_4GIB, b->fw->phys_offset};
    if (bc_mb_load(&S.plan, S.file, S.len, &w) != BC_MB_OK)
        bc_boot_fail(b, "kernel: cannot copy its segments");
}

static void build_info(bc_boot *b)
{
    bc_mb_info_input in;
    char why[96];
    uint32_t used = 0, cap = (uint32_t)S.info.size;
    info_input(b, &in);
    if (bc_mb_modules_check(&S.plan, S.mods, S.mod_count, S.info.base, S.info.size, why,
                            sizeof why) != BC_MB_OK)
        bc_boot_fail(b, "modules: %s", why);
    void *buf = bc_boot_ptr(b, S.info.base);
    bc_mb_status st = S.version == 1 ? bc_mb1_info_build(&in, buf, cap, S.info.base, &used)
                                     : bc_mb2_info_build(&in, buf, cap, S.info.base, &used);
    if (st != BC_MB_OK)
        bc_boot_fail(b, "%s: cannot build the information: %s", proto_name(S.version),
                     bc_mb_status_name(st));
    mm_log(bc_boot_log(b), MM_LOG_INFO, "%s: information at 0x%llx, %u of %u bytes",
           proto_name(S.version), (unsigned long long)S.info.base, used, cap);
}

static void mb_build(bc_boot *b, bc_entry *e)
{
    load_kernel(b);
    build_info(b);
    bc_mb_entry r = bc_mb_entry_regs(&S.plan, S.version, (uint32_t)S.info.base);
    e->mode = BC_ENTRY_PROTECTED;
    e->entry = r.eip;
    e->eax = r.eax;
    e->ebx = r.ebx;
}

const bc_backend bc_backend_multiboot1 = {
    .protocol = BC_PROTO_MULTIBOOT1,
    .heap_min = MB_HEAP_MIN,
    .prepare = mb1_prepare,
    .build = mb_build,
};

const bc_backend bc_backend_multiboot2 = {
    .protocol = BC_PROTO_MULTIBOOT2,
    .heap_min = MB_HEAP_MIN,
    .prepare = mb2_prepare,
    .build = mb_build,
};
