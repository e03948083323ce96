#include "mm/config.h"

#define PAGE 4096u

static const char *const field_names[MM_CFG_FIELD_COUNT] = {
    [MM_CFG_NONE] = "none",
    [MM_CFG_HEAP_SIZE] = "heap_size",
    [MM_CFG_TEMP_HEAP_SIZE] = "temp_heap_size",
    [MM_CFG_BITMAP_GRANULARITY] = "bitmap_granularity",
    [MM_CFG_HEAP_ALIGNMENT] = "heap_alignment",
    [MM_CFG_MIN_HEAP_ADDR] = "min_heap_addr",
    [MM_CFG_MEMORY_TEST] = "memory_test",
    [MM_CFG_DETAILED_LOGGING] = "detailed_logging",
    [MM_CFG_LOG_LEVEL] = "log_level",
};

const char *mm_config_field_name(mm_config_field field)
{
    if ((unsigned)field >= MM_CFG_FIELD_COUNT)
        return "?";
    return field_names[field];
}

void mm_config_defaults(mm_config *c)
{
    c->heap_size = 16 * MM_MIB;
    c->temp_heap_size = 1 * MM_MIB;
    c->bitmap_granularity = 4 * MM_KIB;
    c->heap_alignment = 4 * MM_KIB;
    c->min_heap_addr = 1 * MM_MIB;
    c->enable_memory_test = MM_MEMTEST_DEFAULT != 0;
    c->enable_detailed_logging = true;
    c->log_level = MM_LOG_INFO;
}

mm_log_level mm_config_log_level(const mm_config *c)
{
    if (c->enable_detailed_logging && c->log_level < MM_LOG_DEBUG)
        return MM_LOG_DEBUG;
    return c->log_level;
}

static mm_status fail(mm_config_error *err, mm_config_field field, const char *reason)
{
    if (err) {
        err->field = field;
        err->reason = reason;
    }
    return MM_ERR_CONFIG;
}

static mm_status ok(mm_config_error *err)
{
    if (err) {
        err->field = MM_CFG_NONE;
        err->reason = "";
    }
    return MM_OK;
}

static const char *check_size(uint64_t v)
{
    if (v == 0)
        return "must not be zero";
    if (v > MM_CONFIG_SIZE_MAX)
        return "is larger than 256 TiB";
    if (v & (PAGE - 1))
        return "must be a multiple of 4 KiB";
    return NULL;
}

static const char *check_pow2(uint64_t v, uint64_t min)
{
    if (!mm_is_pow2(v))
        return "must be a power of two";
    if (v < min)
        return "must be at least 4 KiB";
    if (v > MM_CONFIG_ALIGN_MAX)
        return "must be at most 1 GiB";
    return NULL;
}

/* The checks of one field on its own; NULL when it is fine. */
static const char *check_field(const mm_config *c, mm_config_field f)
{
    switch (f) {
    case MM_CFG_HEAP_SIZE:
        return check_size(c->heap_size);
    case MM_CFG_TEMP_HEAP_SIZE:
        /* 0 is a request, not a mistake: hand the kernel no temporary heap
         * (both handoff fields 0), which makes it take its fallback. */
        return c->temp_heap_size == 0 ? NULL : check_size(c->temp_heap_size);
    case MM_CFG_BITMAP_GRANULARITY:
        return check_pow2(c->bitmap_granularity, PAGE);
    case MM_CFG_HEAP_ALIGNMENT:
        return check_pow2(c->heap_alignment, 1);
    case MM_CFG_MIN_HEAP_ADDR:
        if (c->min_heap_addr >= MM_CONFIG_ADDR_LIMIT)
            return "is beyond the 52-bit physical address space";
        if (c->min_heap_addr & (PAGE - 1))
            return "must be a multiple of 4 KiB";
        return NULL;
    case MM_CFG_LOG_LEVEL:
        return (unsigned)c->log_level < MM_LOG_LEVEL_COUNT ? NULL : "is not a log level";
    default:
        return NULL; /* booleans cannot be wrong */
    }
}

mm_status mm_config_validate(const mm_config *c, mm_config_error *err)
{
    if (!c)
        return MM_ERR_INVALID_ARGUMENT;
    for (unsigned f = MM_CFG_NONE + 1; f < MM_CFG_FIELD_COUNT; f++) {
        const char *why = check_field(c, (mm_config_field)f);
        if (why)
            return fail(err, (mm_config_field)f, why);
    }
    /* The heap is carved out of whole bitmap frames. */
    if (c->heap_size & (c->bitmap_granularity - 1))
        return fail(err, MM_CFG_HEAP_SIZE, "must be a multiple of bitmap_granularity");
    return ok(err);
}

/* ---- boot.cfg values ---- */

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A value with its surrounding blanks removed: [s, s + len). */
typedef struct slice {
    const char *s;
    size_t len;
} slice;

static slice trim(const char *s)
{
    while (is_blank(*s))
        s++;
    size_t len = 0;
    while (s[len])
        len++;
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    return (slice){s, len};
}

/* Case-insensitive equality of the slice with lower-case `word`. */
static bool slice_is(slice v, const char *word)
{
    size_t i = 0;
    for (; i < v.len; i++) {
        if (word[i] == '\0' || lower(v.s[i]) != word[i])
            return false;
    }
    return word[i] == '\0';
}

static int digit_value(char c, uint32_t base)
{
    c = lower(c);
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
    return d < (int)base ? d : -1;
}

/* Shift for a size suffix at v ("", "K", "KiB", "KB", ... "T"); -1 when
 * the suffix is not one of those. */
static int suffix_shift(slice v)
{
    static const char units[] = "kmgt";
    if (v.len == 0)
        return 0;
    int shift = -1;
    for (int i = 0; units[i]; i++) {
        if (lower(v.s[0]) == units[i])
            shift = 10 * (i + 1);
    }
    slice rest = {v.s + 1, v.len - 1};
    if (shift < 0 || !(rest.len == 0 || slice_is(rest, "ib") || slice_is(rest, "b")))
        return -1;
    return shift;
}

/* *n = *n * base + d for base 10 or 16; false on overflow. The limits are
 * constants, so there is no 64-bit division at run time. */
static bool mul_add(uint64_t *n, uint32_t base, uint64_t d)
{
    uint64_t limit = base == 16 ? UINT64_MAX >> 4 : UINT64_MAX / 10;
    if (*n > limit)
        return false;
    uint64_t m = *n * base;
    if (m + d < m)
        return false;
    *n = m + d;
    return true;
}

/* Parses a number with optional 0x prefix and size suffix. */
static const char *parse_number(slice v, uint64_t *out)
{
    uint32_t base = 10;
    if (v.len > 2 && v.s[0] == '0' && lower(v.s[1]) == 'x') {
        base = 16;
        v.s += 2;
        v.len -= 2;
    }
    uint64_t n = 0;
    size_t i = 0;
    for (; i < v.len && digit_value(v.s[i], base) >= 0; i++) {
        if (!mul_add(&n, base, (uint64_t)digit_value(v.s[i], base)))
            return "number too large";
    }
    if (i == 0)
        return "not a number";
    int shift = suffix_shift((slice){v.s + i, v.len - i});
    if (shift < 0)
        return "not a number (suffix must be K, M, G or T)";
    if (shift > 0 && n > (UINT64_MAX >> shift))
        return "number too large";
    *out = n << shift;
    return NULL;
}

static const char *parse_bool(slice v, bool *out)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; i < MM_ARRAY_SIZE(yes); i++) {
        if (slice_is(v, yes[i])) {
            *out = true;
            return NULL;
        }
        if (slice_is(v, no[i])) {
            *out = false;
            return NULL;
        }
    }
    return "not a boolean (on/off, yes/no, true/false, 1/0)";
}

static const char *parse_level(slice v, mm_log_level *out)
{
    char word[8];
    if (v.len >= sizeof word)
        return "not a log level (error, warn, info, debug, trace or 0..4)";
    mm_memcpy(word, v.s, v.len);
    word[v.len] = '\0';
    if (mm_log_level_parse(word, out) != MM_OK)
        return "not a log level (error, warn, info, debug, trace or 0..4)";
    return NULL;
}

/* Where a key's value lives inside mm_config. */
static mm_config_field field_of_key(const char *key)
{
    slice k = trim(key);
    for (unsigned f = MM_CFG_NONE + 1; f < MM_CFG_FIELD_COUNT; f++) {
        if (slice_is(k, field_names[f]))
            return (mm_config_field)f;
    }
    return MM_CFG_NONE;
}

uint64_t *mm_config_number(mm_config *c, mm_config_field field)
{
    switch (field) {
    case MM_CFG_HEAP_SIZE:
        return &c->heap_size;
    case MM_CFG_TEMP_HEAP_SIZE:
        return &c->temp_heap_size;
    case MM_CFG_BITMAP_GRANULARITY:
        return &c->bitmap_granularity;
    case MM_CFG_HEAP_ALIGNMENT:
        return &c->heap_alignment;
    case MM_CFG_MIN_HEAP_ADDR:
        return &c->min_heap_addr;
    default:
        return NULL;
    }
}

/* Parses `v` into field `f` of *c. */
static const char *parse_into(mm_config *c, mm_config_field f, slice v)
{
    uint64_t *num = mm_config_number(c, f);
    if (num)
        return parse_number(v, num);
    if (f == MM_CFG_MEMORY_TEST)
        return parse_bool(v, &c->enable_memory_test);
    if (f == MM_CFG_DETAILED_LOGGING)
        return parse_bool(v, &c->enable_detailed_logging);
    return parse_level(v, &c->log_level);
}

mm_status mm_config_set(mm_config *c, const char *key, const char *value, mm_config_error *err)
{
    if (!c || !key || !value)
        return MM_ERR_INVALID_ARGUMENT;
    mm_config_field f = field_of_key(key);
    if (f == MM_CFG_NONE) {
        fail(err, MM_CFG_NONE, "unknown key");
        return MM_ERR_NOT_FOUND;
    }
    mm_config next = *c;
    const char *why = parse_into(&next, f, trim(value));
    if (!why)
        why = check_field(&next, f);
    if (why)
        return fail(err, f, why);
    *c = next;
    return ok(err);
}
