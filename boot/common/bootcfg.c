/* boot.cfg parser. Works on the caller's bytes in place: each line is a
 * [start, end) slice; only keys and values handed to the sink are copied
 * into bounded, NUL-terminated stack buffers. */
#include "bootcfg.h"

#include "mos/handoff.h"
#include "text.h"

/* Parser state for one call. */
typedef struct parser {
    bc_bootcfg *cfg;
    bc_cfg_sink sink;
    bc_cfg_errors *errs;
    uint32_t line;
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

static void set_protocol(parser *ps, slice key, slice v)
{
    static const char *const names[] = {"mos", "multiboot1", "multiboot2"};
    for (uint32_t i = 0; i < MM_ARRAY_SIZE(names); i++) {
        if (slice_is(v, names[i])) {
            ps->cfg->protocol = i; /* BC_PROTOCOL_* in the same order */
            return;
        }
    }
    report(ps, key, "expected mos, multiboot1 or multiboot2");
}

/* Appends `n` bytes of `s` and a NUL to the module store (room checked). */
static void module_put(bc_bootcfg *cfg, slice s)
{
    mm_memcpy(cfg->modules + cfg->module_bytes, s.p, s.n);
    cfg->module_bytes += (uint32_t)s.n;
    cfg->modules[cfg->module_bytes++] = '\0';
}

/* "PATH [ARGS]": the path up to the first blank, the rest trimmed. */
static void add_module(parser *ps, slice key, slice v)
{
    bc_bootcfg *cfg = ps->cfg;
    size_t cut = 0;
    while (cut < v.n && !is_blank(v.p[cut]))
        cut++;
    slice path = {v.p, cut}, args = trim((slice){v.p + cut, v.n - cut});
    const char *why = path_problem(path);
    /* Modules mean nothing to the MultiOS protocol; asking for the
     * protocol first keeps every error on the line that caused it. */
    if (cfg->protocol == BC_PROTOCOL_MOS)
        why = "needs protocol=multiboot1 or multiboot2 on an earlier line";
    if (why) {
        report(ps, key, why);
        return;
    }
    if (cfg->module_count == BC_CFG_MAX_MODULES) {
        report(ps, key, "more than 16 modules");
        return;
    }
    if (path.n + args.n + 2 > BC_CFG_MODULE_BYTES - cfg->module_bytes) {
        report(ps, key, "module lines longer than 4096 bytes in all");
        return;
    }
    module_put(cfg, path);
    module_put(cfg, args);
    cfg->module_count++;
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

static void apply(parser *ps, slice key, slice v)
{
    if (slice_is(key, "module")) { /* the one key given once per module */
        add_module(ps, key, v);
        if (!line_of(ps->cfg, key))
            remember(ps, key);
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
    else if (slice_is(key, "protocol"))
        set_protocol(ps, key, v);
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
}

mm_status bc_bootcfg_parse(const void *text, size_t len, bc_bootcfg *cfg, bc_cfg_sink sink,
                           bc_cfg_errors *errs)
{
    if (!cfg || !errs || (!text && len))
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(errs, 0, sizeof *errs);
    cfg->key_count = 0;
    cfg->module_count = 0; /* modules come from this file only */
    cfg->module_bytes = 0;
    parser ps = {.cfg = cfg, .sink = sink, .errs = errs};
    if (len > BC_CFG_MAX_FILE) {
        report(&ps, no_key, "file larger than 65536 bytes");
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
    return errs->count + errs->dropped ? MM_ERR_CONFIG : MM_OK;
}

bool bc_bootcfg_module(const bc_bootcfg *cfg, uint32_t index, const char **path, const char **args)
{
    if (!cfg || !path || !args || index >= cfg->module_count)
        return false;
    const char *p = cfg->modules;
    for (uint32_t i = 0; i < 2 * index; i++)
        p += bc_strnlen(p, BC_CFG_MODULE_BYTES) + 1;
    *path = p;
    *args = p + bc_strnlen(p, BC_CFG_MODULE_BYTES) + 1;
    return true;
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
