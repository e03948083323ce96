/* The bridge between boot.cfg and lib/mm: memory keys go to the
 * mm_config, cross-key checks get a line number, and the collected errors
 * go to a logger. Shared by both front ends so they print the same text. */
#include "bootcfg.h"

#include "mm/config.h"
#include "mm/log.h"
#include "text.h"

static mm_status mm_sink_set(void *ctx, const char *key, const char *value, const char **why)
{
    mm_config_error err = {MM_CFG_NONE, ""};
    mm_status st = mm_config_set((mm_config *)ctx, key, value, &err);
    if (st != MM_OK && st != MM_ERR_NOT_FOUND)
        *why = err.reason;
    return st;
}

bc_cfg_sink bc_cfg_sink_mm(struct mm_config *mem)
{
    bc_cfg_sink sink = {mm_sink_set, mem};
    return sink;
}

mm_status bc_bootcfg_validate_mm(const bc_bootcfg *cfg, const struct mm_config *mem,
                                 bc_cfg_errors *errs)
{
    mm_config_error ce = {MM_CFG_NONE, ""};
    if (!cfg || !mem || !errs)
        return MM_ERR_INVALID_ARGUMENT;
    if (mm_config_validate(mem, &ce) == MM_OK)
        return MM_OK;
    const char *key = mm_config_field_name(ce.field);
    uint32_t line = bc_bootcfg_key_line(cfg, key);
    bc_text t = bc_cfg_errors_add(errs, line, key, BC_CFG_KEY_MAX);
    bc_text_str(&t, ce.reason);
    if (!line)
        bc_text_str(&t, " (default value)");
    return MM_ERR_CONFIG;
}

void bc_cfg_errors_log(const bc_cfg_errors *errs, const struct mm_logger *log)
{
    char line[BC_CFG_MSG_MAX + BC_CFG_KEY_MAX + 32];
    for (uint32_t i = 0; errs && i < errs->count && i < BC_CFG_MAX_ERRORS; i++) {
        bc_cfg_error_format(&errs->items[i], line, sizeof line);
        mm_log(log, MM_LOG_ERROR, "%s", line);
    }
    if (errs && errs->dropped)
        mm_log(log, MM_LOG_ERROR, "boot.cfg: %u more problems not shown", errs->dropped);
}

mm_status bc_bootcfg_load(const void *text, size_t len, bc_bootcfg *cfg, struct mm_config *mem,
                          struct mm_logger *log)
{
    bc_cfg_errors errs;
    mm_memset(&errs, 0, sizeof(errs));
    mm_status st = MM_OK;
    mm_config_defaults(mem);
    bc_bootcfg_defaults(cfg);
    if (!text) {
        mm_log(log, MM_LOG_INFO, "boot.cfg: not found, using the defaults");
    } else {
        st = bc_bootcfg_parse(text, len, cfg, bc_cfg_sink_mm(mem), &errs);
        if (st == MM_OK)
            mm_log(log, MM_LOG_INFO, "boot.cfg: read (%llu bytes)", (unsigned long long)len);
    }
    if (st == MM_OK)
        st = bc_bootcfg_validate_mm(cfg, mem, &errs);
    if (st != MM_OK) {
        bc_cfg_errors_log(&errs, log);
        return st;
    }
    log->level = mm_config_log_level(mem);
    return MM_OK;
}
