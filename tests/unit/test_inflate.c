/* gzip/deflate decoder against zlib: each test compresses data with zlib
 * (in the test, with the level/strategy named) and expects the exact
 * input back, or damages a valid member and expects the matching status.
 *
 * A gzip member:
 *   [1f 8b 08 FLG MTIME(4) XFL OS][extra][name\0][comment\0][hcrc(2)]
 *   [deflate blocks ............][CRC-32 (4)][ISIZE (4)]            */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "common/inflate.h"

typedef struct blob {
    unsigned char *p;
    size_t len;
} blob;

/* Text-like data: words from a small vocabulary (matches at many
 * distances), then a stretch of pseudo-random bytes (literals). */
static blob make_data(size_t len, uint32_t seed)
{
    static const char *const words[] = {"multiboot ", "kernel ",   "module ", "memory ",
                                        "map ",       "0x100000 ", "\n",      "usable "};
    blob b = {malloc(len ? len : 1), len};
    size_t i = 0;
    uint32_t x = seed;
    while (i < len * 3 / 4) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 8];
        for (size_t k = 0; w[k] && i < len * 3 / 4; k++)
            b.p[i++] = (unsigned char)w[k];
    }
    while (i < len) {
        x = x * 1103515245u + 12345u;
        b.p[i++] = (unsigned char)(x >> 24);
    }
    return b;
}

/* zlib gzip member of `in` at `level` with `strategy`; `head` may be NULL. */
static blob zgzip(blob in, int level, int strategy, gz_header *head)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 31, 8, strategy), Z_OK);
    if (head)
        assert_int_equal(deflateSetHeader(&z, head), Z_OK);
    blob out = {malloc(deflateBound(&z, in.len) + 512), 0};
    z.next_in = in.p;
    z.avail_in = (uInt)in.len;
    z.next_out = out.p;
    z.avail_out = (uInt)(deflateBound(&z, in.len) + 512);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.len = z.total_out;
    deflateEnd(&z);
    return out;
}

static bc_inflate_status gunzip(blob gz, size_t cap, blob *out)
{
    bc_inflate_work *w = malloc(sizeof *w);
    out->p = malloc(cap ? cap : 1);
    out->len = 12345;
    bc_inflate_status st = bc_gzip_decompress(gz.p, gz.len, out->p, cap, &out->len, w);
    free(w);
    return st;
}

/* Round trip of `len` bytes through zlib and back, exact capacity. */
static void round_trip(size_t len, int level, int strategy)
{
    blob in = make_data(len, (uint32_t)(len + (size_t)level)), out;
    blob gz = zgzip(in, level, strategy, NULL);
    bc_inflate_status st = gunzip(gz, len, &out);
    if (st != BC_INFLATE_OK)
        fail_msg("level %d strategy %d len %zu: %s", level, strategy, len,
                 bc_inflate_status_name(st));
    bool same = out.len == len && memcmp(out.p, in.p, len) == 0;
    free(in.p);
    free(out.p);
    free(gz.p);
    assert_true(same);
}

/* Level 0: stored blocks only, several of them past 64 KiB. */
static void level0_stored_blocks(void **state)
{
    (void)state;
    round_trip(200000, 0, Z_DEFAULT_STRATEGY);
}

static void level1_dynamic(void **state)
{
    (void)state;
    round_trip(300000, 1, Z_DEFAULT_STRATEGY);
}

static void level9_dynamic(void **state)
{
    (void)state;
    round_trip(300000, 9, Z_DEFAULT_STRATEGY);
}

/* Z_FIXED forces the fixed Huffman code of RFC 1951 3.2.6. */
static void fixed_blocks(void **state)
{
    (void)state;
    round_trip(100000, 9, Z_FIXED);
}

/* Huffman-only (no matches) and run-length (distance 1 only) streams. */
static void huffman_only_and_rle(void **state)
{
    (void)state;
    round_trip(70000, 6, Z_HUFFMAN_ONLY);
    round_trip(70000, 6, Z_RLE);
}

/* An empty input is a member with one empty block. */
static void empty_member(void **state)
{
    (void)state;
    round_trip(0, 6, Z_DEFAULT_STRATEGY);
}

/* Long runs: length 258 matches at distance 1 and far distances. */
static void long_matches(void **state)
{
    (void)state;
    blob in = {calloc(1, 100000), 100000}, out;
    for (size_t i = 50000; i < 50100; i++)
        in.p[i] = (unsigned char)i;
    memcpy(in.p + 90000, in.p + 50000, 100); /* distance 40000 */
    blob gz = zgzip(in, 9, Z_DEFAULT_STRATEGY, NULL);
    assert_int_equal(gunzip(gz, in.len, &out), BC_INFLATE_OK);
    assert_memory_equal(out.p, in.p, in.len);
    free(in.p);
    free(out.p);
    free(gz.p);
}

/* Every optional header field, with the header CRC. */
static void header_fields(void **state)
{
    (void)state;
    unsigned char extra[5] = {'A', 'B', 1, 0, 'x'};
    gz_header h = {.text = 1,
                   .time = 0x12345678,
                   .os = 3,
                   .extra = extra,
                   .extra_len = sizeof extra,
                   .name = (Bytef *)"xen-4.17-amd64",
                   .comment = (Bytef *)"a comment",
                   .hcrc = 1};
    blob in = make_data(5000, 7), out;
    blob gz = zgzip(in, 6, Z_DEFAULT_STRATEGY, &h);
    assert_int_equal(gz.p[3], 0x1f); /* FTEXT|FHCRC|FEXTRA|FNAME|FCOMMENT */
    assert_int_equal(gunzip(gz, in.len, &out), BC_INFLATE_OK);
    assert_memory_equal(out.p, in.p, in.len);
    free(out.p);
    gz.p[12] ^= 1; /* inside the extra field: the header CRC catches it */
    assert_int_equal(gunzip(gz, in.len, &out), BC_INFLATE_BAD_HEADER);
    free(in.p);
    free(out.p);
    free(gz.p);
}

/* A member that is valid except for one change. */
static void expect_damaged(blob gz, size_t cap, bc_inflate_status want)
{
    blob out;
    bc_inflate_status got = gunzip(gz, cap, &out);
    if (got != want)
        fail_msg("got %s, want %s", bc_inflate_status_name(got), bc_inflate_status_name(want));
    assert_int_equal(out.len, 0);
    free(out.p);
}

static void corrupt_trailer(void **state)
{
    (void)state;
    blob in = make_data(4000, 3);
    blob gz = zgzip(in, 9, Z_DEFAULT_STRATEGY, NULL);
    gz.p[gz.len - 8] ^= 0x40; /* CRC-32 */
    expect_damaged(gz, in.len, BC_INFLATE_BAD_CRC);
    gz.p[gz.len - 8] ^= 0x40;
    gz.p[gz.len - 4] ^= 0x01; /* ISIZE */
    expect_damaged(gz, in.len, BC_INFLATE_BAD_SIZE);
    free(in.p);
    free(gz.p);
}

/* Every proper prefix of a member fails; none reads past its end (ASan). */
static void every_truncation_fails(void **state)
{
    (void)state;
    blob in = make_data(3000, 5);
    blob gz = zgzip(in, 9, Z_DEFAULT_STRATEGY, NULL);
    for (size_t n = 0; n < gz.len; n++) {
        blob cut = {malloc(n ? n : 1), n}, out;
        memcpy(cut.p, gz.p, n);
        bc_inflate_status st = gunzip(cut, in.len, &out);
        free(cut.p);
        free(out.p);
        if (st == BC_INFLATE_OK)
            fail_msg("prefix of %zu of %zu bytes accepted", n, gz.len);
    }
    free(in.p);
    free(gz.p);
}

/* One byte less than the output needs: OUTPUT_FULL, for stored and coded. */
static void output_one_short(void **state)
{
    (void)state;
    blob in = make_data(9000, 11);
    blob stored = zgzip(in, 0, Z_DEFAULT_STRATEGY, NULL);
    blob coded = zgzip(in, 9, Z_DEFAULT_STRATEGY, NULL);
    expect_damaged(stored, in.len - 1, BC_INFLATE_OUTPUT_FULL);
    expect_damaged(coded, in.len - 1, BC_INFLATE_OUTPUT_FULL);
    free(in.p);
    free(stored.p);
    free(coded.p);
}

static void header_checks(void **state)
{
    (void)state;
    blob in = make_data(100, 1);
    blob gz = zgzip(in, 6, Z_DEFAULT_STRATEGY, NULL);
    gz.p[1] = 0x8c;
    expect_damaged(gz, in.len, BC_INFLATE_NOT_GZIP);
    assert_false(bc_gzip_detect(gz.p, gz.len));
    gz.p[1] = 0x8b;
    assert_true(bc_gzip_detect(gz.p, gz.len));
    gz.p[2] = 7; /* method other than deflate */
    expect_damaged(gz, in.len, BC_INFLATE_BAD_HEADER);
    gz.p[2] = 8;
    gz.p[3] = 0x20; /* reserved flag */
    expect_damaged(gz, in.len, BC_INFLATE_BAD_HEADER);
    free(in.p);
    free(gz.p);
}

/* Hand-made raw deflate streams (bits packed least significant first). */
static bc_inflate_status raw(const unsigned char *s, size_t n, unsigned char *out, size_t cap,
                             size_t *out_len)
{
    bc_inflate_work w;
    size_t used;
    return bc_inflate_raw(s, n, out, cap, out_len, &used, &w);
}

/* BFINAL=1 BTYPE=11 (reserved): bits 1,1,1 -> 0x07. */
static void reserved_block_type(void **state)
{
    (void)state;
    const unsigned char s[] = {0x07, 0, 0};
    unsigned char out[8];
    size_t n = 99;
    assert_int_equal(raw(s, sizeof s, out, sizeof out, &n), BC_INFLATE_BAD_DATA);
    assert_int_equal(n, 0);
}

/* Stored block whose NLEN is not the complement of LEN. */
static void stored_nlen_mismatch(void **state)
{
    (void)state;
    const unsigned char s[] = {0x01, 0x03, 0x00, 0xfc, 0xfe, 'a', 'b', 'c'};
    unsigned char out[8];
    size_t n;
    assert_int_equal(raw(s, sizeof s, out, sizeof out, &n), BC_INFLATE_BAD_DATA);
    const unsigned char ok[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
    assert_int_equal(raw(ok, sizeof ok, out, sizeof out, &n), BC_INFLATE_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "abc", 3);
}

/* Fixed block: a match at distance 1 with nothing output yet.
 * BFINAL 1, BTYPE 01; length symbol 257 (7 bits 0000001); distance code 0
 * (5 bits 00000); end-of-block 256 (0000000). */
static void distance_too_far(void **state)
{
    (void)state;
    /* bits in stream order: 1 10 0000001 00000 0000000 */
    const unsigned char s[] = {0x03, 0x02, 0x00, 0x00};
    unsigned char out[8];
    size_t n;
    assert_int_equal(raw(s, sizeof s, out, sizeof out, &n), BC_INFLATE_BAD_DATA);
}

/* The same stream from zlib decoded raw: in_used reaches the final block's
 * last byte exactly. */
static void raw_reports_input_used(void **state)
{
    (void)state;
    blob in = make_data(2000, 9);
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    unsigned char buf[4096];
    z.next_in = in.p;
    z.avail_in = (uInt)in.len;
    z.next_out = buf;
    z.avail_out = sizeof buf;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t zlen = z.total_out;
    deflateEnd(&z);
    buf[zlen] = 0xee; /* trailing byte, not part of the stream */
    unsigned char *out = malloc(in.len);
    size_t n, used;
    bc_inflate_work w;
    assert_int_equal(bc_inflate_raw(buf, zlen + 1, out, in.len, &n, &used, &w), BC_INFLATE_OK);
    assert_int_equal(used, zlen);
    assert_memory_equal(out, in.p, in.len);
    free(out);
    free(in.p);
}

static void claimed_size(void **state)
{
    (void)state;
    blob in = make_data(777, 2);
    blob gz = zgzip(in, 6, Z_DEFAULT_STRATEGY, NULL);
    uint32_t size = 0;
    assert_int_equal(bc_gzip_claimed_size(gz.p, gz.len, &size), BC_INFLATE_OK);
    assert_int_equal(size, 777);
    assert_int_equal(bc_gzip_claimed_size(gz.p, 17, &size), BC_INFLATE_TRUNCATED);
    assert_int_equal(bc_gzip_claimed_size("PK\3\4 not gzip at all", 20, &size),
                     BC_INFLATE_NOT_GZIP);
    assert_string_equal(bc_inflate_status_name(BC_INFLATE_BAD_CRC), "BC_INFLATE_BAD_CRC");
    assert_string_equal(bc_inflate_strerror(BC_INFLATE_STATUS_COUNT), "unknown status");
    free(in.p);
    free(gz.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(level0_stored_blocks), cmocka_unit_test(level1_dynamic),
        cmocka_unit_test(level9_dynamic),       cmocka_unit_test(fixed_blocks),
        cmocka_unit_test(huffman_only_and_rle), cmocka_unit_test(empty_member),
        cmocka_unit_test(long_matches),         cmocka_unit_test(header_fields),
        cmocka_unit_test(corrupt_trailer),      cmocka_unit_test(every_truncation_fails),
        cmocka_unit_test(output_one_short),     cmocka_unit_test(header_checks),
        cmocka_unit_test(reserved_block_type),  cmocka_unit_test(stored_nlen_mismatch),
        cmocka_unit_test(distance_too_far),     cmocka_unit_test(raw_reports_input_used),
        cmocka_unit_test(claimed_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
