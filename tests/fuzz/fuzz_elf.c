/* ELF loader fuzzer: bc_elf_parse() on any bytes never crashes,
 * bc_elf_parse_head() on the first bytes agrees with it, and for an
 * accepted file the plan stays inside the file and the load region:
 * bc_elf_load() into a buffer of exactly `span` bytes (ASan catches any
 * byte outside) and the page mappings stay within [virt_base, virt_end),
 * sorted, page-aligned and cover every segment byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/elf.h"

#define LOAD_LIMIT (16u * 1024 * 1024) /* spans above this are only checked, not loaded */
#define HEAD_BYTES 4096u               /* the head check_head parses */

static void check_mappings(const bc_elf_image *img)
{
    bc_elf_mapping m[BC_ELF_MAX_MAPPINGS];
    uint32_t n = 0;
    if (bc_elf_mappings(img, m, BC_ELF_MAX_MAPPINGS, &n) != MM_OK)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        if ((m[i].virt | m[i].size) & 0xfff || m[i].size == 0 || m[i].virt < img->virt_base ||
            m[i].virt + m[i].size > img->virt_end || m[i].phys_off != m[i].virt - img->virt_base)
            abort();
        if (i && m[i].virt < m[i - 1].virt + m[i - 1].size)
            abort();
    }
    for (uint32_t s = 0; s < img->count; s++) {
        const bc_elf_segment *seg = &img->segments[s];
        for (uint64_t a = seg->vaddr & ~0xfffULL; a < seg->vaddr + seg->memsz; a += 0x1000) {
            bool covered = false;
            for (uint32_t i = 0; i < n && !covered; i++) {
                covered = a >= m[i].virt && a - m[i].virt < m[i].size &&
                          (m[i].flags & seg->flags) == seg->flags;
            }
            if (!covered)
                abort();
        }
    }
}

/* bc_elf_parse_head on the first 4 KiB (in a buffer of exactly that
 * many: ASan catches a read past) and the size: the same verdict and
 * fields as the whole file, unless the program headers lie past the head,
 * which it must then refuse. */
static void check_head(const uint8_t *data, size_t size, bc_elf_status st, const bc_elf_image *img)
{
    size_t head_len = size < HEAD_BYTES ? size : HEAD_BYTES;
    unsigned char *head = malloc(head_len ? head_len : 1);
    memcpy(head, data, head_len);
    bc_elf_image from_head;
    bc_elf_status hs = bc_elf_parse_head(head, head_len, size, &from_head);
    free(head);
    if (hs == st && memcmp(&from_head, img, sizeof *img) == 0)
        return;
    if (head_len == size || hs != BC_ELF_BAD_PHDRS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bc_elf_image img;
    bc_elf_status st = bc_elf_parse(data, size, &img);
    check_head(data, size, st, &img);
    if (st != BC_ELF_OK) {
        if (strnlen(img.msg, sizeof img.msg) == sizeof img.msg || img.msg[0] == '\0')
            abort();
        return 0;
    }
    if (img.span == 0 || img.span > BC_ELF_MAX_SPAN || img.virt_base + img.span != img.virt_end)
        abort();
    for (uint32_t s = 0; s < img.count; s++) {
        const bc_elf_segment *seg = &img.segments[s];
        if (seg->offset + seg->filesz > size || seg->filesz > seg->memsz ||
            seg->dst_off + seg->memsz > img.span)
            abort();
    }
    check_mappings(&img);
    if (img.span <= LOAD_LIMIT) {
        unsigned char *dst = malloc((size_t)img.span);
        if (bc_elf_load(&img, data, size, dst, (size_t)img.span) != BC_ELF_OK)
            abort();
        const bc_elf_segment *seg = &img.segments[0];
        if (seg->filesz && memcmp(dst + seg->dst_off, data + seg->offset, (size_t)seg->filesz))
            abort();
        free(dst);
    }
    return 0;
}
