/* Stage 2 output: every byte goes to COM1 (0x3f8) and to VGA text memory. */
#ifndef BIOS_CONSOLE_H
#define BIOS_CONSOLE_H

#include "common/fbcon.h"
#include "mm/log.h"

/* Sets up COM1 (115200 8N1) and clears the VGA text screen. */
void con_init(void);

/* Writes `len` bytes (LF becomes CR LF on serial). */
void con_write(const char *s, size_t len);

/* mm_log_sink writing one line to both devices. */
void con_log_sink(void *ctx, mm_log_level level, const char *line, size_t len);

/* From now on the log is drawn on `fb` (kept by reference) instead of VGA
 * text memory; COM1 as before. */
void con_use_framebuffer(bc_fbcon *fb);

/* The loader's logger (level from boot.cfg once it is read). */
extern mm_logger con_log;

/* Logs "FATAL: <message>" at ERROR level (whatever the configured level),
 * writes LOADER_FAIL_CODE to isa-debug-exit (port 0xf4: QEMU then exits
 * with status 0x5d; harmless where the device is absent) and halts with
 * interrupts off. */
_Noreturn void fatal(const char *fmt, ...) MM_PRINTF_LIKE(1, 2);

/* After an error was logged: "boot stopped", LOADER_FAIL_CODE to
 * isa-debug-exit, halt with interrupts off. */
_Noreturn void con_halt(void);

#endif
