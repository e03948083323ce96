#include "mm/log.h"

static const char *const level_names[MM_LOG_LEVEL_COUNT] = {
    [MM_LOG_ERROR] = "ERROR", [MM_LOG_WARN] = "WARN",   [MM_LOG_INFO] = "INFO",
    [MM_LOG_DEBUG] = "DEBUG", [MM_LOG_TRACE] = "TRACE",
};

/* Tags padded to one width so messages line up. */
static const char *const level_tags[MM_LOG_LEVEL_COUNT] = {
    [MM_LOG_ERROR] = "[ERROR] ", [MM_LOG_WARN] = "[WARN ] ",  [MM_LOG_INFO] = "[INFO ] ",
    [MM_LOG_DEBUG] = "[DEBUG] ", [MM_LOG_TRACE] = "[TRACE] ",
};

const char *mm_log_level_name(mm_log_level level)
{
    if ((unsigned)level >= MM_LOG_LEVEL_COUNT)
        return "?";
    return level_names[level];
}

bool mm_log_enabled(const mm_logger *lg, mm_log_level level)
{
    return lg && lg->sink && (unsigned)level < MM_LOG_LEVEL_COUNT && level <= lg->level;
}

void mm_vlog(const mm_logger *lg, mm_log_level level, const char *fmt, va_list ap)
{
    if (!mm_log_enabled(lg, level) || !fmt)
        return;
    char line[MM_LOG_LINE_MAX];
    int tag = mm_snprintf(line, sizeof line, "%s", level_tags[level]);
    int body = mm_vsnprintf(line + tag, sizeof line - (size_t)tag, fmt, ap);
    size_t len;
    if (body < 0) {
        len = (size_t)tag + (size_t)mm_snprintf(line + tag, sizeof line - (size_t)tag,
                                                "(bad log format: %s)", fmt);
        if (len > sizeof line - 1)
            len = sizeof line - 1;
    } else if ((size_t)tag + (size_t)body > sizeof line - 1) {
        len = sizeof line - 1;
        mm_memcpy(line + len - 3, "...", 3); /* say that it was cut */
    } else {
        len = (size_t)tag + (size_t)body;
    }
    lg->sink(lg->ctx, level, line, len);
}

void mm_log(const mm_logger *lg, mm_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vlog(lg, level, fmt, ap);
    va_end(ap);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of a NUL-terminated `s` with lower-case `word`. */
static bool word_equal(const char *s, const char *word)
{
    while (*s && *word) {
        if (lower(*s) != *word)
            return false;
        s++;
        word++;
    }
    return *s == '\0' && *word == '\0';
}

mm_status mm_log_level_parse(const char *s, mm_log_level *out)
{
    static const char *const words[MM_LOG_LEVEL_COUNT] = {"error", "warn", "info", "debug",
                                                          "trace"};
    if (!s || !out)
        return MM_ERR_INVALID_ARGUMENT;
    if (s[0] >= '0' && s[0] < '0' + MM_LOG_LEVEL_COUNT && s[1] == '\0') {
        *out = (mm_log_level)(s[0] - '0');
        return MM_OK;
    }
    if (word_equal(s, "warning")) {
        *out = MM_LOG_WARN;
        return MM_OK;
    }
    for (unsigned i = 0; i < MM_LOG_LEVEL_COUNT; i++) {
        if (word_equal(s, words[i])) {
            *out = (mm_log_level)i;
            return MM_OK;
        }
    }
    return MM_ERR_CONFIG;
}
