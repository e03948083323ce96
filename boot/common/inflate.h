/* gzip decompression (RFC 1952 member around an RFC 1951 deflate stream)
 * for kernels and modules that arrive compressed, as GRUB accepts them,
 * and for the loaders' own packed bodies (boot/bios/unpack.h,
 * boot/uefi/packed.h), which every boot inflates.
 *
 * Small code, fast enough for every boot: a Huffman code up to
 * BC_INFLATE_FAST_BITS long (nearly all of them) decodes with one table
 * look-up, longer ones bit by bit from the canonical code counts; the
 * CRC-32 uses a 256-entry table built per call. No globals, no
 * allocation: the tables live in a caller-provided bc_inflate_work (about
 * 6.4 KiB; keep it off small stacks), the output in a caller buffer of
 * known capacity.
 *
 * The whole input and output are in memory: back references read the
 * output buffer itself, so there is no separate 32 KiB window. Every read
 * of the input and every write of the output is bounds-checked, so any
 * byte string can be passed. */
#ifndef BC_INFLATE_H
#define BC_INFLATE_H

#include "mm/base.h"

typedef enum bc_inflate_status {
    BC_INFLATE_OK = 0,
    BC_INFLATE_NOT_GZIP,     /* does not start with 1f 8b */
    BC_INFLATE_BAD_HEADER,   /* method not deflate, reserved flag set, header CRC wrong */
    BC_INFLATE_TRUNCATED,    /* input ends inside the header, the stream or the trailer */
    BC_INFLATE_BAD_DATA,     /* invalid deflate stream (block type, codes, distance ...) */
    BC_INFLATE_OUTPUT_FULL,  /* output needs more than the buffer's capacity */
    BC_INFLATE_BAD_CRC,      /* CRC-32 of the output differs from the trailer's */
    BC_INFLATE_BAD_SIZE,     /* output length mod 2^32 differs from the trailer's ISIZE */
    BC_INFLATE_BAD_ARGUMENT, /* NULL pointer */
    BC_INFLATE_STATUS_COUNT
} bc_inflate_status;

#define BC_INFLATE_MAX_LITLEN 288u /* literal/length symbols incl. the 2 reserved */
#define BC_INFLATE_MAX_DIST   32u  /* distance symbols incl. the 2 reserved */

#define BC_INFLATE_FAST_BITS 10u /* codes up to this long: one table look-up */

/* One canonical Huffman code: how many codes of each length 1..15, the
 * symbols ordered by code, and the look-up table indexed by the next
 * BC_INFLATE_FAST_BITS input bits: symbol << 4 | code length, 0 where the
 * code is longer (or there is none). */
typedef struct bc_huffman {
    uint16_t count[16];
    uint16_t symbol[BC_INFLATE_MAX_LITLEN];
    uint16_t fast[1u << BC_INFLATE_FAST_BITS];
} bc_huffman;

/* Scratch for one decompression; contents on entry are ignored. */
typedef struct bc_inflate_work {
    bc_huffman litlen;
    bc_huffman dist;
    uint8_t lengths[BC_INFLATE_MAX_LITLEN + BC_INFLATE_MAX_DIST];
    uint32_t crc_table[256]; /* CRC-32 of each byte value (bc_gzip_decompress) */
} bc_inflate_work;

/* True when the `len` bytes at `p` start like a gzip member (1f 8b 08),
 * i.e. the file should go through bc_gzip_decompress(). */
bool bc_gzip_detect(const void *p, size_t len);

/* The uncompressed size a gzip member claims in its trailer (ISIZE: the
 * size mod 2^32, read from the last 4 bytes of the `len`-byte buffer, so a
 * member followed by padding gives a wrong answer: size the output from it
 * and let bc_gzip_decompress() verify). BC_INFLATE_NOT_GZIP without the
 * magic, BC_INFLATE_TRUNCATED below 18 bytes, BC_INFLATE_BAD_ARGUMENT for
 * NULL pointers; *size untouched on error. */
bc_inflate_status bc_gzip_claimed_size(const void *src, size_t len, uint32_t *size);

/* Decompresses the gzip member at the start of src[0 .. len) into
 * dst[0 .. cap) and stores the output length in *out_len. Checks the
 * header (method 8, reserved flags clear, FHCRC when present), inflates
 * stored, fixed and dynamic blocks, then verifies the trailer's CRC-32 and
 * ISIZE. Bytes after the member's trailer are ignored (only the first
 * member is read). On error dst holds an unspecified prefix of the output
 * and *out_len is 0. `work` is scratch owned by the call. */
bc_inflate_status bc_gzip_decompress(const void *src, size_t len, void *dst, size_t cap,
                                     size_t *out_len, bc_inflate_work *work);

/* Inflates the raw deflate stream (RFC 1951, no wrapper) at src[0 .. len)
 * into dst[0 .. cap). *out_len gets the output length and *in_used the
 * input bytes up to the end of the final block (rounded up to a byte).
 * Both are 0 on error. */
bc_inflate_status bc_inflate_raw(const void *src, size_t len, void *dst, size_t cap,
                                 size_t *out_len, size_t *in_used, bc_inflate_work *work);

/* Static name of a status ("BC_INFLATE_BAD_CRC"), "BC_INFLATE_?" for an
 * unknown value; never NULL. */
const char *bc_inflate_status_name(bc_inflate_status status);

/* Static English description ("CRC-32 mismatch"); never NULL. */
const char *bc_inflate_strerror(bc_inflate_status status);

#endif
