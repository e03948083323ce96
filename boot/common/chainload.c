/* Boot sector selection for BIOS chainloading (chainload.h). */
#include "chainload.h"

static bool has_signature(const uint8_t *s)
{
    return s[510] == 0x55 && s[511] == 0xaa;
}

static mm_status fail(const char **why, const char *text, mm_status st)
{
    *why = text;
    return st;
}

/* Sector 0's entry for slot `partition` (1-based), checked. */
static mm_status find_partition(const part_disk *disk, uint32_t partition, part_entry *out,
                                const char **why)
{
    part_mbr mbr;
    part_status ps = part_read_mbr(disk, &mbr);
    if (ps == PART_ERR_IO)
        return fail(why, "disk read error in sector 0", MM_ERR_MAP_INVALID);
    if (ps != PART_OK)
        return fail(why, "no partition table (0x55AA) in sector 0", MM_ERR_NOT_FOUND);
    if (mbr.protective)
        return fail(why, "GPT disk: partition= takes MBR partitions only", MM_ERR_NOT_USABLE);
    for (uint32_t i = 0; i < mbr.count; i++) {
        if (mbr.parts[i].index + 1 != partition)
            continue;
        if (disk->sectors && mbr.parts[i].first_lba >= disk->sectors)
            return fail(why, "partition starts beyond the end of the disk", MM_ERR_OUT_OF_RANGE);
        *out = mbr.parts[i];
        return MM_OK;
    }
    return fail(why, "partition slot is empty", MM_ERR_NOT_USABLE);
}

mm_status bc_chain_read(const part_disk *disk, uint32_t partition, uint8_t *mbr, uint8_t *boot,
                        bc_chain_sector *out, const char **why)
{
    const char *ignored;
    if (!why)
        why = &ignored;
    *why = "invalid argument";
    if (!disk || !disk->read || !mbr || !boot || !out || partition > 4)
        return MM_ERR_INVALID_ARGUMENT;
    if (disk->sector_size != BC_BOOT_SECTOR_SIZE)
        return fail(why, "sector size is not 512 bytes", MM_ERR_NOT_USABLE);
    bc_chain_sector s = {0, 0};
    if (partition) {
        part_disk d = *disk;
        d.scratch = mbr;
        d.scratch_size = BC_BOOT_SECTOR_SIZE;
        part_entry e;
        mm_status st = find_partition(&d, partition, &e, why);
        if (st != MM_OK)
            return st;
        s.lba = e.first_lba;
        s.entry_offset = BC_MBR_ENTRIES_OFF + BC_MBR_ENTRY_SIZE * e.index;
    }
    if (disk->read(disk->ctx, s.lba, 1, boot))
        return fail(why, "disk read error in the boot sector", MM_ERR_MAP_INVALID);
    if (!has_signature(boot))
        return fail(why,
                    partition ? "no boot signature 0x55AA in the partition's first sector"
                              : "no boot signature 0x55AA in sector 0",
                    MM_ERR_NOT_FOUND);
    *out = s;
    return MM_OK;
}
