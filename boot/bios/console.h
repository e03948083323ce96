/* Stage 2 output: every byte goes to COM1 (0x3f8) and to VGA text memory. */
#ifndef BIOS_CONSOLE_H
#define BIOS_CONSOLE_H

#include <stdarg.h>

/* Sets up COM1 (115200 8N1) and clears the VGA text screen. */
void con_init(void);

/* Writes NUL-terminated `s` (LF becomes CR LF on serial). */
void con_write(const char *s);

/* printf-style line output (mm_snprintf formats) ending in a newline. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "MOS-BIOS: FATAL: <message>", reports LOADER_FAIL_CODE on
 * isa-debug-exit (port 0xf4) and halts with interrupts off. */
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *fmt, ...);

#endif
