/* mos-install IMAGE [--stage1 FILE] [--stage2 FILE]
 *
 * Makes a disk image (or a whole-disk device) bootable on legacy BIOS:
 * stage 2 goes into the GPT BIOS boot partition (type EF02), or on an MBR
 * disk into the gap between the MBR and the first partition; stage 1 goes
 * into the MBR's first 440 bytes with stage 2's LBA and sector count
 * patched in. Nothing else is written: the disk signature, the partition
 * table, 0x55AA and the GPT stay byte for byte as they were (checked after
 * writing). Default stage files: ../bios/stage{1,2}.bin next to this tool. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bios/bios_layout.h"
#include "common/part.h"

#define SECTOR 512u

struct image {
    int fd;
    uint64_t sectors;
};

static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs("mos-install: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static int image_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    const struct image *img = ctx;
    if (lba > img->sectors || count > img->sectors - lba)
        return -1;
    size_t want = (size_t)count * SECTOR;
    return pread(img->fd, dst, want, (off_t)(lba * SECTOR)) == (ssize_t)want ? 0 : -1;
}

/* Reads a whole small file (at most `max` bytes) into a malloc'd buffer. */
static uint8_t *load_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(max + 1);
    *len = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    return buf;
}

/* Default stage path: <dir of this executable>/../bios/<name>. */
static void default_stage(char *out, size_t size, const char *name)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(out, size, "build/bios/%s", name);
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/../bios/%s", exe, name);
}

struct stages {
    uint8_t *s1, *s2;
    size_t s1_len, s2_len;
};

static int load_stages(const char *p1, const char *p2, struct stages *st)
{
    st->s1 = load_file(p1, STAGE1_CODE_MAX, &st->s1_len);
    if (!st->s1)
        return fail("cannot read stage 1 %s: %s", p1, strerror(errno));
    if (st->s1_len > STAGE1_CODE_MAX || st->s1_len < STAGE1_OFF_SECTORS + 2 ||
        memcmp(st->s1 + STAGE1_OFF_MAGIC, "MOSBOOT1", 8) != 0)
        return fail("%s is not a MultiOS Boot stage 1 (at most %u bytes)", p1, STAGE1_CODE_MAX);
    st->s2 = load_file(p2, STAGE2_MAX_BYTES, &st->s2_len);
    if (!st->s2)
        return fail("cannot read stage 2 %s: %s", p2, strerror(errno));
    if (st->s2_len > STAGE2_MAX_BYTES)
        return fail("stage 2 %s is larger than %u bytes", p2, STAGE2_MAX_BYTES);
    uint32_t magic;
    memcpy(&magic, st->s2 + STAGE2_OFF_MAGIC, 4);
    if (st->s2_len < STAGE2_OFF_MAGIC + 4 || magic != STAGE2_MAGIC)
        return fail("%s is not a MultiOS Boot stage 2", p2);
    return 0;
}

/* Where stage 2 goes: [*lba, *lba + *room) sectors. */
static int find_room(const struct image *img, uint64_t *lba, uint64_t *room, const char **where)
{
    static uint8_t scratch[16384];
    part_disk disk = {.read = image_read,
                      .ctx = (void *)img,
                      .sector_size = SECTOR,
                      .sectors = img->sectors,
                      .scratch = scratch,
                      .scratch_size = sizeof scratch};
    part_mbr mbr;
    part_status st = part_read_mbr(&disk, &mbr);
    if (st == PART_ERR_NO_MBR)
        return fail("not a disk image I understand: no MBR signature (0x55AA) in sector 0");
    if (st != PART_OK)
        return fail("cannot read the MBR: %s", part_strerror(st));
    if (mbr.protective) {
        part_entry e;
        st = part_gpt_find(&disk, part_guid_bios_boot, &e);
        if (st == PART_ERR_NOT_FOUND)
            return fail("GPT disk without a BIOS boot partition (type EF02); create one, e.g. "
                        "sgdisk -n1:2048:4095 -t1:EF02 IMAGE");
        if (st != PART_OK)
            return fail("GPT disk: %s", part_strerror(st));
        *lba = e.first_lba;
        *room = e.sectors;
        *where = "GPT BIOS boot partition";
        return 0;
    }
    /* A GPT header without the protective MBR would be overwritten by a
     * gap install: refuse rather than guess. */
    if (image_read((void *)img, 1, 1, scratch) == 0 && memcmp(scratch, "EFI PART", 8) == 0)
        return fail("GPT header found but the protective MBR (type 0xEE) is missing");
    if (mbr.count == 0)
        return fail("MBR disk without partitions: nowhere to put stage 2 safely");
    *lba = 1;
    *room = mbr.first_start > 1 ? mbr.first_start - 1 : 0;
    *where = "gap after the MBR";
    return 0;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
    return pwrite(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

static int install(const char *path, const struct stages *st)
{
    struct image img = {.fd = open(path, O_RDWR)};
    if (img.fd < 0)
        return fail("cannot open %s: %s", path, strerror(errno));
    off_t end = lseek(img.fd, 0, SEEK_END);
    if (end < (off_t)(2 * SECTOR)) {
        close(img.fd);
        return fail("%s is too small to be a disk (%lld bytes)", path, (long long)end);
    }
    img.sectors = (uint64_t)end / SECTOR;
    uint64_t lba, room;
    const char *where;
    if (find_room(&img, &lba, &room, &where)) {
        close(img.fd);
        return 1;
    }
    uint32_t sectors = (uint32_t)((st->s2_len + SECTOR - 1) / SECTOR);
    if (room < sectors) {
        close(img.fd);
        return fail("no room: stage 2 needs %u sectors, the %s has %llu", sectors, where,
                    (unsigned long long)room);
    }
    uint8_t mbr[SECTOR], before[SECTOR - STAGE1_CODE_MAX];
    if (image_read(&img, 0, 1, mbr)) {
        close(img.fd);
        return fail("cannot read sector 0");
    }
    memcpy(before, mbr + STAGE1_CODE_MAX, sizeof before);
    uint8_t *s2 = calloc(sectors, SECTOR);
    memcpy(s2, st->s2, st->s2_len);
    memset(mbr, 0, STAGE1_CODE_MAX);
    memcpy(mbr, st->s1, st->s1_len);
    for (int i = 0; i < 8; i++)
        mbr[STAGE1_OFF_LBA + i] = (uint8_t)(lba >> (8 * i));
    mbr[STAGE1_OFF_SECTORS] = (uint8_t)sectors;
    mbr[STAGE1_OFF_SECTORS + 1] = (uint8_t)(sectors >> 8);
    int rc = write_all(img.fd, s2, (size_t)sectors * SECTOR, lba * SECTOR) ||
             write_all(img.fd, mbr, STAGE1_CODE_MAX, 0) || fsync(img.fd);
    free(s2);
    if (rc) {
        close(img.fd);
        return fail("write to %s failed: %s", path, strerror(errno));
    }
    uint8_t after[SECTOR];
    rc = image_read(&img, 0, 1, after) || memcmp(after + STAGE1_CODE_MAX, before, sizeof before);
    close(img.fd);
    if (rc)
        return fail("sector 0 bytes 440..511 changed: this is a bug, please report it");
    printf("mos-install: stage 1 -> MBR of %s; stage 2 (%zu bytes, %u sectors) -> LBA %llu (%s)\n",
           path, st->s2_len, sectors, (unsigned long long)lba, where);
    return 0;
}

int main(int argc, char **argv)
{
    const char *image = NULL;
    char p1[4200], p2[4200];
    default_stage(p1, sizeof p1, "stage1.bin");
    default_stage(p2, sizeof p2, "stage2.bin");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stage1") && i + 1 < argc)
            snprintf(p1, sizeof p1, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--stage2") && i + 1 < argc)
            snprintf(p2, sizeof p2, "%s", argv[++i]);
        else if (argv[i][0] != '-' && !image)
            image = argv[i];
        else
            image = NULL, i = argc;
    }
    if (!image) {
        fprintf(stderr, "usage: mos-install IMAGE [--stage1 FILE] [--stage2 FILE]\n");
        return 2;
    }
    struct stages st = {0};
    int rc = load_stages(p1, p2, &st) || install(image, &st);
    free(st.s1);
    free(st.s2);
    return rc;
}
