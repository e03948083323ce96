/* boot.cfg protocol=bios-chainload: finding and checking the boot sector
 * to start, as a BIOS (whole disk) or an MBR's boot code (partition)
 * would. Firmware-neutral: reads through the part_disk callback; the BIOS
 * front end (boot/bios/chainload.c) places the result and jumps. */
#ifndef BC_CHAINLOAD_H
#define BC_CHAINLOAD_H

#include "mm/base.h"
#include "part.h"

#define BC_BOOT_SECTOR_SIZE 512u
#define BC_MBR_ENTRIES_OFF  446u /* first partition entry in sector 0 */
#define BC_MBR_ENTRY_SIZE   16u

/* What was read for one chainload. */
typedef struct bc_chain_sector {
    uint64_t lba;          /* sector that was read into `boot` */
    uint32_t entry_offset; /* partition: offset of its entry in `mbr` (446 + 16 * (N-1)); 0 = whole
                              disk */
} bc_chain_sector;

/* Reads the boot sector of `disk` into `boot` (BC_BOOT_SECTOR_SIZE
 * bytes): with partition 0 sector 0 of the disk, with 1 .. 4 the first
 * sector of that primary MBR partition, after reading sector 0 into `mbr`
 * (BC_BOOT_SECTOR_SIZE bytes, also used as disk->scratch; kept so the
 * caller can point DS:SI at the entry). Both buffers are the caller's.
 * The disk must have 512-byte sectors; the sector read must end in 0x55AA.
 * Returns MM_OK with *out filled, or an error with *why (static English
 * text without the drive or partition number, e.g. "partition slot is empty"):
 *   MM_ERR_INVALID_ARGUMENT  NULLs, partition > 4;
 *   MM_ERR_NOT_USABLE        sector size not 512, GPT disk, empty slot;
 *   MM_ERR_NOT_FOUND         no 0x55AA where one is needed;
 *   MM_ERR_OUT_OF_RANGE      partition starts beyond the disk's end;
 *   MM_ERR_MAP_INVALID       a read failed (disk I/O error).
 * The buffers hold whatever was read last after an error. */
mm_status bc_chain_read(const part_disk *disk, uint32_t partition, uint8_t *mbr, uint8_t *boot,
                        bc_chain_sector *out, const char **why);

#endif
