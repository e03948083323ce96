/* The loader's ranges: every piece of physical memory the boot driver
 * places for the kernel or for itself, with its map type, alignment and
 * the rule by which the kernel may take it back (docs/protocol.md,
 * section 5). One table, read by the driver, both front ends, the DEBUG=1
 * profile and the tests. */
#ifndef BC_RANGES_H
#define BC_RANGES_H

#include "mm/memmap.h"

typedef enum bc_range_id {
    BC_RANGE_BOOT_HEAP,      /* the loader's heap; file buffers live here */
    BC_RANGE_KERNEL,         /* the kernel's load region */
    BC_RANGE_STACK,          /* the stack the kernel starts on */
    BC_RANGE_TEMP_HEAP,      /* the kernel's first allocations; optional */
    BC_RANGE_BITMAP,         /* frame bitmap storage */
    BC_RANGE_PAGE_TABLES,    /* the tables in CR3 at entry */
    BC_RANGE_HANDOFF,        /* the handoff, its map, cmdline and EFI map copy */
    BC_RANGE_HEAP_EXTENSION, /* boot heap refills (several may exist) */
    BC_RANGE_MODULE,         /* a module file (several may exist) */
    BC_RANGE_PROTOCOL_DATA,  /* structures a protocol hands over (Linux boot_params,
                                Multiboot information; several may exist) */
    BC_RANGE_KERNEL_SEGMENT, /* part of a kernel loaded where it was linked (several) */
    BC_RANGE_FRAMEBUFFER,    /* the firmware's linear framebuffer (not placed: recorded) */
    BC_RANGE_AP_TRAMPOLINE,  /* the APs' start code, below 1 MiB */
    BC_RANGE_AP_STACKS,      /* the APs' records and stacks */
    BC_RANGE_COUNT
} bc_range_id;

/* When the kernel may reuse a range's memory. */
typedef enum bc_reclaim {
    BC_RECLAIM_NEVER,         /* the kernel runs on it */
    BC_RECLAIM_AFTER_HANDOFF, /* once the kernel no longer reads the handoff */
    BC_RECLAIM_AT_ONCE,       /* nothing handed over lives there */
    BC_RECLAIM_WHEN_DONE,     /* the kernel's own, free when it is done with it */
} bc_reclaim;

/* What happens when a range cannot be placed. */
typedef enum bc_range_need {
    BC_NEED_REQUIRED, /* the boot stops, naming the range */
    BC_NEED_OPTIONAL, /* handed over as base 0, size 0 */
} bc_range_need;

/* How many ranges of a kind one boot may place. */
typedef enum bc_range_count {
    BC_RANGE_ONE,  /* at most one: kept in bc_boot.range[id] */
    BC_RANGE_MANY, /* any number: bc_boot.extension[] or bc_boot.records */
} bc_range_count;

typedef struct bc_range_info {
    const char *name; /* lower-case, for messages and the DEBUG=1 profile */
    mm_type type;     /* type carved into the final map */
    uint32_t align;   /* minimum alignment, bytes (the bitmap granularity may raise it) */
    bc_reclaim reclaim;
    bc_range_need need;
    bc_range_count count;
} bc_range_info;

/* The table entry of `id`; NULL for an id outside the enum. */
const bc_range_info *bc_range_info_of(bc_range_id id);

/* A physical range: [base, base + size), bytes; size 0 = not placed. */
typedef struct bc_placed {
    uint64_t base, size;
} bc_placed;

#endif
