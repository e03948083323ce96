/* The loaders' packed bodies (boot/bios/unpack.h, boot/uefi/packed.h):
 * a 16-byte header, then one LZ4 block (the block format of the LZ4
 * project: sequences of literals and matches, no frame). LZ4 rather than
 * deflate because every boot pays for it: it decodes at about the cost of
 * a copy, where inflating the same 100 KB took 8 million instructions.
 * tools/mos-pack writes it. Every read and write is bounds-checked, so any
 * byte string can be passed.
 *
 *   offset  field
 *   0       magic    "MPK1" (BC_PACK_MAGIC, little endian)
 *   4       packed   bytes of the LZ4 block that follows
 *   8       size     bytes it decodes to
 *   12      crc32    CRC-32 (crc32.h) of those bytes
 *   16      the block */
#ifndef BC_PACK_H
#define BC_PACK_H

#include "crc32.h"
#include "mm/base.h"

#define BC_PACK_MAGIC       0x314b504du /* "MPK1" */
#define BC_PACK_HEADER_SIZE 16u

typedef enum bc_pack_status {
    BC_PACK_OK = 0,
    BC_PACK_BAD_MAGIC,   /* not a packed body */
    BC_PACK_TRUNCATED,   /* the input ends inside the header or the block */
    BC_PACK_BAD_DATA,    /* a match reaching before the output's start, or no literals at the end */
    BC_PACK_OUTPUT_FULL, /* the output needs more than the buffer's capacity */
    BC_PACK_BAD_SIZE,    /* decoded length differs from the header's */
    BC_PACK_BAD_CRC,     /* CRC-32 differs from the header's */
    BC_PACK_BAD_ARGUMENT, /* NULL pointer */
    BC_PACK_STATUS_COUNT
} bc_pack_status;

/* Decodes the LZ4 block src[0 .. len) into dst[0 .. cap); *out_len gets
 * the output length (0 on error; dst then holds an unspecified prefix).
 * The two buffers must not overlap; bytes of dst past the output (up to
 * cap) may be overwritten too. */
bc_pack_status bc_lz4_decode(const void *src, size_t len, void *dst, size_t cap, size_t *out_len);

/* Unpacks the packed body at src[0 .. len) (bytes after the block are
 * ignored) into dst[0 .. cap), checking the decoded length and CRC-32
 * against the header; *out_len gets the length (0 on error). The buffers
 * must not overlap. `crc_tables` is 8 KiB of scratch for the CRC
 * (crc32.h). */
bc_pack_status bc_pack_unpack(const void *src, size_t len, void *dst, size_t cap, size_t *out_len,
                              uint32_t crc_tables[BC_CRC32_SLICES][256]);

/* Static English description ("CRC-32 mismatch"); never NULL. */
const char *bc_pack_strerror(bc_pack_status status);

#endif
