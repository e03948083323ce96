/* Minimal formatter for stage 2 until it can use lib/mm's mm_snprintf. */
#ifndef BIOS_FMT_H
#define BIOS_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Formats into buf (always NUL-terminated when size > 0): %s %c %d %u %x
 * and the ll forms, with optional zero-pad and width. Returns bytes written. */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
