/* Random key/value strings into mm_config_set. Input: key and value split
 * at the first '=' (a single NUL-free line), like a boot.cfg line; several
 * lines per input are applied in order to one config.
 * Checks: never crash; MM_OK leaves a config whose every single-field rule
 * holds, so validate either passes or names a real field; errors name a
 * field (bad value) or none (unknown key) and leave the config unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/config.h"

static void apply_line(mm_config *c, const char *line)
{
    char buf[256];
    size_t n = strlen(line);
    if (n >= sizeof buf)
        return;
    memcpy(buf, line, n + 1);
    char *eq = strchr(buf, '=');
    if (!eq)
        return;
    *eq = '\0';
    mm_config before = *c;
    mm_config_error err = {MM_CFG_FIELD_COUNT, NULL};
    mm_status st = mm_config_set(c, buf, eq + 1, &err);
    if (st == MM_OK) {
        mm_config_error verr;
        mm_status vs = mm_config_validate(c, &verr);
        if (vs != MM_OK && (verr.field == MM_CFG_NONE || verr.field >= MM_CFG_FIELD_COUNT))
            abort();
        /* The only cross-field rule: heap_size against bitmap_granularity. */
        if (vs != MM_OK && verr.field != MM_CFG_HEAP_SIZE)
            abort();
        return;
    }
    if (memcmp(&before, c, sizeof before) != 0)
        abort();
    if (st == MM_ERR_NOT_FOUND && err.field != MM_CFG_NONE)
        abort();
    if (st == MM_ERR_CONFIG && (err.field == MM_CFG_NONE || err.field >= MM_CFG_FIELD_COUNT))
        abort();
    if (st != MM_ERR_NOT_FOUND && st != MM_ERR_CONFIG)
        abort();
    if (!err.reason || !err.reason[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    mm_config c;
    mm_config_defaults(&c);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        apply_line(&c, line);
    free(text);
    return 0;
}
