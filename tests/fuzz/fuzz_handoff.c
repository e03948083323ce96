/* Handoff checker fuzzer: the input is a handoff structure followed by map
 * bytes, placed in a buffer that stands for physical memory at PHYS. The
 * harness points memmap_addr and cmdline_addr into the buffer, clamps the
 * counts so the map fits, and re-seals both checksums (random bytes would
 * otherwise never get past them). bc_handoff_check() must then never read
 * outside the buffer (ASan) and must give a reason for every verdict; and
 * a handoff that passes must really satisfy the map rules. Revision-2
 * arrays, module command lines and CPU records are moved into the buffer
 * the same way. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/handoff.h"

#define PHYS     0x100000ULL
#define BUF_SIZE 16384u

static void check_accepted(const struct mos_handoff *h, const unsigned char *buf)
{
    const unsigned char *map = buf + (h->memmap_addr - PHYS);
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < h->memmap_count; i++) {
        const struct mos_memmap_entry *e =
            (const struct mos_memmap_entry *)(map + (size_t)i * h->memmap_entry_size);
        if (e->length == 0 || e->base + e->length < e->base || (i && e->base < prev_end))
            abort();
        prev_end = e->base + e->length;
    }
    if ((h->temp_heap_base == 0) != (h->temp_heap_size == 0))
        abort();
}

/* Offset in the buffer, after the structure, of the physical address
 * `addr`: itself when it already lies there, else one derived from it. */
static uint32_t buffer_offset(uint64_t addr)
{
    uint32_t first = (uint32_t)sizeof(struct mos_handoff), room = BUF_SIZE - 64 - first;
    if (addr >= PHYS + first && addr < PHYS + first + room)
        return (uint32_t)(addr - PHYS);
    return first + (uint32_t)(addr % room);
}

/* Count of `stride`-byte entries from `off` that fit in the buffer. */
static uint32_t fitting(uint32_t off, uint32_t stride, uint32_t count)
{
    uint32_t fit = (BUF_SIZE - off) / stride;
    return count > fit ? fit : count;
}

static unsigned char *item(unsigned char *buf, uint64_t addr, uint32_t stride, uint32_t i)
{
    return buf + (addr - PHYS) + (size_t)i * stride;
}

/* Revision 2: module and CPU arrays, module command lines and CPU records
 * moved into the buffer like the map, counts clamped to fit (only for the
 * strides the checker accepts: it reads nothing otherwise). */
static void place_rev2(struct mos_handoff *h, unsigned char *buf)
{
    h->modules_addr = PHYS + (buffer_offset(h->modules_addr) & ~7u);
    uint32_t ms = h->module_entry_size;
    if (ms >= sizeof(struct mos_module) && !(ms & 7))
        h->module_count = fitting((uint32_t)(h->modules_addr - PHYS), ms, h->module_count);
    for (uint32_t i = 0; ms >= sizeof(struct mos_module) && !(ms & 7) && i < h->module_count; i++) {
        struct mos_module *m = (struct mos_module *)item(buf, h->modules_addr, ms, i);
        m->cmdline_addr = PHYS + buffer_offset(m->cmdline_addr);
        if (m->cmdline_size > BUF_SIZE - (m->cmdline_addr - PHYS))
            m->cmdline_size = (uint32_t)(BUF_SIZE - (m->cmdline_addr - PHYS));
    }
    h->cpus_addr = PHYS + (buffer_offset(h->cpus_addr) & ~7u);
    uint32_t cs = h->cpu_entry_size;
    if (cs >= sizeof(struct mos_cpu) && !(cs & 7))
        h->cpu_count = fitting((uint32_t)(h->cpus_addr - PHYS), cs, h->cpu_count);
    for (uint32_t i = 0; cs >= sizeof(struct mos_cpu) && !(cs & 7) && i < h->cpu_count; i++) {
        struct mos_cpu *c = (struct mos_cpu *)item(buf, h->cpus_addr, cs, i);
        c->record_addr = PHYS + (buffer_offset(c->record_addr) & ~63u);
    }
}

/* Arrays may overlap, so one fix-up can undo another: true only when every
 * address the checker may follow still lies in the buffer. */
static bool rev2_in_buffer(const struct mos_handoff *h, unsigned char *buf)
{
    uint32_t ms = h->module_entry_size, cs = h->cpu_entry_size;
    for (uint32_t i = 0; ms >= sizeof(struct mos_module) && !(ms & 7) && i < h->module_count; i++) {
        const struct mos_module *m = (const void *)item(buf, h->modules_addr, ms, i);
        if (m->cmdline_addr < PHYS || m->cmdline_addr - PHYS > BUF_SIZE ||
            m->cmdline_size > BUF_SIZE - (m->cmdline_addr - PHYS))
            return false;
    }
    for (uint32_t i = 0; cs >= sizeof(struct mos_cpu) && !(cs & 7) && i < h->cpu_count; i++) {
        const struct mos_cpu *c = (const void *)item(buf, h->cpus_addr, cs, i);
        if (c->record_addr < PHYS || c->record_addr - PHYS > BUF_SIZE - 64)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(struct mos_handoff) + 8 || size > BUF_SIZE)
        return 0;
    unsigned char *buf = aligned_alloc(4096, BUF_SIZE);
    memset(buf, 0, BUF_SIZE);
    memcpy(buf, data, size);
    struct mos_handoff *h = (struct mos_handoff *)buf;
    place_rev2(h, buf);
    if (!rev2_in_buffer(h, buf)) {
        free(buf);
        return 0;
    }
    uint32_t map_off = buffer_offset(h->memmap_addr) & ~7u;
    h->memmap_addr = PHYS + map_off;
    uint32_t stride = h->memmap_entry_size;
    if (stride >= 32 && !(stride & 7)) { /* what the checker will walk */
        uint32_t fit = (BUF_SIZE - map_off) / stride;
        if (h->memmap_count > fit)
            h->memmap_count = fit;
        size_t n = (size_t)h->memmap_count * stride;
        h->memmap_crc32 = mos_crc32_skip(buf + map_off, n, n);
    }
    h->cmdline_addr = PHYS + buffer_offset(h->cmdline_addr);
    if (h->cmdline_size > BUF_SIZE - (h->cmdline_addr - PHYS))
        h->cmdline_size = (uint32_t)(BUF_SIZE - (h->cmdline_addr - PHYS));
    if (h->magic & 1) /* half the runs: a valid header, to reach the map checks */
        h->magic = MOS_HANDOFF_MAGIC;
    if (h->size > BC_HANDOFF_MAX_SIZE)
        h->size = BC_HANDOFF_MAX_SIZE;
    h->checksum = 0;
    h->checksum = mos_handoff_checksum(h);

    char why[128];
    uint64_t virt_offset = (uint64_t)(uintptr_t)buf - PHYS;
    mm_status st = bc_handoff_check(h, virt_offset, why, sizeof why);
    if (why[0] == '\0' || strnlen(why, sizeof why) == sizeof why)
        abort();
    if (st == MM_OK)
        check_accepted(h, buf);
    free(buf);
    return 0;
}
