/* Random format specifications against the host snprintf. The input is
 * read as a stream of instructions; each builds a literal run plus one
 * conversion with C-defined flags/width/precision/length for its kind, its
 * `*` arguments and a value of exactly the type the conversion reads, and
 * formats it with both implementations into a buffer of input-chosen size.
 * Text and return value must match byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/fmt.h"

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t byte(reader *r)
{
    if (r->left == 0)
        return 0;
    r->left--;
    return *r->p++;
}

static uint64_t u64(reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | byte(r);
    return v;
}

static void compare(const char *fmt, size_t size, int want, const char *wbuf, int got,
                    const char *gbuf)
{
    /* Bytes written: the text up to the size, plus the NUL. */
    size_t written = want >= 0 && (size_t)want + 1 < size ? (size_t)want + 1 : size;
    if (want != got || memcmp(wbuf, gbuf, written) != 0) {
        fprintf(stderr, "format \"%s\" size %zu: want %d \"%s\" got %d \"%s\"\n", fmt, size, want,
                wbuf, got, gbuf);
        abort();
    }
}

/* Formats with both implementations; `nstar` int arguments come first. */
#define BOTH(fmt, size, nstar, sw, sp, value)                                                      \
    do {                                                                                           \
        char wbuf[512], gbuf[512];                                                                 \
        int want, got;                                                                             \
        if ((nstar) == 0) {                                                                        \
            want = snprintf(wbuf, size, fmt, value);                                               \
            got = mm_snprintf(gbuf, size, fmt, value);                                             \
        } else if ((nstar) == 1) {                                                                 \
            want = snprintf(wbuf, size, fmt, sw, value);                                           \
            got = mm_snprintf(gbuf, size, fmt, sw, value);                                         \
        } else {                                                                                   \
            want = snprintf(wbuf, size, fmt, sw, sp, value);                                       \
            got = mm_snprintf(gbuf, size, fmt, sw, sp, value);                                     \
        }                                                                                          \
        compare(fmt, size, want, wbuf, got, gbuf);                                                 \
    } while (0)

static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};

/* Appends up to `max` flags from `allowed`, chosen by bits of `b`. */
static size_t put_flags(char *f, size_t n, uint8_t b, const char *allowed)
{
    for (size_t i = 0; allowed[i]; i++) {
        if (b & (1u << i))
            f[n++] = allowed[i];
    }
    return n;
}

static void one(reader *r)
{
    char fmt[96];
    size_t n = 0;
    /* Literal run: printable characters except '%'. */
    uint8_t lit = byte(r) % 8;
    for (uint8_t i = 0; i < lit; i++) {
        char c = (char)(' ' + byte(r) % 95);
        fmt[n++] = c == '%' ? '_' : c;
    }
    static const char convs[] = "diuxXocs%";
    char conv = convs[byte(r) % (sizeof convs - 1)];
    uint8_t shape = byte(r);
    fmt[n++] = '%';
    bool integer = strchr("diuxXo", conv) != NULL;
    if (conv != '%') {
        const char *allowed = integer ? (strchr("di", conv) ? "-0+ " : "-0+ #") : "-";
        n = put_flags(fmt, n, byte(r), allowed);
    }
    int nstar = 0;
    int sw = (int8_t)byte(r) % 100, sp = (int8_t)byte(r) % 100;
    if (conv != '%') {
        if (shape & 1) {
            fmt[n++] = '*';
            nstar++;
        } else if (shape & 2) {
            n += (size_t)sprintf(fmt + n, "%u", byte(r) % 100);
        }
        if (conv != 'c' && (shape & 4)) {
            fmt[n++] = '.';
            if (shape & 8) {
                fmt[n++] = '*';
                if (nstar == 0)
                    sw = sp; /* the only star argument is the precision */
                nstar++;
            } else if (shape & 16) {
                n += (size_t)sprintf(fmt + n, "%u", byte(r) % 100);
            }
        }
    }
    const char *len = integer ? lengths[(shape >> 5) % 8] : "";
    n += (size_t)sprintf(fmt + n, "%s%c", len, conv);
    fmt[n] = '\0';
    size_t size = byte(r) % 200;
    uint64_t v = u64(r);

    if (conv == '%') {
        BOTH(fmt, size, 0, 0, 0, 0);
    } else if (conv == 'c') {
        BOTH(fmt, size, nstar, sw, sp, (int)(char)v);
    } else if (conv == 's') {
        char s[16];
        size_t k = (size_t)(v % 16);
        for (size_t i = 0; i < k; i++)
            s[i] = (char)(' ' + byte(r) % 95);
        s[k < 15 ? k : 15] = '\0';
        BOTH(fmt, size, nstar, sw, sp, s);
    } else if (!strcmp(len, "l")) {
        BOTH(fmt, size, nstar, sw, sp, (long)v);
    } else if (!strcmp(len, "ll")) {
        BOTH(fmt, size, nstar, sw, sp, (long long)v);
    } else if (!strcmp(len, "z")) {
        BOTH(fmt, size, nstar, sw, sp, (size_t)v);
    } else if (!strcmp(len, "j")) {
        BOTH(fmt, size, nstar, sw, sp, (intmax_t)v);
    } else if (!strcmp(len, "t")) {
        BOTH(fmt, size, nstar, sw, sp, (ptrdiff_t)v);
    } else {
        BOTH(fmt, size, nstar, sw, sp, (int)v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    while (r.left > 0)
        one(&r);
    return 0;
}
