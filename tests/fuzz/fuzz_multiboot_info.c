/* Multiboot information builder fuzzer: the input describes a memory map
 * (sanitized like the driver's), modules, command lines, an RSDP, an
 * SMBIOS entry point, an EFI map and section headers. Both builders, given
 * bc_mb_info_size() bytes, must succeed within them; the result must be
 * well-formed (MB2: total_size, 8-aligned tags, end tag last; MB1: one
 * memory map entry per merged range, sorted) and the test kernels'
 * checker (tests/multiboot/mbcheck.c) must walk it without reading
 * outside (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/multiboot.h"
#include "mbcheck.h"

#define INFO_PHYS 0x10000000u

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint32_t take(reader *r, uint32_t bytes)
{
    uint32_t v = 0;
    for (uint32_t i = 0; i < bytes; i++) {
        v |= (uint32_t)(r->n ? *r->p : 0) << (8 * i);
        if (r->n) {
            r->p++;
            r->n--;
        }
    }
    return v;
}

typedef struct env {
    const uint8_t *buf;
    uint32_t size;
} env;

static const void *mem(void *e, uint64_t addr, uint64_t len)
{
    const env *v = e;
    if (len == 0 || addr < INFO_PHYS || addr - INFO_PHYS > v->size ||
        len > v->size - (addr - INFO_PHYS))
        return NULL;
    return v->buf + (addr - INFO_PHYS);
}

static void quiet(void *e, const char *line)
{
    (void)e;
    if (strncmp(line, "MB ", 3) != 0)
        abort();
}

static void build_map(reader *r, mm_map *m, mm_entry *storage, uint32_t cap)
{
    static uint8_t scratch[68 * 64 + 8];
    mm_map_init(m, storage, cap);
    uint32_t n = take(r, 1) % 24;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t base = (uint64_t)take(r, 2) << 16 | take(r, 1) << 8;
        uint64_t len = (uint64_t)take(r, 2) << 12;
        mm_type type = (mm_type)(take(r, 1) % (MM_TYPE_COUNT - 1) + 1);
        mm_map_add(m, base, len, type, 0, 0);
    }
    if (mm_map_sanitize(m, 4096, scratch, sizeof scratch, NULL) != MM_OK)
        mm_map_clear(m);
}

static void check_mb2(const uint8_t *b, uint32_t used)
{
    uint32_t total;
    memcpy(&total, b, 4);
    if (total != used)
        abort();
    uint32_t pos = 8, type = 1, size = 0;
    while (pos + 8 <= total) {
        memcpy(&type, b + pos, 4);
        memcpy(&size, b + pos + 4, 4);
        if (size < 8 || size > total - pos)
            abort();
        pos += (size + 7) & ~7u;
        if (type == 0)
            break;
    }
    if (type != 0 || size != 8 || pos != total)
        abort();
}

static void build(const bc_mb_info_input *in, uint32_t version)
{
    uint32_t size = bc_mb_info_size(version, in, 0), used = 0;
    if (size == 0)
        abort();
    uint8_t *buf = malloc(size);
    bc_mb_status st = version == 1 ? bc_mb1_info_build(in, buf, size, INFO_PHYS, &used)
                                   : bc_mb2_info_build(in, buf, size, INFO_PHYS, &used);
    if (st != BC_MB_OK || used > size)
        abort();
    if (version == 2)
        check_mb2(buf, used);
    env e = {buf, used};
    static mbc_ctx c;
    memset(&c, 0, sizeof c);
    c.mem = mem;
    c.out = quiet;
    c.env = &e;
    mbc_check(&c, version, version == 1 ? BC_MB1_BOOT_MAGIC : BC_MB2_BOOT_MAGIC, INFO_PHYS);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    mm_entry storage[64];
    mm_map map;
    build_map(&r, &map, storage, 64);
    static uint8_t rsdp[256], smbios[256], efi[512], shdrs[16 * 64];
    char cmd[3][64];
    for (int i = 0; i < 3; i++) {
        uint32_t n = take(&r, 1) % 63;
        for (uint32_t k = 0; k < n; k++)
            cmd[i][k] = (char)(take(&r, 1) | 1); /* no NUL inside */
        cmd[i][n] = '\0';
    }
    for (size_t i = 0; i < sizeof rsdp; i++)
        rsdp[i] = smbios[i] = (uint8_t)take(&r, 1);
    bc_mb_plan plan = {.count = 1, .lowest = 0x100000, .end = 0x200000};
    plan.shnum = take(&r, 1) % 17;
    plan.shentsize = plan.shnum ? 64 : 0;
    bc_mb_module mods[2] = {{0x300000, take(&r, 2), cmd[1]}, {0x400000, take(&r, 2), cmd[2]}};
    uint32_t flags = take(&r, 1);
    bc_mb_info_input in = {
        .map = &map,
        .cmdline = (flags & 1) ? cmd[0] : NULL,
        .modules = mods,
        .module_count = flags >> 1 & 3 ? (flags >> 1 & 1) + 1 : 0,
        .flags = flags >> 3 & 1,
        .bios_drive = 0x80,
        .plan = &plan,
        .shdrs = plan.shnum ? shdrs : NULL,
        .rsdp = (flags & 0x10) ? rsdp : NULL,
        .smbios = (flags & 0x20) ? smbios : NULL,
        .efi_system_table = (flags & 0x40) ? 0x7f000000 : 0,
        .efi_map = (flags & 0x80) ? efi : NULL,
        .efi_map_size = take(&r, 2) % sizeof efi,
        .efi_desc_size = 48,
        .efi_desc_version = 1,
    };
    build(&in, 1);
    build(&in, 2);
    return 0;
}
