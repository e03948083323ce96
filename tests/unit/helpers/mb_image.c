#include "mb_image.h"

#include <string.h>

#include "elf_image.h"

static void elf_ident(uint8_t *f, uint32_t cls)
{
    memcpy(f,
           "\x7f"
           "ELF",
           4);
    f[4] = cls == 64 ? 2 : 1;
    f[5] = 1; /* little-endian */
    f[6] = 1;
    test_put_le(f + 16, 2, 2); /* ET_EXEC */
    test_put_le(f + 18, cls == 64 ? 62 : 3, 2);
    test_put_le(f + 20, 1, 4);
}

static void phdr(uint8_t *p, uint32_t cls, const mbi_seg *s)
{
    int w = cls == 64 ? 8 : 4;
    test_put_le(p, s->type, 4);
    uint8_t *q = p + (cls == 64 ? 8 : 4);
    test_put_le(q, s->offset, w);
    test_put_le(q + w, s->vaddr, w);
    test_put_le(q + 2 * w, s->paddr, w);
    test_put_le(q + 3 * w, s->filesz, w);
    test_put_le(q + 4 * w, s->memsz, w);
}

/* Section headers: all SHT_PROGBITS except the last, a SHT_STRTAB. */
static void sections(uint8_t *f, uint32_t cls, uint64_t shoff, uint32_t shnum)
{
    uint32_t size = cls == 64 ? 64 : 40;
    memset(f + shoff, 0, (size_t)size * shnum);
    for (uint32_t i = 1; i < shnum; i++)
        test_put_le(f + shoff + (uint64_t)i * size + 4, i + 1 == shnum ? 3 : 1, 4);
}

void mbi_elf(uint8_t *f, uint32_t cls, const mbi_seg *s, int n, uint64_t entry, uint64_t shoff,
             uint32_t shnum)
{
    uint32_t eh = cls == 64 ? 64 : 52, ph = cls == 64 ? 56 : 32, sh = cls == 64 ? 64 : 40;
    int w = cls == 64 ? 8 : 4;
    memset(f, 0, eh);
    elf_ident(f, cls);
    test_put_le(f + 24, entry, w);
    test_put_le(f + 24 + w, eh, w);        /* e_phoff */
    test_put_le(f + 24 + 2 * w, shoff, w); /* e_shoff */
    uint8_t *q = f + 24 + 3 * w + 4;       /* after e_flags */
    test_put_le(q, eh, 2);
    test_put_le(q + 2, ph, 2);
    test_put_le(q + 4, (uint64_t)n, 2);
    test_put_le(q + 6, sh, 2);
    test_put_le(q + 8, shnum, 2);
    test_put_le(q + 10, shnum ? shnum - 1 : 0, 2);
    for (int i = 0; i < n; i++)
        phdr(f + eh + (size_t)ph * i, cls, &s[i]);
    if (shnum)
        sections(f, cls, shoff, shnum);
}

void mbi_mb1(uint8_t *p, uint32_t flags)
{
    test_put_le(p, 0x1badb002u, 4);
    test_put_le(p + 4, flags, 4);
    test_put_le(p + 8, 0u - (0x1badb002u + flags), 4);
}

void mbi_mb1_addr(uint8_t *p, uint32_t flags, uint32_t header_addr, uint32_t load_addr,
                  uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    mbi_mb1(p, flags | 0x10000u);
    const uint32_t f[5] = {header_addr, load_addr, load_end, bss_end, entry};
    for (int i = 0; i < 5; i++)
        test_put_le(p + 12 + 4 * i, f[i], 4);
}

void mbi_mb2_begin(mbi_mb2 *h, uint8_t *p, uint32_t arch)
{
    h->p = p;
    h->len = 16;
    test_put_le(p, 0xe85250d6u, 4);
    test_put_le(p + 4, arch, 4);
}

void mbi_mb2_tag(mbi_mb2 *h, uint16_t type, uint16_t flags, const uint32_t *words, uint32_t n)
{
    uint8_t *t = h->p + h->len;
    uint32_t size = 8 + 4 * n;
    test_put_le(t, type, 2);
    test_put_le(t + 2, flags, 2);
    test_put_le(t + 4, size, 4);
    for (uint32_t i = 0; i < n; i++)
        test_put_le(t + 8 + 4 * i, words[i], 4);
    memset(t + size, 0, ((size + 7) & ~7u) - size);
    h->len += (size + 7) & ~7u;
}

void mbi_mb2_end(mbi_mb2 *h)
{
    mbi_mb2_tag(h, 0, 0, NULL, 0);
    uint32_t arch = (uint32_t)h->p[4] | (uint32_t)h->p[5] << 8 | (uint32_t)h->p[6] << 16 |
                    (uint32_t)h->p[7] << 24;
    test_put_le(h->p + 8, h->len, 4);
    test_put_le(h->p + 12, 0u - (0xe85250d6u + arch + h->len), 4);
}
