/* FAT reader on mutated volume bytes: mount, look up the loader's paths and
 * a long name, read what is found. The disk is the input padded with zeros
 * to any length, so a small input can describe a big (FAT32) volume. Any
 * crash, sanitizer report or hang is a bug; errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fat.h"

#define FUZZ_FILE_MAX (1u << 20)

struct input {
    const uint8_t *data;
    size_t size;
};

static int read_input(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    const struct input *in = ctx;
    uint8_t *out = dst;
    for (uint64_t s = 0; s < count; s++) {
        uint64_t off = (lba + s) * 512;
        size_t have = off < in->size ? in->size - (size_t)off : 0;
        if (have > 512)
            have = 512;
        if (have)
            memcpy(out + s * 512, in->data + off, have);
        memset(out + s * 512 + have, 0, 512 - have);
    }
    return 0;
}

static fat_fs fs;
static uint8_t file_buf[FUZZ_FILE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    if (fat_mount(&fs, read_input, &in, 512, 0, 0) != FAT_OK)
        return 0;
    static const char *const paths[] = {"/boot.cfg", "/boot/kernel.elf",
                                        "/boot/Long Name Config.cfg", "/boot/../boot/.."};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        fat_file f;
        if (fat_lookup(&fs, paths[i], &f) != FAT_OK)
            continue;
        (void)fat_read_file(&fs, &f, file_buf, sizeof file_buf);
    }
    return 0;
}
