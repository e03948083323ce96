/* BIOS chainload sector selection on an in-memory disk of 64 sectors:
 *
 *   LBA 0        MBR: slot 1 (index 0) empty, slot 2 at LBA 8, slot 3 at
 *                LBA 100 (beyond the disk), slot 4 at LBA 16
 *   LBA 8        boot sector of partition 2 (0x55AA, first byte 0xB2)
 *   LBA 16       partition 4's first sector without 0x55AA */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/chainload.h"

#define SECTORS 64

typedef struct fake_disk {
    uint8_t data[SECTORS][512];
    int fail_lba; /* -1: none */
} fake_disk;

static int fake_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    fake_disk *d = ctx;
    if (lba + count > SECTORS || (int64_t)lba == d->fail_lba)
        return -1;
    memcpy(dst, d->data[lba], count * 512u);
    return 0;
}

static void put_entry(uint8_t *mbr, int slot, uint8_t type, uint32_t lba, uint32_t len)
{
    uint8_t *e = mbr + 446 + 16 * slot;
    e[0] = 0x80;
    e[4] = type;
    memcpy(e + 8, &lba, 4);
    memcpy(e + 12, &len, 4);
}

static void sign(uint8_t *s)
{
    s[510] = 0x55;
    s[511] = 0xaa;
}

typedef struct fixture {
    fake_disk disk;
    part_disk pd;
    uint8_t mbr[512], boot[512];
    bc_chain_sector out;
    const char *why;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    f.disk.fail_lba = -1;
    uint8_t *mbr = f.disk.data[0];
    mbr[0] = 0xb0;
    put_entry(mbr, 1, 0x07, 8, 8);
    put_entry(mbr, 2, 0x83, 100, 8);
    put_entry(mbr, 3, 0x0c, 16, 8);
    sign(mbr);
    f.disk.data[8][0] = 0xb2;
    sign(f.disk.data[8]);
    f.pd = (part_disk){.read = fake_read, .ctx = &f.disk, .sector_size = 512, .sectors = SECTORS};
    *state = &f;
    return 0;
}

static mm_status chain(fixture *f, uint32_t partition)
{
    return bc_chain_read(&f->pd, partition, f->mbr, f->boot, &f->out, &f->why);
}

/* Partition 0: sector 0 itself, no partition entry. */
static void whole_disk(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 0), MM_OK);
    assert_int_equal(f->out.lba, 0);
    assert_int_equal(f->out.entry_offset, 0);
    assert_int_equal(f->boot[0], 0xb0);
}

/* Partition 2: its first sector, and the MBR kept with DS:SI's entry at
 * 446 + 16. */
static void partition_two(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 2), MM_OK);
    assert_int_equal(f->out.lba, 8);
    assert_int_equal(f->out.entry_offset, 446 + 16);
    assert_int_equal(f->boot[0], 0xb2);
    assert_int_equal(f->mbr[f->out.entry_offset + 4], 0x07);
}

static void whole_disk_without_signature(void **state)
{
    fixture *f = *state;
    f->disk.data[0][511] = 0;
    assert_int_equal(chain(f, 0), MM_ERR_NOT_FOUND);
    assert_string_equal(f->why, "no boot signature 0x55AA in sector 0");
    assert_int_equal(chain(f, 2), MM_ERR_NOT_FOUND); /* no partition table either */
    assert_string_equal(f->why, "no partition table (0x55AA) in sector 0");
}

static void partition_without_signature(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 4), MM_ERR_NOT_FOUND);
    assert_string_equal(f->why, "no boot signature 0x55AA in the partition's first sector");
}

static void empty_slot(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 1), MM_ERR_NOT_USABLE);
    assert_string_equal(f->why, "partition slot is empty");
}

static void partition_beyond_disk(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 3), MM_ERR_OUT_OF_RANGE);
}

static void gpt_disk_refused(void **state)
{
    fixture *f = *state;
    put_entry(f->disk.data[0], 0, PART_MBR_TYPE_GPT, 1, SECTORS - 1);
    assert_int_equal(chain(f, 2), MM_ERR_NOT_USABLE);
    assert_string_equal(f->why, "GPT disk: partition= takes MBR partitions only");
}

static void read_errors(void **state)
{
    fixture *f = *state;
    f->disk.fail_lba = 8;
    assert_int_equal(chain(f, 2), MM_ERR_MAP_INVALID);
    assert_string_equal(f->why, "disk read error in the boot sector");
    f->disk.fail_lba = 0;
    assert_int_equal(chain(f, 2), MM_ERR_MAP_INVALID);
    assert_string_equal(f->why, "disk read error in sector 0");
}

static void bad_arguments(void **state)
{
    fixture *f = *state;
    assert_int_equal(chain(f, 5), MM_ERR_INVALID_ARGUMENT);
    f->pd.sector_size = 4096;
    assert_int_equal(chain(f, 0), MM_ERR_NOT_USABLE);
    assert_string_equal(f->why, "sector size is not 512 bytes");
    assert_int_equal(bc_chain_read(&f->pd, 0, NULL, f->boot, &f->out, NULL),
                     MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
    const struct CMUnitTest tests[] = {
        T(whole_disk),
        T(partition_two),
        T(whole_disk_without_signature),
        T(partition_without_signature),
        T(empty_slot),
        T(partition_beyond_disk),
        T(gpt_disk_refused),
        T(read_errors),
        T(bad_arguments),
    };
    return cmocka_run_group_tests_name("chainload", tests, NULL, NULL);
}
