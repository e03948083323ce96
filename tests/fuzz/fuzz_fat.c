/* FAT reader on mutated volume bytes: mount, look up the loader's paths and
 * a long name, read what is found. The disk is the input padded with zeros
 * to any length, so a small input can describe a big (FAT32) volume. Any
 * crash, sanitizer report or hang is a bug; errors are fine. A file read
 * whole is read again in a part from a middle offset, into exactly its
 * room: it must succeed with the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fat.h"
#include "padded_input.h"

#define FUZZ_FILE_MAX (1u << 20)

static fat_fs fs;
static uint8_t file_buf[FUZZ_FILE_MAX], part_buf[FUZZ_FILE_MAX];

/* [size / 3 + 1, size - size / 7) of a file read whole into file_buf. */
static void check_part(const fat_file *f)
{
    uint64_t off = f->size / 3 + 1, end = f->size - f->size / 7;
    if (off >= end)
        return;
    uint8_t *dst = part_buf + sizeof part_buf - (end - off); /* ASan: nothing past the room */
    if (fat_read_at(&fs, f, off, dst, end - off, end - off) != FAT_OK ||
        memcmp(dst, file_buf + off, (size_t)(end - off)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct padded_input in = {data, size};
    if (fat_mount(&fs, padded_read, &in, 512, 0, 0) != FAT_OK)
        return 0;
    static const char *const paths[] = {"/boot.cfg", "/boot/kernel.elf",
                                        "/boot/Long Name Config.cfg", "/boot/../boot/.."};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        fat_file f;
        if (fat_lookup(&fs, paths[i], &f) != FAT_OK)
            continue;
        if (fat_read_file(&fs, &f, file_buf, sizeof file_buf) == FAT_OK)
            check_part(&f);
    }
    return 0;
}
