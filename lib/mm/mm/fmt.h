/* A small freestanding printf, shared by both loaders, the kernel and lib/mm.
 *
 * Everything is built on one streaming formatter, mm_vcbprintf(), that hands
 * the output in pieces to a write callback; the loaders pass a callback that
 * writes to the console and the serial port, so no big buffer is needed.
 * mm_vsnprintf() is the same formatter with a callback that fills a bounded
 * buffer.
 *
 * Supported, with C semantics:
 *   conversions  %d %i %u %x %X %o %c %s %p %%
 *   flags        - 0 + space #
 *   width        decimal or `*` (a negative `*` width means `-` flag)
 *   precision    .decimal or .* (a negative `*` precision counts as absent)
 *   length       hh h l ll z j t  (`l` is read as `long`, whatever its width
 *                on the target: 32 bits on i386 and UEFI, 64 on the kernel)
 * Differences from C:
 *   - %p prints "0x" and the lower-case hex address ("0x0" for NULL);
 *   - %s with a NULL pointer prints "(null)" (cut by the precision);
 *   - floating point, %n and any other conversion are not supported: the
 *     conversion text is copied to the output as it is and no argument is
 *     consumed (except those of `*` fields);
 *   - a width or precision above MM_FMT_MAX_FIELD, or output longer than
 *     INT32_MAX characters, makes the call return -1 (C's EOVERFLOW case).
 *
 * 64-bit numbers are converted without 64-bit division (i386 has no
 * __udivdi3): decimal digits come from subtracting powers of ten. */
#ifndef MM_FMT_H
#define MM_FMT_H

#include <stdarg.h>

#include "mm/base.h"

/* Largest width or precision accepted, in characters. */
#define MM_FMT_MAX_FIELD 4096

/* Receives `len` bytes of output at `s` (not NUL-terminated; `len` > 0).
 * Called many times per format call, in output order. */
typedef void (*mm_write_fn)(void *ctx, const char *s, size_t len);

#if defined(__GNUC__) || defined(__clang__)
#define MM_PRINTF_LIKE(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define MM_PRINTF_LIKE(fmt_index, first_arg)
#endif

/* Formats `fmt` with `ap`, passing the output to `fn(ctx, ...)`.
 * Returns the number of characters produced, or -1 when `fn` or `fmt` is
 * NULL or a field or the total length is too large (see above). */
int mm_vcbprintf(mm_write_fn fn, void *ctx, const char *fmt, va_list ap);
int mm_cbprintf(mm_write_fn fn, void *ctx, const char *fmt, ...) MM_PRINTF_LIKE(3, 4);

/* Formats into `buf` of `size` bytes. Like C's vsnprintf: writes at most
 * size - 1 characters followed by a NUL when size > 0 (buf may be NULL when
 * size is 0) and returns the length the full output would have had, so
 * a return value >= size means the output was truncated. Returns -1 on the
 * errors of mm_vcbprintf(); buf is then still NUL-terminated. */
int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int mm_snprintf(char *buf, size_t size, const char *fmt, ...) MM_PRINTF_LIKE(3, 4);

/* Writes a human-readable size for `bytes` into `buf` (`size` bytes,
 * truncated and NUL-terminated like mm_snprintf):
 *   below 1 KiB            exact bytes         "512 B"
 *   exact multiple of unit  whole units         "640 KiB", "1 MiB"
 *   otherwise               two decimals, cut   "1.50 GiB" (never rounded up)
 * Units are binary: KiB MiB GiB TiB PiB EiB. Integer math only.
 * Returns the length of the full text (at most MM_FMT_BYTES_MAX - 1). */
#define MM_FMT_BYTES_MAX 16
size_t mm_fmt_bytes(char *buf, size_t size, uint64_t bytes);

#endif
