/* boot.cfg fuzzer: any bytes parse without crashing, every string the
 * parser fills stays NUL-terminated inside its buffer, errors stay within
 * the list in line order, a clean parse leaves a valid kernel path for
 * every entry that needs one, entries and their strings stay inside their
 * fixed storage with valid default/selected indexes (also after errors),
 * and a file with errors is reported as MM_ERR_CONFIG. The sink accepts `heap_size` with
 * digits only, like a numeric memory key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bootcfg.h"

static mm_status sink_set(void *ctx, const char *key, const char *value, const char **why)
{
    (void)ctx;
    if (strcmp(key, "heap_size") != 0)
        return MM_ERR_NOT_FOUND;
    if (strnlen(value, BC_CFG_MAX_LINE + 1) > BC_CFG_MAX_LINE)
        abort();
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9') {
            *why = "not a number";
            return MM_ERR_CONFIG;
        }
    }
    return MM_OK;
}

static void terminated(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort();
}

/* Every pool offset points at a NUL-terminated string inside the pool. */
static void pool_string(const bc_bootcfg *cfg, bc_cfg_str s)
{
    if (s >= cfg->pool_used)
        abort();
    terminated(cfg->pool + s, cfg->pool_used - s);
}

static void check_entry(const bc_bootcfg *cfg, const bc_boot_entry *e, bool clean)
{
    pool_string(cfg, e->name);
    pool_string(cfg, e->kernel);
    pool_string(cfg, e->cmdline);
    if (e->protocol >= BC_PROTO_COUNT || e->module_count > BC_CFG_MAX_MODULES)
        abort();
    if (bc_bootcfg_str(cfg, e->name)[0] == '\0')
        abort();
    for (uint32_t m = 0; m < e->module_count; m++) {
        pool_string(cfg, e->modules[m].path);
        pool_string(cfg, e->modules[m].args);
    }
    bool needs_kernel = e->protocol != BC_PROTO_BIOS_CHAINLOAD;
    if (clean && needs_kernel && bc_bootcfg_str(cfg, e->kernel)[0] != '/')
        abort();
    if (clean && e->partition > 4)
        abort();
}

static void check_entries(const bc_bootcfg *cfg, bool clean)
{
    if (cfg->entry_count == 0 || cfg->entry_count > BC_CFG_MAX_ENTRIES)
        abort();
    if (cfg->pool_used > BC_CFG_POOL_SIZE || cfg->pool[0] != '\0')
        abort();
    if (cfg->default_entry >= cfg->entry_count || cfg->selected != cfg->default_entry)
        abort();
    if (clean && cfg->timeout > BC_CFG_TIMEOUT_MAX)
        abort();
    for (uint32_t i = 0; i < cfg->entry_count; i++)
        check_entry(cfg, &cfg->entries[i], clean);
    const bc_boot_entry *d = &cfg->entries[cfg->default_entry];
    if (strcmp(cfg->kernel, bc_bootcfg_str(cfg, d->kernel)) != 0 ||
        strcmp(cfg->cmdline, bc_bootcfg_str(cfg, d->cmdline)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bc_bootcfg cfg;
    bc_cfg_errors errs;
    bc_bootcfg_defaults(&cfg);
    bc_cfg_sink sink = {sink_set, NULL};
    mm_status st = bc_bootcfg_parse(data, size, &cfg, sink, &errs);
    terminated(cfg.kernel, sizeof cfg.kernel);
    terminated(cfg.cmdline, sizeof cfg.cmdline);
    if (errs.count > BC_CFG_MAX_ERRORS)
        abort();
    check_entries(&cfg, st == MM_OK);
    if ((st == MM_OK) != (errs.count == 0 && errs.dropped == 0))
        abort();
    for (uint32_t i = 0; i < errs.count; i++) {
        char line[256];
        terminated(errs.items[i].key, sizeof errs.items[i].key);
        terminated(errs.items[i].msg, sizeof errs.items[i].msg);
        if (errs.items[i].msg[0] == '\0' || (i && errs.items[i].line < errs.items[i - 1].line))
            abort();
        if (bc_cfg_error_format(&errs.items[i], line, sizeof line) >= sizeof line)
            abort();
    }
    return 0;
}
