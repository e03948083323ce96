/* bc_handoff_check(): everything a kernel should verify before trusting
 * a handoff. Reads only memory whose size it has already checked.
 * Revision 2 adds, after the revision-1 checks: framebuffer (all zero, or
 * a sane RGB format inside its FRAMEBUFFER entry and the HHDM), modules
 * (each inside MODULE and the HHDM, cmdline NUL-terminated in HANDOFF) and
 * CPUs (exactly one BSP = bsp_apic_id, started CPUs' records in AP_STACKS
 * holding their own APIC id). */
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
    uint32_t min = h->revision >= 2 ? (uint32_t)sizeof *h : MOS_HANDOFF_SIZE_REV1;
    if (h->size < min || h->size > BC_HANDOFF_MAX_SIZE) {
        bc_text_str(&c->t, "size ");
        bc_text_u32(&c->t, h->size);
        bc_text_str(&c->t, " outside [");
        bc_text_u32(&c->t, min);
        bc_text_str(&c->t, ", ");
        bc_text_u32(&c->t, BC_HANDOFF_MAX_SIZE);
        bc_text_str(&c->t, "] for revision ");
        bc_text_u32(&c->t, h->revision);
        return bad(c, MM_ERR_INVALID_ARGUMENT, "");
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

/* ---- revision 2 ---- */

/* True when [base, base + size) lies inside the direct map. */
static bool in_hhdm(const checker *c, uint64_t base, uint64_t size)
{
    uint64_t end;
    return mm_range_end(base, size, &end) && end <= c->h->hhdm_size;
}

/* A typed range the kernel will touch: inside its entries and the HHDM. */
static mm_status check_range(checker *c, const char *what, uint64_t base, uint64_t size,
                             uint32_t type, const char *type_name)
{
    if (!inside(c, base, size, type))
        return not_inside(c, what, base, type_name);
    if (!in_hhdm(c, base, size)) {
        bc_text_str(&c->t, what);
        return bad(c, MM_ERR_MAP_INVALID, " is not covered by the direct map");
    }
    return MM_OK;
}

/* Channel of `size` bits at `shift` fits a pixel of `bpp` bits. */
static bool channel_ok(uint32_t size, uint32_t shift, uint32_t bpp)
{
    return size >= 1 && size <= 16 && shift + size <= bpp;
}

static uint32_t channel_mask(uint32_t size, uint32_t shift)
{
    return ((1u << size) - 1) << shift;
}

static mm_status check_fb_format(checker *c)
{
    const struct mos_handoff *h = c->h;
    uint32_t bpp = h->fb_bpp;
    if (bpp != 16 && bpp != 24 && bpp != 32)
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer bpp is not 16, 24 or 32");
    if (h->fb_memory_model != MOS_FB_MODEL_RGB)
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer memory model is not RGB");
    if (!channel_ok(h->fb_red_mask_size, h->fb_red_mask_shift, bpp) ||
        !channel_ok(h->fb_green_mask_size, h->fb_green_mask_shift, bpp) ||
        !channel_ok(h->fb_blue_mask_size, h->fb_blue_mask_shift, bpp))
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer colour mask outside the pixel");
    uint32_t r = channel_mask(h->fb_red_mask_size, h->fb_red_mask_shift);
    uint32_t g = channel_mask(h->fb_green_mask_size, h->fb_green_mask_shift);
    uint32_t b = channel_mask(h->fb_blue_mask_size, h->fb_blue_mask_shift);
    if ((r & g) || (r & b) || (g & b))
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer colour masks overlap");
    return MM_OK;
}

static mm_status check_framebuffer(checker *c)
{
    const struct mos_handoff *h = c->h;
    if (h->fb_addr == 0) {
        if (h->fb_size || h->fb_width || h->fb_height || h->fb_pitch)
            return bad(c, MM_ERR_MAP_INVALID, "framebuffer fields set without an address");
        return MM_OK;
    }
    if (h->fb_width == 0 || h->fb_height == 0)
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer of zero width or height");
    mm_status st = check_fb_format(c);
    if (st != MM_OK)
        return st;
    if ((uint64_t)h->fb_pitch * 8 < (uint64_t)h->fb_width * h->fb_bpp)
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer pitch shorter than a scanline");
    if ((uint64_t)h->fb_pitch * h->fb_height > h->fb_size)
        return bad(c, MM_ERR_MAP_INVALID, "framebuffer larger than fb_size");
    return check_range(c, "framebuffer", h->fb_addr, h->fb_size, MOS_MEM_FRAMEBUFFER,
                       "framebuffer");
}

/* An array of `count` entries of `stride` >= `min_stride` bytes at `addr`
 * inside HANDOFF memory; count 0 needs nothing. */
static mm_status check_array(checker *c, const char *what, uint64_t addr, uint32_t count,
                             uint32_t stride, uint32_t min_stride)
{
    if (count == 0)
        return MM_OK;
    if (addr == 0 || (addr & 7)) {
        bc_text_str(&c->t, what);
        return bad(c, MM_ERR_MAP_INVALID, " array missing or not 8-byte aligned");
    }
    if (stride < min_stride || (stride & 7)) {
        bc_text_str(&c->t, what);
        return bad(c, MM_ERR_MAP_INVALID, " entry size too small or not a multiple of 8");
    }
    if (!inside(c, addr, (uint64_t)count * stride, MOS_MEM_HANDOFF))
        return not_inside(c, what, addr, "handoff");
    return MM_OK;
}

static mm_status bad_item(checker *c, const char *what, uint32_t i, const char *why)
{
    bc_text_str(&c->t, what);
    bc_text_str(&c->t, " ");
    bc_text_u32(&c->t, i);
    bc_text_str(&c->t, ": ");
    return bad(c, MM_ERR_MAP_INVALID, why);
}

static mm_status check_module(checker *c, const struct mos_module *m, uint32_t i)
{
    if (m->addr == 0 || (m->addr & 0xfff))
        return bad_item(c, "module", i, "no address or not 4 KiB aligned");
    /* An empty file still has an address: its page is the module's. */
    uint64_t span = m->size ? m->size : 1;
    mm_status st = check_range(c, "module", m->addr, span, MOS_MEM_MODULE, "module");
    if (st != MM_OK)
        return st;
    if (!inside(c, m->cmdline_addr, m->cmdline_size, MOS_MEM_HANDOFF))
        return not_inside(c, "module cmdline", m->cmdline_addr, "handoff");
    const char *cmd = (const char *)ptr_of(c, m->cmdline_addr);
    if (cmd[m->cmdline_size - 1] != '\0')
        return bad_item(c, "module", i, "cmdline is not NUL-terminated");
    return MM_OK;
}

static mm_status check_modules(checker *c)
{
    const struct mos_handoff *h = c->h;
    mm_status st = check_array(c, "modules", h->modules_addr, h->module_count, h->module_entry_size,
                               sizeof(struct mos_module));
    const unsigned char *base = (const unsigned char *)ptr_of(c, h->modules_addr);
    for (uint32_t i = 0; st == MM_OK && i < h->module_count; i++)
        st = check_module(c, (const struct mos_module *)(base + (size_t)i * h->module_entry_size),
                          i);
    return st;
}

static mm_status check_started(checker *c, const struct mos_cpu *cpu, uint32_t i)
{
    if (cpu->record_addr & 63)
        return bad_item(c, "cpu", i, "record not 64-byte aligned");
    mm_status st = check_range(c, "cpu record", cpu->record_addr, sizeof(struct mos_cpu_record),
                               MOS_MEM_AP_STACKS, "ap-stacks");
    if (st != MM_OK)
        return st;
    const struct mos_cpu_record *r = (const struct mos_cpu_record *)ptr_of(c, cpu->record_addr);
    if (r->apic_id != cpu->apic_id)
        return bad_item(c, "cpu", i, "record holds another APIC id");
    return MM_OK;
}

static mm_status check_cpu(checker *c, const struct mos_cpu *cpu, uint32_t i, uint32_t *bsps)
{
    const uint32_t known = MOS_CPU_BSP | MOS_CPU_STARTED | MOS_CPU_FAILED;
    uint32_t f = cpu->flags;
    if ((f & ~known) || ((f & MOS_CPU_BSP) && (f & ~MOS_CPU_BSP)) ||
        ((f & MOS_CPU_STARTED) && (f & MOS_CPU_FAILED)))
        return bad_item(c, "cpu", i, "unknown or contradictory flags");
    if (f & MOS_CPU_BSP) {
        ++*bsps;
        if (cpu->apic_id != c->h->bsp_apic_id)
            return bad_item(c, "cpu", i, "BSP flag on a CPU that is not bsp_apic_id");
    }
    if (!(f & MOS_CPU_STARTED))
        return cpu->record_addr ? bad_item(c, "cpu", i, "record given for a CPU not started")
                                : MM_OK;
    return check_started(c, cpu, i);
}

static mm_status check_cpus(checker *c)
{
    const struct mos_handoff *h = c->h;
    uint32_t bsps = 0;
    mm_status st = check_array(c, "cpus", h->cpus_addr, h->cpu_count, h->cpu_entry_size,
                               sizeof(struct mos_cpu));
    const unsigned char *base = (const unsigned char *)ptr_of(c, h->cpus_addr);
    for (uint32_t i = 0; st == MM_OK && i < h->cpu_count; i++)
        st = check_cpu(c, (const struct mos_cpu *)(base + (size_t)i * h->cpu_entry_size), i, &bsps);
    if (st == MM_OK && h->cpu_count && bsps != 1)
        return bad(c, MM_ERR_MAP_INVALID, "cpu list does not hold exactly one BSP");
    return st;
}

static mm_status check_rev2(checker *c)
{
    if (c->h->revision < 2)
        return MM_OK;
    mm_status st = check_framebuffer(c);
    if (st == MM_OK)
        st = check_modules(c);
    if (st == MM_OK)
        st = check_cpus(c);
    return st;
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
        st = check_rev2(&c);
    if (st == MM_OK)
        bc_text_str(&c.t, "ok");
    return st;
}
