/* Multiboot 1 information structure and Multiboot 2 tag list builders
 * (multiboot.h). Both write little-endian bytes through put32/put64, so
 * neither the buffer's alignment nor the host's struct layout matters. */
#include "multiboot.h"

#include "handoff.h"
#include "text.h"

#define STRING_MAX    4095u /* bytes of one string kept, without the NUL */
#define MB1_INFO_SIZE 120u  /* the struct to the end of colour_info at 112 + 6, padded */
#define MB_MMAP_ENTRY 24u
#define MB1_MODULE    16u
#define RSDP_V1_SIZE  20u
#define RSDP_V2_MIN   36u
#define RSDP_MAX      256u
#define MB_FB_FIXED   24u /* address, pitch, width, height, bpp, type, reserved */
#define MB_FB_COLOURS 6u  /* RGB: position and size of red, green, blue */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* Bytes of a string as stored (cut at STRING_MAX), with its NUL. */
static uint32_t str_bytes(const char *s)
{
    return s ? (uint32_t)bc_strnlen(s, STRING_MAX) + 1 : 1;
}

static void put_str(uint8_t *p, const char *s, uint32_t bytes)
{
    if (s)
        mm_memcpy(p, s, bytes - 1);
    p[bytes - 1] = 0;
}

size_t bc_mb_cmdline(char *dst, size_t cap, const char *path, const char *args)
{
    bc_text t;
    bc_text_init(&t, dst, cap);
    bc_text_str(&t, path ? path : "");
    size_t n = bc_strnlen(path ? path : "", SIZE_MAX);
    if (args && args[0]) {
        bc_text_str(&t, " ");
        bc_text_str(&t, args);
        n += 1 + bc_strnlen(args, SIZE_MAX);
    }
    return n;
}

uint32_t bc_mb_map_type(uint32_t type)
{
    switch (type) {
    case MM_TYPE_USABLE:
    case MM_TYPE_BOOTLOADER_RECLAIMABLE:
    case MM_TYPE_KERNEL_STACK:
    case MM_TYPE_TEMP_HEAP:
    case MM_TYPE_BOOT_HEAP:
    case MM_TYPE_PAGE_TABLES:
    case MM_TYPE_FRAME_BITMAP:
        return 1;
    case MM_TYPE_ACPI_RECLAIMABLE:
        return 3;
    case MM_TYPE_ACPI_NVS:
        return 4;
    case MM_TYPE_BAD:
        return 5;
    case MM_TYPE_PERSISTENT:
        return 7;
    default:
        return 2;
    }
}

/* RAM the firmware handed over, whoever holds it now: what mem_lower and
 * mem_upper count (GRUB counts the kernel's own memory too). */
static bool is_ram(uint32_t type)
{
    return type == MM_TYPE_USABLE ||
           (type >= MM_TYPE_BOOTLOADER_RECLAIMABLE && type <= MM_TYPE_HANDOFF) ||
           type == MM_TYPE_MODULE;
}

/* One translated map range, neighbours of the same Multiboot type merged. */
typedef struct mb_range {
    uint64_t base, len;
    uint32_t type;
} mb_range;

/* Next merged range from entry *i on; false at the end. */
static bool map_next(const mm_map *m, uint32_t *i, mb_range *r)
{
    if (*i >= m->count)
        return false;
    const mm_entry *e = &m->entries[*i];
    r->base = e->base;
    r->len = e->length;
    r->type = bc_mb_map_type(e->type);
    for (++*i; *i < m->count; ++*i) {
        const mm_entry *n = &m->entries[*i];
        if (n->base != r->base + r->len || bc_mb_map_type(n->type) != r->type)
            break;
        r->len += n->length;
    }
    return true;
}

/* KiB of RAM contiguous from `from` (saturated to 32 bits). */
static uint32_t ram_kib_from(const mm_map *m, uint64_t from)
{
    uint64_t at = from;
    for (uint32_t i = 0; i < m->count; i++) {
        const mm_entry *e = &m->entries[i];
        if (mm_entry_end(e) <= at)
            continue;
        if (e->base > at || !is_ram(e->type))
            break;
        at = mm_entry_end(e);
    }
    uint64_t kib = (at - from) >> 10;
    return kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
}

static uint32_t mem_lower_kib(const mm_map *m)
{
    uint32_t k = ram_kib_from(m, 0);
    return k > 640 ? 640 : k;
}

/* "MultiOS Boot 0.1.0" into buf (32 bytes). */
static void loader_name(char *buf)
{
    bc_text t;
    bc_text_init(&t, buf, 32);
    bc_text_str(&t, BC_LOADER_NAME " ");
    bc_text_u32(&t, BC_LOADER_VERSION >> 16);
    bc_text_str(&t, ".");
    bc_text_u32(&t, (BC_LOADER_VERSION >> 8) & 0xff);
    bc_text_str(&t, ".");
    bc_text_u32(&t, BC_LOADER_VERSION & 0xff);
}

static uint32_t shdr_bytes(const bc_mb_info_input *in)
{
    if (!in->shdrs || !in->plan || in->plan->shnum == 0)
        return 0;
    return in->plan->shnum * in->plan->shentsize; /* both 16-bit in the file */
}

/* SMBIOS entry point length and version; 0 for an unknown signature. */
static uint32_t smbios_eps(const uint8_t *p, uint32_t *major, uint32_t *minor)
{
    if (!p)
        return 0;
    if (p[0] == '_' && p[1] == 'S' && p[2] == 'M' && p[3] == '_') {
        *major = p[6];
        *minor = p[7];
        return p[5] >= 31 ? p[5] : 31;
    }
    if (p[0] == '_' && p[1] == 'S' && p[2] == 'M' && p[3] == '3' && p[4] == '_') {
        *major = p[7];
        *minor = p[8];
        return p[6] >= 24 ? p[6] : 24;
    }
    return 0;
}

/* Bytes of the RSDP copy for the new-RSDP tag; 0 for revision < 2. */
static uint32_t rsdp_v2_bytes(const uint8_t *r)
{
    if (!r || r[15] < 2)
        return 0;
    uint32_t len = mm_load_le32(r + 20);
    return len < RSDP_V2_MIN ? RSDP_V2_MIN : len > RSDP_MAX ? RSDP_MAX : len;
}

static uint32_t modules_strings(const bc_mb_info_input *in, uint32_t per_module, bool tags)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < in->module_count; i++) {
        uint32_t s = per_module + str_bytes(in->modules[i].cmdline);
        n += tags ? align8(s) : s;
    }
    return n;
}

static uint64_t mb1_size(const bc_mb_info_input *in, uint32_t entries)
{
    return (uint64_t)MB1_INFO_SIZE + (uint64_t)entries * MB_MMAP_ENTRY +
           (uint64_t)in->module_count * MB1_MODULE + shdr_bytes(in) + str_bytes(in->cmdline) + 32 +
           modules_strings(in, 0, false);
}

static uint64_t mb2_size(const bc_mb_info_input *in, uint32_t entries)
{
    uint32_t major, minor, eps = smbios_eps(in->smbios, &major, &minor);
    uint64_t n = 8 + align8(8 + str_bytes(in->cmdline)) + align8(8 + 32) +
                 modules_strings(in, 16, true) + 16 + 24 + 16 + (uint64_t)entries * MB_MMAP_ENTRY;
    if (shdr_bytes(in))
        n += align8(20 + shdr_bytes(in));
    if (in->efi_system_table)
        n += 16;
    if (eps)
        n += align8(16 + eps);
    if (in->rsdp)
        n += align8(8 + RSDP_V1_SIZE) + align8(8 + rsdp_v2_bytes(in->rsdp));
    if (in->efi_map)
        n += align8(16 + in->efi_map_size);
    if (in->fb)
        n += align8(8 + MB_FB_FIXED + MB_FB_COLOURS);
    return n + 16 + 8; /* load base, end */
}

static bool input_ok(const bc_mb_info_input *in)
{
    return in && in->map && in->plan && (in->module_count == 0 || in->modules);
}

uint32_t bc_mb_info_size(uint32_t version, const bc_mb_info_input *in, uint32_t extra_entries)
{
    if (!input_ok(in) || (version != 1 && version != 2))
        return 0;
    uint64_t entries = (uint64_t)in->map->count + extra_entries;
    if (entries > UINT32_MAX / MB_MMAP_ENTRY)
        return 0;
    uint64_t n = version == 1 ? mb1_size(in, (uint32_t)entries) : mb2_size(in, (uint32_t)entries);
    n = (n + 7) & ~7ull;
    return n >= BC_MB_4GIB ? 0 : (uint32_t)n;
}

/* The builders' cursor over the caller's buffer. */
typedef struct out {
    uint8_t *buf;
    uint32_t cap, pos;
    uint64_t phys;
} out;

/* Reserves `n` bytes at the cursor; NULL when they do not fit. */
static uint8_t *take(out *o, uint32_t n)
{
    if (n > o->cap - o->pos)
        return NULL;
    uint8_t *p = o->buf + o->pos;
    mm_memset(p, 0, n);
    o->pos += n;
    return p;
}

static uint32_t phys_of(const out *o, const uint8_t *p)
{
    return (uint32_t)(o->phys + (uint64_t)(p - o->buf));
}

static bc_mb_status start(out *o, const bc_mb_info_input *in, void *buf, uint32_t cap,
                          uint64_t phys)
{
    if (!input_ok(in) || !buf || (phys & 7) || phys >= BC_MB_4GIB || cap > BC_MB_4GIB - phys)
        return BC_MB_BAD_ARGUMENT;
    o->buf = buf;
    o->cap = cap;
    o->pos = 0;
    o->phys = phys;
    return BC_MB_OK;
}

/* ---- Multiboot 1 ------------------------------------------------------------ */

#define MB1_INFO_MEMORY  (1u << 0)
#define MB1_INFO_BOOTDEV (1u << 1)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS    (1u << 3)
#define MB1_INFO_ELF     (1u << 5)
#define MB1_INFO_MMAP    (1u << 6)
#define MB1_INFO_NAME    (1u << 9)
#define MB1_INFO_FB      (1u << 12)
#define MB1_FB_OFFSET    88u /* framebuffer_addr in the info structure */

/* The framebuffer fields at `p` (MB1 info + 88, MB2 tag + 8): address,
 * pitch, width, height, bpp, type, then for RGB the colour fields at
 * p + 24. MB2 has a 16-bit reserved field before them; MB1's colour_info
 * is a union holding a 32-bit field in the specification's own
 * multiboot.h, so GRUB (and the kernels built on that header) put it at
 * info + 112, not at the 110 the specification's table shows. */
static void put_fb(uint8_t *p, const bc_mb_framebuffer *fb)
{
    put64(p, fb->addr);
    put32(p + 8, fb->pitch);
    put32(p + 12, fb->width);
    put32(p + 16, fb->height);
    p[20] = (uint8_t)fb->bpp;
    p[21] = (uint8_t)fb->type;
    if (fb->type != BC_MB_FB_RGB)
        return;
    uint8_t *c = p + MB_FB_FIXED;
    c[0] = fb->red_pos;
    c[1] = fb->red_size;
    c[2] = fb->green_pos;
    c[3] = fb->green_size;
    c[4] = fb->blue_pos;
    c[5] = fb->blue_size;
}

/* Copies a string to the cursor and returns its physical address (0 when
 * it does not fit). */
static uint32_t mb1_string(out *o, const char *s)
{
    uint32_t n = str_bytes(s);
    uint8_t *p = take(o, n);
    if (!p)
        return 0;
    put_str(p, s, n);
    return phys_of(o, p);
}

static bool mb1_mmap(out *o, uint8_t *info, const mm_map *m)
{
    uint8_t *first = o->buf + o->pos;
    uint32_t i = 0;
    mb_range r;
    while (map_next(m, &i, &r)) {
        uint8_t *e = take(o, MB_MMAP_ENTRY);
        if (!e)
            return false;
        put32(e, MB_MMAP_ENTRY - 4); /* size excludes the size field */
        put64(e + 4, r.base);
        put64(e + 12, r.len);
        put32(e + 20, r.type);
    }
    put32(info + 44, (uint32_t)(o->buf + o->pos - first));
    put32(info + 48, phys_of(o, first));
    return true;
}

static bool mb1_modules(out *o, uint8_t *info, const bc_mb_info_input *in)
{
    uint8_t *mods = take(o, in->module_count * MB1_MODULE);
    if (!mods)
        return false;
    for (uint32_t i = 0; i < in->module_count; i++) {
        const bc_mb_module *m = &in->modules[i];
        uint32_t s = mb1_string(o, m->cmdline);
        if (!s)
            return false;
        put32(mods + i * MB1_MODULE, (uint32_t)m->phys);
        put32(mods + i * MB1_MODULE + 4, (uint32_t)(m->phys + m->size));
        put32(mods + i * MB1_MODULE + 8, s);
    }
    put32(info + 20, in->module_count);
    put32(info + 24, phys_of(o, mods));
    return true;
}

static bool mb1_sections(out *o, uint8_t *info, uint32_t *flags, const bc_mb_info_input *in)
{
    uint32_t n = shdr_bytes(in);
    if (!n)
        return true;
    uint8_t *p = take(o, n);
    if (!p)
        return false;
    mm_memcpy(p, in->shdrs, n);
    put32(info + 28, in->plan->shnum);
    put32(info + 32, in->plan->shentsize);
    put32(info + 36, phys_of(o, p));
    put32(info + 40, in->plan->shstrndx);
    *flags |= MB1_INFO_ELF;
    return true;
}

/* A partition number as MB1's byte: 0xff (none) when it does not fit. */
static uint32_t mb1_part(uint32_t part)
{
    return part < 0xff ? part : 0xff;
}

static uint32_t mb1_bootdev(const bc_mb_info_input *in)
{
    return (in->bios_drive & 0xff) << 24 | mb1_part(in->partition) << 16 |
           mb1_part(in->sub_partition) << 8 | 0xff;
}

bc_mb_status bc_mb1_info_build(const bc_mb_info_input *in, void *buf, uint32_t cap, uint64_t phys,
                               uint32_t *used)
{
    out o;
    bc_mb_status st = start(&o, in, buf, cap, phys);
    if (st != BC_MB_OK || !used)
        return BC_MB_BAD_ARGUMENT;
    uint8_t *info = take(&o, MB1_INFO_SIZE);
    uint32_t flags =
        MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_NAME;
    char name[32];
    loader_name(name);
    if (!info || !mb1_mmap(&o, info, in->map) || !mb1_modules(&o, info, in) ||
        !mb1_sections(&o, info, &flags, in))
        return BC_MB_BUFFER_TOO_SMALL;
    uint32_t cmdline = mb1_string(&o, in->cmdline), name_at = mb1_string(&o, name);
    if (!cmdline || !name_at)
        return BC_MB_BUFFER_TOO_SMALL;
    if (in->flags & BC_MB_INFO_BOOTDEV) {
        flags |= MB1_INFO_BOOTDEV;
        put32(info + 12, mb1_bootdev(in));
    }
    if (in->fb) {
        flags |= MB1_INFO_FB;
        put_fb(info + MB1_FB_OFFSET, in->fb);
    }
    put32(info, flags);
    put32(info + 4, mem_lower_kib(in->map));
    put32(info + 8, ram_kib_from(in->map, MM_MIB));
    put32(info + 16, cmdline);
    put32(info + 64, name_at);
    *used = align8(o.pos);
    return *used <= cap ? BC_MB_OK : BC_MB_BUFFER_TOO_SMALL;
}

/* ---- Multiboot 2 ------------------------------------------------------------ */

/* Starts a tag of `size` bytes (header included) at the cursor, padded to
 * 8; NULL when it does not fit. */
static uint8_t *tag(out *o, uint32_t type, uint32_t size)
{
    uint8_t *t = take(o, align8(size));
    if (t) {
        put32(t, type);
        put32(t + 4, size);
    }
    return t;
}

static bool tag_string(out *o, uint32_t type, const char *s)
{
    uint32_t n = str_bytes(s);
    uint8_t *t = tag(o, type, 8 + n);
    if (t)
        put_str(t + 8, s, n);
    return t != NULL;
}

static bool tag_bytes(out *o, uint32_t type, const void *p, uint32_t n)
{
    uint8_t *t = tag(o, type, 8 + n);
    if (t)
        mm_memcpy(t + 8, p, n);
    return t != NULL;
}

static bool mb2_modules(out *o, const bc_mb_info_input *in)
{
    for (uint32_t i = 0; i < in->module_count; i++) {
        const bc_mb_module *m = &in->modules[i];
        uint32_t n = str_bytes(m->cmdline);
        uint8_t *t = tag(o, BC_MB2_TAG_MODULE, 16 + n);
        if (!t)
            return false;
        put32(t + 8, (uint32_t)m->phys);
        put32(t + 12, (uint32_t)(m->phys + m->size));
        put_str(t + 16, m->cmdline, n);
    }
    return true;
}

static bool mb2_memory(out *o, const bc_mb_info_input *in)
{
    uint8_t *t = tag(o, BC_MB2_TAG_BASIC_MEMINFO, 16);
    if (!t)
        return false;
    put32(t + 8, mem_lower_kib(in->map));
    put32(t + 12, ram_kib_from(in->map, MM_MIB));
    if (in->flags & BC_MB_INFO_BOOTDEV) {
        uint8_t *b = tag(o, BC_MB2_TAG_BOOTDEV, 20);
        if (!b)
            return false;
        put32(b + 8, in->bios_drive);
        put32(b + 12, in->partition);
        put32(b + 16, in->sub_partition);
    }
    uint8_t *mt = tag(o, BC_MB2_TAG_MMAP, 16);
    if (!mt)
        return false;
    put32(mt + 8, MB_MMAP_ENTRY);
    put32(mt + 12, 0); /* entry_version */
    uint32_t i = 0, size = 16;
    mb_range r;
    while (map_next(in->map, &i, &r)) {
        uint8_t *e = take(o, MB_MMAP_ENTRY);
        if (!e)
            return false;
        put64(e, r.base);
        put64(e + 8, r.len);
        put32(e + 16, r.type);
        size += MB_MMAP_ENTRY;
    }
    put32(mt + 4, size);
    return true;
}

static bool mb2_framebuffer(out *o, const bc_mb_info_input *in)
{
    if (!in->fb)
        return true;
    uint32_t colours = in->fb->type == BC_MB_FB_RGB ? MB_FB_COLOURS : 0;
    uint8_t *t = tag(o, BC_MB2_TAG_FRAMEBUFFER, 8 + MB_FB_FIXED + colours);
    if (t)
        put_fb(t + 8, in->fb);
    return t != NULL;
}

static bool mb2_sections(out *o, const bc_mb_info_input *in)
{
    uint32_t n = shdr_bytes(in);
    if (!n)
        return true;
    uint8_t *t = tag(o, BC_MB2_TAG_ELF_SECTIONS, 20 + n);
    if (!t)
        return false;
    put32(t + 8, in->plan->shnum);
    put32(t + 12, in->plan->shentsize);
    put32(t + 16, in->plan->shstrndx);
    mm_memcpy(t + 20, in->shdrs, n);
    return true;
}

static bool mb2_firmware(out *o, const bc_mb_info_input *in)
{
    if (in->efi_system_table) {
        uint8_t *t = tag(o, BC_MB2_TAG_EFI64, 16);
        if (!t)
            return false;
        put64(t + 8, in->efi_system_table);
    }
    uint32_t major = 0, minor = 0, eps = smbios_eps(in->smbios, &major, &minor);
    if (eps) {
        uint8_t *t = tag(o, BC_MB2_TAG_SMBIOS, 16 + eps);
        if (!t)
            return false;
        t[8] = (uint8_t)major;
        t[9] = (uint8_t)minor;
        mm_memcpy(t + 16, in->smbios, eps);
    }
    if (in->rsdp && !tag_bytes(o, BC_MB2_TAG_ACPI_OLD, in->rsdp, RSDP_V1_SIZE))
        return false;
    uint32_t v2 = rsdp_v2_bytes(in->rsdp);
    if (v2 && !tag_bytes(o, BC_MB2_TAG_ACPI_NEW, in->rsdp, v2))
        return false;
    if (in->efi_map) {
        uint8_t *t = tag(o, BC_MB2_TAG_EFI_MMAP, 16 + in->efi_map_size);
        if (!t)
            return false;
        put32(t + 8, in->efi_desc_size);
        put32(t + 12, in->efi_desc_version);
        mm_memcpy(t + 16, in->efi_map, in->efi_map_size);
    }
    return true;
}

bc_mb_status bc_mb2_info_build(const bc_mb_info_input *in, void *buf, uint32_t cap, uint64_t phys,
                               uint32_t *used)
{
    out o;
    bc_mb_status st = start(&o, in, buf, cap, phys);
    if (st != BC_MB_OK || !used || (in->efi_map && in->efi_map_size > UINT32_MAX - 24))
        return BC_MB_BAD_ARGUMENT;
    char name[32];
    loader_name(name);
    uint8_t *fixed = take(&o, 8);
    if (!fixed || !tag_string(&o, BC_MB2_TAG_CMDLINE, in->cmdline) ||
        !tag_string(&o, BC_MB2_TAG_LOADER_NAME, name) || !mb2_modules(&o, in) ||
        !mb2_memory(&o, in) || !mb2_framebuffer(&o, in) || !mb2_sections(&o, in) ||
        !mb2_firmware(&o, in))
        return BC_MB_BUFFER_TOO_SMALL;
    uint8_t *base = tag(&o, BC_MB2_TAG_LOAD_BASE, 12);
    if (!base || !tag(&o, BC_MB2_TAG_END, 8))
        return BC_MB_BUFFER_TOO_SMALL;
    put32(base + 8, (uint32_t)in->plan->lowest);
    put32(fixed, o.pos);
    *used = o.pos;
    return BC_MB_OK;
}
