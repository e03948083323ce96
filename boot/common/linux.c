/* Linux/x86 boot protocol: bzImage validation, placement, boot_params. */
#include "linux.h"

#include "text.h"

/* Setup header fields: offsets in the file and in boot_params alike. */
#define HDR_START         0x1f1u
#define HDR_SETUP_SECTS   0x1f1u
#define HDR_SYSSIZE       0x1f4u
#define HDR_BOOT_FLAG     0x1feu
#define HDR_JUMP_LEN      0x201u /* second byte of the jump: header length - 0x202 */
#define HDR_MAGIC         0x202u
#define HDR_VERSION       0x206u
#define HDR_TYPE_OF_LOAD  0x210u
#define HDR_LOADFLAGS     0x211u
#define HDR_RAMDISK_IMAGE 0x218u
#define HDR_RAMDISK_SIZE  0x21cu
#define HDR_CMD_LINE_PTR  0x228u
#define HDR_INITRD_MAX    0x22cu
#define HDR_KERNEL_ALIGN  0x230u
#define HDR_RELOCATABLE   0x234u
#define HDR_XLOADFLAGS    0x236u
#define HDR_CMDLINE_SIZE  0x238u
#define HDR_PAYLOAD_OFF   0x248u
#define HDR_PAYLOAD_LEN   0x24cu
#define HDR_SETUP_DATA    0x250u
#define HDR_PREF_ADDRESS  0x258u
#define HDR_INIT_SIZE     0x260u
#define HDR_MIN_END       0x264u /* the fields read above, all in any 2.10+ header */

/* Zero page fields outside the setup header. */
#define BP_ACPI_RSDP 0x070u
/* screen_info (boot_params offset 0), from the kernel's screen_info.h. */
#define SI_IS_VGA       0x0fu
#define SI_LFB_WIDTH    0x12u
#define SI_LFB_HEIGHT   0x14u
#define SI_LFB_DEPTH    0x16u
#define SI_LFB_BASE     0x18u
#define SI_LFB_SIZE     0x1cu
#define SI_LFB_LINE     0x24u
#define SI_COLOURS      0x26u /* red, green, blue, rsvd: size then pos */
#define SI_PAGES        0x32u
#define SI_CAPABILITIES 0x36u
#define SI_EXT_LFB_BASE 0x3au
#define VIDEO_TYPE_VLFB 0x23u
#define VIDEO_TYPE_EFI  0x70u
#define VIDEO_CAP_64BIT 0x2u
#define VLFB_SIZE_SHIFT 16u /* VESA's lfb_size counts 64 KiB blocks */
#define BP_EXT_RAMDISK  0x0c0u
#define BP_EXT_RAMSIZE  0x0c4u
#define BP_EXT_CMD_LINE 0x0c8u
#define BP_EFI_INFO     0x1c0u
#define BP_E820_ENTRIES 0x1e8u
#define BP_E820_TABLE   0x2d0u
#define BP_HDR_LIMIT    BC_LINUX_HEADER_BYTES /* edd_mbr_sig_buffer follows the header */

#define LOADED_HIGH      0x01u
#define BOOT_FLAG        0xaa55u
#define SECTOR           512u
#define PAGE             4096u
#define OLD_PREF_ADDRESS 0x100000u
#define OLD_INIT_FACTOR  4u /* span of a pre-2.10 kernel: no init_size field */
#define V2_08            0x0208u
#define V2_10            0x020au
#define V2_12            0x020cu
#define ENTRY_64_OFFSET  0x200u
#define FOUR_GIB         (4 * MM_GIB)
#define EFI_SIGNATURE_64 0x34364c45u /* "EL64" read little-endian */
#define INITRD_MIN       MM_MIB
#define PARAMS_MIN       MM_MIB

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* ---- Parsing ------------------------------------------------------------- */

/* Starts img->msg with `what`; returns the refusal status. */
static mm_status refuse(bc_linux_image *img, bc_linux_problem p, bc_text *t, const char *what)
{
    img->problem = p;
    bc_text_init(t, img->msg, sizeof img->msg);
    bc_text_str(t, what);
    return MM_ERR_INVALID_ARGUMENT;
}

static mm_status check_magic(const uint8_t *f, size_t len, bc_linux_image *img)
{
    bc_text t;
    if (len >= 4 && f[0] == 0x7f && f[1] == 'E' && f[2] == 'L' && f[3] == 'F')
        return refuse(img, BC_LINUX_FILE_ELF, &t,
                      "an ELF file (vmlinux?): protocol=linux needs a bzImage (vmlinuz)");
    if (len < HDR_MIN_END) {
        refuse(img, BC_LINUX_FILE_TOO_SMALL, &t, "file is ");
        bc_text_hex(&t, (uint64_t)len);
        bc_text_str(&t, " bytes, too small for a bzImage setup header");
        return MM_ERR_INVALID_ARGUMENT;
    }
    if (le16(f + HDR_BOOT_FLAG) != BOOT_FLAG)
        return refuse(img, BC_LINUX_FILE_NO_BOOT_FLAG, &t,
                      "not a Linux kernel image (no 0xAA55 boot flag at 0x1FE)");
    if (mm_load_le32(f + HDR_MAGIC) != 0x53726448u) /* "HdrS" */
        return refuse(img, BC_LINUX_FILE_NO_HDRS, &t,
                      "no \"HdrS\" setup header: kernel older than boot protocol 2.00");
    return MM_OK;
}

static mm_status check_version(const uint8_t *f, bc_linux_image *img)
{
    bc_text t;
    img->version = (uint16_t)le16(f + HDR_VERSION);
    img->loadflags = f[HDR_LOADFLAGS];
    if (img->version < BC_LINUX_MIN_VERSION) {
        refuse(img, BC_LINUX_FILE_OLD_PROTOCOL, &t, "boot protocol ");
        bc_text_hex(&t, img->version);
        bc_text_str(&t, " is older than the 0x206 this loader needs");
        return MM_ERR_INVALID_ARGUMENT;
    }
    if (!(img->loadflags & LOADED_HIGH))
        return refuse(img, BC_LINUX_FILE_NOT_BZIMAGE, &t,
                      "a zImage (LOADED_HIGH clear): only bzImage kernels are supported");
    return MM_OK;
}

/* Setup sectors, header length and the protected-mode part's extent in
 * a file of `len` bytes. */
static mm_status check_layout(const uint8_t *f, uint64_t len, bc_linux_image *img)
{
    bc_text t;
    img->setup_sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4u;
    img->header_end = 0x202u + f[HDR_JUMP_LEN];
    if (img->header_end < HDR_MIN_END || img->header_end > BP_HDR_LIMIT) {
        refuse(img, BC_LINUX_FILE_BAD_HEADER, &t, "setup header length ");
        bc_text_hex(&t, img->header_end - HDR_START);
        bc_text_str(&t, " does not fit boot_params");
        return MM_ERR_INVALID_ARGUMENT;
    }
    img->kernel_offset = (uint64_t)(img->setup_sects + 1) * SECTOR;
    if (img->kernel_offset >= (uint64_t)len) {
        refuse(img, BC_LINUX_FILE_TRUNCATED, &t, "truncated: setup code needs ");
        bc_text_hex(&t, img->kernel_offset);
        bc_text_str(&t, " bytes, file has ");
        bc_text_hex(&t, (uint64_t)len);
        return MM_ERR_INVALID_ARGUMENT;
    }
    img->kernel_size = (uint64_t)len - img->kernel_offset;
    return MM_OK;
}

static mm_status truncated(bc_linux_image *img, const char *what, uint64_t need)
{
    bc_text t;
    refuse(img, BC_LINUX_FILE_TRUNCATED, &t, "truncated: ");
    bc_text_str(&t, what);
    bc_text_hex(&t, need);
    bc_text_str(&t, " bytes of kernel, file has ");
    bc_text_hex(&t, img->kernel_size);
    return MM_ERR_INVALID_ARGUMENT;
}

/* syssize (16-byte units) and, from 2.08, the compressed payload must lie
 * inside the protected-mode part the file holds. */
static mm_status check_payload(const uint8_t *f, bc_linux_image *img)
{
    uint64_t sys = (uint64_t)mm_load_le32(f + HDR_SYSSIZE) * 16u;
    if (sys > img->kernel_size)
        return truncated(img, "syssize says ", sys);
    if (img->version < V2_08)
        return MM_OK;
    uint64_t end = (uint64_t)mm_load_le32(f + HDR_PAYLOAD_OFF) + mm_load_le32(f + HDR_PAYLOAD_LEN);
    if (end > img->kernel_size)
        return truncated(img, "payload ends at ", end);
    return MM_OK;
}

/* Fields whose presence depends on the protocol version, with the
 * protocol's defaults for older kernels. */
static void read_fields(const uint8_t *f, bc_linux_image *img)
{
    img->initrd_addr_max = mm_load_le32(f + HDR_INITRD_MAX);
    img->kernel_alignment = mm_load_le32(f + HDR_KERNEL_ALIGN);
    img->relocatable = f[HDR_RELOCATABLE] ? 1 : 0;
    img->cmdline_size = mm_load_le32(f + HDR_CMDLINE_SIZE);
    img->xloadflags = img->version >= V2_12 ? (uint16_t)le16(f + HDR_XLOADFLAGS) : 0;
    if (img->version >= V2_10) {
        img->pref_address = mm_load_le64(f + HDR_PREF_ADDRESS);
        img->init_size = mm_load_le32(f + HDR_INIT_SIZE);
    } else {
        img->pref_address = OLD_PREF_ADDRESS;
        img->init_size = 0;
    }
}

/* The bytes to reserve at the load address: init_size, never less than
 * the file's kernel; before 2.10 (no init_size) OLD_INIT_FACTOR times the
 * kernel, room for it to decompress in place. */
static mm_status compute_span(bc_linux_image *img)
{
    bc_text t;
    uint64_t need = img->init_size;
    if (img->version < V2_10)
        need = img->kernel_size * OLD_INIT_FACTOR;
    if (need < img->kernel_size)
        need = img->kernel_size;
    if (img->relocatable && !mm_is_pow2(img->kernel_alignment)) {
        refuse(img, BC_LINUX_FILE_BAD_HEADER, &t, "kernel_alignment ");
        bc_text_hex(&t, img->kernel_alignment);
        bc_text_str(&t, " is not a power of two");
        return MM_ERR_INVALID_ARGUMENT;
    }
    if (img->pref_address == 0 || !mm_align_up(need, PAGE, &img->span) ||
        !mm_range_end(img->pref_address, img->span, &need)) {
        refuse(img, BC_LINUX_FILE_BAD_HEADER, &t, "pref_address ");
        bc_text_hex(&t, img->pref_address);
        bc_text_str(&t, " is not a usable load address");
        return MM_ERR_INVALID_ARGUMENT;
    }
    return MM_OK;
}

mm_status bc_linux_parse_head(const void *head, size_t head_len, uint64_t file_size,
                              bc_linux_image *img)
{
    if (!img)
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(img, 0, sizeof *img);
    bc_text t;
    if (!head && head_len > 0)
        return refuse(img, BC_LINUX_FILE_TOO_SMALL, &t, "no file");
    if (head_len > file_size)
        return refuse(img, BC_LINUX_FILE_TOO_SMALL, &t, "more header bytes than file");
    const uint8_t *f = (const uint8_t *)head;
    mm_status st = check_magic(f, head_len, img);
    if (st == MM_OK)
        st = check_version(f, img);
    if (st == MM_OK)
        st = check_layout(f, file_size, img);
    if (st == MM_OK)
        st = check_payload(f, img);
    if (st != MM_OK)
        return st;
    read_fields(f, img);
    st = compute_span(img);
    if (st != MM_OK)
        return st;
    img->problem = BC_LINUX_FILE_OK;
    bc_text_init(&t, img->msg, sizeof img->msg);
    bc_text_str(&t, "ok");
    return MM_OK;
}

mm_status bc_linux_parse(const void *file, size_t len, bc_linux_image *img)
{
    return bc_linux_parse_head(file, len, (uint64_t)len, img);
}

const char *bc_linux_problem_name(bc_linux_problem p)
{
    static const char *const names[BC_LINUX_FILE_PROBLEM_COUNT] = {
        "BC_LINUX_FILE_OK",           "BC_LINUX_FILE_TOO_SMALL", "BC_LINUX_FILE_ELF",
        "BC_LINUX_FILE_NO_BOOT_FLAG", "BC_LINUX_FILE_NO_HDRS",   "BC_LINUX_FILE_OLD_PROTOCOL",
        "BC_LINUX_FILE_NOT_BZIMAGE",  "BC_LINUX_FILE_TRUNCATED", "BC_LINUX_FILE_BAD_HEADER",
    };
    if ((unsigned)p >= BC_LINUX_FILE_PROBLEM_COUNT)
        return "BC_LINUX_FILE_UNKNOWN";
    return names[p];
}

/* ---- Placement ------------------------------------------------------------- */

/* plan->msg = "no room for WHAT: SIZE bytes" and MM_ERR_NOT_FOUND. */
static mm_status no_room(bc_linux_plan *plan, const char *what, uint64_t size, uint64_t below)
{
    bc_text t;
    bc_text_init(&t, plan->msg, sizeof plan->msg);
    bc_text_str(&t, "no room for ");
    bc_text_str(&t, what);
    bc_text_str(&t, ": ");
    bc_text_hex(&t, size);
    bc_text_str(&t, " bytes below ");
    bc_text_hex(&t, below);
    return MM_ERR_NOT_FOUND;
}

static void plan_ok(bc_linux_plan *plan)
{
    bc_text t;
    bc_text_init(&t, plan->msg, sizeof plan->msg);
    bc_text_str(&t, "ok");
}

/* Exclusive upper bound for the kernel's load range. */
static uint64_t kernel_limit(const bc_linux_image *img)
{
    uint32_t both = BC_LINUX_XLF_KERNEL_64 | BC_LINUX_XLF_CAN_LOAD_HIGH;
    return (img->xloadflags & both) == both ? UINT64_MAX : FOUR_GIB;
}

mm_status bc_linux_plan_kernel(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img)
{
    if (!plan || !map || !img)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t align = img->kernel_alignment > PAGE ? img->kernel_alignment : PAGE;
    uint64_t pref = img->pref_address, limit = kernel_limit(img), addr = pref, end;
    bool pref_ok = mm_map_range_is(map, pref, img->span, MM_TYPE_USABLE) &&
                   mm_range_end(pref, img->span, &end) && end <= limit;
    if (img->relocatable && (pref & (align - 1)) != 0)
        pref_ok = false;
    if (!pref_ok && !img->relocatable) {
        bc_text t;
        bc_text_init(&t, plan->msg, sizeof plan->msg);
        bc_text_str(&t, "kernel is not relocatable and [");
        bc_text_hex(&t, pref);
        bc_text_str(&t, ", +");
        bc_text_hex(&t, img->span);
        bc_text_str(&t, ") is not free RAM");
        return MM_ERR_NOT_FOUND;
    }
    if (!pref_ok && (pref >= limit || mm_map_find(map, img->span, align, pref, limit,
                                                  MM_FIND_BOTTOM_UP, &addr) != MM_OK))
        return no_room(plan, "the kernel", img->span, limit);
    plan->kernel_addr = addr;
    plan->kernel_span = img->span;
    plan_ok(plan);
    return MM_OK;
}

mm_status bc_linux_plan_initrd(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img,
                               uint64_t initrd_size)
{
    if (!plan || !map || !img)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t span, addr = 0, limit = (uint64_t)img->initrd_addr_max + 1;
    if (initrd_size > 0) {
        if (!mm_align_up(initrd_size, PAGE, &span) || limit <= INITRD_MIN ||
            mm_map_find(map, span, PAGE, INITRD_MIN, limit, MM_FIND_TOP_DOWN, &addr) != MM_OK)
            return no_room(plan, "the initrd", initrd_size, limit);
    }
    plan->initrd_addr = addr;
    plan->initrd_size = initrd_size;
    plan_ok(plan);
    return MM_OK;
}

/* The next e820 entry from map entry *i on: one map entry, or several
 * adjacent ones that convert to the same e820 type. Advances *i. */
static void next_e820(const mm_map *map, uint32_t *i, uint64_t *base, uint64_t *end, uint32_t *type)
{
    const mm_entry *e = &map->entries[*i];
    *base = e->base;
    *end = mm_entry_end(e);
    *type = bc_linux_e820_type((mm_type)e->type);
    for ((*i)++; *i < map->count; (*i)++) {
        const mm_entry *n = &map->entries[*i];
        if (n->base != *end || bc_linux_e820_type((mm_type)n->type) != *type)
            break;
        *end = mm_entry_end(n);
    }
}

uint32_t bc_linux_e820_count(const mm_map *map)
{
    uint32_t n = 0;
    uint64_t base, end;
    uint32_t type;
    for (uint32_t i = 0; map && i < map->count; n++)
        next_e820(map, &i, &base, &end, &type);
    return n;
}

/* Bytes of the SETUP_E820_EXT node for `count` entries (0: none needed). */
static uint64_t e820_ext_bytes(uint32_t count)
{
    if (count <= BC_LINUX_E820_ZEROPAGE)
        return 0;
    return BC_LINUX_SETUP_DATA_HDR +
           (uint64_t)(count - BC_LINUX_E820_ZEROPAGE) * BC_LINUX_E820_ENTRY_SIZE;
}

static mm_status cmdline_too_long(bc_linux_plan *plan, uint32_t bytes, uint32_t max)
{
    bc_text t;
    bc_text_init(&t, plan->msg, sizeof plan->msg);
    bc_text_str(&t, "command line of ");
    bc_text_u32(&t, bytes - 1);
    bc_text_str(&t, " characters exceeds the kernel's cmdline_size ");
    bc_text_u32(&t, max);
    return MM_ERR_OUT_OF_RANGE;
}

mm_status bc_linux_plan_params(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img,
                               uint32_t cmdline_bytes, uint32_t e820_count)
{
    if (!plan || !map || !img || cmdline_bytes == 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (cmdline_bytes - 1 > img->cmdline_size)
        return cmdline_too_long(plan, cmdline_bytes, img->cmdline_size);
    uint64_t ext_off = mm_align_down((uint64_t)BC_LINUX_PARAMS_SIZE + cmdline_bytes + 7, 8);
    uint64_t ext = e820_ext_bytes(e820_count), span, addr;
    if (!mm_align_up(ext_off + ext, PAGE, &span))
        return no_room(plan, "boot_params", ext_off + ext, FOUR_GIB);
    if (mm_map_find(map, span, PAGE, PARAMS_MIN, FOUR_GIB, MM_FIND_BOTTOM_UP, &addr) != MM_OK)
        return no_room(plan, "boot_params and the command line", span, FOUR_GIB);
    plan->params_addr = addr;
    plan->params_span = span;
    plan->cmdline_addr = addr + BC_LINUX_PARAMS_SIZE;
    plan->cmdline_bytes = cmdline_bytes;
    plan->e820_ext_addr = ext ? addr + ext_off : 0;
    plan->e820_count = e820_count;
    plan_ok(plan);
    return MM_OK;
}

mm_status bc_linux_initrd_layout(const uint64_t *sizes, uint32_t count, uint64_t *offsets,
                                 uint64_t *total)
{
    if (!total || (count > 0 && (!sizes || !offsets)))
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t at = 0, end;
    for (uint32_t i = 0; i < count; i++) {
        if (!mm_align_up(at, 4, &at) || !mm_range_end(at, sizes[i], &end))
            return MM_ERR_OVERFLOW;
        offsets[i] = at;
        at = end;
    }
    *total = at;
    return MM_OK;
}

/* ---- Loading and boot_params ----------------------------------------------- */

/* cmd_line_ptr and its high half; the command line itself. */
static void write_cmdline(uint8_t *bp, const bc_linux_plan *plan, const char *cmdline, char *dst)
{
    mm_store_le32(bp + HDR_CMD_LINE_PTR, (uint32_t)plan->cmdline_addr);
    mm_store_le32(bp + BP_EXT_CMD_LINE, (uint32_t)(plan->cmdline_addr >> 32));
    size_t n = bc_strnlen(cmdline, plan->cmdline_bytes - 1);
    mm_memcpy(dst, cmdline, n);
    dst[n] = '\0';
}

mm_status bc_linux_params_init(uint8_t *bp, const bc_linux_image *img, const void *file, size_t len,
                               const bc_linux_plan *plan, const char *cmdline, char *cmdline_dst)
{
    if (!bp || !img || !file || !plan || !cmdline || !cmdline_dst || len < img->header_end ||
        img->header_end <= HDR_START || img->header_end > BP_HDR_LIMIT || plan->cmdline_bytes == 0)
        return MM_ERR_INVALID_ARGUMENT;
    mm_memcpy(bp + HDR_START, (const uint8_t *)file + HDR_START, img->header_end - HDR_START);
    bp[HDR_TYPE_OF_LOAD] = BC_LINUX_LOADER_TYPE;
    write_cmdline(bp, plan, cmdline, cmdline_dst);
    mm_store_le32(bp + HDR_RAMDISK_IMAGE, (uint32_t)plan->initrd_addr);
    mm_store_le32(bp + HDR_RAMDISK_SIZE, (uint32_t)plan->initrd_size);
    mm_store_le32(bp + BP_EXT_RAMDISK, (uint32_t)(plan->initrd_addr >> 32));
    mm_store_le32(bp + BP_EXT_RAMSIZE, (uint32_t)(plan->initrd_size >> 32));
    return MM_OK;
}

mm_status bc_linux_params_firmware(uint8_t *bp, const bc_linux_firmware *fw)
{
    if (!bp || !fw || (fw->efi_system_table && fw->efi_desc_size == 0))
        return MM_ERR_INVALID_ARGUMENT;
    mm_store_le64(bp + BP_ACPI_RSDP, fw->acpi_rsdp);
    if (!fw->efi_system_table)
        return MM_OK;
    uint8_t *e = bp + BP_EFI_INFO;
    mm_store_le32(e + 0x00, EFI_SIGNATURE_64);
    mm_store_le32(e + 0x04, (uint32_t)fw->efi_system_table);
    mm_store_le32(e + 0x08, fw->efi_desc_size);
    mm_store_le32(e + 0x0c, fw->efi_desc_version);
    mm_store_le32(e + 0x10, (uint32_t)fw->efi_map);
    mm_store_le32(e + 0x14, fw->efi_map_size);
    mm_store_le32(e + 0x18, (uint32_t)(fw->efi_system_table >> 32));
    mm_store_le32(e + 0x1c, (uint32_t)(fw->efi_map >> 32));
    return MM_OK;
}

static void store16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Mask of `size` bits at `pos` (size < 32). */
static uint32_t bits_at(uint32_t size, uint32_t pos)
{
    return size >= 32 || pos >= 32 ? 0 : ((1u << size) - 1u) << pos;
}

/* The pixel bits no colour uses, when they are one run: size and pos. */
static void reserved_bits(const bc_linux_screen *s, uint8_t *size, uint8_t *pos)
{
    uint32_t all = s->bpp >= 32 ? 0xffffffffu : (1u << s->bpp) - 1u;
    uint32_t rest =
        all & ~(bits_at(s->red_size, s->red_pos) | bits_at(s->green_size, s->green_pos) |
                bits_at(s->blue_size, s->blue_pos));
    *size = *pos = 0;
    if (rest == 0)
        return;
    uint32_t low = (uint32_t)mm_log2(rest & (0u - rest)), run = rest >> low;
    if ((run & (run + 1u)) != 0) /* not contiguous: say nothing */
        return;
    *pos = (uint8_t)low;
    *size = (uint8_t)mm_log2(run + 1u);
}

mm_status bc_linux_params_screen(uint8_t *bp, const bc_linux_screen *s)
{
    if (!bp || !s)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t bytes = (uint64_t)s->pitch * s->height;
    if (s->base == 0 || s->width == 0 || s->height == 0 || s->width > 0xffffu ||
        s->height > 0xffffu || s->pitch > 0xffffu || s->bpp == 0 || s->bpp > 32 ||
        (uint64_t)s->pitch * 8 < (uint64_t)s->width * s->bpp || bytes > 0xffffffffu)
        return MM_ERR_OUT_OF_RANGE;
    uint8_t rsvd_size, rsvd_pos;
    reserved_bits(s, &rsvd_size, &rsvd_pos);
    bp[SI_IS_VGA] = s->efi ? VIDEO_TYPE_EFI : VIDEO_TYPE_VLFB;
    store16(bp + SI_LFB_WIDTH, s->width);
    store16(bp + SI_LFB_HEIGHT, s->height);
    store16(bp + SI_LFB_DEPTH, s->bpp);
    mm_store_le32(bp + SI_LFB_BASE, (uint32_t)s->base);
    uint64_t blocks = (bytes + (1u << VLFB_SIZE_SHIFT) - 1) >> VLFB_SIZE_SHIFT;
    mm_store_le32(bp + SI_LFB_SIZE, (uint32_t)(s->efi ? bytes : blocks));
    store16(bp + SI_LFB_LINE, s->pitch);
    const uint8_t colours[8] = {s->red_size,  s->red_pos,  s->green_size, s->green_pos,
                                s->blue_size, s->blue_pos, rsvd_size,     rsvd_pos};
    mm_memcpy(bp + SI_COLOURS, colours, sizeof colours);
    store16(bp + SI_PAGES, 1);
    if (s->base >> 32) {
        mm_store_le32(bp + SI_CAPABILITIES, VIDEO_CAP_64BIT);
        mm_store_le32(bp + SI_EXT_LFB_BASE, (uint32_t)(s->base >> 32));
    }
    return MM_OK;
}

uint32_t bc_linux_e820_type(mm_type type)
{
    switch (type) {
    case MM_TYPE_USABLE:
    case MM_TYPE_BOOTLOADER_RECLAIMABLE:
    case MM_TYPE_KERNEL:
    case MM_TYPE_KERNEL_STACK:
    case MM_TYPE_TEMP_HEAP:
    case MM_TYPE_BOOT_HEAP:
    case MM_TYPE_PAGE_TABLES:
    case MM_TYPE_FRAME_BITMAP:
    case MM_TYPE_HANDOFF:
    case MM_TYPE_MODULE:
        return MM_E820_USABLE;
    case MM_TYPE_ACPI_RECLAIMABLE:
        return MM_E820_ACPI;
    case MM_TYPE_ACPI_NVS:
        return MM_E820_NVS;
    case MM_TYPE_BAD:
        return MM_E820_UNUSABLE;
    case MM_TYPE_PERSISTENT:
        return MM_E820_PERSISTENT;
    default:
        return MM_E820_RESERVED;
    }
}

static void put_e820(uint8_t *p, uint64_t base, uint64_t end, uint32_t type)
{
    mm_store_le64(p, base);
    mm_store_le64(p + 8, end - base);
    mm_store_le32(p + 16, type);
}

mm_status bc_linux_params_e820(uint8_t *bp, const mm_map *map, uint8_t *ext, size_t ext_len,
                               uint64_t ext_phys)
{
    if (!bp || !map)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t count = bc_linux_e820_count(map);
    uint64_t ext_need = e820_ext_bytes(count);
    if (ext_need && (!ext || (uint64_t)ext_len < ext_need))
        return MM_ERR_BUFFER_TOO_SMALL;
    uint64_t base, end;
    uint32_t type, n = 0;
    for (uint32_t i = 0; i < map->count; n++) {
        next_e820(map, &i, &base, &end, &type);
        uint8_t *slot = n < BC_LINUX_E820_ZEROPAGE
                            ? bp + BP_E820_TABLE + n * BC_LINUX_E820_ENTRY_SIZE
                            : ext + BC_LINUX_SETUP_DATA_HDR +
                                  (n - BC_LINUX_E820_ZEROPAGE) * BC_LINUX_E820_ENTRY_SIZE;
        put_e820(slot, base, end, type);
    }
    bp[BP_E820_ENTRIES] =
        (uint8_t)(count < BC_LINUX_E820_ZEROPAGE ? count : BC_LINUX_E820_ZEROPAGE);
    if (!ext_need)
        return MM_OK;
    mm_memcpy(ext, bp + HDR_SETUP_DATA, 8); /* next: the list so far */
    mm_store_le32(ext + 8, BC_LINUX_SETUP_E820_EXT);
    mm_store_le32(ext + 12, (uint32_t)(ext_need - BC_LINUX_SETUP_DATA_HDR));
    mm_store_le64(bp + HDR_SETUP_DATA, ext_phys);
    return MM_OK;
}

/* ---- Entry ------------------------------------------------------------------- */

mm_status bc_linux_entry_for(const bc_linux_image *img, const bc_linux_plan *plan,
                             bc_linux_entry *entry)
{
    if (!img || !plan || !entry)
        return MM_ERR_INVALID_ARGUMENT;
    entry->boot_params = plan->params_addr;
    entry->reserved = 0;
    if (img->xloadflags & BC_LINUX_XLF_KERNEL_64) {
        entry->mode = BC_LINUX_ENTRY_64;
        entry->address = plan->kernel_addr + ENTRY_64_OFFSET;
        return MM_OK;
    }
    if (plan->kernel_addr >= FOUR_GIB || plan->params_addr >= FOUR_GIB)
        return MM_ERR_OUT_OF_RANGE;
    entry->mode = BC_LINUX_ENTRY_32;
    entry->address = plan->kernel_addr;
    return MM_OK;
}

mm_status bc_linux_identity_ranges(const bc_linux_plan *plan,
                                   bc_linux_range out[BC_LINUX_IDENTITY_RANGES])
{
    if (!plan || !out)
        return MM_ERR_INVALID_ARGUMENT;
    out[0].base = plan->kernel_addr;
    out[0].length = plan->kernel_span;
    out[1].base = plan->params_addr;
    out[1].length = plan->params_span;
    return MM_OK;
}
