/* ELF64 validation, load and page mappings for the kernel image. */
#include "elf.h"

#include "text.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define ET_EXEC   2u
#define ET_DYN    3u
#define EM_X86_64 62u
#define PT_LOAD   1u
#define PT_INTERP 3u
#define PF_X      1u
#define PF_W      2u
#define PAGE      4096u
#define ALIGN_MAX (2ULL * 1024 * 1024)

static uint64_t le(const unsigned char *p, unsigned bytes)
{
    uint64_t v = 0;
    while (bytes--)
        v = (v << 8) | p[bytes];
    return v;
}

/* One program header as read from the file. */
typedef struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
} phdr;

static phdr read_phdr(const unsigned char *p)
{
    phdr h;
    h.type = (uint32_t)le(p + 0, 4);
    h.flags = (uint32_t)le(p + 4, 4);
    h.offset = le(p + 8, 8);
    h.vaddr = le(p + 16, 8);
    h.filesz = le(p + 32, 8);
    h.memsz = le(p + 40, 8);
    h.align = le(p + 48, 8);
    return h;
}

/* Sets img->msg to "PREFIX" and returns `st`; callers append details. */
static bc_elf_status fail(bc_elf_image *img, bc_elf_status st, bc_text *t, const char *what)
{
    bc_text_init(t, img->msg, sizeof img->msg);
    bc_text_str(t, what);
    return st;
}

/* "segment N: " prefix for the program header at index `i`. */
static bc_elf_status seg_fail(bc_elf_image *img, bc_elf_status st, bc_text *t, uint32_t i)
{
    fail(img, st, t, "segment ");
    bc_text_u32(t, i);
    bc_text_str(t, ": ");
    return st;
}

static bc_elf_status check_ident(const unsigned char *f, size_t len, bc_elf_image *img)
{
    bc_text t;
    if (len < EHDR_SIZE) {
        fail(img, BC_ELF_TOO_SMALL, &t, "file is ");
        bc_text_hex(&t, (uint64_t)len);
        bc_text_str(&t, " bytes, smaller than an ELF64 header");
        return BC_ELF_TOO_SMALL;
    }
    if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
        return fail(img, BC_ELF_BAD_MAGIC, &t, "not an ELF file (bad magic)");
    if (f[4] != 2) {
        fail(img, BC_ELF_BAD_CLASS, &t, "not a 64-bit ELF (class ");
        bc_text_u32(&t, f[4]);
        bc_text_str(&t, ")");
        return BC_ELF_BAD_CLASS;
    }
    if (f[5] != 1)
        return fail(img, BC_ELF_BAD_ENDIAN, &t, "not a little-endian ELF");
    if (f[6] != 1 || le(f + 20, 4) != 1)
        return fail(img, BC_ELF_BAD_VERSION, &t, "ELF version is not 1");
    return BC_ELF_OK;
}

static bc_elf_status check_header(const unsigned char *f, bc_elf_image *img)
{
    bc_text t;
    uint32_t type = (uint32_t)le(f + 16, 2);
    if (type == ET_DYN)
        return fail(img, BC_ELF_BAD_TYPE, &t,
                    "ET_DYN (PIE) kernels are not supported: link a static ET_EXEC");
    if (type != ET_EXEC) {
        fail(img, BC_ELF_BAD_TYPE, &t, "ELF type ");
        bc_text_u32(&t, type);
        bc_text_str(&t, " is not ET_EXEC");
        return BC_ELF_BAD_TYPE;
    }
    uint32_t machine = (uint32_t)le(f + 18, 2);
    if (machine != EM_X86_64) {
        fail(img, BC_ELF_BAD_MACHINE, &t, "machine ");
        bc_text_u32(&t, machine);
        bc_text_str(&t, " is not x86-64 (62)");
        return BC_ELF_BAD_MACHINE;
    }
    if (le(f + 52, 2) != EHDR_SIZE)
        return fail(img, BC_ELF_BAD_EHSIZE, &t, "e_ehsize is not 64");
    return BC_ELF_OK;
}

/* Checks the program header table's placement; on success *phoff,
 * *entsize and *phnum describe it. */
static bc_elf_status check_phdr_table(const unsigned char *f, size_t len, bc_elf_image *img,
                                      uint64_t *phoff, uint32_t *entsize, uint32_t *phnum)
{
    bc_text t;
    *phoff = le(f + 32, 8);
    *entsize = (uint32_t)le(f + 54, 2);
    *phnum = (uint32_t)le(f + 56, 2);
    if (*entsize < PHDR_SIZE) {
        fail(img, BC_ELF_BAD_PHDRS, &t, "program header size ");
        bc_text_u32(&t, *entsize);
        bc_text_str(&t, " is below 56");
        return BC_ELF_BAD_PHDRS;
    }
    if (*phnum == 0)
        return fail(img, BC_ELF_BAD_PHDRS, &t, "no program headers");
    if (*phnum > BC_ELF_MAX_PHDRS) {
        fail(img, BC_ELF_BAD_PHDRS, &t, "");
        bc_text_u32(&t, *phnum);
        bc_text_str(&t, " program headers, limit 256");
        return BC_ELF_BAD_PHDRS;
    }
    uint64_t end;
    if (!mm_range_end(*phoff, (uint64_t)*entsize * *phnum, &end) || end > (uint64_t)len) {
        fail(img, BC_ELF_BAD_PHDRS, &t, "program header table at ");
        bc_text_hex(&t, *phoff);
        bc_text_str(&t, " exceeds file (");
        bc_text_hex(&t, (uint64_t)len);
        bc_text_str(&t, " bytes)");
        return BC_ELF_BAD_PHDRS;
    }
    return BC_ELF_OK;
}

/* Checks one PT_LOAD on its own (index `i`, file length `len`). */
static bc_elf_status check_segment(const phdr *h, uint32_t i, uint64_t len, bc_elf_image *img)
{
    bc_text t;
    uint64_t fend, vend, vend_page;
    if (!mm_range_end(h->offset, h->filesz, &fend) || fend > len) {
        seg_fail(img, BC_ELF_SEG_FILE_RANGE, &t, i);
        bc_text_str(&t, "file size ");
        bc_text_hex(&t, h->filesz);
        bc_text_str(&t, " at offset ");
        bc_text_hex(&t, h->offset);
        bc_text_str(&t, " exceeds file (");
        bc_text_hex(&t, len);
        bc_text_str(&t, " bytes)");
        return BC_ELF_SEG_FILE_RANGE;
    }
    if (h->filesz > h->memsz) {
        seg_fail(img, BC_ELF_SEG_FILESZ, &t, i);
        bc_text_str(&t, "file size ");
        bc_text_hex(&t, h->filesz);
        bc_text_str(&t, " exceeds memory size ");
        bc_text_hex(&t, h->memsz);
        return BC_ELF_SEG_FILESZ;
    }
    if (h->align > 1 && !mm_is_pow2(h->align)) {
        seg_fail(img, BC_ELF_SEG_ALIGN, &t, i);
        bc_text_str(&t, "alignment ");
        bc_text_hex(&t, h->align);
        bc_text_str(&t, " is not a power of two");
        return BC_ELF_SEG_ALIGN;
    }
    if (h->vaddr < BC_ELF_KERNEL_VMIN) {
        seg_fail(img, BC_ELF_SEG_VADDR, &t, i);
        bc_text_str(&t, "vaddr ");
        bc_text_hex(&t, h->vaddr);
        bc_text_str(&t, " is below the top 2 GiB (link at 0xffffffff80000000 or above)");
        return BC_ELF_SEG_VADDR;
    }
    if (!mm_range_end(h->vaddr, h->memsz, &vend) || !mm_align_up(vend, PAGE, &vend_page) ||
        vend_page == 0) {
        seg_fail(img, BC_ELF_SEG_VADDR, &t, i);
        bc_text_str(&t, "end of segment passes 2^64");
        return BC_ELF_SEG_VADDR;
    }
    return BC_ELF_OK;
}

/* Appends the PT_LOAD `h` (index `i`) to img->segments after checking it
 * against the previous one. */
static bc_elf_status add_segment(const phdr *h, uint32_t i, bc_elf_image *img)
{
    bc_text t;
    if (img->count == BC_ELF_MAX_SEGMENTS)
        return fail(img, BC_ELF_TOO_MANY_SEGMENTS, &t, "more than 16 PT_LOAD segments");
    if (img->count) {
        const bc_elf_segment *prev = &img->segments[img->count - 1];
        uint64_t prev_end = prev->vaddr + prev->memsz;
        if (h->vaddr < prev_end) {
            seg_fail(img, BC_ELF_SEG_ORDER, &t, i);
            bc_text_str(&t, "vaddr ");
            bc_text_hex(&t, h->vaddr);
            bc_text_str(&t, " is below the end of the previous segment ");
            bc_text_hex(&t, prev_end);
            return BC_ELF_SEG_ORDER;
        }
    }
    bc_elf_segment *s = &img->segments[img->count++];
    s->vaddr = h->vaddr;
    s->memsz = h->memsz;
    s->offset = h->offset;
    s->filesz = h->filesz;
    s->flags = ((h->flags & PF_W) ? BC_SEG_WRITE : 0) | ((h->flags & PF_X) ? BC_SEG_EXEC : 0);
    if (h->align > img->phys_align)
        img->phys_align = h->align > ALIGN_MAX ? ALIGN_MAX : h->align;
    return BC_ELF_OK;
}

/* The program headers in f[0 .. head_len), the segments checked against
 * a file of `file_size` bytes. */
static bc_elf_status read_segments(const unsigned char *f, size_t head_len, uint64_t file_size,
                                   bc_elf_image *img)
{
    uint64_t phoff;
    uint32_t entsize, phnum;
    bc_elf_status st = check_phdr_table(f, head_len, img, &phoff, &entsize, &phnum);
    if (st != BC_ELF_OK)
        return st;
    bc_text t;
    for (uint32_t i = 0; i < phnum; i++) {
        phdr h = read_phdr(f + (size_t)phoff + (size_t)i * entsize);
        if (h.type == PT_INTERP)
            return fail(img, BC_ELF_INTERP, &t,
                        "PT_INTERP: dynamically linked programs are not supported");
        if (h.type != PT_LOAD || h.memsz == 0)
            continue;
        st = check_segment(&h, i, file_size, img);
        if (st == BC_ELF_OK)
            st = add_segment(&h, i, img);
        if (st != BC_ELF_OK)
            return st;
    }
    if (img->count == 0)
        return fail(img, BC_ELF_NO_SEGMENTS, &t, "no PT_LOAD segment");
    return BC_ELF_OK;
}

/* Span, offsets and entry, once every segment is known to be sane. */
static bc_elf_status finish_layout(bc_elf_image *img)
{
    bc_text t;
    const bc_elf_segment *last = &img->segments[img->count - 1];
    img->virt_base = mm_align_down(img->segments[0].vaddr, PAGE);
    mm_align_up(last->vaddr + last->memsz, PAGE, &img->virt_end); /* checked in check_segment */
    img->span = img->virt_end - img->virt_base;
    if (img->span > BC_ELF_MAX_SPAN) {
        fail(img, BC_ELF_SPAN, &t, "image spans ");
        bc_text_hex(&t, img->span);
        bc_text_str(&t, " bytes, limit 0x40000000");
        return BC_ELF_SPAN;
    }
    bool entry_ok = false;
    for (uint32_t i = 0; i < img->count; i++) {
        bc_elf_segment *s = &img->segments[i];
        s->dst_off = s->vaddr - img->virt_base;
        if ((s->flags & BC_SEG_EXEC) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            entry_ok = true;
    }
    if (!entry_ok) {
        fail(img, BC_ELF_BAD_ENTRY, &t, "entry point ");
        bc_text_hex(&t, img->entry);
        bc_text_str(&t, " is not inside an executable segment");
        return BC_ELF_BAD_ENTRY;
    }
    return BC_ELF_OK;
}

bc_elf_status bc_elf_parse_head(const void *head, size_t head_len, uint64_t file_size,
                                bc_elf_image *img)
{
    if (!img)
        return BC_ELF_BAD_ARGUMENT;
    mm_memset(img, 0, sizeof *img);
    img->phys_align = PAGE;
    bc_text t;
    if (!head)
        return fail(img, BC_ELF_BAD_ARGUMENT, &t, "no file");
    if (head_len > file_size)
        return fail(img, BC_ELF_BAD_ARGUMENT, &t, "more header bytes than file");
    const unsigned char *f = (const unsigned char *)head;
    bc_elf_status st = check_ident(f, head_len, img);
    if (st == BC_ELF_OK)
        st = check_header(f, img);
    if (st != BC_ELF_OK)
        return st;
    img->entry = le(f + 24, 8);
    st = read_segments(f, head_len, file_size, img);
    if (st == BC_ELF_OK)
        st = finish_layout(img);
    if (st == BC_ELF_OK) {
        bc_text t;
        fail(img, BC_ELF_OK, &t, "ok");
    }
    return st;
}

bc_elf_status bc_elf_parse(const void *file, size_t len, bc_elf_image *img)
{
    return bc_elf_parse_head(file, len, (uint64_t)len, img);
}

/* True when every segment of `img` lies inside the file and the span. */
static bool plan_fits(const bc_elf_image *img, size_t len)
{
    if (img->count == 0 || img->count > BC_ELF_MAX_SEGMENTS)
        return false;
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        uint64_t fend, dend;
        if (!mm_range_end(s->offset, s->filesz, &fend) || fend > (uint64_t)len ||
            s->filesz > s->memsz || !mm_range_end(s->dst_off, s->memsz, &dend) || dend > img->span)
            return false;
        if (i && s->dst_off < img->segments[i - 1].dst_off + img->segments[i - 1].memsz)
            return false;
    }
    return true;
}

bc_elf_status bc_elf_load(const bc_elf_image *img, const void *file, size_t len, void *dst,
                          size_t dst_len)
{
    if (!img || !file || !dst || img->span > (uint64_t)dst_len || !plan_fits(img, len))
        return BC_ELF_BAD_ARGUMENT;
    const unsigned char *f = (const unsigned char *)file;
    unsigned char *d = (unsigned char *)dst;
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        mm_memcpy(d + (size_t)s->dst_off, f + (size_t)s->offset, (size_t)s->filesz);
    }
    bc_elf_zero_gaps(img, dst);
    return BC_ELF_OK;
}

void bc_elf_zero_gaps(const bc_elf_image *img, void *dst)
{
    unsigned char *d = (unsigned char *)dst;
    size_t cursor = 0; /* end of the last segment's file bytes */
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        mm_memset(d + cursor, 0, (size_t)s->dst_off - cursor);
        cursor = (size_t)(s->dst_off + s->filesz);
    }
    mm_memset(d + cursor, 0, (size_t)img->span - cursor);
}

/* Appends [virt, virt + size) with `flags`, merging with the last mapping
 * when contiguous with the same permissions. */
static bool push_mapping(bc_elf_mapping *out, uint32_t cap, uint32_t *n, uint64_t virt,
                         uint64_t phys_off, uint64_t size, uint32_t flags)
{
    if (*n) {
        bc_elf_mapping *last = &out[*n - 1];
        if (last->flags == flags && last->virt + last->size == virt) {
            last->size += size;
            return true;
        }
    }
    if (*n == cap)
        return false;
    out[(*n)++] =
        (bc_elf_mapping){.virt = virt, .phys_off = phys_off, .size = size, .flags = flags};
    return true;
}

mm_status bc_elf_mappings(const bc_elf_image *img, bc_elf_mapping *out, uint32_t cap,
                          uint32_t *count)
{
    if (!img || !out || !count || img->count == 0 || img->count > BC_ELF_MAX_SEGMENTS)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t n = 0;
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        uint64_t start = mm_align_down(s->vaddr, PAGE), end;
        mm_align_up(s->vaddr + s->memsz, PAGE, &end);
        uint32_t flags = s->flags;
        if (n && out[n - 1].virt + out[n - 1].size > start) {
            /* The first page is shared with the previous segment: it
             * gets both segments' permissions. */
            bc_elf_mapping *last = &out[n - 1];
            uint32_t shared = last->flags | flags;
            if (last->size == PAGE) {
                last->flags = shared;
            } else {
                last->size -= PAGE;
                if (!push_mapping(out, cap, &n, start, start - img->virt_base, PAGE, shared))
                    return MM_ERR_BUFFER_TOO_SMALL;
            }
            start += PAGE;
        }
        if (start < end &&
            !push_mapping(out, cap, &n, start, start - img->virt_base, end - start, flags))
            return MM_ERR_BUFFER_TOO_SMALL;
    }
    *count = n;
    return MM_OK;
}

const char *bc_elf_status_name(bc_elf_status status)
{
    static const char *const names[BC_ELF_STATUS_COUNT] = {
        [BC_ELF_OK] = "BC_ELF_OK",
        [BC_ELF_TOO_SMALL] = "BC_ELF_TOO_SMALL",
        [BC_ELF_BAD_MAGIC] = "BC_ELF_BAD_MAGIC",
        [BC_ELF_BAD_CLASS] = "BC_ELF_BAD_CLASS",
        [BC_ELF_BAD_ENDIAN] = "BC_ELF_BAD_ENDIAN",
        [BC_ELF_BAD_VERSION] = "BC_ELF_BAD_VERSION",
        [BC_ELF_BAD_TYPE] = "BC_ELF_BAD_TYPE",
        [BC_ELF_BAD_MACHINE] = "BC_ELF_BAD_MACHINE",
        [BC_ELF_BAD_EHSIZE] = "BC_ELF_BAD_EHSIZE",
        [BC_ELF_BAD_PHDRS] = "BC_ELF_BAD_PHDRS",
        [BC_ELF_INTERP] = "BC_ELF_INTERP",
        [BC_ELF_NO_SEGMENTS] = "BC_ELF_NO_SEGMENTS",
        [BC_ELF_TOO_MANY_SEGMENTS] = "BC_ELF_TOO_MANY_SEGMENTS",
        [BC_ELF_SEG_FILE_RANGE] = "BC_ELF_SEG_FILE_RANGE",
        [BC_ELF_SEG_FILESZ] = "BC_ELF_SEG_FILESZ",
        [BC_ELF_SEG_ALIGN] = "BC_ELF_SEG_ALIGN",
        [BC_ELF_SEG_VADDR] = "BC_ELF_SEG_VADDR",
        [BC_ELF_SEG_ORDER] = "BC_ELF_SEG_ORDER",
        [BC_ELF_SPAN] = "BC_ELF_SPAN",
        [BC_ELF_BAD_ENTRY] = "BC_ELF_BAD_ENTRY",
        [BC_ELF_BAD_ARGUMENT] = "BC_ELF_BAD_ARGUMENT",
    };
    if ((unsigned)status >= BC_ELF_STATUS_COUNT)
        return "BC_ELF_UNKNOWN";
    return names[status];
}
