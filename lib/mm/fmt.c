#include "mm/fmt.h"

/* Output state of one format call: where pieces go and how many characters
 * have been produced; `failed` latches the -1 cases. */
typedef struct out {
    mm_write_fn fn;
    void *ctx;
    uint32_t count;
    bool failed;
} out;

#define OUT_LIMIT 0x7fffffffu

static void emit(out *o, const char *s, size_t len)
{
    if (len == 0 || o->failed)
        return;
    if (len > OUT_LIMIT - o->count) {
        o->failed = true;
        return;
    }
    o->count += (uint32_t)len;
    o->fn(o->ctx, s, len);
}

/* Emits `n` copies of `c` in chunks, so wide fields cost few callbacks. */
static void emit_repeat(out *o, char c, uint32_t n)
{
    char chunk[32];
    mm_memset(chunk, c, sizeof chunk);
    while (n > 0) {
        uint32_t k = n < sizeof chunk ? n : (uint32_t)sizeof chunk;
        emit(o, chunk, k);
        n -= k;
    }
}

static size_t cstr_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Length of `s`, reading at most `max` bytes (%.Ns need not be terminated). */
static size_t cstr_len_max(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

enum {
    F_LEFT = 1u << 0,  /* - */
    F_ZERO = 1u << 1,  /* 0 */
    F_PLUS = 1u << 2,  /* + */
    F_SPACE = 1u << 3, /* space */
    F_ALT = 1u << 4,   /* # */
};

typedef enum length {
    LEN_NONE,
    LEN_HH,
    LEN_H,
    LEN_L,
    LEN_LL,
    LEN_Z,
    LEN_J,
    LEN_T,
} length;

/* One parsed conversion specification. */
typedef struct spec {
    uint32_t flags;
    int32_t width;     /* 0 when absent */
    int32_t precision; /* -1 when absent */
    length len;
    char conv;
} spec;

/* Decimal digits of `v`, most significant first, by subtracting powers of
 * ten (no 64-bit division). Returns the digit count; "0" for 0. */
static uint32_t utoa_dec(uint64_t v, char *digits)
{
    static const uint64_t pow10[] = {
        10000000000000000000ull,
        1000000000000000000ull,
        100000000000000000ull,
        10000000000000000ull,
        1000000000000000ull,
        100000000000000ull,
        10000000000000ull,
        1000000000000ull,
        100000000000ull,
        10000000000ull,
        1000000000ull,
        100000000ull,
        10000000ull,
        1000000ull,
        100000ull,
        10000ull,
        1000ull,
        100ull,
        10ull,
        1ull,
    };
    uint32_t n = 0;
    for (size_t i = 0; i < MM_ARRAY_SIZE(pow10); i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (n > 0 || d != '0' || i == MM_ARRAY_SIZE(pow10) - 1)
            digits[n++] = d;
    }
    return n;
}

/* Digits of `v` in base 8 or 16 (a power of two: shifts only). */
static uint32_t utoa_pow2(uint64_t v, uint32_t shift, bool upper, char *digits)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    uint32_t n = 0;
    uint64_t mask = ((uint64_t)1 << shift) - 1;
    do {
        tmp[n++] = set[v & mask];
        v >>= shift;
    } while (v != 0);
    for (uint32_t i = 0; i < n; i++)
        digits[i] = tmp[n - 1 - i];
    return n;
}

/* Reads a decimal field (width/precision) at *p, saturating past the limit. */
static int32_t parse_field(const char **p)
{
    int32_t v = 0;
    while (**p >= '0' && **p <= '9') {
        if (v <= MM_FMT_MAX_FIELD)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

static length parse_length(const char **p)
{
    const char *s = *p;
    length l = LEN_NONE;
    switch (*s) {
    case 'h':
        l = s[1] == 'h' ? LEN_HH : LEN_H;
        break;
    case 'l':
        l = s[1] == 'l' ? LEN_LL : LEN_L;
        break;
    case 'z':
        l = LEN_Z;
        break;
    case 'j':
        l = LEN_J;
        break;
    case 't':
        l = LEN_T;
        break;
    default:
        return LEN_NONE;
    }
    *p = s + ((l == LEN_HH || l == LEN_LL) ? 2 : 1);
    return l;
}

static uint32_t parse_flags(const char **p)
{
    uint32_t f = 0;
    for (;; (*p)++) {
        switch (**p) {
        case '-':
            f |= F_LEFT;
            break;
        case '0':
            f |= F_ZERO;
            break;
        case '+':
            f |= F_PLUS;
            break;
        case ' ':
            f |= F_SPACE;
            break;
        case '#':
            f |= F_ALT;
            break;
        default:
            return f;
        }
    }
}

/* Parses the specification after '%' at *p (consuming `*` arguments).
 * Returns false when a field is too large. */
static bool parse_spec(const char **p, va_list *ap, spec *sp)
{
    sp->flags = parse_flags(p);
    sp->width = 0;
    if (**p == '*') {
        int w = va_arg(*ap, int);
        (*p)++;
        if (w < 0) {
            sp->flags |= F_LEFT;
            w = w < -MM_FMT_MAX_FIELD ? MM_FMT_MAX_FIELD + 1 : -w; /* no -INT_MIN */
        }
        sp->width = w > MM_FMT_MAX_FIELD ? MM_FMT_MAX_FIELD + 1 : w;
    } else {
        sp->width = parse_field(p);
    }
    sp->precision = -1;
    if (**p == '.') {
        (*p)++;
        if (**p == '*') {
            int pr = va_arg(*ap, int);
            (*p)++;
            sp->precision = pr < 0 ? -1 : (pr > MM_FMT_MAX_FIELD ? MM_FMT_MAX_FIELD + 1 : pr);
        } else {
            sp->precision = parse_field(p);
        }
    }
    sp->len = parse_length(p);
    sp->conv = **p;
    return sp->width <= MM_FMT_MAX_FIELD && sp->precision <= MM_FMT_MAX_FIELD;
}

/* Reads a signed argument of the spec's length; returns its magnitude and
 * sets *neg. */
static uint64_t arg_signed(va_list *ap, length len, bool *neg)
{
    int64_t v;
    switch (len) {
    case LEN_HH:
        v = (signed char)va_arg(*ap, int);
        break;
    case LEN_H:
        v = (short)va_arg(*ap, int);
        break;
    case LEN_L:
        v = va_arg(*ap, long);
        break;
    case LEN_LL:
        v = va_arg(*ap, long long);
        break;
    case LEN_J:
        v = va_arg(*ap, intmax_t);
        break;
    case LEN_Z: /* the signed type of size_t's width */
    case LEN_T:
        v = va_arg(*ap, ptrdiff_t);
        break;
    default:
        v = va_arg(*ap, int);
        break;
    }
    *neg = v < 0;
    return *neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static uint64_t arg_unsigned(va_list *ap, length len)
{
    switch (len) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    case LEN_Z:
        return va_arg(*ap, size_t);
    case LEN_T:
        return (size_t)va_arg(*ap, ptrdiff_t); /* same width as size_t */
    default:
        return va_arg(*ap, unsigned int);
    }
}

/* Pads `body_len` characters of field content out to the spec's width:
 * called once before (left pad) and once after (right pad) the content. */
static void pad(out *o, const spec *sp, uint32_t body_len, bool before, char c)
{
    if ((uint32_t)sp->width <= body_len)
        return;
    if (before != !(sp->flags & F_LEFT))
        return;
    emit_repeat(o, c, (uint32_t)sp->width - body_len);
}

/* Emits a number: sign/prefix, zero padding up to the precision, digits,
 * space padding up to the width. */
static void emit_number(out *o, const spec *sp, const char *prefix, const char *digits,
                        uint32_t ndigits)
{
    uint32_t plen = (uint32_t)cstr_len(prefix);
    uint32_t zeros = 0;
    if (sp->precision >= 0 && (uint32_t)sp->precision > ndigits)
        zeros = (uint32_t)sp->precision - ndigits;
    uint32_t body = plen + zeros + ndigits;
    /* The 0 flag pads with zeros after the sign, unless `-` or a precision. */
    bool zero_pad = (sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->precision < 0;
    if (zero_pad && (uint32_t)sp->width > body) {
        zeros += (uint32_t)sp->width - body;
        body = (uint32_t)sp->width;
    }
    pad(o, sp, body, true, ' ');
    emit(o, prefix, plen);
    emit_repeat(o, '0', zeros);
    emit(o, digits, ndigits);
    pad(o, sp, body, false, ' ');
}

static void conv_integer(out *o, const spec *sp, va_list *ap)
{
    char digits[24];
    const char *prefix = "";
    uint32_t n;
    uint64_t v;
    bool neg = false;
    char c = sp->conv;

    if (c == 'd' || c == 'i') {
        v = arg_signed(ap, sp->len, &neg);
        prefix = neg ? "-" : (sp->flags & F_PLUS) ? "+" : (sp->flags & F_SPACE) ? " " : "";
    } else if (c == 'p') {
        v = (uint64_t)(uintptr_t)va_arg(*ap, void *);
    } else {
        v = arg_unsigned(ap, sp->len);
    }

    if (c == 'd' || c == 'i' || c == 'u')
        n = utoa_dec(v, digits);
    else if (c == 'o')
        n = utoa_pow2(v, 3, false, digits);
    else
        n = utoa_pow2(v, 4, c == 'X', digits);

    /* Precision 0 with value 0 prints no digits at all. */
    if (v == 0 && sp->precision == 0)
        n = 0;
    /* # makes the first octal digit a 0, unless the precision already does. */
    if (c == 'o' && (sp->flags & F_ALT) && (n == 0 || digits[0] != '0') &&
        (sp->precision < 0 || (uint32_t)sp->precision <= n))
        prefix = "0";
    if (c == 'p')
        prefix = "0x";
    else if ((c == 'x' || c == 'X') && (sp->flags & F_ALT) && v != 0)
        prefix = c == 'x' ? "0x" : "0X";
    emit_number(o, sp, prefix, digits, n);
}

static void conv_string(out *o, const spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t len = sp->precision >= 0 ? cstr_len_max(s, (size_t)sp->precision) : cstr_len(s);
    uint32_t body = len > OUT_LIMIT ? OUT_LIMIT : (uint32_t)len;
    pad(o, sp, body, true, ' ');
    emit(o, s, len);
    pad(o, sp, body, false, ' ');
}

/* Handles the conversion at *p (just after '%'); advances *p past it. */
static void conversion(out *o, const char **p, va_list *ap)
{
    const char *start = *p - 1;
    spec sp;
    if (!parse_spec(p, ap, &sp)) {
        o->failed = true;
        return;
    }
    switch (sp.conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
    case 'p':
        conv_integer(o, &sp, ap);
        break;
    case 'c': {
        char ch = (char)va_arg(*ap, int); /* may be NUL: still one character */
        pad(o, &sp, 1, true, ' ');
        emit(o, &ch, 1);
        pad(o, &sp, 1, false, ' ');
        break;
    }
    case 's':
        conv_string(o, &sp, va_arg(*ap, const char *));
        break;
    case '%':
        emit(o, "%", 1);
        break;
    case '\0':
        /* A lone '%' at the end: copy it, stay on the terminating NUL. */
        emit(o, start, (size_t)(*p - start));
        return;
    default:
        /* Unsupported: copy the text through, leave the arguments alone. */
        emit(o, start, (size_t)(*p - start) + 1);
        break;
    }
    (*p)++;
}

int mm_vcbprintf(mm_write_fn fn, void *ctx, const char *fmt, va_list ap)
{
    if (!fn || !fmt)
        return -1;
    out o = {fn, ctx, 0, false};
    va_list args;
    va_copy(args, ap);
    const char *p = fmt;
    while (*p && !o.failed) {
        const char *run = p;
        while (*p && *p != '%')
            p++;
        emit(&o, run, (size_t)(p - run));
        if (*p == '%') {
            p++;
            conversion(&o, &p, &args);
        }
    }
    va_end(args);
    return o.failed ? -1 : (int)o.count;
}

int mm_cbprintf(mm_write_fn fn, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = mm_vcbprintf(fn, ctx, fmt, ap);
    va_end(ap);
    return r;
}

/* Bounded buffer for mm_vsnprintf: keeps room for the terminating NUL. */
typedef struct bounded {
    char *buf;
    size_t size;
    size_t used;
} bounded;

static void bounded_write(void *ctx, const char *s, size_t len)
{
    bounded *b = ctx;
    if (b->size == 0)
        return;
    size_t room = b->size - 1 - b->used;
    size_t k = len < room ? len : room;
    mm_memcpy(b->buf + b->used, s, k);
    b->used += k;
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    bounded b = {buf, buf ? size : 0, 0};
    int r = mm_vcbprintf(bounded_write, &b, fmt, ap);
    if (b.size > 0)
        b.buf[b.used] = '\0';
    return r;
}

int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = mm_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

/* Hundredths of a unit in `rem` (< 2^shift), truncated: rem * 100 >> shift
 * computed in two 32-bit halves so it cannot overflow for shift <= 60. */
static uint32_t hundredths(uint64_t rem, uint32_t shift)
{
    if (shift < 32)
        return (uint32_t)((rem * 100) >> shift);
    uint64_t hi = (rem >> 32) * 100;
    uint64_t lo = (rem & 0xffffffffu) * 100;
    return (uint32_t)((hi + (lo >> 32)) >> (shift - 32));
}

size_t mm_fmt_bytes(char *buf, size_t size, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < MM_KIB)
        return (size_t)mm_snprintf(buf, size, "%u B", (uint32_t)bytes);
    uint32_t u = 0;
    while (u + 1 < MM_ARRAY_SIZE(units) && bytes >> (10 * (u + 2)) != 0)
        u++;
    uint32_t shift = 10 * (u + 1);
    uint32_t whole = (uint32_t)(bytes >> shift);
    uint64_t rem = bytes & (((uint64_t)1 << shift) - 1);
    if (rem == 0)
        return (size_t)mm_snprintf(buf, size, "%u %s", whole, units[u]);
    return (size_t)mm_snprintf(buf, size, "%u.%02u %s", whole, hundredths(rem, shift), units[u]);
}
