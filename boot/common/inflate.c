/* gzip / deflate decoder (inflate.h). The stream state carries a sticky
 * error: reading past the input sets it and yields zero bits, so the
 * decoding loops stay simple and check it once per symbol. */
#include "inflate.h"

#include "crc32.h"

#include "mos/handoff.h"

typedef struct stream {
    const uint8_t *in;
    size_t in_len, in_pos;
    uint32_t bitbuf, bitcnt;
    uint8_t *out;
    size_t out_cap, out_pos;
    bc_inflate_status err; /* first error, BC_INFLATE_OK while none */
} stream;

static void fail(stream *s, bc_inflate_status st)
{
    if (s->err == BC_INFLATE_OK)
        s->err = st;
}

/* Next `n` (0..16) bits, least significant first. */
static uint32_t bits(stream *s, uint32_t n)
{
    while (s->bitcnt < n) {
        if (s->in_pos == s->in_len) {
            fail(s, BC_INFLATE_TRUNCATED);
            return 0;
        }
        s->bitbuf |= (uint32_t)s->in[s->in_pos++] << s->bitcnt;
        s->bitcnt += 8;
    }
    uint32_t v = s->bitbuf & ((1u << n) - 1u);
    s->bitbuf >>= n;
    s->bitcnt -= n;
    return v;
}

/* `code`'s low `len` bits in reverse order: deflate sends Huffman codes
 * most significant bit first into a stream read least significant first. */
static uint32_t reverse_bits(uint32_t code, uint32_t len)
{
    uint32_t r = 0;
    for (uint32_t i = 0; i < len; i++, code >>= 1)
        r = r << 1 | (code & 1u);
    return r;
}

/* h->fast from h->count and h->symbol: every table index whose low bits
 * are a short code's bits gets that code's symbol and length. */
static void fast_build(bc_huffman *h)
{
    const uint32_t size = 1u << BC_INFLATE_FAST_BITS;
    for (uint32_t i = 0; i < size; i++)
        h->fast[i] = 0;
    uint32_t code = 0, index = 0;
    for (uint32_t len = 1; len <= BC_INFLATE_FAST_BITS; len++, code <<= 1) {
        for (uint32_t k = 0; k < h->count[len]; k++, code++, index++) {
            uint16_t e = (uint16_t)(h->symbol[index] << 4 | len);
            for (uint32_t i = reverse_bits(code, len); i < size; i += 1u << len)
                h->fast[i] = e;
        }
    }
}

/* Builds a canonical code from `n` code lengths (0 = symbol unused).
 * Refuses over-subscribed sets and incomplete ones, except the single
 * one-bit code RFC 1951 allows for distances (zlib does the same). */
static bool huffman_build(bc_huffman *h, const uint8_t *lengths, uint32_t n)
{
    uint16_t offs[16];
    for (uint32_t i = 0; i < 16; i++)
        h->count[i] = 0;
    for (uint32_t i = 0; i < n; i++)
        h->count[lengths[i]]++;
    if (h->count[0] == n)
        return true; /* no codes: decoding any symbol fails */
    int32_t left = 1;
    uint32_t max = 0;
    for (uint32_t len = 1; len < 16; len++) {
        left = left * 2 - h->count[len];
        if (left < 0)
            return false;
        if (h->count[len])
            max = len;
    }
    if (left > 0 && max != 1)
        return false;
    offs[1] = 0;
    for (uint32_t len = 1; len < 15; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (uint32_t i = 0; i < n; i++) {
        if (lengths[i])
            h->symbol[offs[lengths[i]]++] = (uint16_t)i;
    }
    fast_build(h);
    return true;
}

/* Reads one symbol of code `h` bit by bit. Codes of one length are
 * consecutive integers, so walking the lengths keeps `code - first` as the
 * rank of the code among those of its length. -1 on an invalid code or an
 * error. */
static int32_t decode_slow(stream *s, const bc_huffman *h)
{
    int32_t code = 0, first = 0, index = 0;
    for (uint32_t len = 1; len < 16; len++) {
        code |= (int32_t)bits(s, 1);
        int32_t count = h->count[len];
        if (code - first < count)
            return s->err ? -1 : h->symbol[index + code - first];
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    fail(s, BC_INFLATE_BAD_DATA);
    return -1;
}

/* Reads one symbol of code `h`: one look-up when the code is short and
 * its bits are in (the buffer is topped up to BC_INFLATE_FAST_BITS while
 * input lasts; bytes taken ahead are given back by unread_bytes), else bit
 * by bit. */
static int32_t decode(stream *s, const bc_huffman *h)
{
    while (s->bitcnt < BC_INFLATE_FAST_BITS && s->in_pos < s->in_len) {
        s->bitbuf |= (uint32_t)s->in[s->in_pos++] << s->bitcnt;
        s->bitcnt += 8;
    }
    uint32_t e = h->fast[s->bitbuf & ((1u << BC_INFLATE_FAST_BITS) - 1u)];
    uint32_t n = e & 15u;
    if (e && n <= s->bitcnt) {
        s->bitbuf >>= n;
        s->bitcnt -= n;
        return (int32_t)(e >> 4);
    }
    return decode_slow(s, h);
}

/* Whole bytes in the bit buffer go back to the input: a stored block and
 * what follows the stream start on the byte after the last bit used. */
static void unread_bytes(stream *s)
{
    s->in_pos -= s->bitcnt >> 3;
    s->bitbuf &= (1u << (s->bitcnt & 7u)) - 1u;
    s->bitcnt &= 7u;
}

static void put_byte(stream *s, uint8_t b)
{
    if (s->out_pos == s->out_cap) {
        fail(s, BC_INFLATE_OUTPUT_FULL);
        return;
    }
    s->out[s->out_pos++] = b;
}

static void stored_block(stream *s)
{
    unread_bytes(s);
    s->bitbuf = 0; /* rest of the current byte */
    s->bitcnt = 0;
    if (s->in_len - s->in_pos < 4) {
        fail(s, BC_INFLATE_TRUNCATED);
        return;
    }
    const uint8_t *p = s->in + s->in_pos;
    uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    uint32_t nlen = (uint32_t)p[2] | (uint32_t)p[3] << 8;
    s->in_pos += 4;
    if (len != (~nlen & 0xffffu)) {
        fail(s, BC_INFLATE_BAD_DATA);
        return;
    }
    if (s->in_len - s->in_pos < len) {
        fail(s, BC_INFLATE_TRUNCATED);
        return;
    }
    if (s->out_cap - s->out_pos < len) {
        fail(s, BC_INFLATE_OUTPUT_FULL);
        return;
    }
    mm_memcpy(s->out + s->out_pos, s->in + s->in_pos, len);
    s->in_pos += len;
    s->out_pos += len;
}

/* Base values and extra bits of length symbols 257..285 and distance
 * symbols 0..29 (RFC 1951, 3.2.5). */
static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* Copies `len` bytes from `dist` back in the output (overlap intended:
 * a distance below the length repeats a pattern). */
static void copy_match(stream *s, uint32_t len, uint32_t dist)
{
    if (dist > s->out_pos) {
        fail(s, BC_INFLATE_BAD_DATA);
        return;
    }
    if (s->out_cap - s->out_pos < len) {
        fail(s, BC_INFLATE_OUTPUT_FULL);
        return;
    }
    uint8_t *d = s->out + s->out_pos;
    const uint8_t *from = d - dist;
    for (uint32_t i = 0; i < len; i++)
        d[i] = from[i];
    s->out_pos += len;
}

/* Decodes literals and matches with the codes in `w` up to end-of-block. */
static void codes(stream *s, const bc_inflate_work *w)
{
    while (s->err == BC_INFLATE_OK) {
        int32_t sym = decode(s, &w->litlen);
        if (sym < 0 || sym == 256)
            return;
        if (sym < 256) {
            put_byte(s, (uint8_t)sym);
            continue;
        }
        sym -= 257;
        if (sym >= 29) {
            fail(s, BC_INFLATE_BAD_DATA);
            return;
        }
        uint32_t len = len_base[sym] + bits(s, len_extra[sym]);
        int32_t dsym = decode(s, &w->dist);
        if (dsym < 0)
            return;
        if (dsym >= 30) {
            fail(s, BC_INFLATE_BAD_DATA);
            return;
        }
        uint32_t dist = dist_base[dsym] + bits(s, dist_extra[dsym]);
        if (s->err == BC_INFLATE_OK)
            copy_match(s, len, dist);
    }
}

static void fixed_block(stream *s, bc_inflate_work *w)
{
    uint8_t *l = w->lengths;
    uint32_t i = 0;
    for (; i < 144; i++)
        l[i] = 8;
    for (; i < 256; i++)
        l[i] = 9;
    for (; i < 280; i++)
        l[i] = 7;
    for (; i < BC_INFLATE_MAX_LITLEN; i++)
        l[i] = 8;
    for (i = 0; i < BC_INFLATE_MAX_DIST; i++)
        l[BC_INFLATE_MAX_LITLEN + i] = 5;
    huffman_build(&w->litlen, l, BC_INFLATE_MAX_LITLEN);
    huffman_build(&w->dist, l + BC_INFLATE_MAX_LITLEN, BC_INFLATE_MAX_DIST);
    codes(s, w);
}

/* Reads `n` code lengths coded with the code-length code in w->dist (used
 * as scratch here) into w->lengths. */
static void read_lengths(stream *s, bc_inflate_work *w, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && s->err == BC_INFLATE_OK) {
        int32_t sym = decode(s, &w->dist);
        if (sym < 0)
            return;
        if (sym < 16) {
            w->lengths[i++] = (uint8_t)sym;
            continue;
        }
        uint8_t value = 0;
        uint32_t repeat;
        if (sym == 16) {
            if (i == 0) {
                fail(s, BC_INFLATE_BAD_DATA);
                return;
            }
            value = w->lengths[i - 1];
            repeat = 3 + bits(s, 2);
        } else if (sym == 17) {
            repeat = 3 + bits(s, 3);
        } else {
            repeat = 11 + bits(s, 7);
        }
        if (repeat > n - i) {
            fail(s, BC_INFLATE_BAD_DATA);
            return;
        }
        while (repeat--)
            w->lengths[i++] = value;
    }
}

static void dynamic_block(stream *s, bc_inflate_work *w)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint32_t nlen = bits(s, 5) + 257, ndist = bits(s, 5) + 1, ncode = bits(s, 4) + 4;
    if (s->err)
        return;
    if (nlen > 286 || ndist > 30) {
        fail(s, BC_INFLATE_BAD_DATA);
        return;
    }
    uint8_t cl[19];
    for (uint32_t i = 0; i < 19; i++)
        cl[order[i]] = (uint8_t)(i < ncode ? bits(s, 3) : 0);
    /* The code-length code must be complete: a one-code set cannot be. */
    if (s->err || !huffman_build(&w->dist, cl, 19) || w->dist.count[0] >= 18) {
        fail(s, BC_INFLATE_BAD_DATA);
        return;
    }
    read_lengths(s, w, nlen + ndist);
    if (s->err)
        return;
    if (w->lengths[256] == 0 || !huffman_build(&w->litlen, w->lengths, nlen) ||
        !huffman_build(&w->dist, w->lengths + nlen, ndist)) {
        fail(s, BC_INFLATE_BAD_DATA);
        return;
    }
    codes(s, w);
}

static void inflate_blocks(stream *s, bc_inflate_work *w)
{
    uint32_t last = 0;
    while (!last && s->err == BC_INFLATE_OK) {
        last = bits(s, 1);
        uint32_t type = bits(s, 2);
        if (s->err)
            return;
        if (type == 0)
            stored_block(s);
        else if (type == 1)
            fixed_block(s, w);
        else if (type == 2)
            dynamic_block(s, w);
        else
            fail(s, BC_INFLATE_BAD_DATA);
    }
}

bc_inflate_status bc_inflate_raw(const void *src, size_t len, void *dst, size_t cap,
                                 size_t *out_len, size_t *in_used, bc_inflate_work *work)
{
    if (!src || !dst || !out_len || !in_used || !work)
        return BC_INFLATE_BAD_ARGUMENT;
    stream s = {.in = src, .in_len = len, .out = dst, .out_cap = cap};
    inflate_blocks(&s, work);
    unread_bytes(&s);
    *out_len = s.err ? 0 : s.out_pos;
    *in_used = s.err ? 0 : s.in_pos; /* a partly used byte counts as used */
    return s.err;
}

bool bc_gzip_detect(const void *p, size_t len)
{
    const uint8_t *b = p;
    return p && len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8;
}

#define GZ_FHCRC    0x02u
#define GZ_FEXTRA   0x04u
#define GZ_FNAME    0x08u
#define GZ_FCOMMENT 0x10u
#define GZ_RESERVED 0xe0u
#define GZ_MIN_SIZE 18u /* 10-byte header, empty stream needs 2, 8-byte trailer */

bc_inflate_status bc_gzip_claimed_size(const void *src, size_t len, uint32_t *size)
{
    if (!src || !size)
        return BC_INFLATE_BAD_ARGUMENT;
    const uint8_t *b = src;
    if (len >= 2 && (b[0] != 0x1f || b[1] != 0x8b))
        return BC_INFLATE_NOT_GZIP;
    if (len < GZ_MIN_SIZE)
        return BC_INFLATE_TRUNCATED;
    *size = mm_load_le32(b + len - 4);
    return BC_INFLATE_OK;
}

/* Skips a NUL-terminated header field; false when the input ends first. */
static bool skip_string(const uint8_t *b, size_t len, size_t *pos)
{
    while (*pos < len) {
        if (b[(*pos)++] == 0)
            return true;
    }
    return false;
}

/* Checks the member header and sets *pos to the first deflate byte. */
static bc_inflate_status gzip_header(const uint8_t *b, size_t len, size_t *pos)
{
    if (len < 2 || b[0] != 0x1f || b[1] != 0x8b)
        return BC_INFLATE_NOT_GZIP;
    if (len < 10)
        return BC_INFLATE_TRUNCATED;
    uint8_t flags = b[3];
    if (b[2] != 8 || (flags & GZ_RESERVED))
        return BC_INFLATE_BAD_HEADER;
    size_t p = 10;
    if (flags & GZ_FEXTRA) {
        if (len - p < 2)
            return BC_INFLATE_TRUNCATED;
        size_t xlen = (size_t)b[p] | (size_t)b[p + 1] << 8;
        p += 2;
        if (len - p < xlen)
            return BC_INFLATE_TRUNCATED;
        p += xlen;
    }
    if ((flags & GZ_FNAME) && !skip_string(b, len, &p))
        return BC_INFLATE_TRUNCATED;
    if ((flags & GZ_FCOMMENT) && !skip_string(b, len, &p))
        return BC_INFLATE_TRUNCATED;
    if (flags & GZ_FHCRC) {
        if (len - p < 2)
            return BC_INFLATE_TRUNCATED;
        uint32_t want = (uint32_t)b[p] | (uint32_t)b[p + 1] << 8;
        if ((mos_crc32_skip(b, p, p) & 0xffffu) != want)
            return BC_INFLATE_BAD_HEADER;
        p += 2;
    }
    *pos = p;
    return BC_INFLATE_OK;
}

bc_inflate_status bc_gzip_decompress(const void *src, size_t len, void *dst, size_t cap,
                                     size_t *out_len, bc_inflate_work *work)
{
    if (!src || !dst || !out_len || !work)
        return BC_INFLATE_BAD_ARGUMENT;
    *out_len = 0;
    const uint8_t *b = src;
    size_t pos = 0, used = 0, n = 0;
    bc_inflate_status st = gzip_header(b, len, &pos);
    if (st == BC_INFLATE_OK)
        st = bc_inflate_raw(b + pos, len - pos, dst, cap, &n, &used, work);
    if (st != BC_INFLATE_OK)
        return st;
    pos += used;
    if (len - pos < 8)
        return BC_INFLATE_TRUNCATED;
    bc_crc32_table(work->crc_table);
    if (bc_crc32(work->crc_table, dst, n) != mm_load_le32(b + pos))
        return BC_INFLATE_BAD_CRC;
    if ((uint32_t)n != mm_load_le32(b + pos + 4))
        return BC_INFLATE_BAD_SIZE;
    *out_len = n;
    return BC_INFLATE_OK;
}

const char *bc_inflate_status_name(bc_inflate_status status)
{
    static const char *const names[BC_INFLATE_STATUS_COUNT] = {
        "BC_INFLATE_OK",        "BC_INFLATE_NOT_GZIP", "BC_INFLATE_BAD_HEADER",
        "BC_INFLATE_TRUNCATED", "BC_INFLATE_BAD_DATA", "BC_INFLATE_OUTPUT_FULL",
        "BC_INFLATE_BAD_CRC",   "BC_INFLATE_BAD_SIZE", "BC_INFLATE_BAD_ARGUMENT",
    };
    return (unsigned)status < BC_INFLATE_STATUS_COUNT ? names[status] : "BC_INFLATE_?";
}

const char *bc_inflate_strerror(bc_inflate_status status)
{
    static const char *const texts[BC_INFLATE_STATUS_COUNT] = {
        "ok",
        "not a gzip file",
        "unsupported gzip header",
        "compressed data ends early",
        "invalid deflate data",
        "decompressed data larger than the buffer",
        "CRC-32 mismatch",
        "size mismatch",
        "invalid argument",
    };
    return (unsigned)status < BC_INFLATE_STATUS_COUNT ? texts[status] : "unknown status";
}
