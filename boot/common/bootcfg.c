/* boot.cfg parser. Works on the caller's bytes in place: each line is a
 * [start, end) slice; only keys and values handed to the sink are copied
 * into bounded, NUL-terminated stack buffers. */
#include "bootcfg.h"

#include "fbmode.h"

#include "mos/handoff.h"
#include "text.h"

/* Keys of an entry; protocol= is allowed in every entry. */
enum entry_key { EK_PROTOCOL, EK_KERNEL, EK_CMDLINE, EK_MODULE, EK_DRIVE, EK_PARTITION, EK_COUNT };

static const char *const entry_key_name[EK_COUNT] = {
    "protocol", "kernel", "cmdline", "module", "drive", "partition",
};

#define EK_BIT(k) (1u << (k))
#define EK_LOADER (EK_BIT(EK_KERNEL) | EK_BIT(EK_CMDLINE) | EK_BIT(EK_MODULE))

static const struct {
    const char *name;
    uint32_t keys; /* EK_BIT set of the keys the protocol uses */
} protocols[BC_PROTO_COUNT] = {
    [BC_PROTO_MOS] = {"mos", EK_LOADER},
    [BC_PROTO_LINUX] = {"linux", EK_LOADER},
    [BC_PROTO_MULTIBOOT1] = {"multiboot1", EK_LOADER},
    [BC_PROTO_MULTIBOOT2] = {"multiboot2", EK_LOADER},
    [BC_PROTO_EFI] = {"efi", EK_BIT(EK_KERNEL) | EK_BIT(EK_CMDLINE)},
    [BC_PROTO_BIOS_CHAINLOAD] = {"bios-chainload", EK_BIT(EK_DRIVE) | EK_BIT(EK_PARTITION)},
};

/* Parser state for one call. */
typedef struct parser {
    bc_bootcfg *cfg;
    bc_cfg_sink sink;
    bc_cfg_errors *errs;
    uint32_t line;
    bool sections;               /* a `[NAME]` line was seen: keys belong to entries */
    bc_boot_entry *cur;          /* entry being read; NULL when it could not be kept */
    uint32_t key_line[EK_COUNT]; /* line of each key in `cur` (module: the first) */
    uint32_t default_line;
    char default_value[BC_ENTRY_NAME_MAX]; /* "" when longer: then it names nothing */
} parser;

/* A slice of the input. */
typedef struct slice {
    const char *p;
    size_t n;
} slice;

static const slice no_key = {"", 0};

bc_text bc_cfg_errors_add(bc_cfg_errors *errs, uint32_t line, const char *key, size_t key_len)
{
    bc_text t;
    if (errs->count == BC_CFG_MAX_ERRORS) {
        errs->dropped++;
        bc_text_init(&t, NULL, 0);
        return t;
    }
    bc_cfg_error *err = &errs->items[errs->count++];
    err->line = line;
    bc_text_init(&t, err->key, sizeof err->key);
    bc_text_strn(&t, key, key_len);
    bc_text_init(&t, err->msg, sizeof err->msg);
    return t;
}

/* Starts a new error for the current line and `key`. */
static bc_text new_error(parser *ps, slice key)
{
    return bc_cfg_errors_add(ps->errs, ps->line, key.p, key.n);
}

static void report(parser *ps, slice key, const char *msg)
{
    bc_text t = new_error(ps, key);
    bc_text_str(&t, msg);
}

/* An error about an earlier line (checks made when an entry or the file
 * ends); the list is sorted by line at the end. */
static bc_text report_line(parser *ps, uint32_t line, const char *key, const char *msg)
{
    bc_text t = bc_cfg_errors_add(ps->errs, line, key, BC_CFG_KEY_MAX);
    bc_text_str(&t, msg);
    return t;
}

/* "MSG at column N" */
static void report_at(parser *ps, const char *msg, size_t column)
{
    bc_text t = new_error(ps, no_key);
    bc_text_str(&t, msg);
    bc_text_str(&t, " at column ");
    bc_text_u32(&t, (uint32_t)(column + 1));
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static slice trim(slice s)
{
    while (s.n && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True when `s` equals the NUL-terminated `word`, ignoring ASCII case. */
static bool slice_is(slice s, const char *word)
{
    for (size_t i = 0; i < s.n; i++) {
        if (word[i] == '\0' || lower(s.p[i]) != lower(word[i]))
            return false;
    }
    return word[s.n] == '\0';
}

/* Length of the UTF-8 sequence starting at s[i], or 0 when it is invalid
 * (bad lead byte, truncated, bad continuation, overlong, surrogate, or
 * above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n - i < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Checks the bytes of one line; reports the first bad one. */
static bool line_bytes_ok(parser *ps, slice line)
{
    const unsigned char *s = (const unsigned char *)line.p;
    for (size_t i = 0; i < line.n;) {
        if (s[i] == 0) {
            report_at(ps, "NUL byte", i);
            return false;
        }
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
            report_at(ps, "control character", i);
            return false;
        }
        size_t len = utf8_len(s, i, line.n);
        if (len == 0) {
            report_at(ps, "invalid UTF-8", i);
            return false;
        }
        i += len;
    }
    return true;
}

/* Line where `key` was first given in this file, or 0. */
static uint32_t line_of(const bc_bootcfg *cfg, slice key)
{
    for (uint32_t i = 0; i < cfg->key_count && i < BC_CFG_MAX_KEYS; i++) {
        if (slice_is(key, cfg->keys[i].key))
            return cfg->keys[i].line;
    }
    return 0;
}

/* Remembers a known key (lower-cased) and the current line. */
static void remember(parser *ps, slice key)
{
    bc_bootcfg *cfg = ps->cfg;
    if (cfg->key_count >= BC_CFG_MAX_KEYS || key.n >= BC_CFG_KEY_MAX)
        return;
    bc_cfg_key_line *k = &cfg->keys[cfg->key_count++];
    for (size_t i = 0; i < key.n; i++)
        k->key[i] = lower(key.p[i]);
    k->key[key.n] = '\0';
    k->line = ps->line;
}

static void copy_value(char *dst, size_t cap, slice v)
{
    bc_text t;
    bc_text_init(&t, dst, cap);
    bc_text_strn(&t, v.p, v.n);
}

/* Returns a reason when `v` is not an acceptable kernel path, else NULL. */
static const char *path_problem(slice v)
{
    if (v.n == 0)
        return "empty path";
    if (v.p[0] != '/')
        return "path must start with '/'";
    if (v.n >= BC_KERNEL_PATH_MAX)
        return "path longer than 255 bytes";
    if (v.p[v.n - 1] == '/')
        return "path names a directory";
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '\\')
            return "use '/' as the path separator";
        if (v.p[i] == '/' && i + 1 < v.n && v.p[i + 1] == '/')
            return "empty path component ('//')";
    }
    return NULL;
}

static void set_kernel(parser *ps, slice key, slice v)
{
    const char *why = path_problem(v);
    if (why)
        report(ps, key, why);
    else
        copy_value(ps->cfg->kernel, sizeof ps->cfg->kernel, v);
}

static void set_cmdline(parser *ps, slice key, slice v)
{
    if (v.n >= BC_CMDLINE_MAX)
        report(ps, key, "command line longer than 1023 bytes");
    else
        copy_value(ps->cfg->cmdline, sizeof ps->cfg->cmdline, v);
}

static void set_detect(parser *ps, slice key, slice v)
{
    static const struct {
        const char *name;
        uint32_t method;
    } methods[] = {
        {"e820", MOS_BIOS_DETECT_E820},
        {"e801", MOS_BIOS_DETECT_E801},
        {"88h", MOS_BIOS_DETECT_88H},
        {"none", MOS_BIOS_DETECT_FALLBACK},
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(methods); i++) {
        if (slice_is(v, methods[i].name)) {
            ps->cfg->bios_memory_detect = methods[i].method;
            return;
        }
    }
    report(ps, key, "expected e820, e801, 88h or none");
}

/* Hands a key the parser does not own to the sink. Returns false when the
 * sink does not know it either. */
static bool set_other(parser *ps, slice key, slice v)
{
    char k[BC_CFG_KEY_MAX];
    char val[BC_CFG_MAX_LINE + 1];
    if (!ps->sink.set || key.n >= sizeof k)
        return false;
    copy_value(k, sizeof k, key);
    copy_value(val, sizeof val, v);
    const char *why = NULL;
    mm_status st = ps->sink.set(ps->sink.ctx, k, val, &why);
    if (st == MM_ERR_NOT_FOUND)
        return false;
    if (st != MM_OK) {
        bc_text t = new_error(ps, key);
        bc_text_str(&t, why ? why : mm_strerror(st));
        bc_text_str(&t, " (got \"");
        bc_text_strn(&t, v.p, v.n);
        bc_text_str(&t, "\")");
    }
    return true;
}

/* Decimal or 0x-hex number in [min, max]; false when it is not one. */
static bool parse_u32(slice v, uint32_t min, uint32_t max, uint32_t *out)
{
    uint32_t base = 10, val = 0;
    size_t i = 0;
    if (v.n > 2 && v.p[0] == '0' && lower(v.p[1]) == 'x')
        base = 16, i = 2;
    if (i == v.n)
        return false;
    for (; i < v.n; i++) {
        char c = lower(v.p[i]);
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else
            return false;
        if (d > max || val > (max - d) / base)
            return false;
        val = val * base + d;
    }
    if (val < min)
        return false;
    *out = val;
    return true;
}

static bool all_digits(slice v)
{
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    }
    return v.n > 0;
}

/* Copies `v` and a NUL into the pool; 0 (the empty string) when `v` is
 * empty or there is no room (pool_full set). */
static bc_cfg_str pool_put(bc_bootcfg *cfg, slice v, bool *pool_full)
{
    if (v.n == 0)
        return 0;
    if (v.n >= BC_CFG_POOL_SIZE - cfg->pool_used) {
        *pool_full = true;
        return 0;
    }
    bc_cfg_str at = (bc_cfg_str)cfg->pool_used;
    mm_memcpy(cfg->pool + at, v.p, v.n);
    cfg->pool[at + v.n] = '\0';
    cfg->pool_used += (uint32_t)v.n + 1;
    return at;
}

/* pool_put, reporting a full pool at the current line. */
static bc_cfg_str keep(parser *ps, slice key, slice v)
{
    bool full = false;
    bc_cfg_str at = pool_put(ps->cfg, v, &full);
    if (full)
        report(ps, key, "no room left for entry strings (8192 bytes in all)");
    return at;
}

static void set_timeout(parser *ps, slice key, slice v)
{
    if (!parse_u32(v, 0, BC_CFG_TIMEOUT_MAX, &ps->cfg->timeout))
        report(ps, key, "expected seconds from 0 to 3600");
}

/* default= can name an entry further down: resolved when the file ends. */
static void set_default(parser *ps, slice v)
{
    ps->default_line = ps->line;
    if (v.n < sizeof ps->default_value)
        copy_value(ps->default_value, sizeof ps->default_value, v);
}

static void entry_protocol(parser *ps, slice key, slice v)
{
    for (uint32_t i = 0; i < BC_PROTO_COUNT; i++) {
        if (slice_is(v, protocols[i].name)) {
            ps->cur->protocol = (uint8_t)i;
            return;
        }
    }
    report(ps, key, "unknown protocol (mos, linux, multiboot1, multiboot2, efi, bios-chainload)");
}

static void entry_path(parser *ps, slice key, slice v, bc_cfg_str *out)
{
    const char *why = path_problem(v);
    if (why)
        report(ps, key, why);
    else
        *out = keep(ps, key, v);
}

static void entry_cmdline(parser *ps, slice key, slice v)
{
    if (v.n >= BC_CMDLINE_MAX)
        report(ps, key, "command line longer than 1023 bytes");
    else
        ps->cur->cmdline = keep(ps, key, v);
}

/* module=PATH [ARGUMENTS]: the path ends at the first blank. */
static void entry_module(parser *ps, slice key, slice v)
{
    bc_boot_entry *e = ps->cur;
    if (e->module_count == BC_CFG_MAX_MODULES) {
        report(ps, key, "more than 16 modules in this entry");
        return;
    }
    size_t end = 0;
    while (end < v.n && !is_blank(v.p[end]))
        end++;
    slice args = trim((slice){v.p + end, v.n - end});
    if (args.n >= BC_CMDLINE_MAX) {
        report(ps, key, "module arguments longer than 1023 bytes");
        return;
    }
    bc_boot_module *m = &e->modules[e->module_count++];
    m->line = ps->line;
    entry_path(ps, key, (slice){v.p, end}, &m->path);
    m->args = keep(ps, key, args);
}

static void entry_number(parser *ps, slice key, slice v, enum entry_key k)
{
    uint32_t n;
    if (k == EK_DRIVE && parse_u32(v, 0, 0xff, &n))
        ps->cur->drive = (uint8_t)n;
    else if (k == EK_PARTITION && parse_u32(v, 1, 4, &n))
        ps->cur->partition = (uint8_t)n;
    else
        report(ps, key,
               k == EK_DRIVE ? "expected a drive number from 0 to 0xff"
                             : "expected a primary partition from 1 to 4");
}

static int entry_key_of(slice key)
{
    for (int k = 0; k < EK_COUNT; k++) {
        if (slice_is(key, entry_key_name[k]))
            return k;
    }
    return -1;
}

/* A key after a `[NAME]` line. Whether the protocol uses it is checked
 * when the entry ends (protocol= may come after it). */
static void apply_entry(parser *ps, slice key, slice v)
{
    int k = entry_key_of(key);
    if (k < 0) {
        report(ps, key, "not an entry key; global keys go before the first [entry]");
        return;
    }
    if (!ps->cur)
        return;
    if (ps->key_line[k] && k != EK_MODULE) {
        bc_text t = new_error(ps, key);
        bc_text_str(&t, "given twice in this entry (first on line ");
        bc_text_u32(&t, ps->key_line[k]);
        bc_text_str(&t, ")");
        return;
    }
    if (!ps->key_line[k])
        ps->key_line[k] = ps->line;
    if (k == EK_PROTOCOL)
        entry_protocol(ps, key, v);
    else if (k == EK_KERNEL)
        entry_path(ps, key, v, &ps->cur->kernel);
    else if (k == EK_CMDLINE)
        entry_cmdline(ps, key, v);
    else if (k == EK_MODULE)
        entry_module(ps, key, v);
    else
        entry_number(ps, key, v, (enum entry_key)k);
}

static void report_unused(parser *ps, uint32_t line, const char *key, uint32_t protocol)
{
    bc_text t = report_line(ps, line, key, "not used by protocol=");
    bc_text_str(&t, protocols[protocol].name);
}

/* Keys the entry's protocol does not use; each module= line on its own. */
static void check_unused_keys(parser *ps, const bc_boot_entry *e)
{
    uint32_t allowed = protocols[e->protocol].keys;
    for (int k = EK_KERNEL; k < EK_COUNT; k++) {
        if (k != EK_MODULE && ps->key_line[k] && !(allowed & EK_BIT(k)))
            report_unused(ps, ps->key_line[k], entry_key_name[k], e->protocol);
    }
    for (uint32_t m = 0; !(allowed & EK_BIT(EK_MODULE)) && m < e->module_count; m++)
        report_unused(ps, e->modules[m].line, "module", e->protocol);
}

/* Checks made once the whole entry is known (protocol= may come last):
 * unused keys and a missing kernel=. */
static void close_entry(parser *ps)
{
    const bc_boot_entry *e = ps->cur;
    if (!e)
        return;
    ps->cur = NULL;
    check_unused_keys(ps, e);
    if ((protocols[e->protocol].keys & EK_BIT(EK_KERNEL)) && !ps->key_line[EK_KERNEL]) {
        bc_text t = report_line(ps, e->line, "", "entry \"");
        bc_text_str(&t, bc_bootcfg_str(ps->cfg, e->name));
        bc_text_str(&t, "\" has no kernel=");
    }
}

/* kernel= and cmdline= before the first entry would silently do nothing
 * in a file with entries. */
static void check_globals_unused(parser *ps)
{
    static const char *const loose[] = {"kernel", "cmdline"};
    for (size_t i = 0; i < MM_ARRAY_SIZE(loose); i++) {
        uint32_t line = bc_bootcfg_key_line(ps->cfg, loose[i]);
        if (line)
            report_line(ps, line, loose[i], "belongs in an entry: this file has [entries]");
    }
}

/* Index of the entry named `name` (ignoring case), or -1. */
static int32_t entry_named(const bc_bootcfg *cfg, slice name)
{
    for (uint32_t i = 0; i < cfg->entry_count; i++) {
        if (slice_is(name, bc_bootcfg_str(cfg, cfg->entries[i].name)))
            return (int32_t)i;
    }
    return -1;
}

/* Returns a reason when `name` cannot be kept as an entry name, else NULL. */
static const char *name_problem(const bc_bootcfg *cfg, slice name)
{
    if (name.n == 0)
        return "empty entry name";
    if (name.n >= BC_ENTRY_NAME_MAX)
        return "entry name longer than 63 bytes";
    if (cfg->entry_count == BC_CFG_MAX_ENTRIES)
        return "more than 16 entries";
    return NULL;
}

/* `[NAME]` (already trimmed): ends the previous entry and starts one. */
static void start_entry(parser *ps, slice s)
{
    bc_bootcfg *cfg = ps->cfg;
    close_entry(ps);
    if (!ps->sections)
        check_globals_unused(ps);
    ps->sections = true;
    mm_memset(ps->key_line, 0, sizeof ps->key_line);
    if (s.p[s.n - 1] != ']') {
        report(ps, s, "expected [NAME]");
        return;
    }
    slice name = trim((slice){s.p + 1, s.n - 2});
    const char *why = name_problem(cfg, name);
    if (why) {
        report(ps, name, why);
        return;
    }
    int32_t twin = entry_named(cfg, name);
    if (twin >= 0) {
        bc_text t = new_error(ps, name);
        bc_text_str(&t, "entry name given twice (first on line ");
        bc_text_u32(&t, cfg->entries[twin].line);
        bc_text_str(&t, ")");
    }
    bc_boot_entry *e = &cfg->entries[cfg->entry_count];
    mm_memset(e, 0, sizeof *e);
    e->line = ps->line;
    e->drive = BC_CHAINLOAD_DRIVE_DEFAULT;
    e->name = keep(ps, name, name);
    if (e->name) {
        cfg->entry_count++;
        ps->cur = e;
    }
}

/* The one entry of a file without `[NAME]` lines (or of no file). */
static void add_legacy_entry(bc_bootcfg *cfg)
{
    static const slice name = {BC_LEGACY_ENTRY_NAME, sizeof BC_LEGACY_ENTRY_NAME - 1};
    bool full = false; /* cannot happen: the pool is empty and larger than both */
    bc_boot_entry *e = &cfg->entries[0];
    mm_memset(e, 0, sizeof *e);
    e->protocol = BC_PROTO_MOS;
    e->drive = BC_CHAINLOAD_DRIVE_DEFAULT;
    e->name = pool_put(cfg, name, &full);
    e->kernel =
        pool_put(cfg, (slice){cfg->kernel, bc_strnlen(cfg->kernel, BC_KERNEL_PATH_MAX)}, &full);
    e->cmdline =
        pool_put(cfg, (slice){cfg->cmdline, bc_strnlen(cfg->cmdline, BC_CMDLINE_MAX)}, &full);
    cfg->entry_count = 1;
}

/* default= by number (all digits) or by name, once every entry is known. */
static void resolve_default(parser *ps)
{
    bc_bootcfg *cfg = ps->cfg;
    slice v = {ps->default_value, bc_strnlen(ps->default_value, sizeof ps->default_value)};
    uint32_t n = 0;
    cfg->default_entry = 0;
    if (!ps->default_line)
        return;
    if (all_digits(v)) {
        if (parse_u32(v, 1, cfg->entry_count, &n)) {
            cfg->default_entry = n - 1;
            return;
        }
        bc_text t = report_line(ps, ps->default_line, "default", "no entry number ");
        bc_text_strn(&t, v.p, v.n);
        bc_text_str(&t, " (entries: ");
        bc_text_u32(&t, cfg->entry_count);
        bc_text_str(&t, ")");
        return;
    }
    int32_t i = v.n ? entry_named(cfg, v) : -1;
    if (i >= 0) {
        cfg->default_entry = (uint32_t)i;
        return;
    }
    bc_text t = report_line(ps, ps->default_line, "default", "names no entry");
    if (v.n) {
        bc_text_str(&t, ": \"");
        bc_text_strn(&t, v.p, v.n);
        bc_text_str(&t, "\"");
    }
}

/* Stable insertion sort by line: checks made at the end of an entry or
 * of the file report earlier lines. */
static void sort_errors(bc_cfg_errors *errs)
{
    for (uint32_t i = 1; i < errs->count; i++) {
        bc_cfg_error cur = errs->items[i];
        uint32_t j = i;
        for (; j > 0 && errs->items[j - 1].line > cur.line; j--)
            errs->items[j] = errs->items[j - 1];
        errs->items[j] = cur;
    }
}

static void set_resolution(parser *ps, slice key, slice v)
{
    char buf[16];
    const char *why = "expected WIDTHxHEIGHT";
    uint32_t w, h;
    if (v.n < sizeof buf) {
        copy_value(buf, sizeof buf, v);
        if (bc_fb_parse_resolution(buf, &w, &h, &why) == MM_OK) {
            ps->cfg->fb_width = w;
            ps->cfg->fb_height = h;
            return;
        }
    }
    report(ps, key, why);
}

static void apply(parser *ps, slice key, slice v)
{
    if (ps->sections) {
        apply_entry(ps, key, v);
        return;
    }
    uint32_t first = line_of(ps->cfg, key);
    if (first) {
        bc_text t = new_error(ps, key);
        bc_text_str(&t, "given twice (first on line ");
        bc_text_u32(&t, first);
        bc_text_str(&t, ")");
        return;
    }
    if (slice_is(key, "kernel"))
        set_kernel(ps, key, v);
    else if (slice_is(key, "cmdline"))
        set_cmdline(ps, key, v);
    else if (slice_is(key, "bios_memory_detect"))
        set_detect(ps, key, v);
    else if (slice_is(key, "resolution"))
        set_resolution(ps, key, v);
    else if (slice_is(key, "timeout"))
        set_timeout(ps, key, v);
    else if (slice_is(key, "default"))
        set_default(ps, v);
    else if (!set_other(ps, key, v)) {
        report(ps, key, "unknown key");
        return;
    }
    remember(ps, key);
}

static void parse_line(parser *ps, slice line)
{
    if (line.n > BC_CFG_MAX_LINE) {
        report(ps, no_key, "line longer than 1024 bytes");
        return;
    }
    if (!line_bytes_ok(ps, line))
        return;
    slice s = trim(line);
    if (s.n == 0 || s.p[0] == '#')
        return;
    if (s.p[0] == '[') {
        start_entry(ps, s);
        return;
    }
    size_t eq = 0;
    while (eq < s.n && s.p[eq] != '=')
        eq++;
    if (eq == s.n) {
        report(ps, s, "expected key=value");
        return;
    }
    slice key = trim((slice){s.p, eq});
    slice value = trim((slice){s.p + eq + 1, s.n - eq - 1});
    if (key.n == 0) {
        report(ps, key, "missing key before '='");
        return;
    }
    apply(ps, key, value);
}

void bc_bootcfg_defaults(bc_bootcfg *cfg)
{
    mm_memset(cfg, 0, sizeof *cfg);
    copy_value(cfg->kernel, sizeof cfg->kernel,
               (slice){BC_KERNEL_PATH_DEFAULT, sizeof BC_KERNEL_PATH_DEFAULT - 1});
    cfg->bios_memory_detect = MOS_BIOS_DETECT_E820;
    cfg->fb_width = cfg->fb_height = 0;
    cfg->timeout = BC_CFG_TIMEOUT_DEFAULT;
    cfg->pool_used = 1; /* offset 0: the empty string */
    add_legacy_entry(cfg);
}

/* Forgets the entries (keeps the global values). */
static void reset_entries(bc_bootcfg *cfg)
{
    cfg->entry_count = 0;
    cfg->default_entry = 0;
    cfg->selected = 0;
    cfg->pool_used = 1;
    cfg->pool[0] = '\0';
}

/* After the last line: the entry's checks, the legacy entry, default=. */
static void finish(parser *ps)
{
    close_entry(ps);
    if (ps->cfg->entry_count == 0)
        add_legacy_entry(ps->cfg);
    resolve_default(ps);
    bc_bootcfg_select(ps->cfg, ps->cfg->default_entry);
    sort_errors(ps->errs);
}

const bc_boot_entry *bc_bootcfg_entry(const bc_bootcfg *cfg, uint32_t index)
{
    if (!cfg || index >= cfg->entry_count || index >= BC_CFG_MAX_ENTRIES)
        return NULL;
    return &cfg->entries[index];
}

const char *bc_bootcfg_str(const bc_bootcfg *cfg, bc_cfg_str s)
{
    if (!cfg || s >= cfg->pool_used || cfg->pool_used > BC_CFG_POOL_SIZE)
        return "";
    return cfg->pool + s;
}

mm_status bc_bootcfg_select(bc_bootcfg *cfg, uint32_t index)
{
    const bc_boot_entry *e = bc_bootcfg_entry(cfg, index);
    if (!e)
        return MM_ERR_INVALID_ARGUMENT;
    const char *kernel = bc_bootcfg_str(cfg, e->kernel);
    const char *cmdline = bc_bootcfg_str(cfg, e->cmdline);
    copy_value(cfg->kernel, sizeof cfg->kernel,
               (slice){kernel, bc_strnlen(kernel, BC_KERNEL_PATH_MAX)});
    copy_value(cfg->cmdline, sizeof cfg->cmdline,
               (slice){cmdline, bc_strnlen(cmdline, BC_CMDLINE_MAX)});
    cfg->selected = index;
    return MM_OK;
}

const char *bc_protocol_refusal(uint32_t protocol, uint32_t boot_mode)
{
    if (protocol == BC_PROTO_EFI && boot_mode != MOS_BOOT_MODE_UEFI)
        return "protocol=efi needs UEFI firmware";
    if (protocol == BC_PROTO_BIOS_CHAINLOAD && boot_mode != MOS_BOOT_MODE_BIOS)
        return "protocol=bios-chainload needs BIOS firmware";
    return protocol < BC_PROTO_COUNT ? NULL : "unknown protocol";
}

const char *bc_protocol_name(uint32_t protocol)
{
    return protocol < BC_PROTO_COUNT ? protocols[protocol].name : "?";
}

mm_status bc_bootcfg_parse(const void *text, size_t len, bc_bootcfg *cfg, bc_cfg_sink sink,
                           bc_cfg_errors *errs)
{
    if (!cfg || !errs || (!text && len))
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(errs, 0, sizeof *errs);
    cfg->key_count = 0;
    reset_entries(cfg);
    parser ps = {.cfg = cfg, .sink = sink, .errs = errs};
    if (len > BC_CFG_MAX_FILE) {
        report(&ps, no_key, "file larger than 65536 bytes");
        finish(&ps);
        return MM_ERR_CONFIG;
    }
    const char *p = (const char *)text;
    size_t pos = 0;
    if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
        (unsigned char)p[2] == 0xbf)
        pos = 3; /* UTF-8 byte order mark, as some Windows editors write */
    while (pos < len) {
        size_t end = pos;
        while (end < len && p[end] != '\n')
            end++;
        slice line = {p + pos, end - pos};
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        ps.line++;
        parse_line(&ps, line);
        pos = end + 1;
    }
    finish(&ps);
    return errs->count + errs->dropped ? MM_ERR_CONFIG : MM_OK;
}

uint32_t bc_bootcfg_key_line(const bc_bootcfg *cfg, const char *key)
{
    if (!cfg || !key)
        return 0;
    return line_of(cfg, (slice){key, bc_strnlen(key, BC_CFG_KEY_MAX)});
}

size_t bc_cfg_error_format(const bc_cfg_error *err, char *buf, size_t size)
{
    bc_text t;
    bc_text_init(&t, buf, size);
    bc_text_str(&t, "boot.cfg");
    if (err->line) {
        bc_text_str(&t, " line ");
        bc_text_u32(&t, err->line);
    }
    bc_text_str(&t, ": ");
    if (err->key[0]) {
        bc_text_strn(&t, err->key, sizeof err->key);
        bc_text_str(&t, ": ");
    }
    bc_text_strn(&t, err->msg, sizeof err->msg);
    return t.len;
}
