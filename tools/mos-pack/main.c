/* mos-pack IN OUT: writes IN as a packed body (boot/common/pack.h): the
 * header, then IN compressed into one LZ4 block at the highest LZ4HC
 * level (liblz4). The loaders' build packs their bodies with it. */
#include <lz4.h>
#include <lz4hc.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/crc32.h"
#include "common/pack.h"

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *bigger = realloc(buf, cap *= 2);
        if (!bigger)
            free(buf);
        buf = bigger;
    }
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mos-pack IN OUT\n");
        return 2;
    }
    size_t len;
    unsigned char *in = read_all(argv[1], &len);
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    if (len > (size_t)LZ4_MAX_INPUT_SIZE) {
        fprintf(stderr, "mos-pack: %s: %zu bytes, more than LZ4 takes\n", argv[1], len);
        return 1;
    }
    int bound = LZ4_compressBound((int)len);
    unsigned char *out = malloc(BC_PACK_HEADER_SIZE + (size_t)bound);
    if (!out) {
        fprintf(stderr, "mos-pack: out of memory\n");
        return 1;
    }
    int packed = LZ4_compress_HC((const char *)in, (char *)out + BC_PACK_HEADER_SIZE, (int)len,
                                 bound, LZ4HC_CLEVEL_MAX);
    if (packed <= 0) {
        fprintf(stderr, "mos-pack: %s: LZ4 compression failed\n", argv[1]);
        return 1;
    }
    uint32_t table[256];
    bc_crc32_table(table);
    put_le32(out, BC_PACK_MAGIC);
    put_le32(out + 4, (uint32_t)packed);
    put_le32(out + 8, (uint32_t)len);
    put_le32(out + 12, bc_crc32(table, in, len));
    FILE *f = fopen(argv[2], "wb");
    size_t total = BC_PACK_HEADER_SIZE + (size_t)packed;
    if (!f || fwrite(out, 1, total, f) != total || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    printf("mos-pack: %s: %zu bytes -> %zu\n", argv[1], len, total);
    free(in);
    free(out);
    return 0;
}
