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
