/* FAT reader against real FAT12/16/32 images made by mformat/mcopy at test
 * time (mtools), read through an in-memory sector callback that records
 * every call, plus hand-made corruptions of those images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/fat.h"

#define SECTOR 512u

struct disk {
    uint8_t *data;
    size_t size;
    uint32_t calls;
    uint32_t max_count; /* largest single read, in sectors */
    uint32_t fat_calls; /* reads that start inside FAT #0 of the mounted `fs` */
    int fail;           /* non-zero: every read fails */
};

static fat_fs fs; /* 8 KiB: static rather than on the test stack */

static int disk_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    struct disk *d = ctx;
    d->calls++;
    if (fs.fat_sectors && lba >= fs.fat_start && lba < fs.fat_start + fs.fat_sectors)
        d->fat_calls++;
    if (d->fail || lba > d->size / SECTOR || count > d->size / SECTOR - lba)
        return -1;
    if (count > d->max_count)
        d->max_count = count;
    memcpy(dst, d->data + lba * SECTOR, (size_t)count * SECTOR);
    return 0;
}

static char tmpdir[64];

/* Deterministic file contents so a misplaced byte is caught. */
static uint8_t *pattern(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

static void write_host_file(const char *name, size_t n, uint32_t seed)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    uint8_t *p = pattern(n, seed);
    fwrite(p, 1, n, f);
    fclose(f);
    free(p);
}

static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static struct disk load_image(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    struct disk d = {.size = (size_t)ftell(f)};
    fseek(f, 0, SEEK_SET);
    d.data = malloc(d.size);
    assert_int_equal(fread(d.data, 1, d.size, f), d.size);
    fclose(f);
    return d;
}

/* Images: fat12.img (1.44 MB floppy), fat16.img (16 MiB), fat32.img
 * (40 MiB), all with /boot.cfg, /boot/kernel.elf (300 KiB), a long name in
 * a subdirectory; fat16.img also holds a fragmented file. */
static int make_images(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/mos-fat-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    write_host_file("cfg", 100, 1);
    write_host_file("kernel", 300 * 1024 + 17, 2);
    write_host_file("long", 5000, 3);
    write_host_file("a", 8192, 4);
    write_host_file("b", 8192, 5);
    write_host_file("c", 8192, 6);
    write_host_file("frag", 40000, 7);
    const char *fmt[3] = {"-f 1440", "-T 32768 -h 4 -s 32", "-F -T 81920 -h 4 -s 32"};
    const char *img[3] = {"fat12.img", "fat16.img", "fat32.img"};
    const char *size[3] = {"1440K", "16M", "40M"};
    for (int i = 0; i < 3; i++) {
        int rc = sh("cd %s && truncate -s %s %s && mformat -i %s %s :: && mmd -i %s ::/boot "
                    "::/boot/Sub_Directory && mcopy -i %s cfg ::/boot.cfg && "
                    "mcopy -i %s kernel ::/boot/kernel.elf && "
                    "mcopy -i %s long '::/boot/Sub_Directory/A Long File Name.data'",
                    tmpdir, size[i], img[i], img[i], fmt[i], img[i], img[i], img[i], img[i]);
        if (rc != 0)
            return -1;
    }
    /* Fragment: fill three slots, free the middle one, then write a file
     * larger than the hole so it continues after the third. */
    return sh("cd %s && mcopy -i fat16.img a b c :: && mdel -i fat16.img ::b && "
              "mcopy -i fat16.img frag ::/frag.bin",
              tmpdir)
               ? -1
               : 0;
}

static int remove_images(void **state)
{
    (void)state;
    return sh("rm -rf %s", tmpdir);
}

static void mount_ok(struct disk *d, uint32_t bits)
{
    assert_int_equal(fat_mount(&fs, disk_read, d, SECTOR, 0, d->size / SECTOR), FAT_OK);
    assert_int_equal(fs.fat_bits, bits);
}

/* fat16.img mounted, with /boot/kernel.elf looked up into *f. */
static struct disk kernel_on_fat16(fat_file *f)
{
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    assert_int_equal(fat_lookup(&fs, "/boot/kernel.elf", f), FAT_OK);
    return d;
}

/* Looks `path` up, reads it and compares with pattern(n, seed). */
static void expect_file(struct disk *d, const char *path, size_t n, uint32_t seed)
{
    fat_file f;
    assert_int_equal(fat_lookup(&fs, path, &f), FAT_OK);
    assert_false(f.is_dir);
    assert_int_equal(f.size, n);
    uint8_t *buf = malloc(n + 1);
    buf[n] = 0xa5; /* must stay untouched */
    assert_int_equal(fat_read_file(&fs, &f, buf, n), FAT_OK);
    uint8_t *want = pattern(n, seed);
    assert_memory_equal(buf, want, n);
    assert_int_equal(buf[n], 0xa5);
    free(want);
    free(buf);
    (void)d;
}

static void read_all_files(const char *img, uint32_t bits)
{
    struct disk d = load_image(img);
    mount_ok(&d, bits);
    expect_file(&d, "/boot.cfg", 100, 1);
    expect_file(&d, "/boot/kernel.elf", 300 * 1024 + 17, 2);
    expect_file(&d, "/boot/Sub_Directory/A Long File Name.data", 5000, 3);
    free(d.data);
}

/* Each FAT width: the type comes from the cluster count, files read back
 * byte for byte (root file, subdirectory file, long name two levels down). */
static void fat12_files(void **state)
{
    (void)state;
    read_all_files("fat12.img", 12);
}

static void fat16_files(void **state)
{
    (void)state;
    read_all_files("fat16.img", 16);
}

static void fat32_files(void **state)
{
    (void)state;
    read_all_files("fat32.img", 32);
}

/* Names match case-insensitively, by long name and by the 8.3 alias;
 * extra and leading slashes are ignored. */
static void names_case_insensitive_and_short(void **state)
{
    (void)state;
    struct disk d = load_image("fat32.img");
    mount_ok(&d, 32);
    expect_file(&d, "BOOT/KERNEL.ELF", 300 * 1024 + 17, 2);
    expect_file(&d, "//boot//sub_directory/a long file name.DATA", 5000, 3);
    expect_file(&d, "/boot/SUB_DI~1/ALONGF~1.DAT", 5000, 3);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/boot/Sub_Directory/..", &f), FAT_OK);
    assert_true(f.is_dir);
    expect_file(&d, "/boot/Sub_Directory/../kernel.elf", 300 * 1024 + 17, 2);
    free(d.data);
}

/* A contiguous file is read in one call for its whole sectors (plus one
 * for the partial last sector), not cluster by cluster. */
static void contiguous_file_one_read(void **state)
{
    (void)state;
    fat_file f;
    struct disk d = kernel_on_fat16(&f);
    uint8_t *buf = malloc(f.size);
    d.calls = 0;
    d.max_count = 0;
    assert_int_equal(fat_read_file(&fs, &f, buf, f.size), FAT_OK);
    assert_int_equal(d.max_count, f.size / SECTOR);
    /* data + partial last sector + the FAT sectors the chain spans */
    uint32_t clusters = (f.size + (SECTOR << fs.clus_shift) - 1) >> (9 + fs.clus_shift);
    uint32_t fat_sectors = ((f.first_cluster + clusters) * 2 >> 9) - (f.first_cluster * 2 >> 9) + 1;
    assert_true(d.calls <= 2 + fat_sectors);
    free(buf);
    free(d.data);
}

/* With room for the whole last sector, the partial sector is read into
 * the buffer directly: one call fewer, same file bytes. */
static void spare_room_saves_a_read(void **state)
{
    (void)state;
    fat_file f;
    struct disk d = kernel_on_fat16(&f);
    assert_true(f.size % SECTOR != 0);
    size_t room = (f.size + SECTOR - 1) / SECTOR * SECTOR;
    uint8_t *exact = malloc(f.size), *spare = malloc(room);
    assert_int_equal(fat_read_file(&fs, &f, exact, f.size), FAT_OK); /* warms the FAT cache */
    d.calls = 0;
    assert_int_equal(fat_read_file(&fs, &f, exact, f.size), FAT_OK);
    uint32_t exact_calls = d.calls;
    d.calls = 0;
    assert_int_equal(fat_read_file(&fs, &f, spare, room), FAT_OK);
    assert_int_equal(d.calls, exact_calls - 1);
    assert_memory_equal(exact, spare, f.size);
    free(exact);
    free(spare);
    free(d.data);
}

/* frag.bin:  [a][hole of b][c][rest]  -> two runs, content intact. */
static void fragmented_file(void **state)
{
    (void)state;
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/frag.bin", &f), FAT_OK);
    d.calls = 0;
    d.max_count = 0;
    expect_file(&d, "/frag.bin", 40000, 7);
    assert_true(d.max_count < 40000 / SECTOR); /* really split on disk */
    free(d.data);
}

/* Runs of consecutive clusters in the FAT16 chain of `f`, read from the
 * image itself. */
static uint32_t runs_of(const struct disk *d, const fat_file *f)
{
    uint32_t clus_bytes = SECTOR << fs.clus_shift, n = (f->size + clus_bytes - 1) / clus_bytes;
    const uint8_t *fat = d->data + ((size_t)fs.fat_start << fs.sec_shift);
    uint32_t c = f->first_cluster, runs = 1;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t next = fat[2 * c] | (uint32_t)fat[2 * c + 1] << 8;
        if (next != c + 1)
            runs++;
        c = next;
    }
    return runs;
}

/* frag.bin with the FAT sectors cached from a first read, and room for
 * its last sector: exactly one read call per run of clusters, none of
 * the FAT.
 *   chain  [a][ hole ][c][rest...]  ->  call 1: run 1   call 2: run 2 */
static void one_read_per_run_no_fat_reread(void **state)
{
    (void)state;
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/frag.bin", &f), FAT_OK);
    size_t room = (f.size + SECTOR - 1) / SECTOR * SECTOR;
    uint8_t *buf = malloc(room);
    assert_int_equal(fat_read_file(&fs, &f, buf, room), FAT_OK);
    d.calls = d.fat_calls = 0;
    assert_int_equal(fat_read_file(&fs, &f, buf, room), FAT_OK);
    uint32_t runs = runs_of(&d, &f);
    assert_true(runs >= 2);
    assert_int_equal(d.calls, runs);
    assert_int_equal(d.fat_calls, 0);
    free(buf);
    free(d.data);
}

/* A cold cache: the whole chain of the kernel (its FAT entries within one
 * cached window) costs one FAT read, whatever the number of clusters. */
static void chain_walk_reads_each_fat_window_once(void **state)
{
    (void)state;
    fat_file f;
    struct disk d = kernel_on_fat16(&f);
    uint32_t clusters = (f.size + (SECTOR << fs.clus_shift) - 1) >> (9 + fs.clus_shift);
    assert_true(clusters > 8);
    assert_true((f.first_cluster + clusters) * 2 < FAT_MAX_SECTOR); /* one window */
    fs.cache_sector = UINT32_MAX; /* forget what the lookup cached */
    uint8_t *buf = malloc(f.size);
    d.calls = d.fat_calls = 0;
    assert_int_equal(fat_read_file(&fs, &f, buf, f.size), FAT_OK);
    assert_int_equal(d.fat_calls, 1);
    free(buf);
    free(d.data);
}

/* Bytes of the first run of clusters of `f` (FAT16), from the image. */
static uint32_t first_run_bytes(const struct disk *d, const fat_file *f)
{
    uint32_t clus_bytes = SECTOR << fs.clus_shift, c = f->first_cluster, n = 1;
    const uint8_t *fat = d->data + ((size_t)fs.fat_start << fs.sec_shift);
    while ((fat[2 * c] | (uint32_t)fat[2 * c + 1] << 8) == c + 1) {
        c++;
        n++;
    }
    return n * clus_bytes;
}

/* Reads [off, off + n) of /frag.bin with exactly n bytes of room and
 * compares with the pattern; the byte after stays untouched. */
static void expect_part(const fat_file *f, const uint8_t *want, uint32_t off, uint32_t n)
{
    uint8_t *buf = malloc(n + 1);
    buf[n] = 0xa5;
    assert_int_equal(fat_read_at(&fs, f, off, buf, n, n), FAT_OK);
    assert_memory_equal(buf, want + off, n);
    assert_int_equal(buf[n], 0xa5);
    free(buf);
}

/* Parts of frag.bin, two runs on disk (run 1: clusters of a, run 2 after
 * the hole left by b), every kind of start and end:
 *
 *   0     512    run 1 ends at 8192             40000
 *   |--|----|....|........|....................|
 *   a  b         c        d                    e
 *   a: mid-sector start and end in one sector   b: a sector boundary
 *   c: across the end of run 1 from mid-sector   d: from run 2's start
 *   e: the last byte; and the whole tail to the end (the chain's end checked) */
static void read_at_parts(void **state)
{
    (void)state;
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/frag.bin", &f), FAT_OK);
    uint8_t *want = pattern(40000, 7);
    uint32_t run1 = first_run_bytes(&d, &f); /* the hole b left */
    assert_int_equal(run1, 8192);
    expect_part(&f, want, 3, 100);
    expect_part(&f, want, 512, 1024);
    expect_part(&f, want, run1 - 700, 1500);
    expect_part(&f, want, run1, 9000);
    expect_part(&f, want, 39999, 1);
    expect_part(&f, want, 1234, 40000 - 1234);
    expect_part(&f, want, 0, 40000);
    free(want);
    free(d.data);
}

/* A part inside run 2 (the FAT cached) reads run 2 only: one call, none
 * for run 1, whose chain is walked in the cached FAT. */
static void read_at_skips_earlier_runs(void **state)
{
    (void)state;
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/frag.bin", &f), FAT_OK);
    uint8_t *buf = malloc(40000);
    assert_int_equal(fat_read_file(&fs, &f, buf, 40000), FAT_OK); /* warms the FAT cache */
    assert_int_equal(first_run_bytes(&d, &f), 8192);
    d.calls = d.fat_calls = 0;
    assert_int_equal(fat_read_at(&fs, &f, 8192, buf, 4096, 4096), FAT_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.fat_calls, 0);
    free(buf);
    free(d.data);
}

/* Ranges past the file, too little room, nothing to read. */
static void read_at_range_errors(void **state)
{
    (void)state;
    struct disk d = load_image("fat16.img");
    mount_ok(&d, 16);
    fat_file f;
    uint8_t buf[64];
    assert_int_equal(fat_lookup(&fs, "/frag.bin", &f), FAT_OK);
    assert_int_equal(fat_read_at(&fs, &f, 40001, buf, 0, sizeof buf), FAT_ERR_ARGUMENT);
    assert_int_equal(fat_read_at(&fs, &f, 39990, buf, 11, sizeof buf), FAT_ERR_ARGUMENT);
    assert_int_equal(fat_read_at(&fs, &f, 0, buf, 65, sizeof buf), FAT_ERR_TOO_BIG);
    d.calls = 0;
    assert_int_equal(fat_read_at(&fs, &f, 40000, buf, 0, sizeof buf), FAT_OK);
    assert_int_equal(d.calls, 0);
    free(d.data);
}

static void lookup_errors(void **state)
{
    (void)state;
    struct disk d = load_image("fat12.img");
    mount_ok(&d, 12);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/nope", &f), FAT_ERR_NOT_FOUND);
    assert_int_equal(fat_lookup(&fs, "/boot/nope.elf", &f), FAT_ERR_NOT_FOUND);
    assert_int_equal(fat_lookup(&fs, "/boot.cfg/x", &f), FAT_ERR_NOT_DIR);
    assert_int_equal(fat_lookup(&fs, "/boot", &f), FAT_OK);
    uint8_t b[16];
    assert_int_equal(fat_read_file(&fs, &f, b, sizeof b), FAT_ERR_IS_DIR);
    assert_int_equal(fat_lookup(&fs, "/boot.cfg", &f), FAT_OK);
    assert_int_equal(fat_read_file(&fs, &f, b, sizeof b), FAT_ERR_TOO_BIG);
    assert_int_equal(fat_lookup(&fs, "/", &f), FAT_OK);
    assert_true(f.is_dir);
    free(d.data);
}

/* Writes FAT #0 entry `c` of a FAT16 image. */
static void set_fat16(struct disk *d, uint32_t c, uint16_t v)
{
    uint8_t *e = d->data + ((size_t)fs.fat_start << fs.sec_shift) + 2 * c;
    e[0] = (uint8_t)v;
    e[1] = (uint8_t)(v >> 8);
}

/* kernel.elf's chain bent back onto its own first cluster: must end in an
 * error (the size bounds the walk), not loop. */
static void cyclic_chain(void **state)
{
    (void)state;
    fat_file f;
    struct disk d = kernel_on_fat16(&f);
    set_fat16(&d, f.first_cluster + 3, (uint16_t)f.first_cluster);
    mount_ok(&d, 16);
    uint8_t *buf = malloc(f.size);
    assert_int_equal(fat_read_file(&fs, &f, buf, f.size), FAT_ERR_CORRUPT);
    free(buf);
    free(d.data);
}

/* A chain ending early, or running into a free cluster, is corruption. */
static void short_and_free_chain(void **state)
{
    (void)state;
    fat_file f;
    struct disk d = kernel_on_fat16(&f);
    uint8_t *buf = malloc(f.size);
    set_fat16(&d, f.first_cluster + 2, 0xffff);
    mount_ok(&d, 16);
    assert_int_equal(fat_read_file(&fs, &f, buf, f.size), FAT_ERR_CORRUPT);
    set_fat16(&d, f.first_cluster + 2, 0);
    mount_ok(&d, 16);
    assert_int_equal(fat_read_file(&fs, &f, buf, f.size), FAT_ERR_CORRUPT);
    free(buf);
    free(d.data);
}

/* A directory whose chain loops onto itself ends with an error. */
static void cyclic_directory(void **state)
{
    (void)state;
    struct disk d = load_image("fat32.img");
    mount_ok(&d, 32);
    uint8_t *e = d.data + ((size_t)fs.fat_start << fs.sec_shift) + 4 * fs.root_cluster;
    memcpy(e, &fs.root_cluster, 4);
    /* No end-of-directory marker left: free slots become deleted ones. */
    uint8_t *dir = d.data + ((size_t)(fs.data_start + ((fs.root_cluster - 2) << fs.clus_shift))
                             << fs.sec_shift);
    for (size_t i = 0; i < ((size_t)SECTOR << fs.clus_shift); i += 32) {
        if (dir[i] == 0)
            dir[i] = 0xe5;
    }
    mount_ok(&d, 32);
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/no-such-file", &f), FAT_ERR_CORRUPT);
    free(d.data);
}

/* Boot sectors that are not (or no longer) FAT. */
static void bad_boot_sector(void **state)
{
    (void)state;
    struct disk d = load_image("fat12.img");
    d.data[510] = 0;
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 0), FAT_ERR_NOT_FAT);
    d.data[510] = 0x55;
    d.data[11] = 100; /* bytes per sector 100 */
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 0), FAT_ERR_NOT_FAT);
    d.data[11] = 0;
    d.data[13] = 3; /* sectors per cluster not a power of two */
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 0), FAT_ERR_NOT_FAT);
    d.data[13] = 1;
    /* Volume claims more sectors than the partition has. */
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 100), FAT_ERR_NOT_FAT);
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 0), FAT_OK);
    free(d.data);
}

static void io_error_and_arguments(void **state)
{
    (void)state;
    struct disk d = load_image("fat12.img");
    mount_ok(&d, 12);
    d.fail = 1;
    fat_file f;
    assert_int_equal(fat_lookup(&fs, "/boot.cfg", &f), FAT_ERR_IO);
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 0, 0), FAT_ERR_IO);
    assert_int_equal(fat_mount(&fs, disk_read, &d, 300, 0, 0), FAT_ERR_ARGUMENT);
    assert_int_equal(fat_mount(NULL, disk_read, &d, SECTOR, 0, 0), FAT_ERR_ARGUMENT);
    assert_string_equal(fat_strerror(FAT_ERR_NOT_FOUND), "file not found");
    free(d.data);
}

/* The volume may start anywhere on the disk (partition offset). */
static void volume_at_offset(void **state)
{
    (void)state;
    struct disk img = load_image("fat12.img");
    struct disk d = {.size = img.size + 2048 * SECTOR};
    d.data = calloc(1, d.size);
    memcpy(d.data + 2048 * SECTOR, img.data, img.size);
    assert_int_equal(fat_mount(&fs, disk_read, &d, SECTOR, 2048, img.size / SECTOR), FAT_OK);
    expect_file(&d, "/boot/kernel.elf", 300 * 1024 + 17, 2);
    free(d.data);
    free(img.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fat12_files),
        cmocka_unit_test(fat16_files),
        cmocka_unit_test(fat32_files),
        cmocka_unit_test(names_case_insensitive_and_short),
        cmocka_unit_test(contiguous_file_one_read),
        cmocka_unit_test(spare_room_saves_a_read),
        cmocka_unit_test(fragmented_file),
        cmocka_unit_test(one_read_per_run_no_fat_reread),
        cmocka_unit_test(chain_walk_reads_each_fat_window_once),
        cmocka_unit_test(read_at_parts),
        cmocka_unit_test(read_at_skips_earlier_runs),
        cmocka_unit_test(read_at_range_errors),
        cmocka_unit_test(lookup_errors),
        cmocka_unit_test(cyclic_chain),
        cmocka_unit_test(short_and_free_chain),
        cmocka_unit_test(cyclic_directory),
        cmocka_unit_test(bad_boot_sector),
        cmocka_unit_test(io_error_and_arguments),
        cmocka_unit_test(volume_at_offset),
    };
    return cmocka_run_group_tests(tests, make_images, remove_images);
}
