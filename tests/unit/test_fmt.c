/* mm_vsnprintf / mm_vcbprintf / mm_fmt_bytes: every supported conversion is
 * compared against the host C library's vsnprintf, at every buffer size from
 * 0 to one past the full length (so truncation and the return value are
 * checked too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mm/fmt.h"

/* Formats with both implementations into every buffer size and compares
 * the text and the return value. */
static void check_v(const char *fmt, va_list ap)
{
    char want[1024], got[1024];
    va_list a, b;
    va_copy(a, ap);
    int rw = vsnprintf(want, sizeof want, fmt, a);
    va_end(a);
    assert_true(rw >= 0 && rw < (int)sizeof want - 1);
    for (size_t size = 0; size <= (size_t)rw + 1; size++) {
        memset(want, 'W', sizeof want);
        memset(got, 'G', sizeof got);
        va_copy(a, ap);
        va_copy(b, ap);
        int r1 = vsnprintf(want, size, fmt, a);
        int r2 = mm_vsnprintf(got, size, fmt, b);
        va_end(a);
        va_end(b);
        if (r1 != r2 || memcmp(want, got, size) != 0 || got[size] != 'G') {
            print_error("format \"%s\" size %zu: want %d \"%.*s\" got %d \"%.*s\"\n", fmt, size, r1,
                        (int)size, want, r2, (int)size, got);
            fail();
        }
    }
}

static void check(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_v(fmt, ap);
    va_end(ap);
}

static void signed_decimal(void **state)
{
    (void)state;
    check("%d", 0);
    check("%d", 42);
    check("%d", -42);
    check("%i", INT32_MAX);
    check("%i", INT32_MIN);
    check("[%5d] [%-5d] [%05d]", -7, -7, -7);
    check("[%+d] [% d] [%+ d] [% +d]", 5, 5, 5, 5);
    check("[%+d] [% d]", -5, -5);
    check("[%.0d] [%.0d] [%5.0d]", 0, 1, 0);
    check("[%.3d] [%8.3d] [%-8.3d] [%08.3d]", -12, -12, -12, -12);
    check("[%+.3d] [% 8.5i]", 7, 7);
}

static void unsigned_and_bases(void **state)
{
    (void)state;
    check("%u %x %X %o", 0u, 0u, 0u, 0u);
    check("%u %x %X %o", UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);
    check("[%#x] [%#X] [%#o]", 255u, 255u, 8u);
    check("[%#x] [%#o] [%#.0o] [%#.0x] [%.0o]", 0u, 0u, 0u, 0u, 0u);
    check("[%#10x] [%#-10x] [%#010x] [%#.6x]", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu);
    check("[%#5o] [%#.4o] [%#.1o] [%#05o]", 01234u, 01234u, 01234u, 7u);
    check("[%+u] [% x]", 3u, 3u); /* sign flags do nothing for unsigned */
}

static void length_modifiers(void **state)
{
    (void)state;
    check("%hhd %hhu %hhx", 300, 300, -1);
    check("%hhd %hhi", -129, 127);
    check("%hd %hu %hx", 70000, 70000, -1);
    check("%ld %lu %lx", (long)-123456789, (unsigned long)123456789, (unsigned long)0xabcdef);
    check("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
    check("%lld %llx %llX %llo", (long long)INT64_MAX, (unsigned long long)UINT64_MAX,
          (unsigned long long)0x0123456789abcdefull, (unsigned long long)UINT64_MAX);
    check("%jd %ju %jx", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (uintmax_t)1 << 63);
    check("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)4096, (ptrdiff_t)-4096);
    check("%td %tu %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)77, (ptrdiff_t)-1);
    check("[%25lld] [%-25lld] [%025lld] [%+lld]", (long long)INT64_MIN, (long long)INT64_MIN,
          (long long)INT64_MIN, (long long)0);
    check("[%.22llo] [%#llo] [%#llx]", (unsigned long long)UINT64_MAX,
          (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
}

/* Every power of ten and its neighbours, the edges of the decimal loop. */
static void decimal_digit_edges(void **state)
{
    (void)state;
    unsigned long long p = 1;
    for (int i = 0; i < 20; i++) {
        check("%llu %llu %llu", p - 1, p, p + 1);
        if (i < 19) /* 10^19 is beyond INT64_MAX */
            check("%lld %lld", -(long long)(p - 1), -(long long)p);
        p *= 10;
    }
    check("%llu", 10000000000000000000ull);
    check("%llu %llu", 9999999999999999999ull, 18446744073709551615ull);
}

static void chars_and_strings(void **state)
{
    (void)state;
    check("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
    check("[%s] [%10s] [%-10s] [%.2s] [%10.3s] [%-10.0s]", "hello", "hello", "hello", "hello",
          "hello", "hello");
    check("[%s] [%5s]", "", "");
    check("%s%s%s", "a", "", "c");
    check("100%%");
}

/* %c of NUL is one character; the output holds it, the count includes it. */
static void char_nul_counts(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(mm_snprintf(buf, sizeof buf, "a%cb", 0), 3);
    assert_memory_equal(buf, "a\0b\0", 4);
}

/* %.Ns reads at most N bytes: the string need not be NUL-terminated. */
static void precision_bounds_string_reads(void **state)
{
    (void)state;
    char raw[3] = {'a', 'b', 'c'};
    char buf[8];
    assert_int_equal(mm_snprintf(buf, sizeof buf, "%.3s", raw), 3);
    assert_string_equal(buf, "abc");
}

static void star_width_and_precision(void **state)
{
    (void)state;
    check("[%*d] [%-*d] [%*d]", 6, 42, 6, 42, -6, 42);
    check("[%.*d] [%.*d] [%*.*x]", 4, 42, -1, 42, 8, 3, 0xau);
    check("[%.*s] [%*s] [%.*s]", 2, "abcdef", -4, "ab", -3, "abc");
    check("[%0*d] [%0*d]", 5, -3, -5, -3);
}

/* A grid of flags x width x precision x conversion, all against the host. */
static void flag_width_precision_grid(void **state)
{
    (void)state;
    static const char *const flags[] = {"", "-", "0", "+", " ", "#", "-0", "+0", "- ", "#0", "-#"};
    static const char *const widths[] = {"", "1", "4", "12"};
    static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".15"};
    static const char convs[] = "diuxXo";
    static const int values[] = {0, 1, -1, 7, -255, 4096, INT32_MAX, INT32_MIN};
    char fmt[32];
    for (size_t f = 0; f < sizeof flags / sizeof *flags; f++)
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++)
            for (size_t p = 0; p < sizeof precs / sizeof *precs; p++)
                for (size_t c = 0; convs[c]; c++) {
                    if (strchr(flags[f], '#') && strchr("diu", convs[c]))
                        continue; /* # with d/i/u is undefined in C */
                    snprintf(fmt, sizeof fmt, "[%%%s%s%s%c]", flags[f], widths[w], precs[p],
                             convs[c]);
                    for (size_t v = 0; v < sizeof values / sizeof *values; v++)
                        check(fmt, values[v]);
                }
}

static void pointers(void **state)
{
    (void)state;
    char buf[64];
    int x;
    char want[64];
    snprintf(want, sizeof want, "0x%llx", (unsigned long long)(uintptr_t)&x);
    assert_int_equal(mm_snprintf(buf, sizeof buf, "%p", (void *)&x), (int)strlen(want));
    assert_string_equal(buf, want);
    assert_int_equal(mm_snprintf(buf, sizeof buf, "[%8p] [%-6p]", (void *)0x10, NULL), 19);
    assert_string_equal(buf, "[    0x10] [0x0   ]");
}

static void null_string(void **state)
{
    (void)state;
    char buf[32];
    const char *nothing = NULL;
    assert_int_equal(mm_snprintf(buf, sizeof buf, "<%s|%.3s>", nothing, nothing), 12);
    assert_string_equal(buf, "<(null)|(nu>");
}

/* Unsupported conversions go through as text and take no argument, so the
 * following conversion still gets its own argument. */
static void unsupported_conversion_copied(void **state)
{
    (void)state;
    char buf[64];
    const char *fmt = "%f %5.2q %d %"; /* kept out of the compiler's format check */
    assert_int_equal(mm_snprintf(buf, sizeof buf, fmt, 9), 12);
    assert_string_equal(buf, "%f %5.2q 9 %");
}

static void oversized_fields_fail(void **state)
{
    (void)state;
    char buf[16];
    const char *wide = "%99999d";
    assert_int_equal(mm_snprintf(buf, sizeof buf, wide, 1), -1);
    assert_string_equal(buf, "");
    assert_int_equal(mm_snprintf(buf, sizeof buf, "ab%*d", 1 << 30, 1), -1);
    assert_string_equal(buf, "ab");
    assert_int_equal(mm_snprintf(buf, sizeof buf, "%.*d", MM_FMT_MAX_FIELD, 1), MM_FMT_MAX_FIELD);
    assert_int_equal(mm_snprintf(buf, sizeof buf, "%*d", INT32_MIN, 1), -1);
}

static void null_arguments(void **state)
{
    (void)state;
    char buf[4] = "zzz";
    const char *nofmt = NULL;
    assert_int_equal(mm_snprintf(buf, sizeof buf, nofmt, 0), -1);
    assert_string_equal(buf, "");
    assert_int_equal(mm_snprintf(NULL, 0, "%d", 12345), 5);
}

/* The streaming form delivers the same text in order, in pieces. */
typedef struct collect {
    char text[256];
    size_t len;
    int calls;
} collect;

static void collect_write(void *ctx, const char *s, size_t len)
{
    collect *c = ctx;
    assert_true(len > 0);
    assert_true(c->len + len < sizeof c->text);
    memcpy(c->text + c->len, s, len);
    c->len += len;
    c->calls++;
}

static void streaming_matches_buffer(void **state)
{
    (void)state;
    collect c = {0};
    char buf[256];
    int n = mm_cbprintf(collect_write, &c, "map: %3u entries, top %#llx, %-6s|%80d|", 12u,
                        (unsigned long long)0xfee00000, "ok", -1);
    int m = mm_snprintf(buf, sizeof buf, "map: %3u entries, top %#llx, %-6s|%80d|", 12u,
                        (unsigned long long)0xfee00000, "ok", -1);
    assert_int_equal(n, m);
    assert_int_equal(c.len, (size_t)n);
    assert_memory_equal(c.text, buf, c.len);
    assert_true(c.calls > 1);
    assert_int_equal(mm_cbprintf(NULL, &c, "x"), -1);
}

static void bytes_text(uint64_t bytes, const char *want)
{
    char buf[MM_FMT_BYTES_MAX];
    size_t n = mm_fmt_bytes(buf, sizeof buf, bytes);
    if (strcmp(buf, want) != 0 || n != strlen(want)) {
        print_error("%llu bytes: want \"%s\" got \"%s\" (%zu)\n", (unsigned long long)bytes, want,
                    buf, n);
        fail();
    }
}

static void human_sizes(void **state)
{
    (void)state;
    bytes_text(0, "0 B");
    bytes_text(1023, "1023 B");
    bytes_text(1024, "1 KiB");
    bytes_text(640 * 1024, "640 KiB");
    bytes_text(1536, "1.50 KiB");
    bytes_text(1024 * 1024, "1 MiB");
    bytes_text(1024 * 1024 - 1, "1023.99 KiB");
    bytes_text(3ull << 29, "1.50 GiB");
    bytes_text((16ull << 30) + (1ull << 28), "16.25 GiB");
    bytes_text(1ull << 40, "1 TiB");
    bytes_text((1ull << 50) * 3, "3 PiB");
    bytes_text(1ull << 60, "1 EiB");
    bytes_text(UINT64_MAX, "15.99 EiB");
    bytes_text((1ull << 60) + (1ull << 59) + (1ull << 58), "1.75 EiB");
    bytes_text((1ull << 30) + 1, "1.00 GiB");
}

/* Hundredths are cut, never rounded up: compare with the exact fraction
 * computed in floating point (exact for these magnitudes). */
static void human_sizes_truncate(void **state)
{
    (void)state;
    for (uint64_t b = 1024; b < 64 * 1024; b += 37) {
        char want[32];
        unsigned whole = (unsigned)(b >> 10);
        unsigned frac = (unsigned)(((b & 1023) * 100) / 1024);
        if ((b & 1023) == 0)
            snprintf(want, sizeof want, "%u KiB", whole);
        else
            snprintf(want, sizeof want, "%u.%02u KiB", whole, frac);
        bytes_text(b, want);
    }
}

static void human_sizes_truncated_buffer(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(mm_fmt_bytes(buf, sizeof buf, 3ull << 29), strlen("1.50 GiB"));
    assert_string_equal(buf, "1.5");
    assert_int_equal(mm_fmt_bytes(NULL, 0, 5), strlen("5 B"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_decimal),
        cmocka_unit_test(unsigned_and_bases),
        cmocka_unit_test(length_modifiers),
        cmocka_unit_test(decimal_digit_edges),
        cmocka_unit_test(chars_and_strings),
        cmocka_unit_test(char_nul_counts),
        cmocka_unit_test(precision_bounds_string_reads),
        cmocka_unit_test(star_width_and_precision),
        cmocka_unit_test(flag_width_precision_grid),
        cmocka_unit_test(pointers),
        cmocka_unit_test(null_string),
        cmocka_unit_test(unsupported_conversion_copied),
        cmocka_unit_test(oversized_fields_fail),
        cmocka_unit_test(null_arguments),
        cmocka_unit_test(streaming_matches_buffer),
        cmocka_unit_test(human_sizes),
        cmocka_unit_test(human_sizes_truncate),
        cmocka_unit_test(human_sizes_truncated_buffer),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
