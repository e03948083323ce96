/* Bounded text building for boot/common's messages (no libc, no 64-bit
 * division: hex for addresses, decimal only for 32-bit counts). */
#ifndef BC_TEXT_H
#define BC_TEXT_H

#include "mm/base.h"

/* A NUL-terminated string being built in `cap` bytes at `p`. Output that
 * does not fit is cut; the buffer stays NUL-terminated when cap > 0. */
typedef struct bc_text {
    char *p;
    size_t cap; /* bytes at p, including room for the NUL */
    size_t len; /* characters written, without the NUL */
} bc_text;

/* Starts an empty string in `buf` (may be NULL only when cap is 0). */
void bc_text_init(bc_text *t, char *buf, size_t cap);

/* Appends the NUL-terminated `s` (NULL appends "(null)"). */
void bc_text_str(bc_text *t, const char *s);

/* Appends `n` bytes of `s`, stopping early at a NUL. */
void bc_text_strn(bc_text *t, const char *s, size_t n);

/* Appends "0x" and `v` in lower-case hex without leading zeros. */
void bc_text_hex(bc_text *t, uint64_t v);

/* Appends `v` in decimal. */
void bc_text_u32(bc_text *t, uint32_t v);

/* Length of the NUL-terminated `s`, at most `max` (stops there). */
size_t bc_strnlen(const char *s, size_t max);

#endif
