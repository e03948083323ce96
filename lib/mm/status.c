#include "mm/status.h"

static const char *const descriptions[MM_STATUS_COUNT] = {
    [MM_OK] = "success",
    [MM_ERR_OUT_OF_MEMORY] = "out of memory",
    [MM_ERR_HEAP_INIT] = "boot heap initialization failed",
    [MM_ERR_BITMAP_INIT] = "frame bitmap initialization failed",
    [MM_ERR_MAP_INVALID] = "memory map is invalid",
    [MM_ERR_MAP_FULL] = "memory map has too many entries for its storage",
    [MM_ERR_INVALID_ARGUMENT] = "invalid argument",
    [MM_ERR_OVERFLOW] = "address range overflows 64 bits",
    [MM_ERR_OUT_OF_RANGE] = "address outside the managed range",
    [MM_ERR_NOT_USABLE] = "memory is not usable RAM",
    [MM_ERR_DOUBLE_FREE] = "double free",
    [MM_ERR_FOREIGN_POINTER] = "pointer does not belong to this allocator",
    [MM_ERR_NOT_FOUND] = "not found",
    [MM_ERR_CONFIG] = "invalid configuration value",
    [MM_ERR_MEMTEST_FAILED] = "memory test found bad memory",
    [MM_ERR_BUFFER_TOO_SMALL] = "caller-provided buffer is too small",
    [MM_ERR_RETRY] = "state changed, try again",
    [MM_ERR_IO] = "device or firmware error",
};

static const char *const names[MM_STATUS_COUNT] = {
    [MM_OK] = "MM_OK",
    [MM_ERR_OUT_OF_MEMORY] = "MM_ERR_OUT_OF_MEMORY",
    [MM_ERR_HEAP_INIT] = "MM_ERR_HEAP_INIT",
    [MM_ERR_BITMAP_INIT] = "MM_ERR_BITMAP_INIT",
    [MM_ERR_MAP_INVALID] = "MM_ERR_MAP_INVALID",
    [MM_ERR_MAP_FULL] = "MM_ERR_MAP_FULL",
    [MM_ERR_INVALID_ARGUMENT] = "MM_ERR_INVALID_ARGUMENT",
    [MM_ERR_OVERFLOW] = "MM_ERR_OVERFLOW",
    [MM_ERR_OUT_OF_RANGE] = "MM_ERR_OUT_OF_RANGE",
    [MM_ERR_NOT_USABLE] = "MM_ERR_NOT_USABLE",
    [MM_ERR_DOUBLE_FREE] = "MM_ERR_DOUBLE_FREE",
    [MM_ERR_FOREIGN_POINTER] = "MM_ERR_FOREIGN_POINTER",
    [MM_ERR_NOT_FOUND] = "MM_ERR_NOT_FOUND",
    [MM_ERR_CONFIG] = "MM_ERR_CONFIG",
    [MM_ERR_MEMTEST_FAILED] = "MM_ERR_MEMTEST_FAILED",
    [MM_ERR_BUFFER_TOO_SMALL] = "MM_ERR_BUFFER_TOO_SMALL",
    [MM_ERR_RETRY] = "MM_ERR_RETRY",
    [MM_ERR_IO] = "MM_ERR_IO",
};

const char *mm_strerror(mm_status status)
{
    if ((unsigned)status >= MM_STATUS_COUNT || !descriptions[status])
        return "unknown status";
    return descriptions[status];
}

const char *mm_status_name(mm_status status)
{
    if ((unsigned)status >= MM_STATUS_COUNT || !names[status])
        return "MM_STATUS_UNKNOWN";
    return names[status];
}
