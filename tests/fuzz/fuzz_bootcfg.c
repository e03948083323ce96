/* boot.cfg fuzzer: any bytes parse without crashing, every string the
 * parser fills stays NUL-terminated inside its buffer, errors stay within
 * the list, a clean parse leaves a valid kernel path, and a file with
 * errors is reported as MM_ERR_CONFIG. The sink accepts `heap_size` with
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bc_bootcfg cfg;
    bc_cfg_errors errs;
    bc_bootcfg_defaults(&cfg);
    bc_cfg_sink sink = {sink_set, NULL};
    mm_status st = bc_bootcfg_parse(data, size, &cfg, sink, &errs);
    terminated(cfg.kernel, sizeof cfg.kernel);
    terminated(cfg.cmdline, sizeof cfg.cmdline);
    if (cfg.kernel[0] != '/' || errs.count > BC_CFG_MAX_ERRORS)
        abort();
    if ((st == MM_OK) != (errs.count == 0 && errs.dropped == 0))
        abort();
    if (cfg.module_count > BC_CFG_MAX_MODULES || cfg.module_bytes > BC_CFG_MODULE_BYTES)
        abort();
    for (uint32_t i = 0; i < cfg.module_count; i++) {
        const char *path, *args;
        if (!bc_bootcfg_module(&cfg, i, &path, &args) || path[0] != '/' ||
            args + strlen(args) >= cfg.modules + cfg.module_bytes + 1)
            abort();
    }
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
