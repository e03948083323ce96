/* BIOS chainloading (chainload.h): boot/common/chainload.c picks and
 * checks the sector, this file supplies the disk and the fixed addresses. */
#include "chainload.h"

#include "bios_layout.h"
#include "common/chainload.h"
#include "disk.h"

const char *bios_chainload(uint8_t drive, uint32_t partition)
{
    struct bios_disk disk;
    uint8_t *mbr = (uint8_t *)CHAIN_MBR_ADDR;
    uint8_t *boot = (uint8_t *)STAGE1_ADDR;
    if (disk_open(&disk, drive))
        return "no such drive, or it lacks INT 13h extensions";
    part_disk pd = {.read = disk_read,
                    .ctx = &disk,
                    .sector_size = disk.sector_size,
                    .sectors = disk.sectors,
                    .scratch = mbr,
                    .scratch_size = BC_BOOT_SECTOR_SIZE};
    bc_chain_sector where;
    const char *why = "";
    if (bc_chain_read(&pd, partition, mbr, boot, &where, &why) != MM_OK)
        return why;
    chainload_jump(drive, where.entry_offset ? CHAIN_MBR_ADDR + where.entry_offset : 0);
}
