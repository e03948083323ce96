/* The sector-read callback the disk readers (fat.h, part.h) share, so one
 * device function serves both. */
#ifndef BOOT_SECTOR_H
#define BOOT_SECTOR_H

#include <stdint.h>

/* Reads `count` device sectors starting at `lba` (absolute, in device
 * sectors) into `dst`. Returns 0 on success, non-zero on an I/O error. */
typedef int (*bc_sector_read_fn)(void *ctx, uint64_t lba, uint32_t count, void *dst);

#endif
