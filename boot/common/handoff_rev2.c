/* Revision-2 fields of the handoff (see handoff_rev2.h). */
#include "handoff_rev2.h"

#include "text.h"

static uint32_t cmdline_len(const char *s)
{
    return s ? (uint32_t)bc_strnlen(s, 0xfffffffeu) : 0;
}

uint64_t bc_rev2_cmdline_bytes(const bc_rev2_module *m, uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t i = 0; m && i < n; i++)
        total += (uint64_t)cmdline_len(m[i].cmdline) + 1;
    return total;
}

mm_status bc_rev2_layout_init(bc_rev2_layout *l, uint32_t module_capacity,
                              uint64_t cmdline_capacity, uint32_t cpu_capacity)
{
    const uint64_t limit = 4 * MM_GIB;
    if (!l)
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(l, 0, sizeof *l);
    if (cmdline_capacity >= limit)
        return MM_ERR_OVERFLOW;
    l->module_capacity = module_capacity;
    l->cpu_capacity = cpu_capacity;
    l->cmdline_capacity = cmdline_capacity;
    l->modules_off = 0;
    l->cpus_off = (uint64_t)module_capacity * sizeof(struct mos_module);
    l->cmdlines_off = l->cpus_off + (uint64_t)cpu_capacity * sizeof(struct mos_cpu);
    if (!mm_align_up(l->cmdlines_off + cmdline_capacity, 4096, &l->bytes) || l->bytes >= limit)
        return MM_ERR_OVERFLOW;
    return MM_OK;
}

static void fill_fb(struct mos_handoff *h, const bc_rev2_fb *fb)
{
    uint64_t bytes = (uint64_t)fb->pitch * fb->height;
    h->fb_addr = fb->addr;
    mm_align_up(bytes, 4096, &h->fb_size); /* < 2^64: pitch and height are 32-bit */
    h->fb_width = fb->width;
    h->fb_height = fb->height;
    h->fb_pitch = fb->pitch;
    h->fb_bpp = (uint16_t)fb->bpp;
    h->fb_memory_model = MOS_FB_MODEL_RGB;
    h->fb_source = fb->source;
    h->fb_red_mask_size = fb->red_size;
    h->fb_red_mask_shift = fb->red_shift;
    h->fb_green_mask_size = fb->green_size;
    h->fb_green_mask_shift = fb->green_shift;
    h->fb_blue_mask_size = fb->blue_size;
    h->fb_blue_mask_shift = fb->blue_shift;
}

/* Copies module i and its command line (at *cmd_off, advanced). */
static void fill_module(uint8_t *region, uint64_t region_phys, const bc_rev2_layout *l,
                        const bc_rev2_module *src, uint32_t i, uint64_t *cmd_off)
{
    struct mos_module *m = (struct mos_module *)(region + l->modules_off) + i;
    uint32_t len = cmdline_len(src->cmdline);
    m->addr = src->addr;
    m->size = src->size;
    m->cmdline_addr = region_phys + *cmd_off;
    m->cmdline_size = len + 1;
    mm_memcpy(region + *cmd_off, src->cmdline ? src->cmdline : "", len); /* NUL: zeroed */
    bc_text t;
    bc_text_init(&t, m->path, sizeof m->path);
    bc_text_str(&t, src->path ? src->path : "");
    *cmd_off += len + 1;
}

static bool fits(const bc_rev2_input *in, const bc_rev2_layout *l)
{
    return in->module_count <= l->module_capacity && in->cpu_count <= l->cpu_capacity &&
           bc_rev2_cmdline_bytes(in->modules, in->module_count) <= l->cmdline_capacity;
}

mm_status bc_handoff_rev2_fill(struct mos_handoff *h, const bc_rev2_input *in,
                               const bc_rev2_layout *l, void *region, uint64_t region_phys)
{
    if (!h || !in || !l || (l->bytes && !region) || h->size < sizeof *h ||
        (in->module_count && !in->modules) || (in->cpu_count && !in->cpus))
        return MM_ERR_INVALID_ARGUMENT;
    if (!fits(in, l))
        return MM_ERR_BUFFER_TOO_SMALL;
    uint8_t *r = (uint8_t *)region;
    mm_memset(r, 0, (size_t)l->bytes);
    mm_memset((uint8_t *)h + MOS_HANDOFF_SIZE_REV1, 0, sizeof *h - MOS_HANDOFF_SIZE_REV1);
    if (in->fb)
        fill_fb(h, in->fb);
    uint64_t cmd_off = l->cmdlines_off;
    for (uint32_t i = 0; i < in->module_count; i++)
        fill_module(r, region_phys, l, &in->modules[i], i, &cmd_off);
    if (in->cpu_count)
        mm_memcpy(r + l->cpus_off, in->cpus, (size_t)in->cpu_count * sizeof(struct mos_cpu));
    h->modules_addr = in->module_count ? region_phys + l->modules_off : 0;
    h->module_count = in->module_count;
    h->module_entry_size = sizeof(struct mos_module);
    h->cpus_addr = in->cpu_count ? region_phys + l->cpus_off : 0;
    h->cpu_count = in->cpu_count;
    h->cpu_entry_size = sizeof(struct mos_cpu);
    h->bsp_apic_id = in->bsp_apic_id;
    h->smp_flags = in->smp_flags;
    h->lapic_addr = in->lapic_addr;
    return MM_OK;
}
