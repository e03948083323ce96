/* Read-only FAT12/16/32 (see fat.h). Layout facts from Microsoft's FAT
 * specification: BPB fields, FAT type from the cluster count, VFAT long
 * name entries with their short-name checksum. */
#include "fat.h"

#include "mm/base.h"

#define FAT_EOC             0xffffffffu /* end of chain, internal marker */
#define FAT_DIRENT          32u         /* bytes per directory entry */
#define FAT_MAX_DIR_ENTRIES 65536       /* FAT's own limit per directory */
#define FAT_MAX_RUN_SECTORS 0x4000u     /* sectors per read call (8 MiB at 512) */
#define FAT_ATTR_VOLUME     0x08
#define FAT_ATTR_DIR        0x10
#define FAT_ATTR_LFN        0x0f
#define FAT_LFN_MAX_ORD     20
#define FAT_NONASCII        0x01 /* stands for a non-ASCII UCS-2 char: never matches */

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

const char *fat_strerror(fat_status st)
{
    switch (st) {
    case FAT_OK:
        return "success";
    case FAT_ERR_IO:
        return "disk read error";
    case FAT_ERR_NOT_FAT:
        return "not a FAT volume";
    case FAT_ERR_CORRUPT:
        return "corrupt FAT file system";
    case FAT_ERR_NOT_FOUND:
        return "file not found";
    case FAT_ERR_NOT_DIR:
        return "not a directory";
    case FAT_ERR_IS_DIR:
        return "is a directory";
    case FAT_ERR_TOO_BIG:
        return "file too large for the buffer";
    case FAT_ERR_ARGUMENT:
        return "invalid argument";
    }
    return "unknown FAT status";
}

/* Reads `count` FAT sectors from volume sector `sector`, in calls of at
 * most FAT_MAX_RUN_SECTORS. The caller has checked the range. */
static fat_status read_sectors(fat_fs *fs, uint32_t sector, uint32_t count, void *dst)
{
    uint32_t per = fs->sec_shift - fs->dev_shift;
    uint8_t *out = dst;
    while (count) {
        uint32_t n = count < FAT_MAX_RUN_SECTORS ? count : FAT_MAX_RUN_SECTORS;
        fs->reads++;
        if (fs->read(fs->ctx, fs->part_lba + ((uint64_t)sector << per), n << per, out))
            return FAT_ERR_IO;
        out += (size_t)n << fs->sec_shift;
        sector += n;
        count -= n;
    }
    return FAT_OK;
}

/* The BPB fields we use, before validation. */
struct bpb {
    uint32_t bps, spc, reserved, fats, root_entries, total, fat_size, root_cluster;
};

static void bpb_parse(const uint8_t *b, struct bpb *p)
{
    p->bps = le16(b + 11);
    p->spc = b[13];
    p->reserved = le16(b + 14);
    p->fats = b[16];
    p->root_entries = le16(b + 17);
    p->total = le16(b + 19) ? le16(b + 19) : mm_load_le32(b + 32);
    p->fat_size = le16(b + 22) ? le16(b + 22) : mm_load_le32(b + 36);
    p->root_cluster = mm_load_le32(b + 44);
}

/* Derives the geometry from a BPB, rejecting anything inconsistent. */
static fat_status geometry(fat_fs *fs, const struct bpb *p)
{
    if (!mm_is_pow2(p->bps) || p->bps < 512 || p->bps > FAT_MAX_SECTOR ||
        p->bps < (1u << fs->dev_shift) || !mm_is_pow2(p->spc) || p->spc > 128 || p->reserved == 0 ||
        p->fats == 0 || p->fats > 4 || p->total == 0 || p->fat_size == 0)
        return FAT_ERR_NOT_FAT;
    fs->sec_shift = mm_log2(p->bps);
    fs->clus_shift = mm_log2(p->spc);
    fs->fat_start = p->reserved;
    fs->fat_sectors = p->fat_size;
    fs->root_sectors =
        (uint32_t)(((uint64_t)p->root_entries * FAT_DIRENT + p->bps - 1) >> fs->sec_shift);
    uint64_t meta = (uint64_t)p->reserved + (uint64_t)p->fats * p->fat_size + fs->root_sectors;
    if (meta >= p->total)
        return FAT_ERR_NOT_FAT;
    fs->root_start = p->reserved + p->fats * p->fat_size;
    fs->data_start = (uint32_t)meta;
    fs->clusters = (p->total - fs->data_start) >> fs->clus_shift;
    if (fs->clusters == 0)
        return FAT_ERR_NOT_FAT;
    fs->fat_bits = fs->clusters < 4085 ? 12 : fs->clusters < 65525 ? 16 : 32;
    if (fs->fat_bits == 32) {
        if (p->root_entries != 0 || fs->clusters > 0x0ffffff5u || p->root_cluster < 2 ||
            p->root_cluster - 2 >= fs->clusters)
            return FAT_ERR_NOT_FAT;
        fs->root_cluster = p->root_cluster;
    } else if (p->root_entries == 0) {
        return FAT_ERR_NOT_FAT;
    }
    /* The FAT must hold an entry for every cluster. */
    uint64_t fat_bytes = (((uint64_t)fs->clusters + 2) * fs->fat_bits + 7) >> 3;
    if (fat_bytes > ((uint64_t)p->fat_size << fs->sec_shift))
        return FAT_ERR_NOT_FAT;
    if (fs->part_sectors &&
        ((uint64_t)p->total << (fs->sec_shift - fs->dev_shift)) > fs->part_sectors)
        return FAT_ERR_NOT_FAT;
    return FAT_OK;
}

fat_status fat_mount(fat_fs *fs, fat_read_fn read, void *ctx, uint32_t dev_sector_size,
                     uint64_t part_lba, uint64_t part_sectors)
{
    if (!fs || !read || !mm_is_pow2(dev_sector_size) || dev_sector_size < 512 ||
        dev_sector_size > FAT_MAX_SECTOR)
        return FAT_ERR_ARGUMENT;
    mm_memset(fs, 0, sizeof *fs);
    fs->read = read;
    fs->ctx = ctx;
    fs->part_lba = part_lba;
    fs->part_sectors = part_sectors;
    fs->dev_shift = mm_log2(dev_sector_size);
    fs->cache_sector = UINT32_MAX;
    fs->reads++;
    if (read(ctx, part_lba, 1, fs->buf))
        return FAT_ERR_IO;
    if (fs->buf[510] != 0x55 || fs->buf[511] != 0xaa)
        return FAT_ERR_NOT_FAT;
    struct bpb p;
    bpb_parse(fs->buf, &p);
    return geometry(fs, &p);
}

static bool cluster_valid(const fat_fs *fs, uint32_t c)
{
    return c >= 2 && c - 2 < fs->clusters;
}

static uint32_t cluster_sector(const fat_fs *fs, uint32_t c)
{
    return fs->data_start + ((c - 2) << fs->clus_shift);
}

/* Byte `off` of FAT #0 (off < the FAT's size, guaranteed by geometry()).
 * The cache holds up to FAT_MAX_SECTOR bytes of consecutive FAT sectors,
 * filled with one read: a chain walk touches the FAT in order. */
static fat_status fat_byte(fat_fs *fs, uint32_t off, uint8_t *out)
{
    uint32_t idx = off >> fs->sec_shift;
    if (fs->cache_sector == UINT32_MAX || idx < fs->cache_sector ||
        idx - fs->cache_sector >= fs->cache_count) {
        uint32_t n = FAT_MAX_SECTOR >> fs->sec_shift;
        if (n > fs->fat_sectors - idx)
            n = fs->fat_sectors - idx;
        fs->cache_sector = UINT32_MAX;
        fat_status st = read_sectors(fs, fs->fat_start + idx, n, fs->cache);
        if (st != FAT_OK)
            return st;
        fs->cache_sector = idx;
        fs->cache_count = n;
    }
    *out = fs->cache[off - (fs->cache_sector << fs->sec_shift)];
    return FAT_OK;
}

/* Raw FAT entry of cluster `c` (valid). */
static fat_status fat_entry(fat_fs *fs, uint32_t c, uint32_t *val)
{
    uint32_t bytes = fs->fat_bits >> 3, off;
    if (fs->fat_bits == 12)
        off = c + (c >> 1), bytes = 2;
    else
        off = c * bytes;
    uint32_t v = 0;
    for (uint32_t i = 0; i < bytes; i++) {
        uint8_t b;
        fat_status st = fat_byte(fs, off + i, &b);
        if (st != FAT_OK)
            return st;
        v |= (uint32_t)b << (8 * i);
    }
    if (fs->fat_bits == 12)
        v = (c & 1) ? v >> 4 : v & 0xfff;
    else if (fs->fat_bits == 32)
        v &= 0x0fffffff;
    *val = v;
    return FAT_OK;
}

/* Cluster after `c` in its chain: a valid cluster or FAT_EOC. Free, bad,
 * reserved or out-of-range links are corruption. */
static fat_status fat_next(fat_fs *fs, uint32_t c, uint32_t *next)
{
    if (!cluster_valid(fs, c))
        return FAT_ERR_CORRUPT;
    uint32_t v;
    fat_status st = fat_entry(fs, c, &v);
    if (st != FAT_OK)
        return st;
    uint32_t eoc = fs->fat_bits == 12 ? 0xff8 : fs->fat_bits == 16 ? 0xfff8 : 0x0ffffff8;
    if (v >= eoc) {
        *next = FAT_EOC;
        return FAT_OK;
    }
    if (!cluster_valid(fs, v))
        return FAT_ERR_CORRUPT;
    *next = v;
    return FAT_OK;
}

/* Reads `bytes` (> 0) from consecutive sectors starting at `sector` into
 * dst, which has `room` >= bytes bytes: whole sectors straight into dst;
 * a partial last sector too when dst has room for all of it, else
 * through fs->buf. */
static fat_status read_run(fat_fs *fs, uint32_t sector, uint64_t bytes, uint64_t room, uint8_t *dst)
{
    uint32_t full = (uint32_t)(bytes >> fs->sec_shift);
    uint32_t rem = (uint32_t)(bytes & ((1u << fs->sec_shift) - 1));
    if (rem && ((uint64_t)(full + 1) << fs->sec_shift) <= room)
        return read_sectors(fs, sector, full + 1, dst);
    fat_status st = read_sectors(fs, sector, full, dst);
    if (st != FAT_OK || rem == 0)
        return st;
    st = read_sectors(fs, sector + full, 1, fs->buf);
    if (st == FAT_OK)
        mm_memcpy(dst + ((size_t)full << fs->sec_shift), fs->buf, rem);
    return st;
}

/* read_run for bytes [from, from + bytes) of the sectors from `sector`:
 * a first sector entered past its start comes through fs->buf. */
static fat_status read_span(fat_fs *fs, uint32_t sector, uint64_t from, uint64_t bytes,
                            uint64_t room, uint8_t *dst)
{
    uint32_t sector_bytes = 1u << fs->sec_shift;
    uint32_t head = (uint32_t)(from & (sector_bytes - 1));
    sector += (uint32_t)(from >> fs->sec_shift);
    if (head == 0)
        return read_run(fs, sector, bytes, room, dst);
    uint64_t n = sector_bytes - head < bytes ? sector_bytes - head : bytes;
    fat_status st = read_sectors(fs, sector, 1, fs->buf);
    if (st != FAT_OK)
        return st;
    mm_memcpy(dst, fs->buf + head, (size_t)n);
    if (n == bytes)
        return FAT_OK;
    return read_run(fs, sector + 1, bytes - n, room - n, dst + n);
}

/* The file's last cluster must end the chain. A cyclic chain has no end
 * marker at all, so this catches every cycle the size-bounded walk went
 * around (and chains longer than the file). */
static fat_status chain_ends(fat_fs *fs, uint32_t last)
{
    uint32_t next;
    fat_status st = fat_next(fs, last, &next);
    if (st != FAT_OK)
        return st;
    return next == FAT_EOC ? FAT_OK : FAT_ERR_CORRUPT;
}

fat_status fat_read_at(fat_fs *fs, const fat_file *file, uint64_t offset, void *dst, uint64_t size,
                       uint64_t room)
{
    if (!fs || !file || (!dst && size))
        return FAT_ERR_ARGUMENT;
    if (file->is_dir)
        return FAT_ERR_IS_DIR;
    if (offset > file->size || size > file->size - offset)
        return FAT_ERR_ARGUMENT;
    if (size > room)
        return FAT_ERR_TOO_BIG;
    if (size == 0)
        return FAT_OK;
    uint32_t shift = fs->sec_shift + fs->clus_shift;
    uint64_t clus_bytes = (uint64_t)1 << shift;
    if (((file->size + clus_bytes - 1) >> shift) > fs->clusters)
        return FAT_ERR_CORRUPT;
    uint32_t c = file->first_cluster, max_run = FAT_MAX_RUN_SECTORS >> fs->clus_shift;
    uint64_t pos = 0, end = offset + size; /* pos: the file offset of cluster c */
    uint8_t *out = dst;
    if (!cluster_valid(fs, c))
        return FAT_ERR_CORRUPT;
    for (;;) {
        uint32_t run = 1, next = FAT_EOC;
        /* Extend the run while the next cluster follows on disk; the
         * cluster count bounds the loop even for a cyclic chain, since
         * `pos` grows by a cluster per step. */
        while (((uint64_t)run << shift) < end - pos) {
            fat_status st = fat_next(fs, c + run - 1, &next);
            if (st != FAT_OK)
                return st;
            if (next == FAT_EOC)
                return FAT_ERR_CORRUPT; /* chain shorter than the size */
            if (next != c + run || run == max_run)
                break;
            run++;
            next = FAT_EOC;
        }
        uint64_t run_bytes = (uint64_t)run << shift;
        uint64_t run_end = end - pos < run_bytes ? end : pos + run_bytes;
        if (run_end > offset) {
            uint64_t from = offset > pos ? offset - pos : 0, n = run_end - pos - from;
            fat_status st = read_span(fs, cluster_sector(fs, c), from, n, room, out);
            if (st != FAT_OK)
                return st;
            out += n;
            room -= n;
        }
        if (run_end == end)
            return end == file->size ? chain_ends(fs, c + run - 1) : FAT_OK;
        pos += run_bytes;
        c = next;
    }
}

fat_status fat_read_file(fat_fs *fs, const fat_file *file, void *dst, uint64_t dst_size)
{
    if (!fs || !file)
        return FAT_ERR_ARGUMENT;
    return fat_read_at(fs, file, 0, dst, file->size, dst_size);
}

/* Long-name assembly state while scanning a directory. */
struct lfn {
    uint32_t expect; /* next ordinal expected, 0 = none in progress */
    uint32_t len;    /* name length once complete */
    uint8_t csum;
    bool complete;
    char name[FAT_LFN_MAX_ORD * 13 + 1];
};

static const uint8_t lfn_offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

static void lfn_entry(struct lfn *l, const uint8_t *e)
{
    uint32_t ord = e[0] & 0x1f;
    if (e[0] & 0x40) {
        if (ord == 0 || ord > FAT_LFN_MAX_ORD) {
            l->expect = 0;
            return;
        }
        l->expect = ord;
        l->csum = e[13];
        l->len = ord * 13;
    } else if (l->expect == 0 || ord != l->expect || e[13] != l->csum) {
        l->expect = 0;
        l->complete = false;
        return;
    }
    l->complete = false;
    uint32_t pos = (ord - 1) * 13;
    for (uint32_t i = 0; i < 13; i++) {
        uint32_t u = le16(e + lfn_offsets[i]);
        if (u == 0 && pos + i < l->len)
            l->len = pos + i;
        l->name[pos + i] = u < 0x80 && u != 0 ? (char)u : FAT_NONASCII;
    }
    if (--l->expect == 0)
        l->complete = true;
}

static uint8_t short_checksum(const uint8_t *name11)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name11[i]);
    return sum;
}

/* "NAME.EXT" from the 11-byte short name; returns its length. */
static uint32_t short_name(const uint8_t *e, char out[13])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < 8 && e[i] != ' '; i++)
        out[n++] = (char)(i == 0 && e[0] == 0x05 ? 0xe5 : e[i]);
    if (e[8] != ' ') {
        out[n++] = '.';
        for (uint32_t i = 8; i < 11 && e[i] != ' '; i++)
            out[n++] = (char)e[i];
    }
    return n;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool name_eq(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    if (alen != blen)
        return false;
    for (uint32_t i = 0; i < alen; i++) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

enum scan_result { SCAN_MORE, SCAN_FOUND, SCAN_END };

/* Looks at one 32-byte entry; on a match fills *out. */
static enum scan_result scan_entry(const fat_fs *fs, struct lfn *l, const uint8_t *e,
                                   const char *name, uint32_t len, fat_file *out)
{
    if (e[0] == 0x00)
        return SCAN_END;
    if (e[0] == 0xe5) {
        l->expect = 0;
        l->complete = false;
        return SCAN_MORE;
    }
    if ((e[11] & 0x3f) == FAT_ATTR_LFN) {
        lfn_entry(l, e);
        return SCAN_MORE;
    }
    bool has_long = l->complete && l->csum == short_checksum(e);
    l->expect = 0;
    l->complete = false;
    if (e[11] & FAT_ATTR_VOLUME)
        return SCAN_MORE;
    char sn[13];
    uint32_t sn_len = short_name(e, sn);
    if (!(has_long && name_eq(l->name, l->len, name, len)) && !name_eq(sn, sn_len, name, len))
        return SCAN_MORE;
    out->is_dir = (e[11] & FAT_ATTR_DIR) != 0;
    out->first_cluster = le16(e + 26) | (fs->fat_bits == 32 ? le16(e + 20) << 16 : 0);
    out->size = out->is_dir ? 0 : mm_load_le32(e + 28);
    return SCAN_FOUND;
}

/* Scans `sectors` sectors from `sector` in chunks of fs->buf. *seen counts
 * entries across the whole directory to enforce FAT's 65536 limit. */
static fat_status scan_extent(fat_fs *fs, struct lfn *l, uint32_t sector, uint32_t sectors,
                              const char *name, uint32_t len, fat_file *out, uint32_t *seen,
                              enum scan_result *res)
{
    uint32_t chunk_max = FAT_DIR_BUF >> fs->sec_shift;
    while (sectors) {
        uint32_t n = sectors < chunk_max ? sectors : chunk_max;
        fat_status st = read_sectors(fs, sector, n, fs->buf);
        if (st != FAT_OK)
            return st;
        uint32_t entries = (n << fs->sec_shift) / FAT_DIRENT;
        for (uint32_t i = 0; i < entries; i++) {
            if (++*seen > FAT_MAX_DIR_ENTRIES)
                return FAT_ERR_CORRUPT;
            *res = scan_entry(fs, l, fs->buf + i * FAT_DIRENT, name, len, out);
            if (*res != SCAN_MORE)
                return FAT_OK;
        }
        sector += n;
        sectors -= n;
    }
    *res = SCAN_MORE;
    return FAT_OK;
}

/* Finds `name` (len bytes) in the directory starting at `dir_cluster`
 * (0 = the fixed FAT12/16 root). */
static fat_status dir_find(fat_fs *fs, uint32_t dir_cluster, const char *name, uint32_t len,
                           fat_file *out)
{
    struct lfn l = {0};
    uint32_t seen = 0;
    enum scan_result res;
    if (dir_cluster == 0) {
        fat_status st =
            scan_extent(fs, &l, fs->root_start, fs->root_sectors, name, len, out, &seen, &res);
        if (st != FAT_OK)
            return st;
        return res == SCAN_FOUND ? FAT_OK : FAT_ERR_NOT_FOUND;
    }
    uint32_t c = dir_cluster;
    for (uint32_t steps = 0; steps < fs->clusters; steps++) {
        if (!cluster_valid(fs, c))
            return FAT_ERR_CORRUPT;
        fat_status st = scan_extent(fs, &l, cluster_sector(fs, c), 1u << fs->clus_shift, name, len,
                                    out, &seen, &res);
        if (st != FAT_OK)
            return st;
        if (res != SCAN_MORE)
            return res == SCAN_FOUND ? FAT_OK : FAT_ERR_NOT_FOUND;
        st = fat_next(fs, c, &c);
        if (st != FAT_OK)
            return st;
        if (c == FAT_EOC)
            return FAT_ERR_NOT_FOUND;
    }
    return FAT_ERR_CORRUPT; /* longer than the volume: a loop */
}

fat_status fat_lookup(fat_fs *fs, const char *path, fat_file *out)
{
    if (!fs || !path || !out || !fs->read)
        return FAT_ERR_ARGUMENT;
    fat_file cur = {.first_cluster = fs->fat_bits == 32 ? fs->root_cluster : 0, .is_dir = true};
    while (*path) {
        while (*path == '/')
            path++;
        uint32_t len = 0;
        while (path[len] && path[len] != '/')
            len++;
        if (len == 0)
            break;
        if (!cur.is_dir)
            return FAT_ERR_NOT_DIR;
        if (len > FAT_NAME_MAX)
            return FAT_ERR_NOT_FOUND;
        uint32_t dir = cur.first_cluster;
        fat_status st = dir_find(fs, dir, path, len, &cur);
        if (st != FAT_OK)
            return st;
        if (cur.is_dir && cur.first_cluster == 0 && fs->fat_bits == 32)
            cur.first_cluster = fs->root_cluster; /* ".." of a top-level dir */
        path += len;
    }
    *out = cur;
    return FAT_OK;
}
