/* State of the BIOS front end (boot/bios/main.c): the boot disk and volume
 * and the memory map it detected. One instance, in .bss. */
#ifndef BIOS_LOADER_H
#define BIOS_LOADER_H

#include "common/biosmem.h"
#include "common/fat.h"
#include "common/part.h"
#include "common/readahead.h"
#include "disk.h"
#include "mm/memmap.h"

struct bios_loader {
    struct bios_disk disk;
    bc_readahead ahead; /* over `disk`: what the partition and FAT readers use */
    part_entry volume;
    fat_fs *fs;
    mm_map map; /* final from detection on: the driver's placements carve it */
    bm_report detect;
    uint64_t rsdp;  /* ACPI RSDP, 0 if none */
    uint32_t drive; /* BIOS drive stage 2 was started from (DL) */
    bool map_ready;
    bool nx;
};

#endif
