/* The packed-body format and its LZ4 block decoder (boot/common/pack.h)
 * against liblz4: each test compresses data with liblz4 and expects the
 * exact input back, or damages a valid body and expects the status.
 *
 *   [MPK1][packed][size][crc32][ LZ4 block: token lits [offset] [lens] ... ]
 *    0     4       8     12     16                                          */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lz4.h>
#include <lz4hc.h>
#include <zlib.h>

#include "common/crc32.h"
#include "common/pack.h"

typedef struct blob {
    unsigned char *p;
    size_t len;
} blob;

/* Code-like data: repeated instruction-ish patterns (matches at many
 * distances and long runs), then pseudo-random bytes (literals). */
static blob make_data(size_t len, uint32_t seed)
{
    static const unsigned char pat[][6] = {{0x55, 0x89, 0xe5, 0x83, 0xec, 0x10},
                                           {0x8b, 0x45, 0x08, 0x89, 0xc2, 0xc3},
                                           {0, 0, 0, 0, 0, 0}};
    blob b = {malloc(len ? len : 1), len};
    size_t i = 0;
    while (i < len * 2 / 3) {
        seed = seed * 1103515245u + 12345u;
        const unsigned char *p = pat[(seed >> 16) % 3];
        for (int k = 0; k < 6 && i < len; k++)
            b.p[i++] = p[k];
    }
    while (i < len) {
        seed = seed * 1103515245u + 12345u;
        b.p[i++] = (unsigned char)(seed >> 16);
    }
    return b;
}

/* A packed body of `in` as tools/mos-pack writes it (level: LZ4HC level,
 * 0 = the fast compressor). */
static blob pack(const blob *in, int level)
{
    int bound = LZ4_compressBound((int)in->len);
    blob b = {malloc(BC_PACK_HEADER_SIZE + (size_t)bound), 0};
    char *dst = (char *)b.p + BC_PACK_HEADER_SIZE;
    int n = level ? LZ4_compress_HC((const char *)in->p, dst, (int)in->len, bound, level)
                  : LZ4_compress_default((const char *)in->p, dst, (int)in->len, bound);
    assert_true(n > 0);
    uint32_t crc = (uint32_t)crc32(0, in->p, (uInt)in->len);
    uint32_t h[4] = {BC_PACK_MAGIC, (uint32_t)n, (uint32_t)in->len, crc};
    memcpy(b.p, h, sizeof h); /* the host is little endian */
    b.len = BC_PACK_HEADER_SIZE + (size_t)n;
    return b;
}

static bc_pack_status unpack(const blob *b, unsigned char *out, size_t cap, size_t *n)
{
    static uint32_t tables[BC_CRC32_SLICES][256];
    return bc_pack_unpack(b->p, b->len, out, cap, n, tables);
}

static void round_trip(size_t len, int level)
{
    blob in = make_data(len, (uint32_t)len), b = pack(&in, level);
    unsigned char *out = malloc(len ? len : 1);
    size_t n = 99;
    assert_int_equal(unpack(&b, out, len, &n), BC_PACK_OK);
    assert_int_equal(n, len);
    assert_memory_equal(out, in.p, len);
    free(out);
    free(b.p);
    free(in.p);
}

/* 0 bytes: one token, no literals. */
static void empty_input(void **state)
{
    (void)state;
    round_trip(0, LZ4HC_CLEVEL_MAX);
}

/* Below the 13 bytes LZ4 needs for a match: literals only. */
static void literals_only(void **state)
{
    (void)state;
    round_trip(12, LZ4HC_CLEVEL_MAX);
}

/* 300 KB: lengths past 15 (continued bytes), overlapping matches. */
static void large_hc(void **state)
{
    (void)state;
    round_trip(300 * 1024, LZ4HC_CLEVEL_MAX);
}

static void large_fast(void **state)
{
    (void)state;
    round_trip(300 * 1024, 0);
}

/* Every length up to 100, each into a buffer of exactly its size (ASan
 * catches a write past it): the short-sequence path near the buffers'
 * ends, and the general one where there is no room for its pieces. */
static void every_small_length(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 100; len++) {
        round_trip(len, LZ4HC_CLEVEL_MAX);
        round_trip(len, 0);
    }
}

/* A pattern of period p repeated (p = 1 .. 20), so matches have offset p:
 * below 8 they overlap their own output within one 8-byte piece, from 8
 * on the pieces follow each other.
 *
 *   p = 3:  abc abc abc ...   match: offset 3, copied from 3 bytes back */
static void every_short_period(void **state)
{
    (void)state;
    for (size_t p = 1; p <= 20; p++) {
        blob in = {malloc(3000), 3000};
        for (size_t i = 0; i < in.len; i++)
            in.p[i] = (unsigned char)((i % p) * 37 + p);
        blob b = pack(&in, LZ4HC_CLEVEL_MAX);
        unsigned char *out = malloc(in.len);
        size_t n;
        assert_int_equal(unpack(&b, out, in.len, &n), BC_PACK_OK);
        assert_int_equal(n, in.len);
        assert_memory_equal(out, in.p, in.len);
        free(out);
        free(b.p);
        free(in.p);
    }
}

/* A run of one byte: offset 1, the match overlaps its own output. */
static void run_of_one_byte(void **state)
{
    (void)state;
    blob in = {malloc(5000), 5000};
    memset(in.p, 0xaa, in.len);
    blob b = pack(&in, LZ4HC_CLEVEL_MAX);
    unsigned char out[5000];
    size_t n;
    assert_int_equal(unpack(&b, out, sizeof out, &n), BC_PACK_OK);
    assert_memory_equal(out, in.p, in.len);
    free(b.p);
    free(in.p);
}

/* Each byte of a valid body flipped, one at a time: never accepted
 * with the wrong contents (the CRC-32 or the decoder catches it). */
static void any_flipped_byte_refused(void **state)
{
    (void)state;
    blob in = make_data(4000, 7), b = pack(&in, LZ4HC_CLEVEL_MAX);
    unsigned char out[8000];
    for (size_t i = 0; i < b.len; i++) {
        b.p[i] ^= 0x5a;
        size_t n;
        bc_pack_status st = unpack(&b, out, sizeof out, &n);
        if (st == BC_PACK_OK)
            assert_memory_equal(out, in.p, in.len); /* bytes past the block */
        else
            assert_int_equal(n, 0);
        b.p[i] ^= 0x5a;
    }
    free(b.p);
    free(in.p);
}

/* The header names what is wrong. */
static void header_errors(void **state)
{
    (void)state;
    blob in = make_data(4000, 3), b = pack(&in, LZ4HC_CLEVEL_MAX);
    unsigned char out[4000];
    size_t n;
    blob cut = {b.p, 10};
    assert_int_equal(unpack(&cut, out, sizeof out, &n), BC_PACK_TRUNCATED);
    cut.len = b.len - 1;
    assert_int_equal(unpack(&cut, out, sizeof out, &n), BC_PACK_TRUNCATED);
    assert_int_equal(unpack(&b, out, sizeof out - 1, &n), BC_PACK_OUTPUT_FULL);
    b.p[0] = 'X';
    assert_int_equal(unpack(&b, out, sizeof out, &n), BC_PACK_BAD_MAGIC);
    b.p[0] = 'M';
    b.p[12] ^= 1; /* CRC */
    assert_int_equal(unpack(&b, out, sizeof out, &n), BC_PACK_BAD_CRC);
    b.p[12] ^= 1;
    b.p[8] -= 1; /* size one less than the block decodes to */
    assert_int_equal(unpack(&b, out, sizeof out, &n), BC_PACK_OUTPUT_FULL);
    assert_int_equal(n, 0);
    free(b.p);
    free(in.p);
}

/* Hand-made blocks:
 *   [0x10 'a' 02 00]         match offset 2 before 1 byte of output
 *   [0x0f ...]               literal-length continuation missing
 *   [0x10 'a' 01 00 0x00]    ends with a match, not literals         */
static void block_errors(void **state)
{
    (void)state;
    unsigned char out[64];
    size_t n;
    const unsigned char far[] = {0x10, 'a', 2, 0, 0x00};
    assert_int_equal(bc_lz4_decode(far, sizeof far, out, sizeof out, &n), BC_PACK_BAD_DATA);
    const unsigned char cont[] = {0xf0};
    assert_int_equal(bc_lz4_decode(cont, sizeof cont, out, sizeof out, &n), BC_PACK_TRUNCATED);
    const unsigned char last_match[] = {0x10, 'a', 1, 0};
    assert_int_equal(bc_lz4_decode(last_match, sizeof last_match, out, sizeof out, &n),
                     BC_PACK_BAD_DATA);
    const unsigned char ok[] = {0x10, 'a', 1, 0, 0x00};
    assert_int_equal(bc_lz4_decode(ok, sizeof ok, out, sizeof out, &n), BC_PACK_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "aaaaa", 5);
    assert_int_equal(bc_lz4_decode(ok, sizeof ok, out, 4, &n), BC_PACK_OUTPUT_FULL);
}

/* The table CRC equals zlib's. */
static void crc32_matches_zlib(void **state)
{
    (void)state;
    blob in = make_data(10000, 11);
    uint32_t table[256];
    bc_crc32_table(table);
    assert_int_equal(bc_crc32(table, in.p, in.len), (uint32_t)crc32(0, in.p, (uInt)in.len));
    assert_int_equal(bc_crc32(table, NULL, 0), 0);
    free(in.p);
}

/* The sliced CRC equals zlib's at every start (alignment) 0 .. 7 and every
 * length 0 .. 40 (whole 8-byte steps, then 0 .. 7 bytes one at a time),
 * and over 10000 bytes; its first table is the one-table form's.
 *
 *   data: [ start | 8 | 8 | ... | tail < 8 ] */
static void sliced_crc32_matches_zlib(void **state)
{
    (void)state;
    blob in = make_data(10000, 13);
    static uint32_t tables[BC_CRC32_SLICES][256];
    uint32_t table[256];
    bc_crc32_slice_tables(tables);
    bc_crc32_table(table);
    assert_memory_equal(tables[0], table, sizeof table);
    for (size_t start = 0; start < 8; start++) {
        for (size_t len = 0; len <= 40; len++) {
            uint32_t want = (uint32_t)crc32(0, in.p + start, (uInt)len);
            assert_int_equal(bc_crc32_sliced(tables, in.p + start, len), want);
        }
    }
    assert_int_equal(bc_crc32_sliced(tables, in.p, in.len), (uint32_t)crc32(0, in.p, (uInt)in.len));
    assert_int_equal(bc_crc32_sliced(tables, NULL, 0), 0);
    free(in.p);
}

/* The continued forms (sliced, bitwise, one table) equal zlib's over a
 * buffer fed in uneven pieces, each piece from the CRC of the ones before.
 *
 *   [ 0 | 1 | 7 | 8 | 9 | 100 | 1000 | rest of 10000 ] */
static void continued_crc32_matches_zlib(void **state)
{
    (void)state;
    blob in = make_data(10000, 29);
    static uint32_t tables[BC_CRC32_SLICES][256];
    bc_crc32_slice_tables(tables);
    static const size_t cut[] = {0, 1, 7, 8, 9, 100, 1000, 10000 - 1125};
    uint32_t sliced = 0, bitwise = 0, table = 0;
    size_t at = 0;
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        sliced = bc_crc32_sliced_update(tables, sliced, in.p + at, cut[i]);
        bitwise = bc_crc32_bitwise_update(bitwise, in.p + at, cut[i]);
        table = bc_crc32_update(tables[0], table, in.p + at, cut[i]);
        at += cut[i];
        uint32_t want = (uint32_t)crc32(0, in.p, (uInt)at);
        assert_int_equal(sliced, want);
        assert_int_equal(bitwise, want);
        assert_int_equal(table, want);
    }
    assert_int_equal(at, in.len);
    free(in.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_input),
        cmocka_unit_test(literals_only),
        cmocka_unit_test(large_hc),
        cmocka_unit_test(large_fast),
        cmocka_unit_test(run_of_one_byte),
        cmocka_unit_test(any_flipped_byte_refused),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(block_errors),
        cmocka_unit_test(crc32_matches_zlib),
        cmocka_unit_test(sliced_crc32_matches_zlib),
        cmocka_unit_test(continued_crc32_matches_zlib),
        cmocka_unit_test(every_small_length),
        cmocka_unit_test(every_short_period),
    };
    return cmocka_run_group_tests_name("pack", tests, NULL, NULL);
}
