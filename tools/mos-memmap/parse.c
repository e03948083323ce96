/* Parsers for the memory map lines Linux prints (see parse.h):
 *   BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable      (inclusive end)
 *   BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)            (exclusive end)
 *   efi: mem00: [Conventional|   |  |...|WB|WT|WC|UC] range=[0x0-0x9ffff] (0MB)   (inclusive)
 *   efi: mem00: type=7, attr=0xf, range=[0x0000000000000000-0x00000000000a0000) (0MB)
 *   0x100000 0x7fe0000 usable                                          (plain, exclusive) */
#include "parse.h"

#include <string.h>

typedef struct cursor {
    const char *p, *end;
} cursor;

static int at_end(const cursor *c)
{
    return c->p >= c->end;
}

static void skip_spaces(cursor *c)
{
    while (!at_end(c) && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

/* Consumes `lit` if the input continues with it. */
static int accept(cursor *c, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

/* Moves past the first occurrence of `needle`; 0 (cursor unchanged) if none. */
static int seek_past(cursor *c, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *q = c->p; (size_t)(c->end - q) >= n; q++) {
        if (memcmp(q, needle, n) == 0) {
            c->p = q + n;
            return 1;
        }
    }
    return 0;
}

static int digit_value(char ch, unsigned base)
{
    int v = ch >= '0' && ch <= '9'   ? ch - '0'
            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                     : 99;
    return v < (int)base ? v : -1;
}

/* Digits in `base`; 0 when there are none or the value passes 2^64 - 1. */
static int number(cursor *c, unsigned base, uint64_t *out)
{
    uint64_t v = 0;
    const char *start = c->p;
    for (int d; !at_end(c) && (d = digit_value(*c->p, base)) >= 0; c->p++) {
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return 0;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return c->p > start;
}

/* "0x" followed by hex digits. */
static int hex_0x(cursor *c, uint64_t *out)
{
    return (accept(c, "0x") || accept(c, "0X")) && number(c, 16, out);
}

/* 0x-prefixed hex or plain decimal. */
static int any_number(cursor *c, uint64_t *out)
{
    if (accept(c, "0x") || accept(c, "0X"))
        return number(c, 16, out);
    return number(c, 10, out);
}

/* Text up to `stop` (or the end), trailing spaces trimmed, into buf. */
static void take_text(cursor *c, char stop, char *buf, size_t size)
{
    size_t n = 0;
    while (!at_end(c) && *c->p != stop) {
        if (n + 1 < size)
            buf[n++] = *c->p;
        c->p++;
    }
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
}

/* "0xS-0xE" followed by `close` (']' or ')'). */
static int hex_range(cursor *c, const char *close, uint64_t *s, uint64_t *e)
{
    return hex_0x(c, s) && accept(c, "-") && hex_0x(c, e) && accept(c, close);
}

/* [start, end] inclusive -> length. An end of 2^64 - 1 means an exclusive
 * end of 2^64, which no entry can hold: the entry stops at 2^64 - 1 and
 * out->top_clipped records the lost byte (so the tool reports a clip, not
 * a frame-alignment trim). */
static int inclusive(uint64_t start, uint64_t end, uint64_t *length, memmap_line *out)
{
    if (end < start)
        return 0;
    out->top_clipped = end == UINT64_MAX;
    *length = end - start + (out->top_clipped ? 0 : 1);
    return 1;
}

static int exclusive(uint64_t start, uint64_t end, uint64_t *length)
{
    if (end < start)
        return 0;
    *length = end - start;
    return 1;
}

/* ---- E820 ---------------------------------------------------------------- */

/* E820 code of Linux's type text ("usable", "ACPI NVS", "type 12",
 * "persistent (type 7)", "soft reserved"); 0 if unknown. */
static uint32_t e820_code(const char *text)
{
    static const struct {
        const char *text;
        uint32_t code;
    } names[] = {
        {"usable", 1},   {"reserved", 2}, {"ACPI data", 3},
        {"ACPI NVS", 4}, {"unusable", 5}, {"soft reserved", 0xefffffffu},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].text) == 0)
            return names[i].code;
    cursor c = {text, text + strlen(text)};
    uint64_t v;
    if ((accept(&c, "type ") || accept(&c, "persistent (type ")) && number(&c, 10, &v) && v > 0 &&
        v <= UINT32_MAX && (at_end(&c) || (*c.p == ')' && c.p + 1 == c.end)))
        return (uint32_t)v;
    return 0;
}

static memmap_parse_result e820_entry(memmap_line *out, uint64_t base, uint64_t length,
                                      const char *type_text, const char **error)
{
    uint32_t code = e820_code(type_text);
    if (code == 0) {
        *error = "unknown E820 type name";
        return MEMMAP_LINE_ERROR;
    }
    out->source = MEMMAP_SRC_E820;
    out->entry = (mm_entry){base, length, (uint32_t)mm_e820_type(code, 0), code, 0};
    return MEMMAP_LINE_ENTRY;
}

/* After "BIOS-e820:": "[mem 0xS-0xE] type". */
static memmap_parse_result e820_new(cursor *c, memmap_line *out, const char **error)
{
    uint64_t s, e, len;
    char type[48];
    if (!hex_range(c, "]", &s, &e)) {
        *error = "malformed BIOS-e820 range, expected [mem 0xSTART-0xEND]";
        return MEMMAP_LINE_ERROR;
    }
    if (!inclusive(s, e, &len, out)) {
        *error = "BIOS-e820 range ends before it starts";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    take_text(c, '\n', type, sizeof(type));
    out->old_form = 0;
    return e820_entry(out, s, len, type, error);
}

/* After "BIOS-e820:": "S - E (type)" or "S - E type N". */
static memmap_parse_result e820_old(cursor *c, memmap_line *out, const char **error)
{
    uint64_t s, e, len;
    char type[48];
    skip_spaces(c);
    int ok = number(c, 16, &s);
    skip_spaces(c);
    ok = ok && accept(c, "-");
    skip_spaces(c);
    if (!ok || !number(c, 16, &e)) {
        *error = "malformed BIOS-e820 line, expected START - END (type)";
        return MEMMAP_LINE_ERROR;
    }
    if (!exclusive(s, e, &len)) {
        *error = "BIOS-e820 range ends before it starts";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    if (accept(c, "(")) {
        take_text(c, ')', type, sizeof(type));
        if (!accept(c, ")")) {
            *error = "BIOS-e820 type is missing its ')'";
            return MEMMAP_LINE_ERROR;
        }
    } else {
        take_text(c, '\n', type, sizeof(type));
    }
    out->old_form = 1;
    return e820_entry(out, s, len, type, error);
}

/* ---- EFI ----------------------------------------------------------------- */

/* EFI type of Linux's short names (both older and newer spellings); -1 if
 * unknown. */
static int efi_code(const char *text)
{
    static const struct {
        const char *text;
        int code;
    } names[] = {
        {"Reserved", 0},      {"Loader Code", 1},      {"Loader Data", 2},
        {"Boot Code", 3},     {"Boot Data", 4},        {"Runtime Code", 5},
        {"Runtime Data", 6},  {"Conventional", 7},     {"Conventional Memory", 7},
        {"Unusable", 8},      {"ACPI Reclaim", 9},     {"ACPI Reclaim Memory", 9},
        {"ACPI Mem NVS", 10}, {"ACPI Memory NVS", 10}, {"MMIO", 11},
        {"MMIO Port", 12},    {"PAL Code", 13},        {"Persistent", 14},
        {"Unaccepted", 15},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].text) == 0)
            return names[i].code;
    return -1;
}

/* EFI attribute bit of a Linux attribute token ("WB", "RUN", ...); 0 for
 * blanks and tokens we do not know. */
static uint64_t efi_attr_bit(const char *tok)
{
    static const struct {
        const char *tok;
        uint64_t bit;
    } bits[] = {
        {"UC", 0x1},     {"WC", 0x2},     {"WT", 0x4},     {"WB", 0x8},         {"UCE", 0x10},
        {"WP", 0x1000},  {"RP", 0x2000},  {"XP", 0x4000},  {"NV", 0x8000},      {"MR", 0x10000},
        {"RO", 0x20000}, {"SP", 0x40000}, {"CC", 0x80000}, {"RUN", 1ull << 63},
    };
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (strcmp(tok, bits[i].tok) == 0)
            return bits[i].bit;
    return 0;
}

/* "|A|B|...]" after the type name: ORs the bits together. */
static int efi_attr_list(cursor *c, uint64_t *attrs)
{
    char tok[16];
    *attrs = 0;
    while (accept(c, "|")) {
        skip_spaces(c);
        size_t n = 0;
        while (!at_end(c) && *c->p != '|' && *c->p != ']') {
            if (n + 1 < sizeof(tok))
                tok[n++] = *c->p;
            c->p++;
        }
        while (n > 0 && tok[n - 1] == ' ')
            n--;
        tok[n] = '\0';
        *attrs |= efi_attr_bit(tok);
    }
    return accept(c, "]");
}

static memmap_parse_result efi_entry(memmap_line *out, uint32_t code, uint64_t base,
                                     uint64_t length, uint64_t attrs)
{
    out->source = MEMMAP_SRC_EFI;
    out->entry =
        (mm_entry){base, length, (uint32_t)mm_efi_descriptor_type(code, attrs), code, attrs};
    return MEMMAP_LINE_ENTRY;
}

/* After "memNN: ": "[Type|attrs] range=[0xS-0xE]". */
static memmap_parse_result efi_new(cursor *c, memmap_line *out, const char **error)
{
    char type[40];
    uint64_t attrs, s, e, len, v;
    int code;
    take_text(c, '|', type, sizeof(type));
    cursor tc = {type, type + strlen(type)};
    if (accept(&tc, "type=") && number(&tc, 10, &v) && at_end(&tc) && v <= UINT32_MAX)
        code = (int)(v & 0x7fffffff);
    else if ((code = efi_code(type)) < 0) {
        *error = "unknown EFI memory type name";
        return MEMMAP_LINE_ERROR;
    }
    if (!efi_attr_list(c, &attrs)) {
        *error = "malformed EFI attribute list, expected |..|..]";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    if (!accept(c, "range=[") || !hex_range(c, "]", &s, &e)) {
        *error = "malformed EFI range, expected range=[0xSTART-0xEND]";
        return MEMMAP_LINE_ERROR;
    }
    if (!inclusive(s, e, &len, out)) {
        *error = "EFI range ends before it starts";
        return MEMMAP_LINE_ERROR;
    }
    out->old_form = 0;
    return efi_entry(out, (uint32_t)code, s, len, attrs);
}

/* After "memNN: ": "type=T, attr=0xA, range=[0xS-0xE)". */
static memmap_parse_result efi_old(cursor *c, memmap_line *out, const char **error)
{
    uint64_t t, attrs, s, e, len;
    if (!accept(c, "type=") || !number(c, 10, &t) || t > UINT32_MAX || !accept(c, ",")) {
        *error = "malformed EFI line, expected type=N, attr=0x..., range=[...)";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    if (!accept(c, "attr=") || !hex_0x(c, &attrs) || !accept(c, ",")) {
        *error = "malformed EFI attributes, expected attr=0x...";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    if (!accept(c, "range=[") || !hex_range(c, ")", &s, &e)) {
        *error = "malformed EFI range, expected range=[0xSTART-0xEND)";
        return MEMMAP_LINE_ERROR;
    }
    if (!exclusive(s, e, &len)) {
        *error = "EFI range ends before it starts";
        return MEMMAP_LINE_ERROR;
    }
    out->old_form = 1;
    return efi_entry(out, (uint32_t)t, s, len, attrs);
}

/* "efi:" then spaces, "mem" + digits + ":"; anything else after "efi:" is
 * an unrelated EFI message. */
static memmap_parse_result efi_line(cursor *c, memmap_line *out, const char **error)
{
    uint64_t idx;
    skip_spaces(c);
    if (!accept(c, "mem") || !number(c, 10, &idx) || !accept(c, ":"))
        return MEMMAP_LINE_SKIP;
    skip_spaces(c);
    if (accept(c, "["))
        return efi_new(c, out, error);
    return efi_old(c, out, error);
}

/* ---- Plain --------------------------------------------------------------- */

static memmap_parse_result plain_line(cursor *c, memmap_line *out, const char **error)
{
    uint64_t s, e, len;
    char type[40];
    int ok = any_number(c, &s);
    skip_spaces(c);
    if (!ok || !any_number(c, &e)) {
        *error = "malformed plain line, expected START END TYPE";
        return MEMMAP_LINE_ERROR;
    }
    if (!exclusive(s, e, &len)) {
        *error = "range ends before it starts";
        return MEMMAP_LINE_ERROR;
    }
    skip_spaces(c);
    take_text(c, '#', type, sizeof(type));
    mm_type t = mm_type_from_name(type);
    if (t == MM_TYPE_NONE) {
        *error = "unknown type name (expected usable, reserved, acpi-reclaimable, ...)";
        return MEMMAP_LINE_ERROR;
    }
    out->source = MEMMAP_SRC_PLAIN;
    out->old_form = 0;
    out->entry = (mm_entry){s, len, (uint32_t)t, 0, 0};
    return MEMMAP_LINE_ENTRY;
}

memmap_parse_result memmap_parse_line(const char *line, size_t len, memmap_line *out,
                                      const char **error)
{
    cursor c = {line, line + len};
    *error = "";
    out->top_clipped = 0;
    if (seek_past(&c, "BIOS-e820:")) {
        skip_spaces(&c);
        return accept(&c, "[mem ") ? e820_new(&c, out, error) : e820_old(&c, out, error);
    }
    if (seek_past(&c, "efi:"))
        return efi_line(&c, out, error);
    skip_spaces(&c);
    if (!at_end(&c) && *c.p >= '0' && *c.p <= '9')
        return plain_line(&c, out, error);
    return MEMMAP_LINE_SKIP;
}

const char *memmap_source_name(memmap_source s)
{
    switch (s) {
    case MEMMAP_SRC_E820:
        return "BIOS-e820";
    case MEMMAP_SRC_EFI:
        return "efi";
    case MEMMAP_SRC_PLAIN:
        return "plain";
    default:
        return "none";
    }
}
