#include "part.h"

#include "crc32.h"
#include "mm/base.h"

const uint8_t part_guid_esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                   0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
const uint8_t part_guid_bios_boot[16] = {'H', 'a', 'h', '!', 'I', 'd', 'o', 'n',
                                         't', 'N', 'e', 'e', 'd', 'E', 'F', 'I'};

#define GPT_MAX_ENTRIES    4096u
#define GPT_MAX_ENTRY_SIZE 4096u

const char *part_strerror(part_status st)
{
    switch (st) {
    case PART_OK:
        return "success";
    case PART_ERR_IO:
        return "disk read error";
    case PART_ERR_NO_MBR:
        return "no MBR signature (not a partitioned disk)";
    case PART_ERR_BAD_GPT:
        return "invalid GPT";
    case PART_ERR_NOT_FOUND:
        return "partition not found";
    case PART_ERR_ARGUMENT:
        return "invalid argument";
    }
    return "unknown partition status";
}

/* Below this many bytes (the GPT header) a table costs more to build than
 * it saves. */
#define CRC_TABLE_MIN 1024u

/* Through crc32.h's eight tables, built on the stack (8 KiB): no storage
 * to ask the caller for, and eight bytes a step where the bitwise form
 * takes some 40 instructions a byte (the BIOS loader checks a 16 KiB
 * entry array on every boot). */
uint32_t part_crc32(uint32_t crc, const void *p, uint32_t len)
{
    if (len < CRC_TABLE_MIN)
        return bc_crc32_bitwise_update(crc, p, len);
    uint32_t tables[BC_CRC32_SLICES][256];
    bc_crc32_slice_tables(tables);
    return bc_crc32_sliced_update(tables, crc, p, len);
}

static bool disk_ok(const part_disk *d)
{
    return d && d->read && mm_is_pow2(d->sector_size) && d->sector_size >= 512 &&
           d->sector_size <= 4096 && d->scratch && d->scratch_size >= d->sector_size;
}

part_status part_read_mbr(const part_disk *disk, part_mbr *out)
{
    if (!disk_ok(disk) || !out)
        return PART_ERR_ARGUMENT;
    if (disk->read(disk->ctx, 0, 1, disk->scratch))
        return PART_ERR_IO;
    const uint8_t *s = disk->scratch;
    if (s[510] != 0x55 || s[511] != 0xaa)
        return PART_ERR_NO_MBR;
    mm_memset(out, 0, sizeof *out);
    out->first_start = UINT64_MAX;
    for (uint32_t i = 0; i < 4; i++) {
        const uint8_t *e = s + 446 + 16 * i;
        uint32_t start = mm_load_le32(e + 8), len = mm_load_le32(e + 12);
        if (e[4] == 0 || len == 0)
            continue;
        if (e[4] == PART_MBR_TYPE_GPT)
            out->protective = true;
        out->parts[out->count++] =
            (part_entry){.first_lba = start, .sectors = len, .index = i, .mbr_type = e[4]};
        if (start < out->first_start)
            out->first_start = start;
    }
    return PART_OK;
}

/* The checked fields of a GPT header. */
struct gpt {
    uint64_t first_usable, last_usable, entries_lba;
    uint32_t count, entry_size, entries_crc;
};

static part_status gpt_header(const part_disk *d, struct gpt *g)
{
    if (d->read(d->ctx, 1, 1, d->scratch))
        return PART_ERR_IO;
    uint8_t *h = d->scratch;
    uint32_t size = mm_load_le32(h + 12), crc = mm_load_le32(h + 16);
    static const char sig[8] = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};
    bool sig_ok = true;
    for (uint32_t i = 0; i < 8; i++)
        sig_ok &= h[i] == (uint8_t)sig[i];
    if (!sig_ok || size < 92 || size > d->sector_size)
        return PART_ERR_BAD_GPT;
    mm_memset(h + 16, 0, 4);
    if (part_crc32(0, h, size) != crc || mm_load_le64(h + 24) != 1)
        return PART_ERR_BAD_GPT;
    g->first_usable = mm_load_le64(h + 40);
    g->last_usable = mm_load_le64(h + 48);
    g->entries_lba = mm_load_le64(h + 72);
    g->count = mm_load_le32(h + 80);
    g->entry_size = mm_load_le32(h + 84);
    g->entries_crc = mm_load_le32(h + 88);
    /* Entry size is 128 * 2^n by the UEFI spec. */
    if (g->entry_size < 128 || !mm_is_pow2(g->entry_size) || g->entry_size > GPT_MAX_ENTRY_SIZE ||
        g->count == 0 || g->count > GPT_MAX_ENTRIES || g->entries_lba < 2 ||
        g->first_usable > g->last_usable)
        return PART_ERR_BAD_GPT;
    uint64_t array_sectors =
        ((uint64_t)g->count * g->entry_size + d->sector_size - 1) >> mm_log2(d->sector_size);
    if (d->sectors && (g->last_usable >= d->sectors || g->entries_lba + array_sectors > d->sectors))
        return PART_ERR_BAD_GPT;
    return PART_OK;
}

/* One entry, checked against the usable range. */
static part_status gpt_entry(const struct gpt *g, const uint8_t *e, uint32_t index,
                             const uint8_t type[16], part_entry *out, bool *match)
{
    uint64_t first = mm_load_le64(e + 32), last = mm_load_le64(e + 40);
    bool used = false;
    for (uint32_t i = 0; i < 16; i++)
        used |= e[i] != 0;
    if (!used)
        return PART_OK;
    if (first > last || first < g->first_usable || last > g->last_usable)
        return PART_ERR_BAD_GPT;
    bool same = true;
    for (uint32_t i = 0; i < 16; i++)
        same &= e[i] == type[i];
    if (same && !*match) {
        *out = (part_entry){.first_lba = first, .sectors = last - first + 1, .index = index};
        *match = true;
    }
    return PART_OK;
}

part_status part_gpt_find(const part_disk *disk, const uint8_t type[16], part_entry *out)
{
    if (!disk_ok(disk) || !type || !out)
        return PART_ERR_ARGUMENT;
    struct gpt g;
    part_status st = gpt_header(disk, &g);
    if (st != PART_OK)
        return st;
    /* Walk the array in scratch-sized chunks, checking every entry and the
     * CRC of the whole array before trusting a match. */
    uint32_t shift = mm_log2(disk->sector_size);
    uint32_t chunk = disk->scratch_size >> shift;
    uint64_t bytes = (uint64_t)g.count * g.entry_size, lba = g.entries_lba;
    uint32_t crc = 0, index = 0;
    uint64_t done = 0;
    /* Chunks are whole sectors and entry sizes powers of two, so entries
     * never straddle chunks once one entry fits a chunk. */
    if (g.entry_size > (chunk << shift))
        return PART_ERR_ARGUMENT;
    bool match = false;
    while (done < bytes) {
        uint64_t left = ((bytes - done) + disk->sector_size - 1) >> shift;
        uint32_t n = left < chunk ? (uint32_t)left : chunk;
        if (disk->read(disk->ctx, lba, n, disk->scratch))
            return PART_ERR_IO;
        uint32_t have = n << shift;
        if (have > bytes - done)
            have = (uint32_t)(bytes - done);
        crc = part_crc32(crc, disk->scratch, have);
        for (uint32_t off = 0; off + g.entry_size <= have; off += g.entry_size, index++) {
            st = gpt_entry(&g, disk->scratch + off, index, type, out, &match);
            if (st != PART_OK)
                return st;
        }
        done += have;
        lba += n;
    }
    if (crc != g.entries_crc)
        return PART_ERR_BAD_GPT;
    return match ? PART_OK : PART_ERR_NOT_FOUND;
}

static bool mbr_fat_type(uint8_t t)
{
    return t == 0x01 || t == 0x04 || t == 0x06 || t == 0x0b || t == 0x0c || t == 0x0e;
}

part_status part_find_boot_volume(const part_disk *disk, part_entry *out)
{
    part_mbr mbr;
    part_status st = part_read_mbr(disk, &mbr);
    if (st != PART_OK)
        return st;
    if (mbr.protective)
        return part_gpt_find(disk, part_guid_esp, out);
    for (uint32_t pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < mbr.count; i++) {
            uint8_t t = mbr.parts[i].mbr_type;
            if (pass == 0 ? t == PART_MBR_TYPE_ESP : mbr_fat_type(t)) {
                *out = mbr.parts[i];
                return PART_OK;
            }
        }
    }
    return PART_ERR_NOT_FOUND;
}
