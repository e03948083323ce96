/* The Multiboot checker's (tests/multiboot/mbcheck.c) view of a host
 * suite's machine: physical memory through a host window, its `MB ...`
 * lines collected into one text, newline after each. Pass an mb_lines as
 * mbc_ctx.env with mem = mb_lines_mem, out = mb_lines_out. */
#ifndef TEST_MB_LINES_H
#define TEST_MB_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_window.h"

typedef struct mb_lines {
    const host_window *hw;
    char text[16384];
    size_t len;
} mb_lines;

/* Empties the text; `hw` is the memory the checker may read. */
void mb_lines_reset(mb_lines *l, const host_window *hw);

/* mbc_ctx.mem: the window's pointer for [addr, addr + len), NULL outside. */
const void *mb_lines_mem(void *env, uint64_t addr, uint64_t len);

/* mbc_ctx.out: appends the line (dropped when the text is full). */
void mb_lines_out(void *env, const char *line);

/* True when `line` is one whole line of the text. */
bool mb_lines_has(const mb_lines *l, const char *line);

#endif
