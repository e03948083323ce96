/* Handoff checker fuzzer: the input is a handoff structure followed by map
 * bytes, placed in a buffer that stands for physical memory at PHYS. The
 * harness points memmap_addr and cmdline_addr into the buffer, clamps the
 * counts so the map fits, and re-seals both checksums (random bytes would
 * otherwise never get past them). bc_handoff_check() must then never read
 * outside the buffer (ASan) and must give a reason for every verdict; and
 * a handoff that passes must really satisfy the map rules. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(struct mos_handoff) + 8 || size > BUF_SIZE)
        return 0;
    unsigned char *buf = aligned_alloc(4096, BUF_SIZE);
    memset(buf, 0, BUF_SIZE);
    memcpy(buf, data, size);
    struct mos_handoff *h = (struct mos_handoff *)buf;
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
