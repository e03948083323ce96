/* A fuzz input as a disk: 512-byte sectors, the input's bytes first, zeros
 * after them up to any length, so a small input can describe a big disk or
 * volume. Header-only, shared by the disk-format harnesses. */
#ifndef FUZZ_PADDED_INPUT_H
#define FUZZ_PADDED_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct padded_input {
    const uint8_t *data;
    size_t size;
};

/* Sector-read callback (bc_sector_read_fn) over a padded_input. */
static inline int padded_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    const struct padded_input *in = ctx;
    uint8_t *out = dst;
    for (uint64_t s = 0; s < count; s++) {
        uint64_t off = (lba + s) * 512;
        size_t have = off < in->size ? in->size - (size_t)off : 0;
        if (have > 512)
            have = 512;
        if (have)
            memcpy(out + s * 512, in->data + off, have);
        memset(out + s * 512 + have, 0, 512 - have);
    }
    return 0;
}

#endif
