/* Page-table builder. Sizing and building walk the same sorted list of
 * virtual intervals, so bc_paging_bytes_needed() is exact by construction:
 * one table per distinct 512 GiB / 1 GiB / 2 MiB unit a mapping touches. */
#include "paging.h"

#include "text.h"

#define PTE_P       (1ULL << 0)
#define PTE_RW      (1ULL << 1)
#define PTE_PS      (1ULL << 7)
#define PTE_NX      (1ULL << 63)
#define PTE_ADDR    0x000ffffffffff000ULL
#define LOWER_END   0x0000800000000000ULL /* end of the canonical lower half */
#define UPPER_START 0xffff800000000000ULL /* start of the canonical upper half */
#define PHYS_END    (1ULL << 52)          /* architectural MAXPHYADDR limit */
#define TABLE_BYTES 4096u
#define MAX_RANGES  (BC_PAGING_MAX_KERNEL_RANGES + 2u)

/* One virtual interval [virt, virt + size) and how it is mapped. */
typedef struct interval {
    uint64_t virt, phys, size;
    uint64_t leaf_bits; /* permission bits of the leaves (RW, NX) */
    bool small;         /* 4 KiB pages (kernel) rather than 2 MiB */
} interval;

typedef struct plan {
    interval r[MAX_RANGES];
    uint32_t n;
} plan;

static void why_set(char *why, size_t len, const char *msg)
{
    bc_text t;
    bc_text_init(&t, why, why ? len : 0);
    bc_text_str(&t, msg);
}

static bool canonical_range(uint64_t virt, uint64_t size)
{
    uint64_t end;
    if (!mm_range_end(virt, size, &end))
        return false;
    return (end <= LOWER_END) || (virt >= UPPER_START);
}

static uint64_t leaf_bits(bool writable, bool executable, uint32_t flags)
{
    uint64_t bits = writable ? PTE_RW : 0;
    if (!executable && (flags & BC_PAGING_NX))
        bits |= PTE_NX;
    return bits;
}

static const char *add_large(plan *p, uint64_t virt, uint64_t size, bool exec, uint32_t flags)
{
    if (size == 0)
        return NULL;
    if ((virt | size) & (BC_LARGE_PAGE_SIZE - 1))
        return "identity/HHDM base and size must be multiples of 2 MiB";
    if (!canonical_range(virt, size))
        return "identity/HHDM range is not canonical";
    if (size > PHYS_END)
        return "identity/HHDM size beyond 2^52";
    p->r[p->n++] = (interval){virt, 0, size, leaf_bits(true, exec, flags), false};
    return NULL;
}

static const char *add_kernel(plan *p, const bc_page_range *k, uint32_t flags)
{
    uint64_t pend;
    if (k->size == 0 || ((k->virt | k->phys | k->size) & (BC_PAGE_SIZE - 1)))
        return "kernel range not 4 KiB aligned or empty";
    if (!canonical_range(k->virt, k->size))
        return "kernel range is not canonical";
    if (!mm_range_end(k->phys, k->size, &pend) || pend > PHYS_END)
        return "kernel range physical end beyond 2^52";
    bool w = k->flags & BC_PAGE_WRITE, x = k->flags & BC_PAGE_EXEC;
    p->r[p->n++] = (interval){k->virt, k->phys, k->size, leaf_bits(w, x, flags), true};
    return NULL;
}

/* Insertion sort by virt (at most MAX_RANGES items). */
static void sort_plan(plan *p)
{
    for (uint32_t i = 1; i < p->n; i++) {
        interval v = p->r[i];
        uint32_t j = i;
        while (j && p->r[j - 1].virt > v.virt) {
            p->r[j] = p->r[j - 1];
            j--;
        }
        p->r[j] = v;
    }
}

/* Fills and checks `p` from `l`; returns NULL or the reason it is bad. */
static const char *make_plan(const bc_paging_layout *l, plan *p)
{
    if (!l)
        return "no layout";
    if (l->kernel_count > BC_PAGING_MAX_KERNEL_RANGES || (l->kernel_count && !l->kernel))
        return "too many or missing kernel ranges";
    p->n = 0;
    const char *why = add_large(p, 0, l->identity_size, true, l->flags);
    if (!why && l->hhdm_size && l->hhdm_offset < UPPER_START)
        why = "HHDM offset not in the upper half";
    if (!why)
        why = add_large(p, l->hhdm_offset, l->hhdm_size, false, l->flags);
    for (uint32_t i = 0; !why && i < l->kernel_count; i++)
        why = add_kernel(p, &l->kernel[i], l->flags);
    if (why)
        return why;
    sort_plan(p);
    for (uint32_t i = 1; i < p->n; i++) {
        if (p->r[i].virt - p->r[i - 1].virt < p->r[i - 1].size)
            return "virtual ranges overlap";
    }
    return NULL;
}

/* Distinct units of 2^shift bytes touched by the intervals of `p`
 * (only the 4 KiB ones when `small_only`). Intervals are sorted and
 * disjoint, so a unit can only be shared with the previous interval. */
static uint64_t count_units(const plan *p, uint32_t shift, bool small_only)
{
    uint64_t total = 0, prev_last = 0;
    bool have_prev = false;
    for (uint32_t i = 0; i < p->n; i++) {
        const interval *r = &p->r[i];
        if (small_only && !r->small)
            continue;
        uint64_t first = r->virt >> shift, last = (r->virt + r->size - 1) >> shift;
        total += last - first + 1;
        if (have_prev && first == prev_last)
            total--;
        prev_last = last;
        have_prev = true;
    }
    return total;
}

static uint64_t plan_bytes(const plan *p)
{
    uint64_t tables =
        1 + count_units(p, 39, false) + count_units(p, 30, false) + count_units(p, 21, true);
    return tables * TABLE_BYTES;
}

mm_status bc_paging_check(const bc_paging_layout *layout, char *why, size_t why_len)
{
    plan p;
    const char *bad = make_plan(layout, &p);
    why_set(why, why_len, bad ? bad : "ok");
    return bad ? MM_ERR_INVALID_ARGUMENT : MM_OK;
}

mm_status bc_paging_bytes_needed(const bc_paging_layout *layout, uint64_t *bytes)
{
    plan p;
    if (!bytes || make_plan(layout, &p))
        return MM_ERR_INVALID_ARGUMENT;
    *bytes = plan_bytes(&p);
    return MM_OK;
}

/* The builder's state: tables are handed out bottom-up from the region. */
typedef struct builder {
    const bc_paging_region *region;
    uint64_t next;  /* physical address of the next free table */
    uint64_t limit; /* end of the bytes the plan needs */
} builder;

static uint64_t *table_at(const builder *b, uint64_t phys)
{
    return (uint64_t *)b->region->to_ptr(b->region->ctx, phys);
}

/* Physical address of the table entry `index` of `table` points to,
 * creating it when absent. Returns 0 when the region is exhausted. */
static uint64_t child(builder *b, uint64_t table, uint32_t index)
{
    uint64_t *t = table_at(b, table);
    if (t[index] & PTE_P)
        return t[index] & PTE_ADDR;
    if (b->next >= b->limit)
        return 0;
    uint64_t c = b->next;
    b->next += TABLE_BYTES;
    t[index] = c | PTE_P | PTE_RW;
    return c;
}

static uint32_t idx(uint64_t virt, uint32_t shift)
{
    return (uint32_t)(virt >> shift) & 511u;
}

/* The table that holds the entries of pages of 2^shift bytes (21: a page
 * directory, 12: a page table) around `virt`, created on the way down;
 * NULL when the region is exhausted. */
static uint64_t *leaf_table(builder *b, uint64_t virt, uint32_t shift)
{
    uint64_t table = b->region->phys;
    for (uint32_t level = 39; level > shift; level -= 9) {
        table = child(b, table, idx(virt, level));
        if (!table)
            return NULL;
    }
    return table_at(b, table);
}

/* Walks down once per leaf table (512 pages), not once per page: the 4
 * GiB identity map and the HHDM are some 4000 pages. */
static bool map_interval(builder *b, const interval *r)
{
    uint32_t shift = r->small ? 12 : 21;
    uint64_t step = (uint64_t)1 << shift, span_mask = (step << 9) - 1;
    uint64_t bits = r->leaf_bits | PTE_P | (shift == 21 ? PTE_PS : 0);
    uint64_t *leaf = NULL;
    for (uint64_t off = 0; off < r->size; off += step) {
        uint64_t virt = r->virt + off;
        if (!leaf || !(virt & span_mask)) { /* the first page, or a new leaf table */
            leaf = leaf_table(b, virt, shift);
            if (!leaf)
                return false;
        }
        leaf[idx(virt, shift)] = (r->phys + off) | bits;
    }
    return true;
}

mm_status bc_paging_build(const bc_paging_layout *layout, const bc_paging_region *region,
                          uint64_t *cr3)
{
    plan p;
    if (!region || !region->to_ptr || !cr3 || (region->phys & (TABLE_BYTES - 1)) ||
        make_plan(layout, &p))
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t bytes = plan_bytes(&p), end;
    if (region->size < bytes)
        return MM_ERR_BUFFER_TOO_SMALL;
    if (!mm_range_end(region->phys, bytes, &end) || end > PHYS_END)
        return MM_ERR_INVALID_ARGUMENT;
    builder b = {region, region->phys + TABLE_BYTES, end};
    for (uint64_t t = region->phys; t < end; t += TABLE_BYTES)
        mm_memset(table_at(&b, t), 0, TABLE_BYTES);
    for (uint32_t i = 0; i < p.n; i++) {
        if (!map_interval(&b, &p.r[i]))
            return MM_ERR_BUFFER_TOO_SMALL; /* cannot happen: sizing is exact */
    }
    *cr3 = region->phys;
    return MM_OK;
}

uint64_t bc_paging_hhdm_size(const mm_entry *entries, uint32_t count)
{
    uint64_t top = 4 * MM_GIB, size;
    for (uint32_t i = 0; entries && i < count; i++) {
        const mm_entry *e = &entries[i];
        uint64_t end;
        if (e->type == MM_TYPE_NONE || e->type == MM_TYPE_MMIO || e->type == MM_TYPE_RESERVED)
            continue;
        if (!mm_range_end(e->base, e->length, &end))
            return 0;
        if (end > top)
            top = end;
    }
    if (!mm_align_up(top, BC_LARGE_PAGE_SIZE, &size))
        return 0;
    return size;
}

mm_status bc_paging_standard(const bc_elf_image *img, uint64_t kernel_phys, uint64_t identity_size,
                             uint64_t hhdm_size, uint32_t flags, bc_boot_paging *out)
{
    bc_elf_mapping m[BC_ELF_MAX_MAPPINGS];
    uint32_t n = 0;
    if (!out || (kernel_phys & (BC_PAGE_SIZE - 1)) ||
        bc_elf_mappings(img, m, BC_ELF_MAX_MAPPINGS, &n) != MM_OK)
        return MM_ERR_INVALID_ARGUMENT;
    _Static_assert(BC_SEG_WRITE == BC_PAGE_WRITE && BC_SEG_EXEC == BC_PAGE_EXEC,
                   "segment and page permission bits agree");
    for (uint32_t i = 0; i < n; i++) {
        out->kernel[i] = (bc_page_range){.virt = m[i].virt,
                                         .phys = kernel_phys + m[i].phys_off,
                                         .size = m[i].size,
                                         .flags = m[i].flags};
    }
    out->layout = (bc_paging_layout){.identity_size = identity_size,
                                     .hhdm_offset = BC_HHDM_OFFSET,
                                     .hhdm_size = hhdm_size,
                                     .kernel = out->kernel,
                                     .kernel_count = n,
                                     .flags = flags};
    return bc_paging_check(&out->layout, NULL, 0);
}
