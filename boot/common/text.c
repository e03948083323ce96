#include "text.h"

void bc_text_init(bc_text *t, char *buf, size_t cap)
{
    t->p = buf;
    t->cap = buf ? cap : 0;
    t->len = 0;
    if (t->cap)
        buf[0] = '\0';
}

static void put(bc_text *t, char c)
{
    if (t->len + 1 < t->cap) {
        t->p[t->len++] = c;
        t->p[t->len] = '\0';
    }
}

void bc_text_strn(bc_text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++)
        put(t, s[i]);
}

void bc_text_str(bc_text *t, const char *s)
{
    bc_text_strn(t, s ? s : "(null)", (size_t)-1);
}

void bc_text_hex(bc_text *t, uint64_t v)
{
    int shift = 60;
    bc_text_str(t, "0x");
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        put(t, "0123456789abcdef"[(v >> shift) & 0xf]);
}

void bc_text_u32(bc_text *t, uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        put(t, digits[--n]);
}

size_t bc_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* Sequence length and payload bits of a UTF-8 lead byte; 0 for a byte
 * that cannot start a sequence. */
static size_t utf8_lead(unsigned char c, uint32_t *bits)
{
    if (c < 0x80) {
        *bits = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        *bits = c & 0x1fu;
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        *bits = c & 0x0fu;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        *bits = c & 0x07u;
        return 4;
    }
    return 0;
}

/* Decodes the character at s[*i] and advances *i past it. An invalid,
 * overlong or cut sequence gives U+FFFD and advances one byte; surrogates
 * and characters beyond U+FFFF give U+FFFD. */
static uint16_t utf8_next_bmp(const unsigned char *s, size_t *i)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp = 0;
    size_t len = utf8_lead(s[*i], &cp), k = 1;
    for (; k < len && (s[*i + k] & 0xc0) == 0x80; k++) /* the NUL stops it too */
        cp = (cp << 6) | (s[*i + k] & 0x3fu);
    if (len == 0 || k < len || cp < min[len]) {
        *i += 1;
        return 0xfffd;
    }
    *i += len;
    return (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) ? 0xfffd : (uint16_t)cp;
}

mm_status bc_utf8_to_ucs2(const char *s, uint16_t *out, size_t cap, size_t *units)
{
    size_t n = 0, i = 0;
    if (units)
        *units = 0;
    if (!s || (!out && cap))
        return MM_ERR_INVALID_ARGUMENT;
    const unsigned char *u = (const unsigned char *)s;
    while (u[i]) {
        if (n + 1 >= cap) {
            if (cap)
                out[n] = 0;
            if (units)
                *units = n;
            return MM_ERR_BUFFER_TOO_SMALL;
        }
        out[n++] = utf8_next_bmp(u, &i);
    }
    out[n] = 0;
    if (units)
        *units = n;
    return MM_OK;
}
