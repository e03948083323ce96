#include "crc32.h"

#define CRC32_POLY 0xedb88320u /* reflected */

uint32_t bc_crc32_bitwise_update(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1u)));
    }
    return ~crc;
}

void bc_crc32_table(uint32_t table[256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1u)));
        table[i] = c;
    }
}

/* The running (not yet inverted) CRC `crc` continued over b[0 .. n). */
static uint32_t crc_bytes(const uint32_t table[256], uint32_t crc, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ b[i]) & 0xffu] ^ (crc >> 8);
    return crc;
}

uint32_t bc_crc32(const uint32_t table[256], const void *p, size_t n)
{
    return ~crc_bytes(table, 0xffffffffu, p, n);
}

uint32_t bc_crc32_update(const uint32_t table[256], uint32_t crc, const void *p, size_t n)
{
    return ~crc_bytes(table, ~crc, p, n);
}

void bc_crc32_slice_tables(uint32_t tables[BC_CRC32_SLICES][256])
{
    bc_crc32_table(tables[0]);
    for (unsigned k = 1; k < BC_CRC32_SLICES; k++) {
        for (unsigned i = 0; i < 256; i++) {
            uint32_t c = tables[k - 1][i];
            tables[k][i] = tables[0][c & 0xffu] ^ (c >> 8); /* one more zero byte */
        }
    }
}

/* Eight bytes a step: the CRC is linear, so the step's result is the XOR
 * of each byte's contribution, byte j (the first four with the running
 * CRC folded in) looked up in the table for the 7 - j bytes after it. */
static uint32_t sliced(const uint32_t (*t)[256], uint32_t crc, const uint8_t *b, size_t n)
{
    for (; n >= 8; n -= 8, b += 8) {
        uint32_t lo = mm_load_le32(b) ^ crc, hi = mm_load_le32(b + 4);
        crc = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^ t[5][(lo >> 16) & 0xffu] ^
              t[4][lo >> 24] ^ t[3][hi & 0xffu] ^ t[2][(hi >> 8) & 0xffu] ^
              t[1][(hi >> 16) & 0xffu] ^ t[0][hi >> 24];
    }
    return crc_bytes(t[0], crc, b, n);
}

uint32_t bc_crc32_sliced(const uint32_t tables[BC_CRC32_SLICES][256], const void *p, size_t n)
{
    return ~sliced(tables, 0xffffffffu, p, n);
}

uint32_t bc_crc32_sliced_update(const uint32_t tables[BC_CRC32_SLICES][256], uint32_t crc,
                                const void *p, size_t n)
{
    return ~sliced(tables, ~crc, p, n);
}
