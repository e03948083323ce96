#include "crc32.h"

void bc_crc32_table(uint32_t table[256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        table[i] = c;
    }
}

uint32_t bc_crc32(const uint32_t table[256], const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ b[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}
