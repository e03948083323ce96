/* Memory-initialization configuration.
 *
 * Loaders start from mm_config_defaults(), apply boot.cfg keys through
 * mm_config_set(), then call mm_config_validate() before placing anything
 * with the values. Errors name the field (by its boot.cfg key) and give a
 * static reason string.
 *
 * Defaults:
 *   heap_size           16 MiB   boot heap, bytes
 *   temp_heap_size       1 MiB   temporary heap handed to the kernel, bytes
 *   bitmap_granularity   4 KiB   bytes per bitmap bit (frame size)
 *   heap_alignment       4 KiB   alignment of the boot heap base, bytes
 *   min_heap_addr        1 MiB   lowest physical address for the boot heap
 *   memory_test          off     (on when built with MEMTEST=1)
 *   detailed_logging     on
 *   log_level            INFO
 *
 * Logging: the effective level is mm_config_log_level(): log_level, raised
 * to at least DEBUG when detailed_logging is on. So the defaults log at
 * DEBUG; `detailed_logging=off` gives INFO; `log_level=trace` adds
 * per-allocation lines; `detailed_logging=off` + `log_level=error` is the
 * quietest. */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include "mm/log.h"

#ifndef MM_MEMTEST_DEFAULT
#define MM_MEMTEST_DEFAULT 0
#endif

/* Sizes above this are rejected as absurd (256 TiB, the 48-bit space). */
#define MM_CONFIG_SIZE_MAX ((uint64_t)1 << 48)
/* Addresses at or above this are rejected (x86-64 physical space is at
 * most 52 bits). */
#define MM_CONFIG_ADDR_LIMIT ((uint64_t)1 << 52)
/* Largest bitmap granularity / heap alignment accepted (1 GiB pages). */
#define MM_CONFIG_ALIGN_MAX ((uint64_t)1 << 30)

typedef struct mm_config {
    uint64_t heap_size;          /* bytes; multiple of bitmap_granularity */
    uint64_t temp_heap_size;     /* bytes; multiple of 4 KiB; 0 = none */
    uint64_t bitmap_granularity; /* bytes; power of two, 4 KiB .. 1 GiB */
    uint64_t heap_alignment;     /* bytes; power of two, 1 .. 1 GiB */
    uint64_t min_heap_addr;      /* physical; multiple of 4 KiB, below 2^52 */
    bool enable_memory_test;
    bool enable_detailed_logging;
    mm_log_level log_level;
} mm_config;

/* Fields, for error reports. Names are the boot.cfg keys. */
typedef enum mm_config_field {
    MM_CFG_NONE = 0, /* no field: the error is not about one value */
    MM_CFG_HEAP_SIZE,
    MM_CFG_TEMP_HEAP_SIZE,
    MM_CFG_BITMAP_GRANULARITY,
    MM_CFG_HEAP_ALIGNMENT,
    MM_CFG_MIN_HEAP_ADDR,
    MM_CFG_MEMORY_TEST,
    MM_CFG_DETAILED_LOGGING,
    MM_CFG_LOG_LEVEL,
    MM_CFG_FIELD_COUNT
} mm_config_field;

/* What went wrong: the field and a static English reason
 * ("must be a power of two"). field is MM_CFG_NONE and reason "" when
 * nothing failed. */
typedef struct mm_config_error {
    mm_config_field field;
    const char *reason;
} mm_config_error;

/* Fills *c with the defaults listed above. */
void mm_config_defaults(mm_config *c);

/* Checks every field and the rules between fields. Returns MM_OK, or
 * MM_ERR_CONFIG with *err (if non-NULL) naming the first bad field, or
 * MM_ERR_INVALID_ARGUMENT when c is NULL. */
mm_status mm_config_validate(const mm_config *c, mm_config_error *err);

/* The boot.cfg key of `field` ("heap_size"); "none" for MM_CFG_NONE and
 * "?" for values outside the enum. */
const char *mm_config_field_name(mm_config_field field);

/* The numeric field `field` of *c (heap_size ... min_heap_addr), for code
 * that walks fields by enum; NULL for the boolean fields, log_level,
 * MM_CFG_NONE and values outside the enum. The pointer is into *c. */
uint64_t *mm_config_number(mm_config *c, mm_config_field field);

/* Sets one field from a boot.cfg key/value pair (both NUL-terminated;
 * keys are case-insensitive, the value may have surrounding blanks).
 *   heap_size, temp_heap_size, bitmap_granularity, heap_alignment,
 *   min_heap_addr   decimal or 0x hex, optional suffix K, M, G or T
 *                   (binary units, "KiB"/"KB" spellings too): "16M",
 *                   "0x100000", "8K"; overflow is an error
 *   memory_test, detailed_logging
 *                   on/off, yes/no, true/false, 1/0 (case-insensitive)
 *   log_level       error, warn, info, debug, trace or 0..4
 * The value must also pass that field's own checks (power of two, range);
 * rules between fields are left to mm_config_validate().
 * Returns MM_OK (field set), MM_ERR_NOT_FOUND (unknown key: *err field is
 * MM_CFG_NONE), MM_ERR_CONFIG (bad value: *err names the field; *c is
 * unchanged) or MM_ERR_INVALID_ARGUMENT (NULL c, key or value). */
mm_status mm_config_set(mm_config *c, const char *key, const char *value, mm_config_error *err);

/* The log level the config asks for: log_level, raised to MM_LOG_DEBUG when
 * enable_detailed_logging is set. */
mm_log_level mm_config_log_level(const mm_config *c);

#endif
