/* Read-ahead windows over a sector-read callback (readahead.h). */
#include "readahead.h"

#include "mm/base.h"

void bc_readahead_init(bc_readahead *ra, bc_sector_read_fn read, void *ctx, uint32_t sector_size,
                       uint64_t sectors, void *buf, size_t buf_bytes)
{
    size_t per = sector_size ? buf_bytes / BC_READAHEAD_WINDOWS / sector_size : 0;
    *ra = (bc_readahead){.read = read,
                         .ctx = ctx,
                         .sector_size = sector_size,
                         .sectors = sectors,
                         .window_sectors = per > UINT32_MAX ? UINT32_MAX : (uint32_t)per};
    for (uint32_t i = 0; i < BC_READAHEAD_WINDOWS; i++)
        ra->win[i].buf = (uint8_t *)buf + (size_t)i * per * sector_size;
}

/* The window holding sector `lba`, or NULL. */
static bc_readahead_window *holding(bc_readahead *ra, uint64_t lba)
{
    for (uint32_t i = 0; i < BC_READAHEAD_WINDOWS; i++) {
        bc_readahead_window *w = &ra->win[i];
        if (w->count && lba >= w->lba && lba - w->lba < w->count)
            return w;
    }
    return NULL;
}

static bc_readahead_window *least_recent(bc_readahead *ra)
{
    bc_readahead_window *lru = &ra->win[0];
    for (uint32_t i = 1; i < BC_READAHEAD_WINDOWS; i++)
        if (ra->win[i].used < lru->used)
            lru = &ra->win[i];
    return lru;
}

/* Sectors to fetch into a window at `lba` for a request of `want`
 * (fewer than a window): the whole window, cut at the device's end but
 * never below the request. */
static uint32_t fill_count(const bc_readahead *ra, uint64_t lba, uint32_t want)
{
    if (!ra->sectors)
        return want;
    uint64_t left = lba < ra->sectors ? ra->sectors - lba : 0;
    uint32_t n = left < ra->window_sectors ? (uint32_t)left : ra->window_sectors;
    return n > want ? n : want;
}

static int device_read(bc_readahead *ra, uint64_t lba, uint32_t count, void *dst)
{
    ra->calls++;
    return ra->read(ra->ctx, lba, count, dst);
}

/* Fills window `w` at `lba` for a request of `want` sectors. */
static int fill(bc_readahead *ra, bc_readahead_window *w, uint64_t lba, uint32_t want)
{
    uint32_t n = fill_count(ra, lba, want);
    w->count = 0;
    int rc = device_read(ra, lba, n, w->buf);
    if (rc != 0 && n > want) {
        n = want;
        rc = device_read(ra, lba, n, w->buf);
    }
    if (rc == 0) {
        w->lba = lba;
        w->count = n;
    }
    return rc;
}

int bc_readahead_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    bc_readahead *ra = ctx;
    uint8_t *out = dst;
    while (count) {
        bc_readahead_window *w = holding(ra, lba);
        if (!w) {
            if (count >= ra->window_sectors)
                return device_read(ra, lba, count, out);
            w = least_recent(ra);
            int rc = fill(ra, w, lba, count);
            if (rc != 0)
                return rc;
        }
        w->used = ++ra->clock;
        uint32_t skip = (uint32_t)(lba - w->lba), n = w->count - skip;
        if (n > count)
            n = count;
        mm_memcpy(out, w->buf + (size_t)skip * ra->sector_size, (size_t)n * ra->sector_size);
        out += (size_t)n * ra->sector_size;
        lba += n;
        count -= n;
    }
    return 0;
}
