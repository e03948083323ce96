/* Multiboot header and load-plan fuzzer: the input is a kernel file.
 * For both versions, bc_mb_find_header() never reads outside the file and
 * always leaves a message; an accepted header lies inside the search area
 * at its alignment; an accepted plan keeps every promise of multiboot.h
 * (segments inside the file, below 4 GiB, disjoint, entry inside), also
 * after relocation; bc_mb_load() into a window of exactly [lowest, end)
 * stays inside it (ASan). The first byte also picks which MB2 information
 * types the "firmware" can give. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/multiboot.h"

#define LOAD_LIMIT (4u * 1024 * 1024)

static void check_msg(const char *msg)
{
    if (msg[0] == '\0' || memchr(msg, '\0', BC_MB_MSG_MAX) == NULL)
        abort();
}

static void check_plan(const bc_mb_plan *p, size_t size)
{
    if (p->count == 0 || p->count > BC_MB_MAX_SEGMENTS || p->end > BC_MB_4GIB ||
        p->lowest >= p->end)
        abort();
    bool entry_in = false;
    for (uint32_t i = 0; i < p->count; i++) {
        const bc_mb_segment *s = &p->segments[i];
        if (s->file_off > size || s->file_size > size - s->file_off || s->file_size > s->mem_size ||
            s->mem_size == 0 || s->phys < p->lowest || s->phys + s->mem_size > p->end)
            abort();
        entry_in |= p->entry >= s->phys && p->entry - s->phys < s->mem_size;
        for (uint32_t k = 0; k < i; k++) {
            const bc_mb_segment *t = &p->segments[k];
            if (s->phys < t->phys + t->mem_size && t->phys < s->phys + s->mem_size)
                abort();
        }
    }
    if (!entry_in)
        abort();
    if (p->shnum && (p->shoff > size || (uint64_t)p->shnum * p->shentsize > size - p->shoff))
        abort();
}

/* [0, 0x9f000) usable, [0x100000, 0x40000000) usable. */
static mm_map fixed_map(mm_entry *storage)
{
    mm_map m;
    mm_map_init(&m, storage, 8);
    mm_map_add(&m, 0, 0x9f000, MM_TYPE_USABLE, 1, 0);
    mm_map_add(&m, 0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0);
    mm_map_add(&m, 0x100000, 0x3ff00000, MM_TYPE_USABLE, 1, 0);
    return m;
}

static void load(const bc_mb_plan *p, const uint8_t *data, size_t size)
{
    if (p->end - p->lowest > LOAD_LIMIT)
        return;
    size_t span = (size_t)(p->end - p->lowest);
    uint8_t *buf = malloc(span);
    mm_phys_window w = {p->lowest, p->end, (uint64_t)(uintptr_t)buf - p->lowest};
    if (bc_mb_load(p, data, size, &w) != BC_MB_OK)
        abort();
    free(buf);
}

static void one_version(const uint8_t *data, size_t size, uint32_t version, uint32_t avail)
{
    bc_mb_header h;
    bc_mb_status st = bc_mb_find_header(data, size, version, avail, &h);
    check_msg(h.msg);
    if (st != BC_MB_OK)
        return;
    uint32_t align = version == 1 ? 4 : 8;
    uint32_t area = version == 1 ? BC_MB1_SEARCH_BYTES : BC_MB2_SEARCH_BYTES;
    if (h.offset % align || h.offset >= area || h.length > size - h.offset)
        abort();
    bc_mb_plan p;
    st = bc_mb_plan_build(data, size, &h, &p);
    check_msg(p.msg);
    if (st != BC_MB_OK)
        return;
    check_plan(&p, size);
    mm_entry storage[8];
    mm_map m = fixed_map(storage);
    if (bc_mb_plan_relocate(&p, &h, &m) == BC_MB_OK)
        check_plan(&p, size);
    bc_mb_plan_check(&p, &m);
    check_msg(p.msg);
    load(&p, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t avail = size ? BC_MB2_INFO_ALWAYS | (uint32_t)data[0] << 12 : BC_MB2_INFO_ALWAYS;
    one_version(data, size, 1, 0);
    one_version(data, size, 2, avail);
    return 0;
}
