#include "elf_image.h"

#include <string.h>

void test_put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void test_elf_write(unsigned char *f, const test_seg *s, int n, uint64_t entry)
{
    memset(f, 0, 64 + 56 * (size_t)n);
    memcpy(f,
           "\x7f"
           "ELF",
           4);
    f[4] = 2;                   /* 64-bit */
    f[5] = 1;                   /* little-endian */
    f[6] = 1;                   /* version */
    test_put_le(f + 16, 2, 2);  /* ET_EXEC */
    test_put_le(f + 18, 62, 2); /* x86-64 */
    test_put_le(f + 20, 1, 4);
    test_put_le(f + 24, entry, 8);
    test_put_le(f + 32, 64, 8); /* phoff */
    test_put_le(f + 52, 64, 2);
    test_put_le(f + 54, 56, 2);
    test_put_le(f + 56, (uint64_t)n, 2);
    for (int i = 0; i < n; i++) {
        unsigned char *p = f + 64 + 56 * i;
        test_put_le(p + 0, s[i].type, 4);
        test_put_le(p + 4, s[i].flags, 4);
        test_put_le(p + 8, s[i].offset, 8);
        test_put_le(p + 16, s[i].vaddr, 8);
        test_put_le(p + 24, s[i].vaddr - 0xffffffff80000000ULL, 8);
        test_put_le(p + 32, s[i].filesz, 8);
        test_put_le(p + 40, s[i].memsz, 8);
        test_put_le(p + 48, s[i].align, 8);
    }
}
