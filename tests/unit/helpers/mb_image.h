/* Builds Multiboot kernel files in test buffers: ELF32/ELF64 headers with
 * program headers at any p_paddr, a section header table, and Multiboot 1
 * and 2 headers (checksums computed), so a test can make a valid kernel and
 * then break one thing. Shared by the multiboot suites and fuzz seeds. */
#ifndef TEST_MB_IMAGE_H
#define TEST_MB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* One PT_LOAD (or other type) program header. */
typedef struct mbi_seg {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
} mbi_seg;

/* Writes an ELF header of class `cls` (32 or 64; EM_386 / EM_X86_64,
 * ET_EXEC) with `n` program headers right after it and `shnum` section
 * headers at `shoff` (section `shnum - 1` is the SHT_STRTAB named by
 * e_shstrndx). `f` must hold the headers. */
void mbi_elf(uint8_t *f, uint32_t cls, const mbi_seg *s, int n, uint64_t entry, uint64_t shoff,
             uint32_t shnum);

/* Multiboot 1 header at `p`: magic, flags, checksum (12 bytes). */
void mbi_mb1(uint8_t *p, uint32_t flags);

/* Multiboot 1 header with flag 16 and the five address fields (32 bytes). */
void mbi_mb1_addr(uint8_t *p, uint32_t flags, uint32_t header_addr, uint32_t load_addr,
                  uint32_t load_end, uint32_t bss_end, uint32_t entry);

/* Multiboot 2 header under construction at `p` (8-aligned in the file). */
typedef struct mbi_mb2 {
    uint8_t *p;
    uint32_t len;
} mbi_mb2;

/* Starts the header (architecture `arch`); tags follow. */
void mbi_mb2_begin(mbi_mb2 *h, uint8_t *p, uint32_t arch);

/* Appends a tag: type, flags (bit 0 = optional), `n` u32 payload words. */
void mbi_mb2_tag(mbi_mb2 *h, uint16_t type, uint16_t flags, const uint32_t *words, uint32_t n);

/* Appends the end tag, stores header_length and the checksum. */
void mbi_mb2_end(mbi_mb2 *h);

#endif
