/* LZ4 block decoder and packed-body check (pack.h). */
#include "pack.h"

#define LZ4_MIN_MATCH 4u

/* A length continued in 255-valued bytes (the token's nibble was 15). */
static bool more_length(const uint8_t **ip, const uint8_t *end, size_t *n)
{
    uint8_t b;
    do {
        if (*ip == end)
            return false;
        b = *(*ip)++;
        *n += b;
    } while (b == 255);
    return true;
}

/* Copies 16 bytes in two 8-byte pieces (a move or two each, not a call),
 * in order, so s + 8 <= d works too: the second piece may read what the
 * first wrote. */
static void copy16(uint8_t *d, const uint8_t *s)
{
    mm_memcpy(d, s, 8);
    mm_memcpy(d + 8, s + 8, 8);
}

/* A match: op[i] = op[i - offset] for i in [0, n), offset >= 1 and op -
 * offset inside the output. An offset below n repeats a pattern; the
 * copies double (offset, 2 offset, ...) so none of them overlaps. */
static void copy_match(uint8_t *op, size_t offset, size_t n)
{
    for (size_t span = offset; n; span *= 2) {
        size_t k = n < span ? n : span;
        mm_memcpy(op, op - span, k);
        op += k;
        n -= k;
    }
}

/* Most sequences are short (in the loaders' bodies more than nine in ten
 * have both lengths in the token: at most 14 literals, a match of at most
 * 18 bytes). Far enough from both ends, such a sequence copies fixed
 * 8-byte pieces past its lengths (the next sequence rewrites those
 * bytes), and the room checks of the general path hold already. */
#define FAST_IN_ROOM  32u /* token, literals (<= 14, read as 16), offset: 19 < 32 */
#define FAST_OUT_ROOM 48u /* literals as 16 bytes, then (14 on) the match as 16 or 32 */

/* Decodes sequences from *ipp into *opp while they are short and far
 * from both ends (see above), advancing both; stops before any other
 * sequence. False on an offset of 0 or one reaching before `out`. */
static bool short_sequences(const uint8_t **ipp, const uint8_t *end, uint8_t **opp,
                            const uint8_t *out, const uint8_t *oend)
{
    const uint8_t *ip = *ipp;
    uint8_t *op = *opp;
    bool ok = true;
    while ((size_t)(end - ip) > FAST_IN_ROOM && (size_t)(oend - op) >= FAST_OUT_ROOM) {
        unsigned token = *ip;
        size_t lit = token >> 4, match = (token & 15u) + LZ4_MIN_MATCH;
        if (lit == 15 || match == 15 + LZ4_MIN_MATCH)
            break;
        copy16(op, ip + 1);
        op += lit;
        ip += 1 + lit;
        size_t offset = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (offset == 0 || offset > (size_t)(op - out)) {
            ok = false;
            break;
        }
        const uint8_t *from = op - offset;
        if (offset < 8) { /* a pattern repeated within a piece: rare, bytewise, no call */
            for (size_t i = 0; i < match; i++)
                op[i] = from[i];
        } else {
            copy16(op, from);
            if (match > 16)
                copy16(op + 16, from + 16);
        }
        op += match;
    }
    *ipp = ip;
    *opp = op;
    return ok;
}

bc_pack_status bc_lz4_decode(const void *src, size_t len, void *dst, size_t cap, size_t *out_len)
{
    if (!src || !dst || !out_len)
        return BC_PACK_BAD_ARGUMENT;
    *out_len = 0;
    const uint8_t *ip = src, *end = ip + len;
    uint8_t *out = dst, *op = out, *oend = out + cap;
    while (ip < end) {
        if (!short_sequences(&ip, end, &op, out, oend))
            return BC_PACK_BAD_DATA;
        uint8_t token = *ip++; /* short_sequences leaves ip < end */
        size_t lit = token >> 4, offset, match;
        if (lit == 15 && !more_length(&ip, end, &lit))
            return BC_PACK_TRUNCATED;
        if (lit > (size_t)(end - ip))
            return BC_PACK_TRUNCATED;
        if (lit > (size_t)(oend - op))
            return BC_PACK_OUTPUT_FULL;
        mm_memcpy(op, ip, lit);
        op += lit;
        ip += lit;
        if (ip == end)
            break; /* the last sequence has literals only */
        if (end - ip < 2)
            return BC_PACK_TRUNCATED;
        offset = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (offset == 0 || offset > (size_t)(op - out))
            return BC_PACK_BAD_DATA;
        match = token & 15u;
        if (match == 15 && !more_length(&ip, end, &match))
            return BC_PACK_TRUNCATED;
        match += LZ4_MIN_MATCH;
        if (match > (size_t)(oend - op))
            return BC_PACK_OUTPUT_FULL;
        copy_match(op, offset, match);
        op += match;
        if (ip == end)
            return BC_PACK_BAD_DATA; /* a block ends with literals */
    }
    *out_len = (size_t)(op - out);
    return BC_PACK_OK;
}

bc_pack_status bc_pack_unpack(const void *src, size_t len, void *dst, size_t cap, size_t *out_len,
                              uint32_t crc_tables[BC_CRC32_SLICES][256])
{
    if (!src || !dst || !out_len || !crc_tables)
        return BC_PACK_BAD_ARGUMENT;
    *out_len = 0;
    const uint8_t *b = src;
    if (len < BC_PACK_HEADER_SIZE)
        return len >= 4 && mm_load_le32(b) != BC_PACK_MAGIC ? BC_PACK_BAD_MAGIC : BC_PACK_TRUNCATED;
    if (mm_load_le32(b) != BC_PACK_MAGIC)
        return BC_PACK_BAD_MAGIC;
    uint32_t packed = mm_load_le32(b + 4), size = mm_load_le32(b + 8);
    if (packed > len - BC_PACK_HEADER_SIZE)
        return BC_PACK_TRUNCATED;
    if (size > cap)
        return BC_PACK_OUTPUT_FULL;
    size_t n;
    bc_pack_status st = bc_lz4_decode(b + BC_PACK_HEADER_SIZE, packed, dst, size, &n);
    if (st != BC_PACK_OK)
        return st;
    if (n != size)
        return BC_PACK_BAD_SIZE;
    bc_crc32_slice_tables(crc_tables);
    if (bc_crc32_sliced(crc_tables, dst, n) != mm_load_le32(b + 12))
        return BC_PACK_BAD_CRC;
    *out_len = n;
    return BC_PACK_OK;
}

const char *bc_pack_strerror(bc_pack_status status)
{
    static const char *const texts[BC_PACK_STATUS_COUNT] = {
        "ok",
        "not a packed body (bad magic)",
        "packed data ends early",
        "invalid LZ4 data",
        "unpacked data larger than the buffer",
        "unpacked size differs from the header's",
        "CRC-32 mismatch",
        "invalid argument",
    };
    return (unsigned)status < BC_PACK_STATUS_COUNT ? texts[status] : "unknown status";
}
