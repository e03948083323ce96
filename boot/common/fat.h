/* Read-only FAT12/16/32 over a sector-read callback.
 *
 * Portable (loader, host tools, tests, fuzzers): no globals, all state in
 * a caller-provided `fat_fs`, fixed-width integers, no 64-bit division.
 * Every on-disk value is checked before use; a corrupt volume gives an
 * error, never an out-of-bounds access or an endless loop (cluster chains
 * are bounded by the cluster count, directories by the FAT limit of 65536
 * entries). Names: long file names (VFAT, ASCII subset) and 8.3 names, both
 * matched case-insensitively. */
#ifndef BOOT_FAT_H
#define BOOT_FAT_H

#include <stdbool.h>
#include <stdint.h>

#include "sector.h"

typedef bc_sector_read_fn fat_read_fn;

typedef enum fat_status {
    FAT_OK = 0,
    FAT_ERR_IO,        /* the read callback failed */
    FAT_ERR_NOT_FAT,   /* the boot sector is not a FAT volume we understand */
    FAT_ERR_CORRUPT,   /* bad cluster chain, out-of-range value, loop */
    FAT_ERR_NOT_FOUND, /* no such file or directory */
    FAT_ERR_NOT_DIR,   /* a path component before the last is a file */
    FAT_ERR_IS_DIR,    /* asked to read a directory as a file */
    FAT_ERR_TOO_BIG,   /* the file does not fit the caller's buffer */
    FAT_ERR_ARGUMENT,  /* NULL pointer, bad sector size ... */
} fat_status;

#define FAT_MAX_SECTOR 4096u
#define FAT_DIR_BUF    4096u
#define FAT_NAME_MAX   255u

typedef struct fat_fs {
    fat_read_fn read;
    void *ctx;
    uint64_t part_lba;     /* first device sector of the volume */
    uint64_t part_sectors; /* device sectors of the volume, 0 = unknown */
    uint32_t dev_shift;    /* log2(device sector size) */
    uint32_t sec_shift;    /* log2(FAT sector size) */
    uint32_t clus_shift;   /* log2(sectors per cluster) */
    uint32_t fat_bits;     /* 12, 16 or 32 */
    uint32_t fat_start;    /* FAT #0, in FAT sectors from the volume start */
    uint32_t fat_sectors;  /* sectors of one FAT */
    uint32_t root_start;   /* FAT12/16 root directory sector */
    uint32_t root_sectors; /* FAT12/16 root directory length in sectors */
    uint32_t root_cluster; /* FAT32 root directory cluster */
    uint32_t data_start;   /* sector of cluster 2 */
    uint32_t clusters;     /* valid data clusters are 2 .. clusters + 1 */
    uint32_t reads;        /* read callback calls so far (statistics) */
    uint32_t
        cache_sector; /* first FAT sector (from the FAT's start) in `cache`, UINT32_MAX = none */
    uint32_t cache_count; /* FAT sectors in `cache` */
    uint8_t cache[FAT_MAX_SECTOR];
    uint8_t buf[FAT_DIR_BUF]; /* directory chunks, partial file sectors */
} fat_fs;

/* A file or directory found by fat_lookup(). */
typedef struct fat_file {
    uint32_t first_cluster; /* 0 for an empty file or the FAT12/16 root */
    uint32_t size;          /* bytes (0 for directories) */
    bool is_dir;
} fat_file;

/* Mounts the FAT volume at device sector `part_lba` (`part_sectors` long,
 * 0 if unknown; the volume must fit inside). `dev_sector_size` is the
 * device's sector size in bytes (512 .. 4096, power of two, not larger
 * than the volume's). Reads the boot sector through `read(ctx, ...)`.
 * Returns FAT_OK, FAT_ERR_IO, FAT_ERR_NOT_FAT or FAT_ERR_ARGUMENT. */
fat_status fat_mount(fat_fs *fs, fat_read_fn read, void *ctx, uint32_t dev_sector_size,
                     uint64_t part_lba, uint64_t part_sectors);

/* Finds `path` ("/boot/kernel.elf"; '/'-separated, leading '/' optional,
 * case-insensitive against long and short names). Empty path or "/" is the
 * root directory. Fills *out. */
fat_status fat_lookup(fat_fs *fs, const char *path, fat_file *out);

/* Reads the whole of `file` into `dst` (`dst_size` bytes available; must
 * be >= file->size else FAT_ERR_TOO_BIG). Contiguous clusters are read
 * with one callback call per run. When dst_size reaches past the file's
 * last sector, that sector is read straight into dst too (one call fewer)
 * and the bytes of dst after file->size up to the sector's end are
 * overwritten with whatever the sector holds; with dst_size == file->size
 * nothing past the file is touched. */
fat_status fat_read_file(fat_fs *fs, const fat_file *file, void *dst, uint64_t dst_size);

/* Reads bytes [offset, offset + size) of `file` into `dst` (`room` bytes
 * available; must be >= size else FAT_ERR_TOO_BIG), as fat_read_file
 * does: one callback call per run of contiguous clusters, the partial
 * last sector straight into dst when room reaches past it. A first
 * sector entered past its start is read into fs->buf and copied. The
 * chain before `offset` is walked, not read; the end-of-chain check is
 * made when the range reaches the file's end. A range past the file's
 * size is FAT_ERR_ARGUMENT; size 0 reads nothing. */
fat_status fat_read_at(fat_fs *fs, const fat_file *file, uint64_t offset, void *dst, uint64_t size,
                       uint64_t room);

/* Static English text for a status ("file not found", ...). */
const char *fat_strerror(fat_status st);

#endif
