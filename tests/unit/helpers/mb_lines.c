#include "mb_lines.h"

#include <stdio.h>
#include <string.h>

void mb_lines_reset(mb_lines *l, const host_window *hw)
{
    l->hw = hw;
    l->len = 0;
    l->text[0] = '\0';
}

const void *mb_lines_mem(void *env, uint64_t addr, uint64_t len)
{
    const mb_lines *l = env;
    uint64_t base = l->hw->w.base, size = l->hw->size;
    if (len == 0 || addr < base || addr - base >= size || len > size - (addr - base))
        return NULL;
    return host_window_ptr(l->hw, addr);
}

void mb_lines_out(void *env, const char *line)
{
    mb_lines *l = env;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", line);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
}

bool mb_lines_has(const mb_lines *l, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = l->text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == l->text || p[-1] == '\n') && p[n] == '\n')
            return true;
    }
    return false;
}
