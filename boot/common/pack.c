/* LZ4 block decoder and packed-body check (pack.h). */
#include "pack.h"

#include "crc32.h"

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

bc_pack_status bc_lz4_decode(const void *src, size_t len, void *dst, size_t cap, size_t *out_len)
{
    if (!src || !dst || !out_len)
        return BC_PACK_BAD_ARGUMENT;
    *out_len = 0;
    const uint8_t *ip = src, *end = ip + len;
    uint8_t *out = dst, *op = out, *oend = out + cap;
    while (ip < end) {
        uint8_t token = *ip++;
        size_t lit = token >> 4;
        if (lit == 15 && !more_length(&ip, end, &lit))
            return BC_PACK_TRUNCATED;
        if (lit > (size_t)(end - ip))
            return BC_PACK_TRUNCATED;
        if (lit > (size_t)(oend - op))
            return BC_PACK_OUTPUT_FULL;
        for (size_t i = 0; i < lit; i++)
            op[i] = ip[i];
        op += lit;
        ip += lit;
        if (ip == end)
            break; /* the last sequence has literals only */
        if (end - ip < 2)
            return BC_PACK_TRUNCATED;
        size_t offset = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (offset == 0 || offset > (size_t)(op - out))
            return BC_PACK_BAD_DATA;
        size_t match = token & 15u;
        if (match == 15 && !more_length(&ip, end, &match))
            return BC_PACK_TRUNCATED;
        match += LZ4_MIN_MATCH;
        if (match > (size_t)(oend - op))
            return BC_PACK_OUTPUT_FULL;
        const uint8_t *from = op - offset; /* overlap intended: repeats a pattern */
        for (size_t i = 0; i < match; i++)
            op[i] = from[i];
        op += match;
        if (ip == end)
            return BC_PACK_BAD_DATA; /* a block ends with literals */
    }
    *out_len = (size_t)(op - out);
    return BC_PACK_OK;
}

bc_pack_status bc_pack_unpack(const void *src, size_t len, void *dst, size_t cap, size_t *out_len,
                              uint32_t crc_table[256])
{
    if (!src || !dst || !out_len || !crc_table)
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
    bc_crc32_table(crc_table);
    if (bc_crc32(crc_table, dst, n) != mm_load_le32(b + 12))
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
