#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "log_lines.h"

void log_lines_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)level;
    log_lines *l = ctx;
    assert_true(l->len + len + 2 <= sizeof l->text);
    memcpy(l->text + l->len, line, len);
    l->len += len;
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
    l->count++;
}

void log_lines_clear(log_lines *l)
{
    l->len = 0;
    l->text[0] = '\0';
}
