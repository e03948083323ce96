/* Partition tables: GPT images made by sgdisk at test time, MBR tables
 * written by hand, and corruptions of both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "common/part.h"

#define SECTOR       512u
#define DISK_SECTORS 16384u /* 8 MiB */

struct disk {
    uint8_t *data;
    uint32_t calls;
    int fail;
};

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    struct disk *d = ctx;
    d->calls++;
    if (d->fail || lba > DISK_SECTORS || count > DISK_SECTORS - lba)
        return -1;
    memcpy(dst, d->data + lba * SECTOR, (size_t)count * SECTOR);
    return 0;
}

static uint8_t scratch[16384];

static part_disk make_disk(struct disk *d, uint32_t scratch_size)
{
    return (part_disk){.read = disk_read,
                       .ctx = d,
                       .sector_size = SECTOR,
                       .sectors = DISK_SECTORS,
                       .scratch = scratch,
                       .scratch_size = scratch_size};
}

/* BIOS boot partition at 2048..4095 and an ESP at 4096..end, like
 * build/multios.img. */
static struct disk gpt_disk(void)
{
    char path[] = "/tmp/mos-part-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "truncate -s 8M %s && sgdisk -n1:2048:4095 -t1:EF02 -n2:4096:0 -t2:EF00 %s >/dev/null",
             path, path);
    assert_int_equal(system(cmd), 0);
    struct disk d = {.data = malloc((size_t)DISK_SECTORS * SECTOR)};
    FILE *f = fdopen(fd, "rb");
    assert_int_equal(fread(d.data, SECTOR, DISK_SECTORS, f), DISK_SECTORS);
    fclose(f);
    remove(path);
    return d;
}

static void set_mbr_entry(uint8_t *mbr, int slot, uint8_t type, uint32_t start, uint32_t len)
{
    uint8_t *e = mbr + 446 + 16 * slot;
    e[4] = type;
    memcpy(e + 8, &start, 4);
    memcpy(e + 12, &len, 4);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
}

static void gpt_finds_esp_and_bios_boot(void **state)
{
    (void)state;
    struct disk d = gpt_disk();
    part_disk pd = make_disk(&d, sizeof scratch);
    part_entry e;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_OK);
    assert_int_equal(e.first_lba, 4096);
    assert_int_equal(e.index, 1);
    assert_int_equal(part_gpt_find(&pd, part_guid_bios_boot, &e), PART_OK);
    assert_int_equal(e.first_lba, 2048);
    assert_int_equal(e.sectors, 2048);
    part_mbr mbr;
    assert_int_equal(part_read_mbr(&pd, &mbr), PART_OK);
    assert_true(mbr.protective);
    free(d.data);
}

/* A one-sector scratch gives the same answer with more reads. */
static void small_scratch_same_result(void **state)
{
    (void)state;
    struct disk d = gpt_disk();
    part_disk big = make_disk(&d, sizeof scratch), small = make_disk(&d, SECTOR);
    part_entry a, b;
    d.calls = 0;
    assert_int_equal(part_gpt_find(&big, part_guid_esp, &a), PART_OK);
    uint32_t big_calls = d.calls;
    d.calls = 0;
    assert_int_equal(part_gpt_find(&small, part_guid_esp, &b), PART_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(d.calls > big_calls);
    free(d.data);
}

/* Flipping one byte of the header, or of the entry array, breaks its CRC. */
static void gpt_crc_checked(void **state)
{
    (void)state;
    struct disk d = gpt_disk();
    part_disk pd = make_disk(&d, sizeof scratch);
    part_entry e;
    d.data[SECTOR + 40] ^= 1; /* first usable LBA */
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_BAD_GPT);
    d.data[SECTOR + 40] ^= 1;
    d.data[2 * SECTOR + 128 + 33] ^= 1; /* ESP first LBA */
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_BAD_GPT);
    d.data[2 * SECTOR + 128 + 33] ^= 1;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_OK);
    free(d.data);
}

static void gpt_without_esp_not_found(void **state)
{
    (void)state;
    struct disk d = gpt_disk();
    part_disk pd = make_disk(&d, sizeof scratch);
    part_entry e;
    assert_int_equal(part_gpt_find(&pd, (const uint8_t *)"0123456789abcdef", &e),
                     PART_ERR_NOT_FOUND);
    free(d.data);
}

/* MBR disk: an 0xEF entry wins over an earlier FAT32 one; without it the
 * first FAT-typed partition is used; Linux-only disks have none. */
static void mbr_boot_volume(void **state)
{
    (void)state;
    struct disk d = {.data = calloc(DISK_SECTORS, SECTOR)};
    part_disk pd = make_disk(&d, sizeof scratch);
    part_entry e;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_NO_MBR);
    set_mbr_entry(d.data, 0, 0x83, 63, 1000);
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_NOT_FOUND);
    set_mbr_entry(d.data, 1, 0x0c, 2048, 4000);
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_OK);
    assert_int_equal(e.first_lba, 2048);
    set_mbr_entry(d.data, 3, 0xef, 8192, 4000);
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_OK);
    assert_int_equal(e.first_lba, 8192);
    assert_int_equal(e.mbr_type, 0xef);
    part_mbr mbr;
    assert_int_equal(part_read_mbr(&pd, &mbr), PART_OK);
    assert_false(mbr.protective);
    assert_int_equal(mbr.count, 3);
    assert_int_equal(mbr.first_start, 63);
    free(d.data);
}

/* Protective MBR but garbage at LBA 1. */
static void protective_mbr_without_gpt(void **state)
{
    (void)state;
    struct disk d = {.data = calloc(DISK_SECTORS, SECTOR)};
    part_disk pd = make_disk(&d, sizeof scratch);
    set_mbr_entry(d.data, 0, 0xee, 1, DISK_SECTORS - 1);
    part_entry e;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_BAD_GPT);
    free(d.data);
}

static void io_errors_and_arguments(void **state)
{
    (void)state;
    struct disk d = gpt_disk();
    part_disk pd = make_disk(&d, sizeof scratch);
    part_entry e;
    d.fail = 1;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_IO);
    pd.scratch_size = 100;
    assert_int_equal(part_find_boot_volume(&pd, &e), PART_ERR_ARGUMENT);
    assert_string_equal(part_strerror(PART_ERR_BAD_GPT), "invalid GPT");
    free(d.data);
}

/* Known CRC-32 check value, and feeding in pieces equals one go. */
static void crc32_known_value(void **state)
{
    (void)state;
    assert_int_equal(part_crc32(0, "123456789", 9), 0xcbf43926u);
    assert_int_equal(part_crc32(part_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

/* Every byte value 0 .. 255, each alone and all in one run, against
 * zlib.
 *
 *   [00 01 02 ... ff]   one call;   [b]   256 calls of one byte */
static void crc32_matches_zlib(void **state)
{
    (void)state;
    uint8_t all[256];
    for (unsigned i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
        assert_int_equal(part_crc32(0, &all[i], 1), (uint32_t)crc32(0, &all[i], 1));
    }
    assert_int_equal(part_crc32(0, all, sizeof all), (uint32_t)crc32(0, all, sizeof all));
    assert_int_equal(part_crc32(0, NULL, 0), 0);
}

/* Pieces on both sides of the table threshold, chained, against zlib:
 *
 *   [ 5000 bytes ] = [ 3 ][ 1500 ][ 1023 ][ 1024 ][ 1450 ]  */
static void crc32_long_pieces(void **state)
{
    (void)state;
    uint8_t buf[5000];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131u + 7u);
    static const uint32_t cut[] = {3, 1500, 1023, 1024, 1450};
    uint32_t crc = 0, at = 0;
    for (unsigned i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        crc = part_crc32(crc, buf + at, cut[i]);
        at += cut[i];
        assert_int_equal(crc, (uint32_t)crc32(0, buf, at));
    }
    assert_int_equal(at, sizeof buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpt_finds_esp_and_bios_boot),
        cmocka_unit_test(small_scratch_same_result),
        cmocka_unit_test(gpt_crc_checked),
        cmocka_unit_test(gpt_without_esp_not_found),
        cmocka_unit_test(mbr_boot_volume),
        cmocka_unit_test(protective_mbr_without_gpt),
        cmocka_unit_test(io_errors_and_arguments),
        cmocka_unit_test(crc32_known_value),
        cmocka_unit_test(crc32_matches_zlib),
        cmocka_unit_test(crc32_long_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
