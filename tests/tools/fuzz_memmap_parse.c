/* libFuzzer harness for mos-memmap's line parser: any bytes give SKIP,
 * ENTRY or ERROR with a message, never a crash or an out-of-bounds read
 * (the input is not NUL-terminated). An entry's range never wraps (one cut
 * at the top ends exactly at 2^64 - 1), its type is a real memory type,
 * and its source matches the form parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/mos-memmap/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy so ASan catches any read past the end. */
    char *line = malloc(size ? size : 1);
    memcpy(line, data, size);
    memmap_line ml;
    const char *error = NULL;
    memmap_parse_result r = memmap_parse_line(line, size, &ml, &error);
    if (!error)
        abort();
    if (r == MEMMAP_LINE_ERROR && error[0] == '\0')
        abort();
    if (r == MEMMAP_LINE_ENTRY) {
        uint64_t end;
        if (!mm_range_end(ml.entry.base, ml.entry.length, &end))
            abort();
        if (ml.top_clipped && end != UINT64_MAX)
            abort();
        if (ml.entry.type == MM_TYPE_NONE || ml.entry.type >= MM_TYPE_COUNT)
            abort();
        if (ml.source <= MEMMAP_SRC_NONE || ml.source >= MEMMAP_SRC_COUNT)
            abort();
    }
    free(line);
    return 0;
}
