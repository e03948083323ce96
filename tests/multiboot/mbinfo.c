/* mbinfo FILE: what a Multiboot kernel file asks of its loader, read with
 * the loader's own code (boot/common/inflate.c, multiboot_*.c). A gzip
 * file is decompressed first. Prints one `key=value` line per fact:
 *
 *   gzip=yes compressed=N size=N
 *   mb1.status=BC_MB_OK mb1.msg=... mb1.offset=0x.. mb1.flags=0x..
 *   mb1.plan=... mb1.segments=N mb1.entry=0x.. mb1.load=[0x..,0x..)
 *   mb2.status=... mb2.tag=TYPE required|optional size=N [words]
 *   mb2.plan=... (as for mb1)
 *
 * Exit status 0 when at least one header was accepted and its plan
 * built, 1 otherwise, 2 on usage or I/O errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/inflate.h"
#include "common/multiboot.h"

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Decompresses a gzip file in place of the original; NULL on failure. */
static uint8_t *gunzip(uint8_t *gz, size_t *len)
{
    uint32_t claimed;
    if (bc_gzip_claimed_size(gz, *len, &claimed) != BC_INFLATE_OK)
        return NULL;
    bc_inflate_work *w = malloc(sizeof *w);
    uint8_t *out = malloc(claimed ? claimed : 1);
    size_t n = 0;
    bc_inflate_status st = bc_gzip_decompress(gz, *len, out, claimed, &n, w);
    printf("gzip=yes\ncompressed=%zu\ngzip.status=%s\n", *len, bc_inflate_status_name(st));
    free(w);
    free(gz);
    if (st != BC_INFLATE_OK) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

/* Lists the MB2 header's tags as the file has them. */
static void mb2_tags(const uint8_t *f, const bc_mb_header *h)
{
    const uint8_t *p = f + h->offset;
    for (uint32_t pos = 16; pos + 8 <= h->length;) {
        uint32_t type = p[pos] | p[pos + 1] << 8, flags = p[pos + 2] | p[pos + 3] << 8;
        uint32_t size = mm_load_le32(p + pos + 4);
        if (type == 0 || size < 8)
            break;
        printf("mb2.tag=%u %s size=%u", type, flags & 1 ? "optional" : "required", size);
        for (uint32_t i = 8; i + 4 <= size && pos + i + 4 <= h->length; i += 4)
            printf(" 0x%x", mm_load_le32(p + pos + i));
        printf("\n");
        pos += (size + 7) & ~7u;
    }
}

static int one(const uint8_t *f, size_t len, uint32_t version)
{
    bc_mb_header h;
    /* Everything a UEFI boot could give, so only truly unsupported
     * requests are refused. */
    uint32_t avail = BC_MB2_INFO_ALWAYS | BC_MB2_INFO_BIT(5) | BC_MB2_INFO_BIT(12) |
                     BC_MB2_INFO_BIT(13) | BC_MB2_INFO_BIT(14) | BC_MB2_INFO_BIT(15) |
                     BC_MB2_INFO_BIT(17);
    bc_mb_status st = bc_mb_find_header(f, len, version, avail, &h);
    printf("mb%u.status=%s\nmb%u.msg=%s\n", version, bc_mb_status_name(st), version, h.msg);
    if (st != BC_MB_OK && st != BC_MB_UNSUPPORTED)
        return 1;
    printf("mb%u.offset=0x%x\n", version, h.offset);
    if (version == 1)
        printf("mb1.flags=0x%x\n", h.flags);
    else
        mb2_tags(f, &h);
    if (st != BC_MB_OK)
        return 1;
    bc_mb_plan p;
    st = bc_mb_plan_build(f, len, &h, &p);
    printf("mb%u.plan=%s (%s)\n", version, bc_mb_status_name(st), p.msg);
    if (st != BC_MB_OK)
        return 1;
    printf("mb%u.elf_class=%u\nmb%u.segments=%u\nmb%u.entry=0x%x\n", version, p.elf_class, version,
           p.count, version, p.entry);
    printf("mb%u.load=[0x%llx,0x%llx)\n", version, (unsigned long long)p.lowest,
           (unsigned long long)p.end);
    if (h.has & BC_MB_HAS_RELOCATABLE)
        printf("mb%u.relocatable=min 0x%x max 0x%x align 0x%x preference %u\n", version,
               h.reloc_min, h.reloc_max, h.reloc_align, h.reloc_pref);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    size_t len;
    uint8_t *f = read_file(argv[1], &len);
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    if (bc_gzip_detect(f, len) && !(f = gunzip(f, &len)))
        return 1;
    printf("size=%zu\n", len);
    int bad1 = one(f, len, 1), bad2 = one(f, len, 2);
    free(f);
    return bad1 && bad2;
}
