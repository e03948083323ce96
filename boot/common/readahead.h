/* Read-ahead windows over a sector-read callback (sector.h): a small read
 * fetches a whole window and later reads inside it cost no device call.
 * Walking the GPT, a FAT's boot sector, its FAT and its directories one
 * sector at a time otherwise costs a firmware call per sector (on BIOS
 * two mode switches each; under QEMU some 0.5 ms apiece). There are two
 * windows, the one used least recently refilled, so that a FAT walk and
 * the directory or file it serves do not evict each other. Reads of a
 * window's size or larger go straight to the device. */
#ifndef BOOT_READAHEAD_H
#define BOOT_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "sector.h"

#define BC_READAHEAD_WINDOWS 2

typedef struct bc_readahead_window {
    uint8_t *buf;
    uint64_t lba;   /* what the window holds: [lba, lba + count) */
    uint32_t count; /* 0: nothing */
    uint32_t used;  /* when last read from (the reader's clock) */
} bc_readahead_window;

typedef struct bc_readahead {
    bc_sector_read_fn read; /* the device */
    void *ctx;
    uint32_t sector_size; /* bytes */
    uint64_t sectors;     /* device size; 0 if unknown: no reading past a request */
    uint32_t window_sectors;
    bc_readahead_window win[BC_READAHEAD_WINDOWS];
    uint32_t clock;
    uint32_t calls; /* device reads made (statistics) */
} bc_readahead;

/* Sets up `ra` over `read`/`ctx` (sectors of `sector_size` bytes, a
 * device of `sectors` sectors or 0 if unknown) with `buf_bytes` of window
 * memory at `buf` (owned by the caller, kept for the life of `ra`),
 * split into BC_READAHEAD_WINDOWS windows of whole sectors. Windows of
 * fewer than two sectors pass every read straight through. */
void bc_readahead_init(bc_readahead *ra, bc_sector_read_fn read, void *ctx, uint32_t sector_size,
                       uint64_t sectors, void *buf, size_t buf_bytes);

/* bc_sector_read_fn over a bc_readahead (`ctx`): `count` sectors from
 * `lba` into `dst`, from a window where one holds them. A window fill
 * that fails (a bad sector past the request, the device's end
 * misreported) is retried as the request alone. Returns 0, or the
 * device's non-zero status, with `dst` then partly written. */
int bc_readahead_read(void *ctx, uint64_t lba, uint32_t count, void *dst);

#endif
