/* bc_handoff_check(): everything a kernel should verify before trusting
 * a handoff. Reads only memory whose size it has already checked. */
#include "handoff.h"

#include "text.h"

typedef struct checker {
    const struct mos_handoff *h;
    const unsigned char *map; /* first entry, through virt_offset */
    uint32_t stride;          /* memmap_entry_size */
    uint64_t virt_offset;
    bc_text t;
} checker;

static const struct mos_memmap_entry *entry(const checker *c, uint32_t i)
{
    return (const struct mos_memmap_entry *)(c->map + (size_t)i * c->stride);
}

static const void *ptr_of(const checker *c, uint64_t phys)
{
    return (const void *)(uintptr_t)(phys + c->virt_offset);
}

/* Starts the reason text and returns `st`. */
static mm_status bad(checker *c, mm_status st, const char *what)
{
    bc_text_str(&c->t, what);
    return st;
}

static mm_status bad_entry(checker *c, uint32_t i, const char *what)
{
    bc_text_str(&c->t, "map entry ");
    bc_text_u32(&c->t, i);
    bc_text_str(&c->t, ": ");
    return bad(c, MM_ERR_MAP_INVALID, what);
}

static mm_status check_header(checker *c)
{
    const struct mos_handoff *h = c->h;
    if (h->magic != MOS_HANDOFF_MAGIC)
        return bad(c, MM_ERR_INVALID_ARGUMENT, "bad magic");
    if (h->revision == 0)
        return bad(c, MM_ERR_INVALID_ARGUMENT, "revision 0");
    if (h->size < sizeof *h || h->size > BC_HANDOFF_MAX_SIZE) {
        bc_text_str(&c->t, "size ");
        bc_text_u32(&c->t, h->size);
        return bad(c, MM_ERR_INVALID_ARGUMENT, " outside [368, 4096]");
    }
    uint32_t sum = mos_handoff_checksum(h);
    if (sum != h->checksum) {
        bc_text_str(&c->t, "checksum ");
        bc_text_hex(&c->t, h->checksum);
        bc_text_str(&c->t, " does not match the contents (");
        bc_text_hex(&c->t, sum);
        return bad(c, MM_ERR_INVALID_ARGUMENT, ")");
    }
    return MM_OK;
}

static mm_status check_map(checker *c)
{
    const struct mos_handoff *h = c->h;
    uint64_t gran = h->bitmap_granularity ? h->bitmap_granularity : 4096, prev_end = 0, end;
    if (h->memmap_addr == 0 || h->memmap_count == 0)
        return bad(c, MM_ERR_MAP_INVALID, "memory map is empty");
    if (h->memmap_addr & 7)
        return bad(c, MM_ERR_MAP_INVALID, "memory map array not 8-byte aligned");
    if (h->memmap_entry_size < sizeof(struct mos_memmap_entry) || (h->memmap_entry_size & 7))
        return bad(c, MM_ERR_MAP_INVALID, "memmap_entry_size is below 32 or not a multiple of 8");
    if (!mm_range_end(h->memmap_addr, (uint64_t)h->memmap_count * h->memmap_entry_size, &end))
        return bad(c, MM_ERR_MAP_INVALID, "memory map array passes 2^64");
    c->stride = h->memmap_entry_size;
    c->map = (const unsigned char *)ptr_of(c, h->memmap_addr);
    size_t map_bytes = (size_t)h->memmap_count * c->stride;
    if (mos_crc32_skip(c->map, map_bytes, map_bytes) != h->memmap_crc32)
        return bad(c, MM_ERR_MAP_INVALID, "memory map checksum does not match");
    for (uint32_t i = 0; i < h->memmap_count; i++) {
        const struct mos_memmap_entry *e = entry(c, i);
        if (e->length == 0)
            return bad_entry(c, i, "empty");
        if (!mm_range_end(e->base, e->length, &end))
            return bad_entry(c, i, "passes 2^64");
        if (i && e->base < prev_end)
            return bad_entry(c, i, "not sorted or overlapping the previous entry");
        if (e->type == MOS_MEM_USABLE && mm_is_pow2(gran) && ((e->base | e->length) & (gran - 1)))
            return bad_entry(c, i, "usable range not aligned to the bitmap granularity");
        prev_end = end;
    }
    return MM_OK;
}

/* True when [base, base + size) lies in a run of adjacent entries of
 * `type` (a region carved across two firmware entries may stay split). */
static bool inside(const checker *c, uint64_t base, uint64_t size, uint32_t type)
{
    uint64_t want_end, covered = base;
    if (size == 0 || !mm_range_end(base, size, &want_end))
        return false;
    for (uint32_t i = 0; i < c->h->memmap_count; i++) {
        const struct mos_memmap_entry *e = entry(c, i);
        uint64_t e_end = e->base + e->length;
        if (e->type != type || e->base > covered || e_end <= covered)
            continue;
        covered = e_end;
        if (covered >= want_end)
            return true;
    }
    return false;
}

static mm_status not_inside(checker *c, const char *what, uint64_t base, const char *type_name)
{
    bc_text_str(&c->t, what);
    bc_text_str(&c->t, " at ");
    bc_text_hex(&c->t, base);
    bc_text_str(&c->t, " is not inside a ");
    bc_text_str(&c->t, type_name);
    return bad(c, MM_ERR_MAP_INVALID, " entry");
}

static mm_status check_heap_and_bitmap(checker *c)
{
    const struct mos_handoff *h = c->h;
    if ((h->temp_heap_base == 0) != (h->temp_heap_size == 0))
        return bad(c, MM_ERR_MAP_INVALID, "temp heap: base and size must both be 0 or both set");
    if (h->temp_heap_size && !inside(c, h->temp_heap_base, h->temp_heap_size, MOS_MEM_TEMP_HEAP))
        return not_inside(c, "temp heap", h->temp_heap_base, "temp-heap");
    if (h->bitmap_granularity < 4096 || !mm_is_pow2(h->bitmap_granularity))
        return bad(c, MM_ERR_MAP_INVALID, "bitmap granularity not a power of two >= 4096");
    if (!inside(c, h->bitmap_addr, h->bitmap_size, MOS_MEM_FRAME_BITMAP))
        return not_inside(c, "frame bitmap", h->bitmap_addr, "frame-bitmap");
    if (((h->bitmap_frame_count >> 3) + ((h->bitmap_frame_count & 7) != 0)) > h->bitmap_size)
        return bad(c, MM_ERR_MAP_INVALID, "frame bitmap smaller than frame_count bits");
    return MM_OK;
}

static mm_status check_self(checker *c)
{
    const struct mos_handoff *h = c->h;
    uint64_t self = (uint64_t)(uintptr_t)h - c->virt_offset;
    if (!inside(c, self, h->size, MOS_MEM_HANDOFF))
        return not_inside(c, "handoff structure", self, "handoff");
    if (!inside(c, h->memmap_addr, (uint64_t)h->memmap_count * c->stride, MOS_MEM_HANDOFF))
        return not_inside(c, "memory map array", h->memmap_addr, "handoff");
    if (!inside(c, h->cmdline_addr, h->cmdline_size, MOS_MEM_HANDOFF))
        return not_inside(c, "cmdline", h->cmdline_addr, "handoff");
    const char *cmd = (const char *)ptr_of(c, h->cmdline_addr);
    if (cmd[h->cmdline_size - 1] != '\0')
        return bad(c, MM_ERR_MAP_INVALID, "cmdline is not NUL-terminated");
    return MM_OK;
}

static mm_status check_others(checker *c)
{
    const struct mos_handoff *h = c->h;
    if (!inside(c, h->stack_phys_base, h->stack_size, MOS_MEM_KERNEL_STACK))
        return not_inside(c, "stack", h->stack_phys_base, "kernel-stack");
    if (!inside(c, h->kernel_phys_base, h->kernel_size, MOS_MEM_KERNEL))
        return not_inside(c, "kernel image", h->kernel_phys_base, "kernel");
    if (!inside(c, h->cr3 & ~(uint64_t)0xfff, 4096, MOS_MEM_PAGE_TABLES))
        return not_inside(c, "cr3", h->cr3, "page-tables");
    return MM_OK;
}

mm_status bc_handoff_check(const struct mos_handoff *h, uint64_t virt_offset, char *why,
                           size_t why_len)
{
    checker c = {.h = h, .virt_offset = virt_offset};
    bc_text_init(&c.t, why, why ? why_len : 0);
    if (!h)
        return bad(&c, MM_ERR_INVALID_ARGUMENT, "no handoff");
    mm_status st = check_header(&c);
    if (st == MM_OK)
        st = check_map(&c);
    if (st == MM_OK)
        st = check_heap_and_bitmap(&c);
    if (st == MM_OK)
        st = check_self(&c);
    if (st == MM_OK)
        st = check_others(&c);
    if (st == MM_OK)
        bc_text_str(&c.t, "ok");
    return st;
}
