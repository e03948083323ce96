/* The read-ahead windows (boot/common/readahead.h) over a fake disk whose
 * sector i holds the byte (i & 0xff) 512 times, counting device calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/readahead.h"

#define SECTOR 512u
#define WINDOW 8u /* sectors per window */

typedef struct disk {
    uint64_t sectors;  /* reads past the end fail */
    uint64_t bad_lba;  /* a sector that does not read; UINT64_MAX: none */
    uint32_t calls;    /* device reads */
    uint64_t last_lba; /* of the last device read */
    uint32_t last_count;
} disk;

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    disk *d = ctx;
    d->calls++;
    d->last_lba = lba;
    d->last_count = count;
    if (lba > d->sectors || count > d->sectors - lba)
        return -1;
    if (d->bad_lba >= lba && d->bad_lba - lba < count)
        return -2;
    for (uint32_t i = 0; i < count; i++)
        memset((uint8_t *)dst + (size_t)i * SECTOR, (int)((lba + i) & 0xff), SECTOR);
    return 0;
}

typedef struct world {
    disk d;
    bc_readahead ra;
    uint8_t window[BC_READAHEAD_WINDOWS * WINDOW * SECTOR];
    uint8_t out[64 * SECTOR];
} world;

static world *make(uint64_t sectors, uint64_t known_sectors)
{
    world *w = calloc(1, sizeof *w);
    w->d = (disk){.sectors = sectors, .bad_lba = UINT64_MAX};
    bc_readahead_init(&w->ra, disk_read, &w->d, SECTOR, known_sectors, w->window, sizeof w->window);
    return w;
}

/* Sectors [lba, lba + count) arrived in `out` in order. */
static void assert_sectors(const uint8_t *out, uint64_t lba, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        for (uint32_t k = 0; k < SECTOR; k += 97)
            assert_int_equal(out[(size_t)i * SECTOR + k], (lba + i) & 0xff);
}

static bool nothing_held(const bc_readahead *ra)
{
    for (uint32_t i = 0; i < BC_READAHEAD_WINDOWS; i++)
        if (ra->win[i].count)
            return false;
    return true;
}

static int rd(world *w, uint64_t lba, uint32_t count)
{
    return bc_readahead_read(&w->ra, lba, count, w->out);
}

/* Eight one-sector reads inside one window: one device read.
 *   read 100, 101, ..., 107   ->  device: [100, 108) once */
static void small_reads_share_one_fill(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    for (uint32_t i = 0; i < WINDOW; i++) {
        assert_int_equal(rd(w, 100 + i, 1), 0);
        assert_sectors(w->out, 100 + i, 1);
    }
    assert_int_equal(w->d.calls, 1);
    assert_int_equal(w->ra.calls, 1);
    assert_true(w->d.last_lba == 100 && w->d.last_count == WINDOW);
    free(w);
}

/* Going back inside a window costs nothing; leaving it fills the other.
 *   read 200, 203, 201    -> one fill [200, 208)
 *   read 208              -> a second fill [208, 216)
 *   read 202              -> still held */
static void window_moves_when_left(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    assert_int_equal(rd(w, 200, 1), 0);
    assert_int_equal(rd(w, 203, 2), 0);
    assert_sectors(w->out, 203, 2);
    assert_int_equal(rd(w, 201, 1), 0);
    assert_int_equal(w->d.calls, 1);
    assert_int_equal(rd(w, 208, 1), 0);
    assert_sectors(w->out, 208, 1);
    assert_int_equal(w->d.calls, 2);
    assert_true(w->d.last_lba == 208);
    assert_int_equal(rd(w, 202, 1), 0);
    assert_sectors(w->out, 202, 1);
    assert_int_equal(w->d.calls, 2);
    free(w);
}

/* A request that starts inside the window and runs past it: the held part
 * is copied, the rest fetched.
 *   window [300, 308); read [306, 310) -> copy 306, 307; fill [308, 316) */
static void request_straddles_window(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    assert_int_equal(rd(w, 300, 1), 0);
    assert_int_equal(rd(w, 306, 4), 0);
    assert_sectors(w->out, 306, 4);
    assert_int_equal(w->d.calls, 2);
    assert_true(w->d.last_lba == 308 && w->d.last_count == WINDOW);
    free(w);
}

/* Reads of a window or more go straight to the device, in one call.
 *   read [400, 440) -> device [400, 440), window untouched */
static void large_reads_pass_through(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    assert_int_equal(rd(w, 400, 40), 0);
    assert_sectors(w->out, 400, 40);
    assert_int_equal(w->d.calls, 1);
    assert_true(w->d.last_lba == 400 && w->d.last_count == 40);
    assert_true(nothing_held(&w->ra));
    free(w);
}

/* A FAT walk between directory reads: two windows, neither evicts the
 * other; a third place evicts the one used least recently.
 *   read 100 (FAT), 500 (dir), 101, 501, 102  -> 2 fills
 *   read 900 -> evicts [500, 508); read 103 -> held; read 502 -> a fill */
static void two_windows_least_recent_refilled(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    static const uint64_t walk[] = {100, 500, 101, 501, 102};
    for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++) {
        assert_int_equal(rd(w, walk[i], 1), 0);
        assert_sectors(w->out, walk[i], 1);
    }
    assert_int_equal(w->d.calls, 2);
    assert_int_equal(rd(w, 900, 1), 0);
    assert_int_equal(w->d.calls, 3);
    assert_int_equal(rd(w, 103, 1), 0);
    assert_sectors(w->out, 103, 1);
    assert_int_equal(w->d.calls, 3);
    assert_int_equal(rd(w, 502, 1), 0);
    assert_sectors(w->out, 502, 1);
    assert_int_equal(w->d.calls, 4);
    free(w);
}

/* Near the device's end the fill stops at the end.
 *   device 1000 sectors; read 997 -> fill [997, 1000) */
static void fill_stops_at_device_end(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    assert_int_equal(rd(w, 997, 1), 0);
    assert_true(w->d.last_lba == 997 && w->d.last_count == 3);
    assert_int_equal(rd(w, 999, 1), 0);
    assert_sectors(w->out, 999, 1);
    assert_int_equal(w->d.calls, 1);
    free(w);
}

/* Device size unknown: nothing is read past a request.
 *   read 50 (1 sector) -> device [50, 51) */
static void unknown_size_reads_only_requests(void **state)
{
    (void)state;
    world *w = make(1000, 0);
    assert_int_equal(rd(w, 50, 1), 0);
    assert_true(w->d.last_lba == 50 && w->d.last_count == 1);
    assert_int_equal(rd(w, 50, 1), 0);
    assert_int_equal(w->d.calls, 1); /* still held */
    assert_int_equal(rd(w, 51, 1), 0);
    assert_int_equal(w->d.calls, 2);
    free(w);
}

/* A bad sector inside the read-ahead but past the request: the fill is
 * retried as the request alone, which succeeds.
 *   bad 504; read 500 -> [500, 508) fails, [500, 501) reads */
static void failed_fill_retries_request_alone(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    w->d.bad_lba = 504;
    assert_int_equal(rd(w, 500, 1), 0);
    assert_sectors(w->out, 500, 1);
    assert_int_equal(w->d.calls, 2);
    assert_true(w->d.last_lba == 500 && w->d.last_count == 1);
    free(w);
}

/* A bad sector inside the request: the device's status comes back and
 * the window being filled holds nothing.
 *   bad 601; read [600, 602) -> -2 */
static void error_inside_request_is_returned(void **state)
{
    (void)state;
    world *w = make(1000, 1000);
    assert_int_equal(rd(w, 700, 1), 0);
    w->d.bad_lba = 601;
    assert_int_equal(rd(w, 600, 2), -2);
    for (uint32_t i = 0; i < BC_READAHEAD_WINDOWS; i++)
        assert_false(w->ra.win[i].count && w->ra.win[i].lba == 600);
    w->d.bad_lba = UINT64_MAX;
    assert_int_equal(rd(w, 600, 2), 0);
    assert_sectors(w->out, 600, 2);
    free(w);
}

/* A device that says it is larger than it is: the fill past the real end
 * fails, the request alone reads.
 *   real 1000, told 2000; read 995 -> [995, 1003) fails, [995, 996) reads */
static void misreported_size_falls_back(void **state)
{
    (void)state;
    world *w = make(1000, 2000);
    assert_int_equal(rd(w, 995, 1), 0);
    assert_sectors(w->out, 995, 1);
    assert_int_equal(w->d.calls, 2);
    free(w);
}

/* Windows of one sector (or none) pass every read through. */
static void tiny_window_passes_through(void **state)
{
    (void)state;
    disk d = {.sectors = 100, .bad_lba = UINT64_MAX};
    uint8_t one[BC_READAHEAD_WINDOWS * SECTOR], out[SECTOR];
    bc_readahead ra;
    bc_readahead_init(&ra, disk_read, &d, SECTOR, 100, one, sizeof one);
    assert_int_equal(bc_readahead_read(&ra, 5, 1, out), 0);
    assert_int_equal(bc_readahead_read(&ra, 5, 1, out), 0);
    assert_int_equal(d.calls, 2);
    assert_int_equal(out[0], 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_reads_share_one_fill),
        cmocka_unit_test(window_moves_when_left),
        cmocka_unit_test(request_straddles_window),
        cmocka_unit_test(large_reads_pass_through),
        cmocka_unit_test(two_windows_least_recent_refilled),
        cmocka_unit_test(fill_stops_at_device_end),
        cmocka_unit_test(unknown_size_reads_only_requests),
        cmocka_unit_test(failed_fill_retries_request_alone),
        cmocka_unit_test(error_inside_request_is_returned),
        cmocka_unit_test(misreported_size_falls_back),
        cmocka_unit_test(tiny_window_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
