/* Status codes returned by every lib/mm function.
 *
 * Library functions never panic and never log on their own: they return one
 * of these and leave the decision (fallback, retry, halt) to the loader or
 * kernel that called them. */
#ifndef MM_STATUS_H
#define MM_STATUS_H

typedef enum mm_status {
    MM_OK = 0,
    MM_ERR_OUT_OF_MEMORY,    /* no free range/frames/bytes large enough */
    MM_ERR_HEAP_INIT,        /* boot heap could not be placed or set up */
    MM_ERR_BITMAP_INIT,      /* frame bitmap could not be set up */
    MM_ERR_MAP_INVALID,      /* memory map breaks an invariant or is malformed */
    MM_ERR_MAP_FULL,         /* memory map needs more entries than its capacity */
    MM_ERR_INVALID_ARGUMENT, /* NULL pointer, zero size, non-power-of-two alignment ... */
    MM_ERR_OVERFLOW,         /* base + length (or an alignment step) passes 2^64 */
    MM_ERR_OUT_OF_RANGE,     /* address/frame outside what the structure covers */
    MM_ERR_NOT_USABLE,       /* range is not usable RAM (firmware, MMIO, loader-owned) */
    MM_ERR_DOUBLE_FREE,      /* frame/block freed twice */
    MM_ERR_FOREIGN_POINTER,  /* pointer does not belong to this pool/heap */
    MM_ERR_NOT_FOUND,        /* lookup found nothing */
    MM_ERR_CONFIG,           /* a configuration value is out of range */
    MM_ERR_MEMTEST_FAILED,   /* the memory test found bad frames */
    MM_ERR_BUFFER_TOO_SMALL, /* caller-provided storage/scratch is too small */
    MM_ERR_RETRY,            /* the state changed under the caller: try again */
    MM_ERR_IO,               /* a device or firmware call failed */
    MM_STATUS_COUNT
} mm_status;

/* Returns a static, NUL-terminated English description of `status`
 * ("out of memory", ...). Never returns NULL: unknown codes give
 * "unknown status". */
const char *mm_strerror(mm_status status);

/* Returns the enumerator's short name ("MM_ERR_OUT_OF_MEMORY") for logs. */
const char *mm_status_name(mm_status status);

#endif
