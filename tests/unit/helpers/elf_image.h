/* Writes small ELF64 kernels into test buffers: an ELF header with the
 * program headers right after it (at offset 64), fields as given, so a
 * test can build a valid kernel and then break exactly one thing. */
#ifndef TEST_ELF_IMAGE_H
#define TEST_ELF_IMAGE_H

#include <stdint.h>

/* One program header. p_paddr is written as vaddr minus the top-2-GiB
 * base (a typical AT() layout; the loader ignores it). */
typedef struct test_seg {
    uint32_t type, flags; /* PT_*, PF_* */
    uint64_t offset, vaddr, filesz, memsz, align;
} test_seg;

/* Writes the ELF header (ET_EXEC, x86-64, entry `entry`) and `n` program
 * headers into `f`, which must hold 64 + 56 * n bytes. */
void test_elf_write(unsigned char *f, const test_seg *s, int n, uint64_t entry);

/* Stores `v` as `bytes` little-endian bytes at `p`. */
void test_put_le(unsigned char *p, uint64_t v, int bytes);

#endif
