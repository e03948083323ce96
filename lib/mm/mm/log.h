/* Leveled logging through a sink the caller provides.
 *
 * lib/mm never logs on its own; the memory test, the allocation tracker,
 * mm_log_map() and the loaders/kernel log through an mm_logger they are
 * handed. The sink decides where lines go (console, serial, a test
 * buffer); the logger only filters by level and formats with mm/fmt.h into
 * a bounded buffer on the stack, so logging needs no heap and no globals.
 *
 * Levels, most to least severe: ERROR, WARN, INFO, DEBUG, TRACE. A logger at
 * level L passes messages of level <= L. The config's
 * enable_detailed_logging flag maps onto these levels: see
 * mm_config_log_level() in mm/config.h. */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stdarg.h>

#include "mm/fmt.h"

typedef enum mm_log_level {
    MM_LOG_ERROR = 0, /* something failed; the caller will stop or fall back */
    MM_LOG_WARN,      /* something was wrong and got fixed or ignored */
    MM_LOG_INFO,      /* one line per major step (map imported, heap placed) */
    MM_LOG_DEBUG,     /* details of each step (every map entry, every carve) */
    MM_LOG_TRACE,     /* per-operation noise (every allocation) */
    MM_LOG_LEVEL_COUNT
} mm_log_level;

/* Bytes of one formatted line including its tag and the NUL. Longer
 * messages are cut and end in "...". */
#define MM_LOG_LINE_MAX 256

/* Receives one complete line: `line` is NUL-terminated, `len` bytes long,
 * starts with the level tag ("[WARN ] ") and has no trailing newline (the
 * sink adds "\n" or "\r\n" as its device wants). `line` is only valid
 * during the call. */
typedef void (*mm_log_sink)(void *ctx, mm_log_level level, const char *line, size_t len);

typedef struct mm_logger {
    mm_log_sink sink;
    void *ctx;          /* passed to sink unchanged */
    mm_log_level level; /* most verbose level let through */
} mm_logger;

/* True when a message at `level` would reach the sink: `lg` is non-NULL,
 * has a sink, and its level is at least `level`. Use it to skip building
 * expensive log output. */
bool mm_log_enabled(const mm_logger *lg, mm_log_level level);

/* Formats `fmt` (mm/fmt.h conversions) prefixed with the level tag and
 * hands the line to the sink. No-op when !mm_log_enabled(lg, level). */
void mm_log(const mm_logger *lg, mm_log_level level, const char *fmt, ...) MM_PRINTF_LIKE(3, 4);
void mm_vlog(const mm_logger *lg, mm_log_level level, const char *fmt, va_list ap);

/* "ERROR", "WARN", "INFO", "DEBUG", "TRACE"; "?" for anything else. */
const char *mm_log_level_name(mm_log_level level);

/* Parses a level name, case-insensitive ("error" .. "trace", also "warning")
 * or its number ("0" .. "4"). Returns MM_OK and sets *out, or
 * MM_ERR_INVALID_ARGUMENT (NULL arguments) / MM_ERR_CONFIG (not a level),
 * leaving *out untouched. */
mm_status mm_log_level_parse(const char *s, mm_log_level *out);

#endif
