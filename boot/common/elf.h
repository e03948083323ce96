/* ELF64 kernel validation and loading, shared by both loaders.
 *
 * Accepted kernels: ELF64, little-endian, x86-64, ET_EXEC only (ET_DYN /
 * PIE kernels are refused: the loader does not relocate), no PT_INTERP,
 * 1..BC_ELF_MAX_SEGMENTS non-empty PT_LOAD segments, all in the top 2 GiB
 * of the address space (vaddr >= BC_ELF_KERNEL_VMIN, -mcmodel=kernel),
 * sorted by vaddr and not overlapping, entry point inside an executable
 * segment. Other program headers (PT_NOTE, PT_GNU_STACK, PT_TLS,
 * PT_DYNAMIC ...) are ignored; PT_LOAD with p_memsz 0 is skipped.
 *
 * Physical placement: p_paddr is ignored. The loader allocates ONE
 * physically contiguous region of `span` bytes, aligned to `phys_align`,
 * and the image is placed so that phys = load_phys + (vaddr - virt_base)
 * for every byte. Segments that share a 4 KiB page therefore share the
 * physical page too, and the physical layout is non-overlapping exactly
 * when the virtual one is. Bytes of the span not covered by file data
 * (bss, page slack, holes between segments) are zeroed by bc_elf_load().
 *
 * The header and program headers are read byte by byte (no alignment
 * assumption on the file buffer) and every sum is overflow-checked, so any
 * byte string of any length can be passed to bc_elf_parse() safely. */
#ifndef BC_ELF_H
#define BC_ELF_H

#include "mm/base.h"

#define BC_ELF_MAX_SEGMENTS 16u                     /* PT_LOAD segments kept */
#define BC_ELF_MAX_PHDRS    256u                    /* e_phnum limit */
#define BC_ELF_KERNEL_VMIN  0xffffffff80000000ULL   /* lowest accepted vaddr */
#define BC_ELF_MAX_SPAN     (1024ULL * 1024 * 1024) /* bytes of virtual span */
#define BC_ELF_MSG_MAX      96u                     /* bc_elf_image.msg bytes */

/* Why a file was refused. Each check has its own code (tests rely on it). */
typedef enum bc_elf_status {
    BC_ELF_OK = 0,
    BC_ELF_TOO_SMALL,         /* shorter than the ELF header */
    BC_ELF_BAD_MAGIC,         /* not \x7fELF */
    BC_ELF_BAD_CLASS,         /* not ELFCLASS64 */
    BC_ELF_BAD_ENDIAN,        /* not little-endian */
    BC_ELF_BAD_VERSION,       /* e_ident[EI_VERSION] or e_version not 1 */
    BC_ELF_BAD_TYPE,          /* not ET_EXEC (ET_DYN gets its own message) */
    BC_ELF_BAD_MACHINE,       /* not EM_X86_64 */
    BC_ELF_BAD_EHSIZE,        /* e_ehsize is not 64 */
    BC_ELF_BAD_PHDRS,         /* phdr table: entsize, count, or outside the file */
    BC_ELF_INTERP,            /* PT_INTERP: a dynamically linked program */
    BC_ELF_NO_SEGMENTS,       /* no non-empty PT_LOAD */
    BC_ELF_TOO_MANY_SEGMENTS, /* more than BC_ELF_MAX_SEGMENTS PT_LOAD */
    BC_ELF_SEG_FILE_RANGE,    /* p_offset + p_filesz overflows or passes the file */
    BC_ELF_SEG_FILESZ,        /* p_filesz > p_memsz */
    BC_ELF_SEG_ALIGN,         /* p_align neither 0 nor a power of two */
    BC_ELF_SEG_VADDR,         /* below BC_ELF_KERNEL_VMIN or end passes 2^64 */
    BC_ELF_SEG_ORDER,         /* vaddr not ascending or overlapping the previous */
    BC_ELF_SPAN,              /* image spans more than BC_ELF_MAX_SPAN */
    BC_ELF_BAD_ENTRY,         /* entry not inside an executable PT_LOAD */
    BC_ELF_BAD_ARGUMENT,      /* NULL pointers, buffers too small (bc_elf_load) */
    BC_ELF_STATUS_COUNT
} bc_elf_status;

/* Segment permissions (from p_flags). Readable is implied. */
#define BC_SEG_WRITE 0x1u
#define BC_SEG_EXEC  0x2u

/* One PT_LOAD segment, as validated. */
typedef struct bc_elf_segment {
    uint64_t vaddr;   /* p_vaddr */
    uint64_t memsz;   /* p_memsz, bytes in memory (> 0) */
    uint64_t offset;  /* p_offset, file offset of the file bytes */
    uint64_t filesz;  /* p_filesz, <= memsz; the rest is zero (bss) */
    uint64_t dst_off; /* vaddr - virt_base: byte offset in the load region */
    uint32_t flags;   /* BC_SEG_WRITE | BC_SEG_EXEC */
    uint32_t reserved;
} bc_elf_segment;

/* A validated kernel and its load plan. */
typedef struct bc_elf_image {
    uint64_t entry;      /* virtual entry point */
    uint64_t virt_base;  /* first segment's vaddr rounded down to 4 KiB */
    uint64_t virt_end;   /* last segment's end rounded up to 4 KiB */
    uint64_t span;       /* virt_end - virt_base: bytes of the load region */
    uint64_t phys_align; /* alignment for the load region: the largest
                            p_align, at least 4 KiB, at most 2 MiB */
    uint32_t count;      /* segments[0 .. count) valid, sorted by vaddr */
    uint32_t reserved;
    bc_elf_segment segments[BC_ELF_MAX_SEGMENTS];
    char msg[BC_ELF_MSG_MAX]; /* "ok" or the problem, e.g.
                                 "segment 2: file size 0x2000 exceeds file (0x1800 bytes)" */
} bc_elf_image;

/* A virtual range of the kernel to map, in 4 KiB pages: virt and size are
 * multiples of 4096; phys_off is the offset in the load region. */
typedef struct bc_elf_mapping {
    uint64_t virt;
    uint64_t phys_off;
    uint64_t size;
    uint32_t flags; /* BC_SEG_WRITE | BC_SEG_EXEC */
    uint32_t reserved;
} bc_elf_mapping;

/* Mappings a valid image can need at most: each segment one range, plus
 * one single-page range for each page shared with the previous segment. */
#define BC_ELF_MAX_MAPPINGS (2u * BC_ELF_MAX_SEGMENTS)

/* Validates the `len`-byte file at `file` and fills `img` (always: on
 * failure img->msg says why and the other fields are unspecified).
 * Returns BC_ELF_OK or the first failed check's code. */
bc_elf_status bc_elf_parse(const void *file, size_t len, bc_elf_image *img);

/* bc_elf_parse for a loader that reads only the segments' bytes: `head`
 * holds the first `head_len` bytes of a file of `file_size` bytes. The
 * program header table must lie in the head (else BC_ELF_BAD_PHDRS, as
 * for a table past the file's end); the segments are checked against
 * `file_size`. With the table in the head the verdict and fields are
 * bc_elf_parse's on the whole file. head_len > file_size:
 * BC_ELF_BAD_ARGUMENT. */
bc_elf_status bc_elf_parse_head(const void *head, size_t head_len, uint64_t file_size,
                                bc_elf_image *img);

/* Copies the file bytes of every segment of `img` (from bc_elf_parse() on
 * the same `file`/`len`) into `dst`, which holds `dst_len` >= img->span
 * bytes and represents [virt_base, virt_end), and zeroes every other byte
 * of the span (bss, slack, holes). Does not touch dst beyond span.
 * Returns BC_ELF_OK, or BC_ELF_BAD_ARGUMENT when a pointer is NULL or a
 * length is too small (nothing written then). */
bc_elf_status bc_elf_load(const bc_elf_image *img, const void *file, size_t len, void *dst,
                          size_t dst_len);

/* The zeroing half of bc_elf_load, for a loader that put each segment's
 * file bytes in place itself: zeroes every byte of dst[0 .. img->span)
 * outside the segments' file bytes (bss, slack, holes), including what a
 * read wrote past a segment's end, and leaves those bytes as they are. */
void bc_elf_zero_gaps(const bc_elf_image *img, void *dst);

/* Writes the page mappings of `img` into out[0 .. *count): sorted by virt,
 * non-overlapping, page-aligned, covering every page any segment touches.
 * A page shared by two segments gets the union of their permissions (so
 * writable or executable if either is). Holes between segments are not
 * mapped. Returns MM_OK, MM_ERR_BUFFER_TOO_SMALL when `cap` is too small
 * (BC_ELF_MAX_MAPPINGS always suffices) or MM_ERR_INVALID_ARGUMENT. */
mm_status bc_elf_mappings(const bc_elf_image *img, bc_elf_mapping *out, uint32_t cap,
                          uint32_t *count);

/* Short static name of a status ("BC_ELF_SEG_FILESZ"), never NULL. */
const char *bc_elf_status_name(bc_elf_status status);

#endif
