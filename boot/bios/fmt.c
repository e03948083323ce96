#include "fmt.h"

#include <stdint.h>

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* n / 10 without a 64-bit divide (i386 has no __udivdi3 here). */
static uint64_t div10(uint64_t n, uint32_t *rem)
{
    uint64_t q = (n >> 1) + (n >> 2);
    q += q >> 4;
    q += q >> 8;
    q += q >> 16;
    q += q >> 32;
    q >>= 3;
    uint64_t r = n - q * 10;
    if (r > 9) {
        q++;
        r -= 10;
    }
    *rem = (uint32_t)r;
    return q;
}

static void put_num(struct out *o, uint64_t v, uint32_t base, uint32_t width, char pad)
{
    char tmp[24];
    uint32_t n = 0;
    do {
        uint32_t d;
        if (base == 16) {
            d = (uint32_t)(v & 15);
            v >>= 4;
        } else {
            v = div10(v, &d);
        }
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    } while (v);
    while (width > n) {
        put(o, pad);
        width--;
    }
    while (n)
        put(o, tmp[--n]);
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        uint32_t width = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (uint32_t)(*fmt++ - '0');
        int longs = 0;
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                put(&o, *s);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
            if (v < 0) {
                put(&o, '-');
                v = -v;
            }
            put_num(&o, (uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            put_num(&o, v, *fmt == 'x' ? 16 : 10, width, pad);
            break;
        }
        case '\0':
            fmt--;
            break;
        default:
            put(&o, *fmt);
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}
