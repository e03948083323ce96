/* The MultiOS back end's revision-2 work (mos_rev2.h). */
#include "mos_rev2.h"

#include "text.h"

/* "module N (boot.cfg line L)" for messages. */
static void module_name(const bc_boot_module *m, uint32_t i, char *buf, size_t cap)
{
    bc_text t;
    bc_text_init(&t, buf, cap);
    bc_text_str(&t, "module ");
    bc_text_u32(&t, i + 1);
    bc_text_str(&t, " (boot.cfg line ");
    bc_text_u32(&t, m->line);
    bc_text_str(&t, ")");
}

/* Reads module `i` straight into its MODULE range (placed for the file's
 * room, so a front end may read a whole last sector) and zeroes the rest
 * of the range. */
static void load_module(bc_boot *b, bc_mos_rev2 *r, uint32_t i)
{
    const bc_boot_module *m = &b->entry->modules[i];
    const char *path = bc_boot_str(b, m->path);
    char what[48];
    bc_placed p;
    module_name(m, i, what, sizeof what);
    uint64_t size = bc_boot_file_size(b, path, what, BC_MODULE_FILE_MAX, true);
    mm_status st = bc_boot_place(b, BC_RANGE_MODULE, bc_file_room(size ? size : 1), 0, &p);
    if (st != MM_OK)
        bc_boot_fail(b, "%s %s: cannot place %llu bytes: %s", what, path, (unsigned long long)size,
                     mm_strerror(st));
    uint8_t *dst = bc_boot_ptr(b, p.base);
    bc_boot_read_into(b, path, what, 0, dst, size);
    mm_memset(dst + size, 0, (size_t)(p.size - size));
    r->modules[i] = (bc_rev2_module){p.base, size, path, bc_boot_str(b, m->args)};
    mm_log(bc_boot_log(b), MM_LOG_INFO, "%s %s: %llu bytes at 0x%llx", what, path,
           (unsigned long long)size, (unsigned long long)p.base);
}

void bc_mos_load_modules(bc_boot *b, bc_mos_rev2 *r)
{
    mm_memset(r, 0, sizeof *r);
    r->module_count = b->entry->module_count;
    for (uint32_t i = 0; i < r->module_count; i++)
        load_module(b, r, i);
}

void bc_mos_place_rev2(bc_boot *b, bc_mos_rev2 *r, uint32_t cpu_capacity)
{
    uint64_t cmd = bc_rev2_cmdline_bytes(r->modules, r->module_count);
    r->cpu_capacity = cpu_capacity;
    if (bc_rev2_layout_init(&r->layout, r->module_count, cmd, cpu_capacity) != MM_OK)
        bc_boot_fail(b, "handoff: cannot lay out the revision-2 region");
    if (r->layout.bytes)
        bc_boot_place_required(b, BC_RANGE_PROTOCOL_DATA, r->layout.bytes, 0, &r->region);
}

void bc_mos_fill_rev2(bc_boot *b, const bc_mos_rev2 *r, bc_rev2_input *in)
{
    in->modules = r->modules;
    in->module_count = r->module_count;
    void *region = r->layout.bytes ? bc_boot_ptr(b, r->region.base) : NULL;
    mm_status st = bc_handoff_rev2_fill(b->handoff, in, &r->layout, region, r->region.base);
    if (st != MM_OK)
        bc_boot_fail(b, "handoff: cannot fill its revision-2 part: %s", mm_strerror(st));
}
