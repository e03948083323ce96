/* Multiboot information checks (mbcheck.h). */
#include "mbcheck.h"

#include "common/text.h"
#include "mos/handoff.h"

#define MB1_MAGIC 0x2badb002u
#define MB2_MAGIC 0x36d76289u
#define NO_PART   0xffffffffu

static uint32_t rd32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t rd64(const void *p)
{
    return rd32(p) | (uint64_t)rd32((const uint8_t *)p + 4) << 32;
}

/* A line under construction: "MB " + key + "=" + value. */
typedef struct line {
    char buf[160];
    bc_text t;
} line;

static bc_text *begin(line *l, const char *key)
{
    bc_text_init(&l->t, l->buf, sizeof l->buf);
    bc_text_str(&l->t, "MB ");
    bc_text_str(&l->t, key);
    bc_text_str(&l->t, "=");
    return &l->t;
}

static void emit(mbc_ctx *c, line *l)
{
    c->out(c->env, l->buf);
}

static void say_hex(mbc_ctx *c, const char *key, uint64_t v)
{
    line l;
    bc_text_hex(begin(&l, key), v);
    emit(c, &l);
}

static void say_u32(mbc_ctx *c, const char *key, uint32_t v)
{
    line l;
    bc_text_u32(begin(&l, key), v);
    emit(c, &l);
}

static void say_str(mbc_ctx *c, const char *key, const char *v)
{
    line l;
    bc_text_str(begin(&l, key), v);
    emit(c, &l);
}

static void fail(mbc_ctx *c, const char *why)
{
    c->failures++;
    say_str(c, "fail", why);
}

/* Key "<prefix><i>.<suffix>" for per-item lines. */
static void item_key(char *key, size_t cap, const char *prefix, uint32_t i, const char *suffix)
{
    bc_text t;
    bc_text_init(&t, key, cap);
    bc_text_str(&t, prefix);
    bc_text_u32(&t, i);
    bc_text_str(&t, suffix);
}

/* A NUL-terminated string of at most `max` bytes at `addr`, or NULL. */
static const char *string_at(mbc_ctx *c, uint64_t addr, uint32_t max)
{
    for (uint32_t n = 1; n <= max; n++) {
        const char *s = c->mem(c->env, addr, n);
        if (!s)
            return NULL;
        if (s[n - 1] == '\0')
            return s;
    }
    return NULL;
}

static bool overlaps(const mbc_range *a, uint64_t base, uint64_t end)
{
    return base < end && a->base < end && base < a->end;
}

/* Records a range the kernel owns (must not be available). */
static void used(mbc_ctx *c, uint64_t base, uint64_t end)
{
    if (c->used_count < MBC_MAX_RANGES && base < end)
        c->used[c->used_count++] = (mbc_range){base, end};
}

static bool has_word(const char *s, const char *w)
{
    for (size_t i = 0; s[i]; i++) {
        if (i && s[i - 1] != ' ')
            continue;
        size_t k = 0;
        while (w[k] && s[i + k] == w[k])
            k++;
        if (!w[k] && (s[i + k] == ' ' || s[i + k] == '\0'))
            return true;
    }
    return false;
}

static void cmdline(mbc_ctx *c, uint64_t addr)
{
    const char *s = string_at(c, addr, 4096);
    if (!s) {
        fail(c, "cmdline unreadable or unterminated");
        return;
    }
    say_str(c, "cmdline", s);
    used(c, addr, addr + bc_strnlen(s, 4096) + 1);
    if (has_word(s, "strict=0"))
        c->strict = 0;
}

/* One memory map entry, in order: sorted, disjoint, non-empty. */
static void map_entry(mbc_ctx *c, uint64_t base, uint64_t len, uint32_t type, uint64_t *prev_end)
{
    if (len == 0 || base + len < base)
        fail(c, "mmap entry empty or wrapping");
    if (base < *prev_end)
        fail(c, "mmap unsorted or overlapping");
    *prev_end = base + len;
    if (type == 1 && c->avail_count < MBC_MAX_RANGES)
        c->avail[c->avail_count++] = (mbc_range){base, base + len};
    else if (type != 1 && c->other_count < MBC_MAX_RANGES)
        c->other[c->other_count++] = (mbc_range){base, base + len};
}

/* The framebuffer fields at `p` (MB1 info + 88, MB2 tag + 8); the colour
 * fields at p + 24 in both (MB1: where GRUB's multiboot.h puts them). */
static void fb_fields(mbc_ctx *c, const uint8_t *p)
{
    c->fb = (mbc_fb){rd64(p), rd32(p + 8), rd32(p + 12), rd32(p + 16), p[20], p[21], {0}};
    if (c->fb.type == 1)
        for (int i = 0; i < 6; i++)
            c->fb.colours[i] = p[24 + i];
}

/* An RGB pixel: each colour non-empty, inside the pixel, no two sharing
 * a bit. */
static bool colours_ok(const mbc_fb *f)
{
    uint64_t seen = 0;
    for (int i = 0; i < 6; i += 2) {
        uint32_t pos = f->colours[i], size = f->colours[i + 1];
        if (size == 0 || pos + size > f->bpp)
            return false;
        uint64_t mask = ((1ull << size) - 1) << pos;
        if (seen & mask)
            return false;
        seen |= mask;
    }
    return true;
}

/* [base, end) inside one map entry that is not available. */
static bool inside_other(const mbc_ctx *c, uint64_t base, uint64_t end)
{
    for (uint32_t i = 0; i < c->other_count; i++)
        if (c->other[i].base <= base && end <= c->other[i].end)
            return true;
    return false;
}

/* The framebuffer the information described, once the map is known. */
static void framebuffer(mbc_ctx *c)
{
    const mbc_fb *f = &c->fb;
    if (f->type == 0 && f->addr == 0)
        return;
    say_str(c, "fb.type", f->type == 1 ? "rgb" : f->type == 2 ? "ega_text" : "indexed");
    say_hex(c, "fb.addr", f->addr);
    say_u32(c, "fb.width", f->width);
    say_u32(c, "fb.height", f->height);
    say_u32(c, "fb.bpp", f->bpp);
    say_u32(c, "fb.pitch", f->pitch);
    uint64_t end = f->addr + (uint64_t)f->pitch * f->height;
    bool ok = f->width && f->height && f->bpp && f->addr &&
              (uint64_t)f->pitch * 8 >= (uint64_t)f->width * f->bpp;
    if (f->type == 1)
        ok = ok && colours_ok(f);
    else if (f->type == 2)
        ok = ok && f->bpp == 16;
    if (!ok)
        fail(c, "framebuffer: zero size, pitch below a line, or colours outside the pixel");
    for (uint32_t a = 0; a < c->avail_count; a++)
        if (overlaps(&c->avail[a], f->addr, end))
            fail(c, "framebuffer inside an available range");
    if (inside_other(c, f->addr, end))
        say_str(c, "fb.map", "reserved");
    else if (c->strict)
        fail(c, "framebuffer not inside one map entry that is not available");
    else
        say_str(c, "note", "framebuffer not in the map (strict=0)");
    say_str(c, "fb", ok ? "ok" : "bad");
}

static void module(mbc_ctx *c, uint32_t i, uint32_t start, uint32_t end, uint64_t str)
{
    char key[32];
    if (end < start || (start & 0xfff)) {
        fail(c, "module not page-aligned or ends before it starts");
        return;
    }
    const void *p = c->mem(c->env, start, end - start ? end - start : 1);
    const char *s = string_at(c, str, 4096);
    if (!p || !s) {
        fail(c, "module or its command line unreadable");
        return;
    }
    item_key(key, sizeof key, "mod", i, ".cmdline");
    say_str(c, key, s);
    item_key(key, sizeof key, "mod", i, ".size");
    say_u32(c, key, end - start);
    item_key(key, sizeof key, "mod", i, ".crc32");
    say_hex(c, key, mos_crc32_skip(p, end - start, end - start));
    for (uint32_t k = 0; k < c->used_count; k++) {
        if (overlaps(&c->used[k], start, end))
            fail(c, "module overlaps the kernel, the info or another module");
    }
    used(c, start, end);
    used(c, str, str + 1);
}

/* Everything the kernel owns must lie outside the available ranges. */
static void ownership(mbc_ctx *c)
{
    uint32_t hits = 0;
    for (uint32_t u = 0; u < c->used_count; u++) {
        for (uint32_t a = 0; a < c->avail_count; a++)
            hits += overlaps(&c->avail[a], c->used[u].base, c->used[u].end);
    }
    say_u32(c, "owned_in_available", hits);
    if (hits && c->strict)
        fail(c, "kernel, module or info inside an available range");
    else if (hits)
        say_str(c, "note", "owned ranges reported available (strict=0)");
}

/* A partition number, or "none" for the spec's all-ones. */
static void say_part(mbc_ctx *c, const char *key, uint32_t part)
{
    if (part == NO_PART)
        say_str(c, key, "none");
    else
        say_u32(c, key, part);
}

/* The boot device (MB1 boot_device, MB2 tag 5): a BIOS drive number and
 * partitions nested the way the specifications allow (no sub-partition
 * without a partition); `tail_ok` is MB1's unused last byte being 0xff. */
static void boot_device(mbc_ctx *c, uint32_t drive, uint32_t part, uint32_t sub, bool tail_ok)
{
    say_hex(c, "boot_device.drive", drive);
    say_part(c, "boot_device.partition", part);
    say_part(c, "boot_device.sub_partition", sub);
    if (drive > 0xff || (part == NO_PART && sub != NO_PART) || !tail_ok)
        fail(c, "boot device: drive above 0xff or partitions not nested");
}

/* ---- Multiboot 1 ------------------------------------------------------------ */

/* MB1's partition byte, 0xff (none) widened to NO_PART. */
static uint32_t mb1_part(uint32_t byte)
{
    byte &= 0xff;
    return byte == 0xff ? NO_PART : byte;
}

static void mb1_mmap(mbc_ctx *c, uint32_t addr, uint32_t len)
{
    const uint8_t *m = c->mem(c->env, addr, len);
    if (!m || len == 0) {
        fail(c, "mmap unreadable or empty");
        return;
    }
    used(c, addr, (uint64_t)addr + len);
    uint64_t prev_end = 0;
    uint32_t n = 0;
    for (uint32_t off = 0; off + 4 <= len;) {
        uint32_t size = rd32(m + off);
        if (size < 20 || size > len - off - 4) {
            fail(c, "mmap entry size");
            return;
        }
        map_entry(c, rd64(m + off + 4), rd64(m + off + 12), rd32(m + off + 20), &prev_end);
        off += size + 4;
        n++;
    }
    say_u32(c, "mmap.entries", n);
}

static void mb1_modules(mbc_ctx *c, uint32_t count, uint32_t addr)
{
    say_u32(c, "mods", count);
    const uint8_t *m = count ? c->mem(c->env, addr, (uint64_t)count * 16) : NULL;
    if (count && !m) {
        fail(c, "module list unreadable");
        return;
    }
    if (count)
        used(c, addr, addr + (uint64_t)count * 16);
    for (uint32_t i = 0; i < count; i++)
        module(c, i, rd32(m + 16 * i), rd32(m + 16 * i + 4), rd32(m + 16 * i + 8));
}

static void mb1_sections(mbc_ctx *c, const uint8_t *info)
{
    uint32_t num = rd32(info + 28), size = rd32(info + 32), addr = rd32(info + 36);
    uint32_t shndx = rd32(info + 40);
    say_u32(c, "elf.sections", num);
    const uint8_t *sh = c->mem(c->env, addr, (uint64_t)num * size);
    if (!sh || size < 40 || shndx >= num || rd32(sh + shndx * size + 4) != 3)
        fail(c, "ELF section headers unreadable or string table not SHT_STRTAB");
    else
        used(c, addr, addr + (uint64_t)num * size);
}

static void check_mb1(mbc_ctx *c, uint32_t info_addr)
{
    const uint8_t *info = c->mem(c->env, info_addr, 120); /* GRUB's struct: 120 bytes */
    if (!info) {
        fail(c, "info structure unreadable");
        return;
    }
    used(c, info_addr, info_addr + 120ull);
    uint32_t flags = rd32(info);
    say_hex(c, "flags", flags);
    if (flags & 4)
        cmdline(c, rd32(info + 16));
    if ((flags & 0x41) != 0x41)
        fail(c, "memory fields or memory map missing (header asked for them)");
    if (flags & 1) {
        say_u32(c, "mem_lower", rd32(info + 4));
        say_u32(c, "mem_upper", rd32(info + 8));
        if (rd32(info + 4) > 640)
            fail(c, "mem_lower above 640 KiB");
    }
    if (flags & 2) {
        uint32_t d = rd32(info + 12);
        boot_device(c, d >> 24, mb1_part(d >> 16), mb1_part(d >> 8), (d & 0xff) == 0xff);
    }
    if (flags & 0x40)
        mb1_mmap(c, rd32(info + 48), rd32(info + 44));
    if (flags & 8)
        mb1_modules(c, rd32(info + 20), rd32(info + 24));
    if (flags & 0x20)
        mb1_sections(c, info);
    if (flags & 0x200) {
        const char *s = string_at(c, rd32(info + 64), 256);
        say_str(c, "loader", s ? s : "(unreadable)");
    }
    if (flags & 0x1000)
        fb_fields(c, info + 88);
}

/* ---- Multiboot 2 ------------------------------------------------------------ */

/* Sum of `n` bytes (ACPI checksums make it 0 mod 256). */
static uint8_t sum8(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void mb2_rsdp(mbc_ctx *c, const uint8_t *t, uint32_t size, bool is_new)
{
    const char *sig = "RSD PTR ";
    bool ok = size >= 8 + 20;
    for (int i = 0; ok && i < 8; i++)
        ok = t[8 + i] == (uint8_t)sig[i];
    ok = ok && sum8(t + 8, 20) == 0;
    if (is_new)
        ok = ok && size >= 8 + 36 && rd32(t + 8 + 20) <= size - 8 &&
             sum8(t + 8, rd32(t + 8 + 20)) == 0;
    say_str(c, is_new ? "acpi.new" : "acpi.old", ok ? "ok" : "bad");
    if (!ok)
        fail(c, "ACPI RSDP copy: signature or checksum");
}

static bool bytes_are(const uint8_t *p, const char *s)
{
    for (; *s; s++, p++)
        if (*p != (uint8_t)*s)
            return false;
    return true;
}

/* SMBIOS tag: a copy of the entry point ("_SM3_" or "_SM_" with its
 * "_DMI_" part) whose checksums hold, and the tag's version equal to
 * the entry point's. */
static void mb2_smbios(mbc_ctx *c, const uint8_t *t, uint32_t size)
{
    const uint8_t *ep = t + 16;
    uint32_t n = size >= 16 ? size - 16 : 0, len = 0, major = 0, minor = 0;
    bool sm3 = n >= 24 && bytes_are(ep, "_SM3_"), sm2 = n >= 31 && bytes_are(ep, "_SM_");
    if (sm3) {
        len = ep[6], major = ep[7], minor = ep[8];
    } else if (sm2) {
        len = ep[5], major = ep[6], minor = ep[7];
    }
    bool ok = (sm3 || sm2) && len >= (sm3 ? 24u : 30u) && len <= n && sum8(ep, len) == 0;
    if (sm2)
        ok = ok && bytes_are(ep + 16, "_DMI_") && sum8(ep + 16, 15) == 0;
    say_str(c, "smbios.anchor", sm3 ? "_SM3_" : sm2 ? "_SM_" : "(none)");
    line l;
    bc_text *v = begin(&l, "smbios.version");
    bc_text_u32(v, t[8]);
    bc_text_str(v, ".");
    bc_text_u32(v, t[9]);
    emit(c, &l);
    if (ok && (t[8] != major || t[9] != minor)) {
        ok = false;
        fail(c, "SMBIOS tag version differs from its entry point's");
    } else if (!ok) {
        fail(c, "SMBIOS entry point copy: anchor, length or checksum");
    }
    say_str(c, "smbios", ok ? "ok" : "bad");
}

static void mb2_mmap(mbc_ctx *c, const uint8_t *t, uint32_t size)
{
    uint32_t esize = rd32(t + 8);
    if (esize < 24 || rd32(t + 12) != 0) {
        fail(c, "mmap entry_size or entry_version");
        return;
    }
    uint64_t prev_end = 0;
    uint32_t n = 0;
    for (uint32_t off = 16; off + esize <= size; off += esize, n++)
        map_entry(c, rd64(t + off), rd64(t + off + 8), rd32(t + off + 16), &prev_end);
    say_u32(c, "mmap.entries", n);
}

static void mb2_string_tag(mbc_ctx *c, const uint8_t *t, uint32_t size, const char *key)
{
    if (size < 9 || t[size - 1] != '\0') {
        fail(c, "string tag not NUL-terminated");
        return;
    }
    say_str(c, key, (const char *)t + 8);
}

static void mb2_tag(mbc_ctx *c, const uint8_t *t, uint32_t type, uint32_t size, uint32_t *mods,
                    uint64_t tag_phys)
{
    switch (type) {
    case 1:
        if (size < 9 || t[size - 1] != '\0')
            fail(c, "cmdline tag not NUL-terminated");
        else
            cmdline(c, tag_phys + 8);
        break;
    case 2:
        mb2_string_tag(c, t, size, "loader");
        break;
    case 3:
        if (size < 17 || t[size - 1] != '\0')
            fail(c, "module tag malformed");
        else
            module(c, (*mods)++, rd32(t + 8), rd32(t + 12), tag_phys + 16);
        break;
    case 4:
        say_u32(c, "mem_lower", rd32(t + 8));
        say_u32(c, "mem_upper", rd32(t + 12));
        break;
    case 5:
        if (size != 20)
            fail(c, "boot device tag not 20 bytes");
        else
            boot_device(c, rd32(t + 8), rd32(t + 12), rd32(t + 16), true);
        break;
    case 6:
        mb2_mmap(c, t, size);
        break;
    case 8:
        if (size < 32 || (t[29] == 1 && size < 38))
            fail(c, "framebuffer tag too short");
        else
            fb_fields(c, t + 8);
        break;
    case 9:
        say_u32(c, "elf.sections", rd32(t + 8));
        break;
    case 10:
        say_str(c, "apm", "present");
        break;
    case 12:
        say_hex(c, "efi64", rd64(t + 8));
        break;
    case 13:
        mb2_smbios(c, t, size);
        break;
    case 14:
    case 15:
        mb2_rsdp(c, t, size, type == 15);
        break;
    case 17:
        say_u32(c, "efi_mmap.bytes", size - 16);
        break;
    case 21:
        say_hex(c, "load_base", rd32(t + 8));
        break;
    default: {
        char key[32];
        item_key(key, sizeof key, "tag", type, "");
        say_str(c, key, "unknown");
    }
    }
}

/* Walks the tags; every tag 8-aligned, inside total, ended by tag 0. */
static void check_mb2(mbc_ctx *c, uint32_t info_addr)
{
    const uint8_t *fixed = c->mem(c->env, info_addr, 8);
    if (!fixed || (info_addr & 7)) {
        fail(c, "info unreadable or not 8-aligned");
        return;
    }
    uint32_t total = rd32(fixed), mods = 0, seen = 0;
    const uint8_t *info = total >= 16 ? c->mem(c->env, info_addr, total) : NULL;
    if (!info) {
        fail(c, "total_size below 16 or unreadable");
        return;
    }
    used(c, info_addr, (uint64_t)info_addr + total);
    say_u32(c, "total_size", total);
    uint32_t pos = 8;
    while (pos + 8 <= total) {
        uint32_t type = rd32(info + pos), size = rd32(info + pos + 4);
        if (size < 8 || size > total - pos) {
            fail(c, "tag size outside total_size");
            return;
        }
        if (type == 0) {
            if (size != 8 || pos + 8 != total)
                fail(c, "end tag not 8 bytes at the very end");
            break;
        }
        if (type < 32)
            seen |= 1u << type;
        mb2_tag(c, info + pos, type, size, &mods, info_addr + pos);
        pos += (size + 7) & ~7u;
    }
    say_u32(c, "mods", mods);
    if ((seen & 0x56) != 0x56) /* cmdline, loader name, meminfo, mmap */
        fail(c, "a requested tag is missing (1, 2, 4 or 6)");
}

uint32_t mbc_check(mbc_ctx *c, uint32_t version, uint32_t magic, uint32_t info)
{
    c->failures = 0;
    c->strict = 1;
    c->avail_count = 0;
    c->used_count = 0;
    c->other_count = 0;
    c->fb = (mbc_fb){0};
    used(c, c->kernel.base, c->kernel.end);
    say_u32(c, "version", version);
    say_hex(c, "magic", magic);
    if (magic != (version == 1 ? MB1_MAGIC : MB2_MAGIC))
        fail(c, "wrong magic in EAX");
    else if (version == 1)
        check_mb1(c, info);
    else
        check_mb2(c, info);
    framebuffer(c);
    ownership(c);
    say_str(c, "result", c->failures ? "FAIL" : "PASS");
    return c->failures;
}
