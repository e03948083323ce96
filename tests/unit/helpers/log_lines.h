/* A logger sink for tests that check what was logged: every line, each
 * ended by '\n', collected into one NUL-terminated text. */
#ifndef LOG_LINES_H
#define LOG_LINES_H

#include <stddef.h>

#include "mm/log.h"

typedef struct log_lines {
    char text[64 * 1024];
    size_t len; /* characters in text, without the NUL */
    int count;  /* lines received */
} log_lines;

/* mm_logger sink; ctx is a log_lines. A line that does not fit fails the
 * test rather than being lost. */
void log_lines_sink(void *ctx, mm_log_level level, const char *line, size_t len);

/* Forgets the text collected so far (the line count is kept). */
void log_lines_clear(log_lines *l);

#endif
