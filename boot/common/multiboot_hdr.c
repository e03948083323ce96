/* Multiboot header search and validation (multiboot.h). */
#include "multiboot.h"

#include "text.h"

static bc_mb_status say(char *msg, bc_mb_status st, const char *what)
{
    bc_text t;
    bc_text_init(&t, msg, BC_MB_MSG_MAX);
    bc_text_str(&t, what);
    return st;
}

/* "<what> <n> (<name>) not supported" style messages. */
static bc_mb_status say_num(char *msg, bc_mb_status st, const char *what, uint32_t n,
                            const char *tail)
{
    bc_text t;
    bc_text_init(&t, msg, BC_MB_MSG_MAX);
    bc_text_str(&t, what);
    bc_text_u32(&t, n);
    bc_text_str(&t, tail);
    return st;
}

/* Required flag bits (0-15) we implement: module alignment, memory
 * info, video mode. */
#define MB1_SUPPORTED_REQUIRED (BC_MB1_FLAG_PAGE_ALIGN | BC_MB1_FLAG_MEMINFO | BC_MB1_FLAG_VIDEO)
#define MB1_VIDEO_END          48u /* the video fields end the longest header */

/* Flag 2's fields (header bytes 32-47, after the address fields, which
 * are there even when flag 16 is clear). */
static bc_mb_status mb1_video(const uint8_t *f, size_t len, uint32_t off, bc_mb_header *h)
{
    if (len - off < MB1_VIDEO_END)
        return say(h->msg, BC_MB_BAD_HEADER, "multiboot1: video fields past the end of file");
    uint32_t mode = mm_load_le32(f + off + 32);
    if (mode > 1)
        return say_num(h->msg, BC_MB_BAD_HEADER, "multiboot1: video mode_type ", mode,
                       " unknown (0 linear, 1 EGA text)");
    h->length = MB1_VIDEO_END;
    h->video = mode == 0 ? BC_MB_VIDEO_LINEAR : BC_MB_VIDEO_TEXT;
    h->video_width = mm_load_le32(f + off + 36);
    h->video_height = mm_load_le32(f + off + 40);
    h->video_depth = mm_load_le32(f + off + 44);
    return BC_MB_OK;
}

static bc_mb_status mb1_fields(const uint8_t *f, size_t len, uint32_t off, bc_mb_header *h)
{
    uint32_t unsupported = h->flags & 0xffffu & ~MB1_SUPPORTED_REQUIRED;
    if (unsupported) {
        uint32_t bit = mm_log2(unsupported & (0u - unsupported));
        return say_num(h->msg, BC_MB_UNSUPPORTED, "multiboot1: required flag bit ", bit,
                       " not supported");
    }
    h->length = 12;
    if (h->flags & BC_MB1_FLAG_PAGE_ALIGN)
        h->has |= BC_MB_ALIGN_MODULES;
    if (h->flags & BC_MB1_FLAG_VIDEO) {
        bc_mb_status st = mb1_video(f, len, off, h);
        if (st != BC_MB_OK)
            return st;
    }
    if (!(h->flags & BC_MB1_FLAG_ADDRESS))
        return BC_MB_OK;
    if (len - off < 32)
        return say(h->msg, BC_MB_BAD_HEADER, "multiboot1: address fields past the end of file");
    h->length = h->length > 32 ? h->length : 32;
    h->has |= BC_MB_HAS_ADDRESS | BC_MB_HAS_ENTRY;
    h->header_addr = mm_load_le32(f + off + 12);
    h->load_addr = mm_load_le32(f + off + 16);
    h->load_end_addr = mm_load_le32(f + off + 20);
    h->bss_end_addr = mm_load_le32(f + off + 24);
    h->entry_addr = mm_load_le32(f + off + 28);
    return BC_MB_OK;
}

static bc_mb_status find_mb1(const uint8_t *f, size_t len, bc_mb_header *h)
{
    size_t limit = len < BC_MB1_SEARCH_BYTES ? len : BC_MB1_SEARCH_BYTES;
    bool bad_sum = false;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (mm_load_le32(f + off) != BC_MB1_HEADER_MAGIC)
            continue;
        uint32_t flags = mm_load_le32(f + off + 4);
        if (BC_MB1_HEADER_MAGIC + flags + mm_load_le32(f + off + 8) != 0) {
            bad_sum = true;
            continue;
        }
        h->offset = (uint32_t)off;
        h->flags = flags;
        return mb1_fields(f, len, (uint32_t)off, h);
    }
    if (bad_sum)
        return say(h->msg, BC_MB_BAD_CHECKSUM, "multiboot1: header magic found, bad checksum");
    return say(h->msg, BC_MB_NO_HEADER, "multiboot1: no header in the first 8 KiB");
}

/* ---- Multiboot 2 ----------------------------------------------------------- */

/* Smallest size of each known header tag type (0 = unknown type). */
static uint32_t mb2_htag_min_size(uint32_t type)
{
    static const uint8_t sizes[] = {8, 8, 24, 12, 12, 20, 8, 8, 12, 12, 24};
    return type < sizeof sizes ? sizes[type] : 0;
}

static const char *mb2_htag_unsupported(uint32_t type)
{
    switch (type) {
    case BC_MB2_HTAG_EFI_BS:
        return " (EFI boot services) not supported";
    case BC_MB2_HTAG_ENTRY_EFI32:
        return " (EFI i386 entry) not supported";
    case BC_MB2_HTAG_ENTRY_EFI64:
        return " (EFI amd64 entry) not supported";
    default:
        return " not supported";
    }
}

static bc_mb_status mb2_info_request(const uint8_t *t, uint32_t size, bool required,
                                     uint32_t available, bc_mb_header *h)
{
    if ((size - 8) & 3)
        return say(h->msg, BC_MB_BAD_HEADER, "multiboot2: information request size");
    for (uint32_t i = 8; i < size; i += 4) {
        uint32_t type = mm_load_le32(t + i);
        bool have = type < 32 && (available & BC_MB2_INFO_BIT(type));
        if (type < 32)
            h->info_wanted |= BC_MB2_INFO_BIT(type);
        if (required && !have && type != BC_MB2_TAG_END)
            return say_num(h->msg, BC_MB_UNSUPPORTED, "multiboot2: required information tag ", type,
                           " not available");
    }
    return BC_MB_OK;
}

static bc_mb_status mb2_known_tag(const uint8_t *t, uint32_t size, bool required,
                                  uint32_t available, bc_mb_header *h)
{
    uint32_t type = (uint32_t)t[0] | (uint32_t)t[1] << 8;
    switch (type) {
    case BC_MB2_HTAG_INFO_REQUEST:
        return mb2_info_request(t, size, required, available, h);
    case BC_MB2_HTAG_ADDRESS:
        h->has |= BC_MB_HAS_ADDRESS;
        h->header_addr = mm_load_le32(t + 8);
        h->load_addr = mm_load_le32(t + 12);
        h->load_end_addr = mm_load_le32(t + 16);
        h->bss_end_addr = mm_load_le32(t + 20);
        return BC_MB_OK;
    case BC_MB2_HTAG_ENTRY:
        h->has |= BC_MB_HAS_ENTRY;
        h->entry_addr = mm_load_le32(t + 8);
        return BC_MB_OK;
    case BC_MB2_HTAG_CONSOLE:
        h->has |= BC_MB_HAS_CONSOLE;
        h->console_flags = mm_load_le32(t + 8);
        return BC_MB_OK;
    case BC_MB2_HTAG_FRAMEBUFFER:
        h->video = BC_MB_VIDEO_LINEAR;
        h->video_width = mm_load_le32(t + 8);
        h->video_height = mm_load_le32(t + 12);
        h->video_depth = mm_load_le32(t + 16);
        h->video_required = required;
        return BC_MB_OK;
    case BC_MB2_HTAG_MODULE_ALIGN:
        h->has |= BC_MB_ALIGN_MODULES;
        return BC_MB_OK;
    case BC_MB2_HTAG_RELOCATABLE:
        h->has |= BC_MB_HAS_RELOCATABLE;
        h->reloc_min = mm_load_le32(t + 8);
        h->reloc_max = mm_load_le32(t + 12);
        h->reloc_align = mm_load_le32(t + 16);
        h->reloc_pref = mm_load_le32(t + 20);
        return BC_MB_OK;
    default: /* EFI boot services, EFI entry points */
        if (required)
            return say_num(h->msg, BC_MB_UNSUPPORTED, "multiboot2: required tag ", type,
                           mb2_htag_unsupported(type));
        h->optional_ignored |= 1u << type;
        return BC_MB_OK;
    }
}

/* Walks the tags of the header at f[0 .. hlen) (hlen checked to be inside
 * the file) up to the end tag. */
static bc_mb_status mb2_tags(const uint8_t *f, uint32_t hlen, uint32_t available, bc_mb_header *h)
{
    uint32_t pos = 16;
    while (hlen - pos >= 8) {
        const uint8_t *t = f + pos;
        uint32_t type = (uint32_t)t[0] | (uint32_t)t[1] << 8;
        uint32_t size = mm_load_le32(t + 4);
        if (size < 8 || size > hlen - pos)
            return say_num(h->msg, BC_MB_BAD_HEADER, "multiboot2: tag ", type,
                           " size outside the header");
        if (type == BC_MB2_HTAG_END)
            return BC_MB_OK;
        uint32_t min = mb2_htag_min_size(type);
        bool required = !(((uint32_t)t[2] | (uint32_t)t[3] << 8) & BC_MB2_HTAG_OPTIONAL);
        if (min == 0 && required)
            return say_num(h->msg, BC_MB_UNSUPPORTED, "multiboot2: required tag ", type,
                           " not supported");
        if (min == 0)
            h->optional_ignored |= type < 32 ? 1u << type : 0;
        else if (size < min)
            return say_num(h->msg, BC_MB_BAD_HEADER, "multiboot2: tag ", type, " too short");
        else {
            bc_mb_status st = mb2_known_tag(t, size, required, available, h);
            if (st != BC_MB_OK)
                return st;
        }
        pos += (size + 7) & ~7u;
        if (pos > hlen)
            break;
    }
    return say(h->msg, BC_MB_BAD_HEADER, "multiboot2: no end tag inside header_length");
}

static bc_mb_status find_mb2(const uint8_t *f, size_t len, uint32_t available, bc_mb_header *h)
{
    size_t limit = len < BC_MB2_SEARCH_BYTES ? len : BC_MB2_SEARCH_BYTES;
    bool bad_sum = false;
    for (size_t off = 0; off + 16 <= limit; off += 8) {
        const uint8_t *p = f + off;
        if (mm_load_le32(p) != BC_MB2_HEADER_MAGIC)
            continue;
        uint32_t arch = mm_load_le32(p + 4), hlen = mm_load_le32(p + 8);
        if (BC_MB2_HEADER_MAGIC + arch + hlen + mm_load_le32(p + 12) != 0) {
            bad_sum = true;
            continue;
        }
        h->offset = (uint32_t)off;
        h->length = hlen;
        if (arch != 0)
            return say_num(h->msg, BC_MB_UNSUPPORTED, "multiboot2: architecture ", arch,
                           " is not i386 (0)");
        if (hlen < 24 || hlen > len - off)
            return say(h->msg, BC_MB_BAD_HEADER, "multiboot2: header_length outside the file");
        return mb2_tags(p, hlen, available, h);
    }
    if (bad_sum)
        return say(h->msg, BC_MB_BAD_CHECKSUM, "multiboot2: header magic found, bad checksum");
    return say(h->msg, BC_MB_NO_HEADER, "multiboot2: no header in the first 32 KiB");
}

bc_mb_status bc_mb_find_header(const void *file, size_t len, uint32_t version,
                               uint32_t info_available, bc_mb_header *h)
{
    if (!h)
        return BC_MB_BAD_ARGUMENT;
    mm_memset(h, 0, sizeof *h);
    h->version = version;
    if (!file || (version != 1 && version != 2))
        return say(h->msg, BC_MB_BAD_ARGUMENT, "multiboot: bad argument");
    bc_mb_status st =
        version == 1 ? find_mb1(file, len, h) : find_mb2(file, len, info_available, h);
    if (st == BC_MB_OK)
        say(h->msg, st, "ok");
    return st;
}

const char *bc_mb_status_name(bc_mb_status status)
{
    static const char *const names[BC_MB_STATUS_COUNT] = {
        "BC_MB_OK",         "BC_MB_NO_HEADER",        "BC_MB_BAD_CHECKSUM",
        "BC_MB_BAD_HEADER", "BC_MB_UNSUPPORTED",      "BC_MB_BAD_IMAGE",
        "BC_MB_NOT_USABLE", "BC_MB_BUFFER_TOO_SMALL", "BC_MB_BAD_ARGUMENT",
    };
    return (unsigned)status < BC_MB_STATUS_COUNT ? names[status] : "BC_MB_?";
}
