/* Multiboot load plans: ELF32/ELF64 by physical address or the header's
 * address fields, relocation, checks against the map (multiboot.h). */
#include "multiboot.h"

#include "text.h"

static bc_mb_status fail(bc_mb_plan *p, bc_mb_status st, const char *what, uint32_t index)
{
    bc_text t;
    bc_text_init(&t, p->msg, BC_MB_MSG_MAX);
    bc_text_str(&t, what);
    if (index != UINT32_MAX) {
        bc_text_str(&t, " (segment ");
        bc_text_u32(&t, index);
        bc_text_str(&t, ")");
    }
    return st;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

/* Appends a segment after the checks every form shares. */
static bc_mb_status add_segment(bc_mb_plan *p, const bc_mb_segment *s, size_t len)
{
    uint32_t i = p->count;
    if (s->mem_size == 0)
        return BC_MB_OK;
    if (i == BC_MB_MAX_SEGMENTS)
        return fail(p, BC_MB_BAD_IMAGE, "more than 16 loadable segments", UINT32_MAX);
    if (s->file_size > s->mem_size)
        return fail(p, BC_MB_BAD_IMAGE, "file size exceeds memory size", i);
    if (s->file_off > len || s->file_size > len - s->file_off)
        return fail(p, BC_MB_BAD_IMAGE, "file bytes outside the file", i);
    if (s->phys >= BC_MB_4GIB || s->mem_size > BC_MB_4GIB - s->phys)
        return fail(p, BC_MB_BAD_IMAGE, "segment not below 4 GiB", i);
    for (uint32_t k = 0; k < i; k++) {
        if (ranges_overlap(s->phys, s->mem_size, p->segments[k].phys, p->segments[k].mem_size))
            return fail(p, BC_MB_BAD_IMAGE, "segments overlap in physical memory", i);
    }
    p->segments[i] = *s;
    p->count++;
    if (i == 0 || s->phys < p->lowest)
        p->lowest = s->phys;
    if (s->phys + s->mem_size > p->end)
        p->end = s->phys + s->mem_size;
    return BC_MB_OK;
}

/* The address-field form: one segment whose file position follows from
 * where the header sits in the file and the address it claims. */
static bc_mb_status plan_address(bc_mb_plan *p, size_t len, const bc_mb_header *h)
{
    /* MB2's load_addr -1: the whole file from its first byte, placed so
     * the header lands at header_addr. */
    uint32_t load = h->load_addr;
    if (h->version == 2 && load == UINT32_MAX && h->header_addr >= h->offset)
        load = h->header_addr - h->offset;
    if (h->header_addr < load || h->header_addr - load > h->offset)
        return fail(p, BC_MB_BAD_IMAGE, "header_addr/load_addr outside the file", UINT32_MAX);
    bc_mb_segment s = {.file_off = h->offset - (h->header_addr - load), .phys = load};
    if (h->load_end_addr == 0)
        s.file_size = len - s.file_off;
    else if (h->load_end_addr < load)
        return fail(p, BC_MB_BAD_IMAGE, "load_end_addr below load_addr", UINT32_MAX);
    else
        s.file_size = h->load_end_addr - load;
    s.mem_size = s.file_size;
    if (h->bss_end_addr) {
        if (h->bss_end_addr < load + s.file_size)
            return fail(p, BC_MB_BAD_IMAGE, "bss_end_addr below the loaded data", UINT32_MAX);
        s.mem_size = h->bss_end_addr - load;
    }
    if (!(h->has & BC_MB_HAS_ENTRY))
        return fail(p, BC_MB_BAD_IMAGE, "address fields without an entry address", UINT32_MAX);
    p->entry = h->entry_addr;
    return add_segment(p, &s, len);
}

/* ELF header fields, read for either class. */
typedef struct elf_hdr {
    uint32_t cls; /* 32 or 64 */
    uint64_t entry, phoff, shoff;
    uint32_t phentsize, phnum, shentsize, shnum, shstrndx;
} elf_hdr;

#define ELF_ET_EXEC   2u
#define ELF_EM_386    3u
#define ELF_EM_X86_64 62u
#define ELF_PT_LOAD   1u

static uint64_t load_word(const uint8_t *b, uint32_t cls)
{
    return cls == 64 ? mm_load_le64(b) : mm_load_le32(b);
}

static bc_mb_status elf_header(bc_mb_plan *p, const uint8_t *f, size_t len, elf_hdr *e)
{
    if (len < 52 || mm_load_le32(f) != 0x464c457fu)
        return fail(p, BC_MB_BAD_IMAGE, "neither ELF nor header address fields", UINT32_MAX);
    e->cls = f[4] == 1 ? 32 : f[4] == 2 ? 64 : 0;
    uint32_t machine = (uint32_t)f[18] | (uint32_t)f[19] << 8;
    uint32_t want = e->cls == 32 ? ELF_EM_386 : ELF_EM_X86_64;
    if (e->cls == 0 || f[5] != 1 || (e->cls == 64 && len < 64))
        return fail(p, BC_MB_BAD_IMAGE, "ELF: not a little-endian ELF32/ELF64", UINT32_MAX);
    if (((uint32_t)f[16] | (uint32_t)f[17] << 8) != ELF_ET_EXEC || machine != want)
        return fail(p, BC_MB_BAD_IMAGE, "ELF: not an x86 executable (ET_EXEC)", UINT32_MAX);
    bool is64 = e->cls == 64;
    e->entry = load_word(f + 24, e->cls);
    e->phoff = load_word(f + (is64 ? 32 : 28), e->cls);
    e->shoff = load_word(f + (is64 ? 40 : 32), e->cls);
    const uint8_t *q = f + (is64 ? 54 : 42);
    e->phentsize = (uint32_t)q[0] | (uint32_t)q[1] << 8;
    e->phnum = (uint32_t)q[2] | (uint32_t)q[3] << 8;
    e->shentsize = (uint32_t)q[4] | (uint32_t)q[5] << 8;
    e->shnum = (uint32_t)q[6] | (uint32_t)q[7] << 8;
    e->shstrndx = (uint32_t)q[8] | (uint32_t)q[9] << 8;
    uint32_t min = is64 ? 56 : 32;
    if (e->phentsize < min || e->phoff > len || (uint64_t)e->phnum * e->phentsize > len - e->phoff)
        return fail(p, BC_MB_BAD_IMAGE, "ELF: program headers outside the file", UINT32_MAX);
    return BC_MB_OK;
}

/* PT_LOAD p (class cls) as a segment; *vaddr gets p_vaddr. */
static bc_mb_segment elf_segment(const uint8_t *ph, uint32_t cls, uint64_t *vaddr)
{
    bc_mb_segment s;
    if (cls == 64) {
        s.file_off = mm_load_le64(ph + 8);
        *vaddr = mm_load_le64(ph + 16);
        s.phys = mm_load_le64(ph + 24);
        s.file_size = mm_load_le64(ph + 32);
        s.mem_size = mm_load_le64(ph + 40);
    } else {
        s.file_off = mm_load_le32(ph + 4);
        *vaddr = mm_load_le32(ph + 8);
        s.phys = mm_load_le32(ph + 12);
        s.file_size = mm_load_le32(ph + 16);
        s.mem_size = mm_load_le32(ph + 20);
    }
    return s;
}

/* GRUB's rule: an entry inside a segment's virtual range means the same
 * offset into its physical range. */
static uint64_t elf_entry_phys(const uint8_t *f, const elf_hdr *e)
{
    for (uint32_t i = 0; i < e->phnum; i++) {
        const uint8_t *ph = f + e->phoff + (uint64_t)i * e->phentsize;
        uint64_t vaddr;
        bc_mb_segment s = elf_segment(ph, e->cls, &vaddr);
        if (mm_load_le32(ph) == ELF_PT_LOAD && e->entry >= vaddr && e->entry - vaddr < s.mem_size)
            return s.phys + (e->entry - vaddr);
    }
    return e->entry;
}

static void elf_sections(bc_mb_plan *p, size_t len, const elf_hdr *e)
{
    uint32_t min = e->cls == 64 ? 64 : 40;
    if (e->shnum == 0 || e->shentsize < min || e->shoff > len ||
        (uint64_t)e->shnum * e->shentsize > len - e->shoff || e->shstrndx >= e->shnum)
        return; /* no usable table: the kernel just gets no ELF sections */
    p->shoff = e->shoff;
    p->shnum = e->shnum;
    p->shentsize = e->shentsize;
    p->shstrndx = e->shstrndx;
}

static bc_mb_status plan_elf(bc_mb_plan *p, const uint8_t *f, size_t len, const bc_mb_header *h)
{
    elf_hdr e;
    bc_mb_status st = elf_header(p, f, len, &e);
    if (st != BC_MB_OK)
        return st;
    p->elf_class = e.cls;
    for (uint32_t i = 0; i < e.phnum; i++) {
        const uint8_t *ph = f + e.phoff + (uint64_t)i * e.phentsize;
        uint64_t vaddr;
        bc_mb_segment s = elf_segment(ph, e.cls, &vaddr);
        if (mm_load_le32(ph) != ELF_PT_LOAD)
            continue;
        st = add_segment(p, &s, len);
        if (st != BC_MB_OK)
            return st;
    }
    if (p->count == 0)
        return fail(p, BC_MB_BAD_IMAGE, "ELF: no loadable segment", UINT32_MAX);
    uint64_t entry = (h->has & BC_MB_HAS_ENTRY) ? h->entry_addr : elf_entry_phys(f, &e);
    if (entry >= BC_MB_4GIB)
        return fail(p, BC_MB_BAD_IMAGE, "ELF: entry point not below 4 GiB", UINT32_MAX);
    p->entry = (uint32_t)entry;
    elf_sections(p, len, &e);
    return BC_MB_OK;
}

static bool entry_inside(const bc_mb_plan *p)
{
    for (uint32_t i = 0; i < p->count; i++) {
        const bc_mb_segment *s = &p->segments[i];
        if (p->entry >= s->phys && p->entry - s->phys < s->mem_size)
            return true;
    }
    return false;
}

bc_mb_status bc_mb_plan_build(const void *file, size_t len, const bc_mb_header *h, bc_mb_plan *p)
{
    if (!p)
        return BC_MB_BAD_ARGUMENT;
    mm_memset(p, 0, sizeof *p);
    if (!file || !h)
        return fail(p, BC_MB_BAD_ARGUMENT, "bad argument", UINT32_MAX);
    bc_mb_status st =
        (h->has & BC_MB_HAS_ADDRESS) ? plan_address(p, len, h) : plan_elf(p, file, len, h);
    if (st != BC_MB_OK)
        return st;
    if (p->count == 0)
        return fail(p, BC_MB_BAD_IMAGE, "nothing to load", UINT32_MAX);
    if (!entry_inside(p))
        return fail(p, BC_MB_BAD_IMAGE, "entry point outside the loaded image", UINT32_MAX);
    return fail(p, BC_MB_OK, "ok", UINT32_MAX);
}

static void move_plan(bc_mb_plan *p, uint64_t base)
{
    uint64_t delta = base - p->lowest; /* modular: works in both directions */
    for (uint32_t i = 0; i < p->count; i++)
        p->segments[i].phys += delta;
    p->entry = (uint32_t)(p->entry + delta);
    p->lowest = base;
    p->end += delta;
}

bc_mb_status bc_mb_plan_relocate(bc_mb_plan *p, const bc_mb_header *h, const mm_map *map)
{
    if (!p || !h || !map)
        return BC_MB_BAD_ARGUMENT;
    if (!(h->has & BC_MB_HAS_RELOCATABLE))
        return BC_MB_OK;
    uint64_t align = h->reloc_align < 4096 ? 4096 : h->reloc_align;
    uint64_t max = h->reloc_max; /* the image must end at or below it */
    uint64_t span = p->end - p->lowest, base = p->lowest;
    if (!mm_is_pow2(align))
        return fail(p, BC_MB_BAD_IMAGE, "relocatable: align not a power of two", UINT32_MAX);
    bool keep = h->reloc_pref == 0 && base >= h->reloc_min && base + span <= max &&
                (base & (align - 1)) == 0 && mm_map_range_is(map, base, span, MM_TYPE_USABLE);
    if (!keep) {
        mm_find_flags dir = h->reloc_pref == 2 ? MM_FIND_TOP_DOWN : MM_FIND_BOTTOM_UP;
        if (h->reloc_min >= max ||
            mm_map_find(map, span, align, h->reloc_min, max, dir, &base) != MM_OK)
            return fail(p, BC_MB_NOT_USABLE, "relocatable: no room in [min_addr, max_addr]",
                        UINT32_MAX);
    }
    move_plan(p, base);
    return BC_MB_OK;
}

/* Names what [base, base + len) runs into: the first entry that is not
 * usable, or the first hole. */
static void describe_obstacle(bc_text *t, const mm_map *map, uint64_t base, uint64_t len)
{
    uint64_t at = base, end = base + len;
    for (uint32_t i = 0; i < map->count && at < end; i++) {
        const mm_entry *e = &map->entries[i];
        if (mm_entry_end(e) <= at)
            continue;
        if (e->base > at || e->type != MM_TYPE_USABLE) {
            bool hole = e->base > at;
            bc_text_str(t, hole ? "a hole at " : mm_type_name((mm_type)e->type));
            bc_text_str(t, hole ? "" : " memory [");
            bc_text_hex(t, hole ? at : e->base);
            if (!hole) {
                bc_text_str(t, ", ");
                bc_text_hex(t, mm_entry_end(e));
                bc_text_str(t, ")");
            }
            return;
        }
        at = mm_entry_end(e);
    }
    bc_text_str(t, "the end of memory at ");
    bc_text_hex(t, at);
}

bc_mb_status bc_mb_plan_check(bc_mb_plan *p, const mm_map *map)
{
    if (!p || !map)
        return BC_MB_BAD_ARGUMENT;
    for (uint32_t i = 0; i < p->count; i++) {
        const bc_mb_segment *s = &p->segments[i];
        if (mm_map_range_is(map, s->phys, s->mem_size, MM_TYPE_USABLE))
            continue;
        bc_text t;
        bc_text_init(&t, p->msg, BC_MB_MSG_MAX);
        bc_text_str(&t, "segment ");
        bc_text_u32(&t, i);
        bc_text_str(&t, " [");
        bc_text_hex(&t, s->phys);
        bc_text_str(&t, ", ");
        bc_text_hex(&t, s->phys + s->mem_size);
        bc_text_str(&t, ") overlaps ");
        describe_obstacle(&t, map, s->phys, s->mem_size);
        return BC_MB_NOT_USABLE;
    }
    return BC_MB_OK;
}

bc_mb_status bc_mb_load(const bc_mb_plan *p, const void *file, size_t len, const mm_phys_window *w)
{
    if (!p || !file || !w)
        return BC_MB_BAD_ARGUMENT;
    for (uint32_t i = 0; i < p->count; i++) {
        const bc_mb_segment *s = &p->segments[i];
        if (!mm_window_contains(w, s->phys, s->mem_size) || s->file_off > len ||
            s->file_size > len - s->file_off || s->file_size > s->mem_size)
            return BC_MB_BAD_ARGUMENT;
    }
    for (uint32_t i = 0; i < p->count; i++) {
        const bc_mb_segment *s = &p->segments[i];
        uint8_t *dst = mm_window_ptr(w, s->phys);
        mm_memcpy(dst, (const uint8_t *)file + s->file_off, (size_t)s->file_size);
        mm_memset(dst + s->file_size, 0, (size_t)(s->mem_size - s->file_size));
    }
    return BC_MB_OK;
}

static bc_mb_status module_problem(char *msg, size_t cap, uint32_t i, const char *what)
{
    bc_text t;
    bc_text_init(&t, msg, msg ? cap : 0);
    bc_text_str(&t, "module ");
    bc_text_u32(&t, i);
    bc_text_str(&t, what);
    return BC_MB_NOT_USABLE;
}

bc_mb_status bc_mb_modules_check(const bc_mb_plan *p, const bc_mb_module *mods, uint32_t count,
                                 uint64_t info_phys, uint64_t info_size, char *msg, size_t cap)
{
    if (!p || (count && !mods))
        return BC_MB_BAD_ARGUMENT;
    for (uint32_t i = 0; i < count; i++) {
        const bc_mb_module *m = &mods[i];
        if (m->phys & 0xfff)
            return module_problem(msg, cap, i, ": not page-aligned");
        if (m->phys >= BC_MB_4GIB || m->size > BC_MB_4GIB - m->phys)
            return module_problem(msg, cap, i, ": not below 4 GiB");
        for (uint32_t s = 0; s < p->count; s++) {
            if (ranges_overlap(m->phys, m->size, p->segments[s].phys, p->segments[s].mem_size))
                return module_problem(msg, cap, i, " overlaps the kernel");
        }
        if (ranges_overlap(m->phys, m->size, info_phys, info_size))
            return module_problem(msg, cap, i, " overlaps the boot information");
        for (uint32_t k = 0; k < i; k++) {
            if (ranges_overlap(m->phys, m->size, mods[k].phys, mods[k].size))
                return module_problem(msg, cap, i, " overlaps an earlier module");
        }
    }
    return BC_MB_OK;
}

bc_mb_entry bc_mb_entry_regs(const bc_mb_plan *p, uint32_t version, uint32_t info_phys)
{
    bc_mb_entry e = {.eip = p->entry,
                     .eax = version == 1 ? BC_MB1_BOOT_MAGIC : BC_MB2_BOOT_MAGIC,
                     .ebx = info_phys};
    return e;
}
