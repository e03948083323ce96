/* The Linux boot protocol's back end (`protocol=linux`, docs/linux.md):
 * a bzImage checked and placed with boot/common/linux.c, the entry's
 * modules concatenated into one initrd, boot_params with the final map as
 * e820, and the kernel entered at its 64-bit entry on identity tables of
 * the loader's own (or at its 32-bit entry, paging off, for kernels
 * without one). The MultiOS-only ranges (stack, temp heap, bitmap,
 * handoff) are not placed. */
#include "driver.h"
#include "linux.h"

#define FOUR_GIB    ((uint64_t)4 << 30)
#define ONE_MIB     ((uint64_t)1 << 20)
#define PAGE        4096u
#define GDT_BYTES   32u          /* null, unused, code at 0x10, data at 0x18 */
#define STACK_BYTES (8u * 1024u) /* the entry stack after the GDT page */
#define EXTRA_BYTES (PAGE + STACK_BYTES)
#define SEL_CODE    0x10u
#define SEL_DATA    0x18u
#define GDT_CODE64  0x00af9a000000ffffull
#define GDT_CODE32  0x00cf9a000000ffffull
#define GDT_DATA    0x00cf92000000ffffull
#define WHAT_MAX    48u
#define MODULES_MAX BC_CFG_MAX_MODULES

/* What prepare learns and build uses; one Linux boot per loader run, so
 * the back end keeps it here (reset by prepare). */
static struct linux_boot {
    const uint8_t *head; /* the bzImage's first head_len bytes, in the boot heap */
    uint64_t head_len, file_size;
    bc_linux_image img;
    bc_linux_plan plan;
    uint64_t module_size[MODULES_MAX], module_off[MODULES_MAX];
    uint32_t modules;
    uint64_t initrd_room; /* bytes from the initrd's start the reads may write */
    uint64_t extra_addr;  /* GDT page, then the stack, after the params region */
    bc_paging_layout tables;
    bc_placed table_range;
} lx;

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static const char *cmdline_of(const bc_boot *b)
{
    return bc_boot_str(b, b->entry->cmdline);
}

/* ---- prepare: files -------------------------------------------------- */

static const char *kernel_path(const bc_boot *b)
{
    return bc_boot_str(b, b->entry->kernel);
}

/* The bzImage's setup header into the boot heap, checked; the
 * protected-mode kernel after it is read once placed (read_kernel). */
static void read_kernel_head(bc_boot *b)
{
    const char *path = kernel_path(b);
    lx.file_size = bc_boot_file_size(b, path, "kernel", BC_KERNEL_FILE_MAX, false);
    lx.head_len = lx.file_size < BC_LINUX_HEADER_BYTES ? lx.file_size : BC_LINUX_HEADER_BYTES;
    void *head = bc_boot_read_head(b, path, "kernel", lx.head_len);
    if (bc_linux_parse_head(head, (size_t)lx.head_len, lx.file_size, &lx.img) != MM_OK)
        bc_boot_fail(b, "kernel %s: not a Linux kernel this loader can boot: %s", path, lx.img.msg);
    lx.head = head;
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "kernel %s: Linux bzImage, boot protocol %u.%02u, %llu bytes, init_size 0x%x%s", path,
           lx.img.version >> 8, lx.img.version & 0xffu, (unsigned long long)lx.file_size,
           lx.img.init_size,
           (lx.img.xloadflags & BC_LINUX_XLF_KERNEL_64) ? ", 64-bit entry" : ", 32-bit entry");
}

/* "initrd module (boot.cfg line N)": what messages call module `i`. */
static void module_what(const bc_boot *b, uint32_t i, char *what, size_t len)
{
    bc_text t;
    bc_text_init(&t, what, len);
    bc_text_str(&t, "initrd module (boot.cfg line ");
    bc_text_u32(&t, b->entry->modules[i].line);
    bc_text_str(&t, ")");
}

static const char *module_path(const bc_boot *b, uint32_t i)
{
    return bc_boot_str(b, b->entry->modules[i].path);
}

/* Every module= of the entry sized; their concatenation is the initrd
 * (bc_linux_initrd_layout's offsets). Each is read later straight into
 * the initrd's range, which must also hold the room after the file a
 * front end may write (bc_file_room): initrd_room covers the last. */
static void size_modules(bc_boot *b)
{
    lx.modules = b->entry->module_count;
    for (uint32_t i = 0; i < lx.modules; i++) {
        char what[WHAT_MAX];
        module_what(b, i, what, sizeof what);
        lx.module_size[i] = bc_boot_file_size(b, module_path(b, i), what, BC_KERNEL_FILE_MAX, true);
    }
    if (bc_linux_initrd_layout(lx.module_size, lx.modules, lx.module_off, &lx.plan.initrd_size) !=
        MM_OK)
        bc_boot_fail(b, "initrd: the modules together are too large");
    lx.initrd_room = lx.plan.initrd_size;
    for (uint32_t i = 0; i < lx.modules; i++)
        lx.initrd_room =
            max_u64(lx.initrd_room, lx.module_off[i] + bc_file_room(lx.module_size[i]));
}

/* ---- prepare: ranges ------------------------------------------------- */

/* The preferred address when free; a relocatable kernel otherwise goes
 * to the first aligned room above it (below it, the kernel would
 * decompress at the preferred address anyway). */
static void place_kernel(bc_boot *b)
{
    const bc_linux_image *img = &lx.img;
    bc_placed k = {0, 0};
    mm_status st = bc_boot_place_at(b, BC_RANGE_KERNEL, img->pref_address, img->span);
    if (st == MM_OK) {
        k = b->range[BC_RANGE_KERNEL];
    } else if (img->relocatable) {
        st = bc_boot_place_above(b, BC_RANGE_KERNEL, img->span, img->kernel_alignment,
                                 img->pref_address, &k);
    }
    if (st != MM_OK)
        bc_boot_fail(b, "kernel: no room for its 0x%llx bytes at 0x%llx%s: %s",
                     (unsigned long long)img->span, (unsigned long long)img->pref_address,
                     img->relocatable ? " or above" : " (not relocatable)", mm_strerror(st));
    bool may_be_high = (img->xloadflags & BC_LINUX_XLF_KERNEL_64) &&
                       (img->xloadflags & BC_LINUX_XLF_CAN_LOAD_HIGH);
    if (!may_be_high && k.base + img->span > FOUR_GIB)
        bc_boot_fail(b, "kernel: placed at 0x%llx, above the 4 GiB this kernel can run below",
                     (unsigned long long)k.base);
    lx.plan.kernel_addr = k.base;
    lx.plan.kernel_span = img->span;
}

/* The protected-mode kernel straight to its load address (its span, whole
 * pages no smaller than the kernel, holds the file room after it). The
 * kernel clears its own bss. */
static void read_kernel(bc_boot *b)
{
    bc_boot_read_into(b, kernel_path(b), "kernel", lx.img.kernel_offset,
                      bc_boot_ptr(b, lx.plan.kernel_addr), lx.img.kernel_size);
}

/* Highest room below initrd_addr_max as the library plans it on the map
 * (exact on BIOS; on UEFI the firmware may hold it already), else the
 * first room the firmware has, checked against the limit. Placed for
 * initrd_room; Linux is told initrd_size. */
static void place_initrd(bc_boot *b)
{
    uint64_t size = lx.plan.initrd_size, room = lx.initrd_room;
    uint64_t limit = (uint64_t)lx.img.initrd_addr_max + 1;
    bc_placed r = {0, 0};
    if (size == 0)
        return;
    mm_status st = bc_linux_plan_initrd(&lx.plan, b->map, &lx.img, room);
    lx.plan.initrd_size = size;
    if (st == MM_OK)
        st = bc_boot_place_at(b, BC_RANGE_MODULE, lx.plan.initrd_addr, room);
    if (st == MM_OK)
        return;
    st = bc_boot_place_above(b, BC_RANGE_MODULE, room, PAGE, ONE_MIB, &r);
    if (st != MM_OK || r.base + room > limit)
        bc_boot_fail(b, "initrd: no room for its %llu bytes below 0x%llx (initrd_addr_max)",
                     (unsigned long long)size, (unsigned long long)limit);
    lx.plan.initrd_addr = r.base;
}

/* The modules read in order, each straight to its offset in the initrd's
 * range: a module's room after the file lands where the next ones go
 * and their reads overwrite it, never on an earlier module's bytes. Then
 * what no file covers, the padding between modules and the room after
 * the initrd, is zeroed. */
static void read_initrd(bc_boot *b)
{
    if (lx.plan.initrd_size == 0)
        return;
    uint8_t *initrd = bc_boot_ptr(b, lx.plan.initrd_addr);
    for (uint32_t i = 0; i < lx.modules; i++) {
        char what[WHAT_MAX];
        module_what(b, i, what, sizeof what);
        bc_boot_read_into(b, module_path(b, i), what, 0, initrd + lx.module_off[i],
                          lx.module_size[i]);
    }
    for (uint32_t i = 0; i < lx.modules; i++) {
        uint64_t end = i + 1 < lx.modules ? lx.module_off[i + 1] : lx.plan.initrd_size;
        uint64_t data_end = lx.module_off[i] + lx.module_size[i];
        mm_memset(initrd + data_end, 0, (size_t)(end - data_end));
    }
    mm_memset(initrd + lx.plan.initrd_size, 0, (size_t)(lx.initrd_room - lx.plan.initrd_size));
}

/* boot_params, the command line and room for an e820 extension as large
 * as the map can grow (linux.h's layout), then a page for the GDT and the
 * entry stack: one range below 4 GiB. */
static void place_params(bc_boot *b)
{
    const char *cmdline = cmdline_of(b);
    uint32_t bytes = (uint32_t)bc_strnlen(cmdline, BC_CMDLINE_MAX) + 1;
    mm_status st = bc_linux_plan_params(&lx.plan, b->map, &lx.img, bytes, b->map->capacity);
    if (st != MM_OK)
        bc_boot_fail(b, "boot_params: %s", lx.plan.msg);
    bc_placed r;
    st = bc_boot_place_above(b, BC_RANGE_PROTOCOL_DATA, lx.plan.params_span + EXTRA_BYTES, PAGE,
                             ONE_MIB, &r);
    if (st != MM_OK || r.base + r.size > FOUR_GIB)
        bc_boot_fail(b, "boot_params: no room for %llu bytes below 4 GiB",
                     (unsigned long long)(lx.plan.params_span + EXTRA_BYTES));
    uint64_t ext = lx.plan.e820_ext_addr ? lx.plan.e820_ext_addr - lx.plan.params_addr : 0;
    lx.plan.params_addr = r.base;
    lx.plan.cmdline_addr = r.base + BC_LINUX_PARAMS_SIZE;
    lx.plan.e820_ext_addr = ext ? r.base + ext : 0;
    lx.extra_addr = r.base + lx.plan.params_span;
}

/* Identity tables (2 MiB pages) over 4 GiB, the loader's own top and
 * everything placed for Linux, so the front end's switch code, the GDT,
 * the stack and boot.rst's identity ranges are all mapped. */
static void place_tables(bc_boot *b)
{
    uint64_t top = max_u64(FOUR_GIB, b->platform.identity_min), bytes;
    top = max_u64(top, lx.plan.kernel_addr + lx.plan.kernel_span);
    top = max_u64(top, lx.plan.initrd_addr + lx.plan.initrd_size);
    if (!mm_align_up(top, BC_LARGE_PAGE_SIZE, &top))
        bc_boot_fail(b, "page tables: the loader lies too high to identity-map");
    lx.tables = (bc_paging_layout){.identity_size = top};
    if (bc_paging_bytes_needed(&lx.tables, &bytes) != MM_OK)
        bc_boot_fail(b, "page tables: cannot size an identity map of 0x%llx bytes",
                     (unsigned long long)top);
    bc_boot_place_required(b, BC_RANGE_PAGE_TABLES, bytes, 0, &lx.table_range);
}

/* After every check of the files, so their messages stay on the screen
 * the firmware left: a linear framebuffer (resolution=, else the
 * firmware's choice) for screen_info. */
static void linux_prepare(bc_boot *b)
{
    static const bc_video_want linear = {BC_VIDEO_LINEAR, 0, 0, 0};
    mm_memset(&lx, 0, sizeof lx);
    read_kernel_head(b);
    size_modules(b);
    place_kernel(b);
    read_kernel(b);
    place_initrd(b);
    read_initrd(b);
    place_params(b);
    if (lx.img.xloadflags & BC_LINUX_XLF_KERNEL_64)
        place_tables(b);
    bc_boot_video(b, &linear);
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "linux: kernel at 0x%llx (+0x%llx), initrd at 0x%llx (%llu bytes, %u modules), "
           "boot_params at 0x%llx",
           (unsigned long long)lx.plan.kernel_addr, (unsigned long long)lx.plan.kernel_span,
           (unsigned long long)lx.plan.initrd_addr, (unsigned long long)lx.plan.initrd_size,
           lx.modules, (unsigned long long)lx.plan.params_addr);
}

/* ---- build ----------------------------------------------------------- */

/* screen_info from the framebuffer bc_boot_video set; without one (or one
 * screen_info cannot describe) it stays zero and Linux finds the screen
 * itself. */
static void fill_screen(bc_boot *b, uint8_t *bp)
{
    const bc_rev2_fb *fb = &b->platform.fb;
    if (!fb->addr)
        return;
    bc_linux_screen s = {.base = fb->addr,
                         .width = fb->width,
                         .height = fb->height,
                         .pitch = fb->pitch,
                         .bpp = fb->bpp,
                         .red_size = fb->red_size,
                         .red_pos = fb->red_shift,
                         .green_size = fb->green_size,
                         .green_pos = fb->green_shift,
                         .blue_size = fb->blue_size,
                         .blue_pos = fb->blue_shift,
                         .efi = fb->source == MOS_FB_SOURCE_GOP};
    if (bc_linux_params_screen(bp, &s) != MM_OK) {
        mm_log(bc_boot_log(b), MM_LOG_WARN,
               "linux: screen_info: the framebuffer (%ux%u, pitch %u) does not fit it; left zero",
               fb->width, fb->height, fb->pitch);
        return;
    }
    mm_log(bc_boot_log(b), MM_LOG_INFO, "linux: screen_info: %s %ux%u, %u bpp, pitch %u at 0x%llx",
           s.efi ? "EFI" : "VESA", fb->width, fb->height, fb->bpp, fb->pitch,
           (unsigned long long)fb->addr);
}

/* The zero page: setup header and command line, firmware facts, then the
 * final map as e820 (after the last carve: the driver's final map). */
static void build_params(bc_boot *b)
{
    const bc_linux_plan *p = &lx.plan;
    uint8_t *bp = bc_boot_ptr(b, p->params_addr);
    mm_memset(bp, 0, (size_t)p->params_span);
    if (bc_linux_params_init(bp, &lx.img, lx.head, (size_t)lx.head_len, p, cmdline_of(b),
                             bc_boot_ptr(b, p->cmdline_addr)) != MM_OK)
        bc_boot_fail(b, "boot_params: cannot fill the setup header");
    bc_linux_firmware fw = {.acpi_rsdp = b->platform.acpi_rsdp};
    if (b->platform.efi_system_table && b->efi.data) {
        fw.efi_system_table = b->platform.efi_system_table;
        fw.efi_map = (uint64_t)(uintptr_t)b->efi.data - b->fw->phys_offset;
        fw.efi_map_size = (uint32_t)b->efi.size;
        fw.efi_desc_size = b->efi.desc_size;
        fw.efi_desc_version = b->efi.desc_version;
    }
    if (bc_linux_params_firmware(bp, &fw) != MM_OK)
        bc_boot_fail(b, "boot_params: bad firmware facts (EFI map without descriptor size)");
    fill_screen(b, bp);
    uint8_t *ext = p->e820_ext_addr ? bc_boot_ptr(b, p->e820_ext_addr) : NULL;
    size_t ext_len = ext ? (size_t)(p->params_addr + p->params_span - p->e820_ext_addr) : 0;
    mm_status st = bc_linux_params_e820(bp, b->map, ext, ext_len, p->e820_ext_addr);
    if (st != MM_OK)
        bc_boot_fail(b, "boot_params: cannot write the e820 table: %s", mm_strerror(st));
}

static void *table_ptr(void *ctx, uint64_t phys)
{
    return bc_boot_ptr(ctx, phys);
}

static uint64_t build_tables(bc_boot *b)
{
    bc_paging_region region = {lx.table_range.base, lx.table_range.size, table_ptr, b};
    uint64_t cr3;
    if (bc_paging_build(&lx.tables, &region, &cr3) != MM_OK)
        bc_boot_fail(b, "page tables: build failed");
    return cr3;
}

/* boot.rst's GDT: flat code at 0x10 (64-bit or 32-bit), flat data at 0x18. */
static void build_gdt(bc_boot *b, bc_linux_mode mode, bc_entry *e)
{
    uint8_t *gdt = bc_boot_ptr(b, lx.extra_addr);
    mm_store_le64(gdt + SEL_CODE, mode == BC_LINUX_ENTRY_64 ? GDT_CODE64 : GDT_CODE32);
    mm_store_le64(gdt + SEL_DATA, GDT_DATA);
    e->gdt = lx.extra_addr;
    e->gdt_limit = GDT_BYTES - 1;
    e->cs = SEL_CODE;
    e->ds = SEL_DATA;
}

static void linux_build(bc_boot *b, bc_entry *e)
{
    bc_linux_entry le;
    build_params(b);
    if (bc_linux_entry_for(&lx.img, &lx.plan, &le) != MM_OK)
        bc_boot_fail(b, "linux: the 32-bit entry needs the kernel and boot_params below 4 GiB");
    build_gdt(b, le.mode, e);
    uint64_t stack_top = lx.extra_addr + EXTRA_BYTES;
    e->entry = le.address;
    if (le.mode == BC_LINUX_ENTRY_64) {
        e->mode = BC_ENTRY_LONG;
        e->cr3 = build_tables(b);
        e->nx = b->platform.nx;
        e->rsi = le.boot_params;
        e->rsp = stack_top;
    } else {
        e->mode = BC_ENTRY_PROTECTED;
        e->esi = (uint32_t)le.boot_params;
        e->esp = (uint32_t)stack_top;
    }
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "linux: %s entry at 0x%llx, boot_params 0x%llx, cmdline \"%s\"",
           le.mode == BC_LINUX_ENTRY_64 ? "64-bit" : "32-bit", (unsigned long long)le.address,
           (unsigned long long)le.boot_params, cmdline_of(b));
}

const bc_backend bc_backend_linux = {
    .protocol = BC_PROTO_LINUX,
    .prepare = linux_prepare,
    .build = linux_build,
    .last = NULL,
};
