/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320: gzip's, zlib's and
 * mos_crc32_skip's) through tables the caller owns, for the large buffers
 * every boot checks (the packed loaders' bodies, gzip members); the
 * bitwise form costs eight steps a byte. Two forms, same result: one
 * 256-entry table (1 KiB, a byte a step), or BC_CRC32_SLICES of them
 * (8 KiB, eight bytes a step: about a third of the instructions). */
#ifndef BC_CRC32_H
#define BC_CRC32_H

#include "mm/base.h"

#define BC_CRC32_SLICES 8u

/* The CRC-32 of a buffer whose first part had CRC `crc` (0 for none)
 * continued over the `n` bytes at `p`, a bit a step and without a table:
 * for a few bytes, where building a table costs more (a 1 KiB table as
 * much as some 700 bytes this way). */
uint32_t bc_crc32_bitwise_update(uint32_t crc, const void *p, size_t n);

/* Fills `table` (1 KiB) for bc_crc32. */
void bc_crc32_table(uint32_t table[256]);

/* CRC-32 of the `n` bytes at `p` (NULL only with n == 0), with a table
 * from bc_crc32_table. */
uint32_t bc_crc32(const uint32_t table[256], const void *p, size_t n);

/* bc_crc32 continued: the CRC-32 of a buffer whose first part had CRC
 * `crc` (0 for none) and whose next `n` bytes are at `p`, as zlib's
 * crc32(crc, p, n). */
uint32_t bc_crc32_update(const uint32_t table[256], uint32_t crc, const void *p, size_t n);

/* Fills `tables` (8 KiB) for bc_crc32_sliced; tables[0] is
 * bc_crc32_table's, tables[k][b] the CRC step of byte b followed by k
 * zero bytes. */
void bc_crc32_slice_tables(uint32_t tables[BC_CRC32_SLICES][256]);

/* The same CRC-32 as bc_crc32, of the `n` bytes at `p` (any alignment;
 * NULL only with n == 0), eight bytes a step, with tables from
 * bc_crc32_slice_tables. */
uint32_t bc_crc32_sliced(const uint32_t tables[BC_CRC32_SLICES][256], const void *p, size_t n);

/* bc_crc32_sliced continued, as bc_crc32_update is bc_crc32's. */
uint32_t bc_crc32_sliced_update(const uint32_t tables[BC_CRC32_SLICES][256], uint32_t crc,
                                const void *p, size_t n);

#endif
