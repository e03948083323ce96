/* Line parser of mos-memmap: one line of dmesg (or of a plain map) to one
 * memory map entry. Kept free of I/O and allocation so a fuzzer can drive
 * it directly. */
#ifndef MOS_MEMMAP_PARSE_H
#define MOS_MEMMAP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "mm/memmap.h"

typedef enum memmap_source {
    MEMMAP_SRC_NONE = 0,
    MEMMAP_SRC_E820,  /* "BIOS-e820: [mem 0x...-0x...] usable" or the old form */
    MEMMAP_SRC_EFI,   /* "efi: memNN: [Conventional|...] range=[...]" or the old form */
    MEMMAP_SRC_PLAIN, /* "START END TYPE", END exclusive */
    MEMMAP_SRC_COUNT
} memmap_source;

typedef enum memmap_parse_result {
    MEMMAP_LINE_SKIP,  /* not a memory map line */
    MEMMAP_LINE_ENTRY, /* *out holds an entry */
    MEMMAP_LINE_ERROR  /* a memory map line that cannot be read; *error says why */
} memmap_parse_result;

typedef struct memmap_line {
    memmap_source source;
    int old_form; /* 1 for the older kernels' formats (exclusive end) */
    /* 1 when the range ran to the very top (inclusive end 2^64 - 1, the
     * newer kernels' form): its exclusive end 2^64 cannot be held, so the
     * entry ends at 2^64 - 1, one byte short -- the clip lib/mm's sanitizer
     * applies to any range reaching 2^64 (mm_map_add rejects such a range). */
    int top_clipped;
    mm_entry entry;
} memmap_line;

/* Parses `len` bytes at `line` (no NUL needed, no newline expected).
 * On MEMMAP_LINE_ERROR, *error points to a static English message. The
 * entry's length is end - start with the end made exclusive, so base +
 * length never wraps; a range that runs to the very top of the address
 * space ends at 2^64 - 1 and has top_clipped set. */
memmap_parse_result memmap_parse_line(const char *line, size_t len, memmap_line *out,
                                      const char **error);

/* "BIOS-e820", "efi", "plain" or "none". */
const char *memmap_source_name(memmap_source s);

#endif
