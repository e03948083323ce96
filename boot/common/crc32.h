/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320: gzip's, zlib's and
 * mos_crc32_skip's) through a 256-entry table the caller owns, for the
 * large buffers every boot checks (the packed loaders' bodies, gzip
 * members); the bitwise form costs eight steps a byte. */
#ifndef BC_CRC32_H
#define BC_CRC32_H

#include "mm/base.h"

/* Fills `table` (1 KiB) for bc_crc32. */
void bc_crc32_table(uint32_t table[256]);

/* CRC-32 of the `n` bytes at `p` (NULL only with n == 0), with a table
 * from bc_crc32_table. */
uint32_t bc_crc32(const uint32_t table[256], const void *p, size_t n);

#endif
