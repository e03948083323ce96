/* mbchain.elf: the Multiboot back end running for real, before the boot
 * driver exists. QEMU's built-in Multiboot 1 loader starts this kernel
 * (linked at 16 MiB, clear of the test kernels at 2 MiB) with:
 *   command line  "<path> mb=1|2 [cmdline for the target]"
 *   module 0      the target kernel (a test kernel, gzip or not)
 *   modules 1..   the target's modules, command line = QEMU's module line
 * It then does what the driver will do, in 32-bit protected mode with
 * paging off (the state Multiboot kernels expect, so the "trampoline" is
 * a jump): sanitized map from QEMU's memory map, its own image, stack and
 * QEMU's files carved as loader memory, the kernel decompressed, planned,
 * checked, loaded, modules placed, the information built, then EAX/EBX/
 * EIP from bc_mb_entry_regs(). The target's checker runs in strict mode.
 * Any refusal prints `CHAIN fail=...` and exits QEMU with FAIL. */
#include <stdint.h>

#include "common/inflate.h"
#include "common/multiboot.h"
#include "common/text.h"
#include "common/x86io.h"
#include "exitcodes.h"
#include "mm/memmap.h"

#define COM1        0x3f8
#define MAX_ENTRIES 128u
#define MAX_MODULES 8u
#define WINDOW_END  0x100000000ull

extern char __image_start[], __image_end[];

static mm_entry storage[MAX_ENTRIES];
static uint8_t scratch[68 * MAX_ENTRIES + 8];
static bc_inflate_work work;
static bc_mb_plan plan;
static bc_mb_module mods[MAX_MODULES];

static void putc_serial(char c)
{
    for (uint32_t spin = 0; spin < 100000 && !(x86_inb(COM1 + 5) & 0x20); spin++)
        ;
    x86_outb(COM1, (uint8_t)c);
}

static void say(const char *key, const char *value)
{
    char buf[200];
    bc_text t;
    bc_text_init(&t, buf, sizeof buf);
    bc_text_str(&t, "CHAIN ");
    bc_text_str(&t, key);
    bc_text_str(&t, "=");
    bc_text_str(&t, value);
    bc_text_str(&t, "\r\n");
    for (const char *p = buf; *p; p++)
        putc_serial(*p);
}

static void say_hex(const char *key, uint64_t v)
{
    char buf[24];
    bc_text t;
    bc_text_init(&t, buf, sizeof buf);
    bc_text_hex(&t, v);
    say(key, buf);
}

static void die(const char *why)
{
    say("fail", why);
    x86_outb(MOS_EXIT_PORT, MOS_EXIT_FAIL);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static uint32_t rd32(uint32_t addr)
{
    return mm_load_le32((const uint8_t *)(uintptr_t)addr);
}

/* What the first loader (QEMU's MB1 loader, or GRUB with multiboot2)
 * handed over: files, strings and firmware tables to pass on. */
typedef struct source {
    const char *cmdline;
    uint32_t count;
    uint32_t start[MAX_MODULES + 1], end[MAX_MODULES + 1];
    const char *args[MAX_MODULES + 1];
    uint64_t efi_st;
    const void *efi_map, *rsdp, *smbios;
    uint32_t efi_map_size, efi_desc_size, efi_desc_version;
    uint64_t info, info_end; /* the first loader's information structure */
} source;

static void add_range(mm_map *m, const uint8_t *e, uint32_t type)
{
    mm_map_add(m, mm_load_le64(e), mm_load_le64(e + 8), mm_e820_type(type, 0), type, 0);
}

/* QEMU's MB1 information: memory map, modules, command line. */
static void from_mb1(mm_map *m, uint32_t info, source *src)
{
    if (!(rd32(info) & 0x40))
        die("no memory map from QEMU");
    uint32_t addr = rd32(info + 48), len = rd32(info + 44), list = rd32(info + 24);
    for (uint32_t off = 0; off + 24 <= len; off += rd32(addr + off) + 4)
        add_range(m, (const uint8_t *)(uintptr_t)(addr + off + 4), rd32(addr + off + 20));
    src->cmdline = (const char *)(uintptr_t)rd32(info + 16);
    src->count = rd32(info + 20) < MAX_MODULES + 1 ? rd32(info + 20) : MAX_MODULES + 1;
    for (uint32_t i = 0; i < src->count; i++) {
        src->start[i] = rd32(list + 16 * i);
        src->end[i] = rd32(list + 16 * i + 4);
        src->args[i] = (const char *)(uintptr_t)rd32(list + 16 * i + 8);
    }
    src->info = info;
    src->info_end = info + 116;
}

/* One tag of GRUB's MB2 information. */
static void mb2_tag(mm_map *m, const uint8_t *t, source *src)
{
    uint32_t type = mm_load_le32(t), size = mm_load_le32(t + 4);
    if (type == BC_MB2_TAG_CMDLINE) {
        src->cmdline = (const char *)t + 8;
    } else if (type == BC_MB2_TAG_MODULE && src->count < MAX_MODULES + 1) {
        src->start[src->count] = mm_load_le32(t + 8);
        src->end[src->count] = mm_load_le32(t + 12);
        src->args[src->count++] = (const char *)t + 16;
    } else if (type == BC_MB2_TAG_MMAP) {
        for (uint32_t off = 16; off + 24 <= size; off += mm_load_le32(t + 8))
            add_range(m, t + off, mm_load_le32(t + off + 16));
    } else if (type == BC_MB2_TAG_EFI64) {
        src->efi_st = mm_load_le64(t + 8);
    } else if (type == BC_MB2_TAG_EFI_MMAP) {
        src->efi_map = t + 16;
        src->efi_map_size = size - 16;
        src->efi_desc_size = mm_load_le32(t + 8);
        src->efi_desc_version = mm_load_le32(t + 12);
    } else if (type == BC_MB2_TAG_ACPI_NEW || (type == BC_MB2_TAG_ACPI_OLD && !src->rsdp)) {
        src->rsdp = t + 8;
    } else if (type == BC_MB2_TAG_SMBIOS) {
        src->smbios = t + 16;
    }
}

/* GRUB's MB2 information; on UEFI the map comes from the raw EFI map, as
 * our UEFI front end takes it. */
static void from_mb2(mm_map *m, uint32_t info, source *src)
{
    uint32_t total = rd32(info);
    for (uint32_t pos = 8; pos + 8 <= total && rd32(info + pos) != 0;
         pos += (rd32(info + pos + 4) + 7) & ~7u)
        mb2_tag(m, (const uint8_t *)(uintptr_t)(info + pos), src);
    if (src->efi_map) {
        mm_map_clear(m);
        if (mm_map_import_efi(m, src->efi_map, src->efi_map_size, src->efi_desc_size,
                              src->efi_desc_version) != MM_OK)
            die("EFI map does not import");
    }
    src->info = info;
    src->info_end = info + total;
}

/* Loader memory: this image, the first loader's information and files
 * (our sources until they are copied). */
static void carve_loader(mm_map *m, const source *src)
{
    if (mm_map_sanitize(m, 4096, scratch, sizeof scratch, 0) != MM_OK)
        die("map does not sanitize");
    uint64_t lo = (uintptr_t)__image_start, hi = (uintptr_t)__image_end;
    mm_status st = mm_map_carve(m, lo, hi - lo, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_ANY_TYPE);
    if (st == MM_OK)
        st = mm_map_carve(m, src->info, src->info_end - src->info, MM_TYPE_BOOTLOADER_RECLAIMABLE,
                          MM_CARVE_ANY_TYPE);
    for (uint32_t i = 0; i < src->count && st == MM_OK; i++) {
        if (src->end[i] > src->start[i])
            st = mm_map_carve(m, src->start[i], src->end[i] - src->start[i],
                              MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_ANY_TYPE);
    }
    if (st != MM_OK)
        die("cannot carve the loader");
}

/* Usable memory of `size` bytes, page-aligned, below 4 GiB, carved.
 * Loader buffers come from the top (`dir` MM_FIND_TOP_DOWN) so they stay
 * clear of the low addresses kernels are linked at. */
static uint64_t take(mm_map *m, uint64_t size, mm_type type, mm_find_flags dir)
{
    uint64_t at;
    if (mm_map_find(m, size ? size : 1, 4096, 0x100000, WINDOW_END, dir, &at) != MM_OK ||
        mm_map_carve(m, at, size ? size : 1, type, MM_CARVE_DEFAULT) != MM_OK)
        die("out of memory");
    return at;
}

/* The kernel file, decompressed into loader memory when it is gzip. */
static const uint8_t *kernel_file(mm_map *m, uint32_t start, uint32_t end, size_t *len)
{
    const uint8_t *f = (const uint8_t *)(uintptr_t)start;
    *len = end - start;
    if (!bc_gzip_detect(f, *len))
        return f;
    uint32_t claimed;
    if (bc_gzip_claimed_size(f, *len, &claimed) != BC_INFLATE_OK)
        die("gzip trailer");
    uint8_t *out =
        (uint8_t *)(uintptr_t)take(m, claimed, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_FIND_TOP_DOWN);
    bc_inflate_status st = bc_gzip_decompress(f, *len, out, claimed, len, &work);
    if (st != BC_INFLATE_OK)
        die(bc_inflate_strerror(st));
    say_hex("gunzip", *len);
    return out;
}

static void plan_kernel(mm_map *m, const uint8_t *f, size_t len, uint32_t version)
{
    static const mm_phys_window identity = {0, WINDOW_END, 0};
    bc_mb_header h;
    uint32_t avail = BC_MB2_INFO_ALWAYS | BC_MB2_INFO_BIT(BC_MB2_TAG_ACPI_OLD);
    if (bc_mb_find_header(f, len, version, avail, &h) != BC_MB_OK)
        die(h.msg);
    if (bc_mb_plan_build(f, len, &h, &plan) != BC_MB_OK ||
        bc_mb_plan_relocate(&plan, &h, m) != BC_MB_OK || bc_mb_plan_check(&plan, m) != BC_MB_OK)
        die(plan.msg);
    for (uint32_t i = 0; i < plan.count; i++) {
        if (mm_map_carve(m, plan.segments[i].phys, plan.segments[i].mem_size, MM_TYPE_KERNEL,
                         MM_CARVE_DEFAULT) != MM_OK)
            die("cannot carve the kernel");
    }
    if (bc_mb_load(&plan, f, len, &identity) != BC_MB_OK)
        die("load");
    say_hex("entry", plan.entry);
}

/* Files 1.. become the target's modules, copied to new places. */
static uint32_t place_modules(mm_map *m, const source *src)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < src->count; i++, n++) {
        uint32_t len = src->end[i] - src->start[i];
        uint64_t at = take(m, len, MM_TYPE_KERNEL, MM_FIND_BOTTOM_UP);
        mm_memcpy((void *)(uintptr_t)at, (const void *)(uintptr_t)src->start[i], len);
        mods[n] = (bc_mb_module){at, len, src->args[i]};
    }
    return n;
}

/* The ACPI RSDP in the BIOS area (16-byte steps), for tag 14. */
static const void *find_rsdp(void)
{
    for (uint32_t a = 0xe0000; a < 0x100000; a += 16) {
        if (rd32(a) == 0x20445352u && rd32(a + 4) == 0x20525450u) /* "RSD PTR " */
            return (const void *)(uintptr_t)a;
    }
    return 0;
}

static void __attribute__((noreturn)) enter(bc_mb_entry e)
{
    __asm__ volatile("jmp *%%ecx" : : "a"(e.eax), "b"(e.ebx), "c"(e.eip) : "memory");
    __builtin_unreachable();
}

/* "[path] mb=N rest" (QEMU puts the kernel's path first, GRUB does not):
 * the version and the target's command line. */
static const char *parse_cmdline(const char *s, uint32_t *version)
{
    while (*s == ' ')
        s++;
    if (s[0] != 'm' || s[1] != 'b' || s[2] != '=') {
        while (*s && *s != ' ')
            s++;
        while (*s == ' ')
            s++;
    }
    if (s[0] != 'm' || s[1] != 'b' || s[2] != '=' || (s[3] != '1' && s[3] != '2'))
        die("command line must start with mb=1 or mb=2");
    *version = (uint32_t)(s[3] - '0');
    s += 4;
    while (*s == ' ')
        s++;
    return s;
}

static void build_and_enter(mm_map *m, const source *src, const uint8_t *f, uint32_t version,
                            const char *cmdline)
{
    bc_mb_info_input in = {
        .map = m,
        .cmdline = cmdline,
        .modules = mods,
        .plan = &plan,
        .shdrs = plan.shnum ? f + plan.shoff : 0,
        .rsdp = src->rsdp ? src->rsdp : find_rsdp(),
        .smbios = src->smbios,
        .efi_system_table = src->efi_st,
        .efi_map = src->efi_map,
        .efi_map_size = src->efi_map_size,
        .efi_desc_size = src->efi_desc_size,
        .efi_desc_version = src->efi_desc_version,
    };
    in.module_count = place_modules(m, src);
    uint32_t size = bc_mb_info_size(version, &in, 2), used;
    uint64_t at = take(m, size, MM_TYPE_HANDOFF, MM_FIND_BOTTOM_UP);
    char why[96];
    if (bc_mb_modules_check(&plan, mods, in.module_count, at, size, why, sizeof why) != BC_MB_OK)
        die(why);
    void *buf = (void *)(uintptr_t)at;
    bc_mb_status st = version == 1 ? bc_mb1_info_build(&in, buf, size, at, &used)
                                   : bc_mb2_info_build(&in, buf, size, at, &used);
    if (st != BC_MB_OK)
        die(bc_mb_status_name(st));
    say_hex("info", at);
    enter(bc_mb_entry_regs(&plan, version, (uint32_t)at));
}

void mb_chain_main(uint32_t magic, uint32_t info)
{
    static mm_map map;
    static source src;
    uint32_t version;
    mm_map_init(&map, storage, MAX_ENTRIES);
    if (magic == BC_MB1_BOOT_MAGIC)
        from_mb1(&map, info, &src);
    else if (magic == BC_MB2_BOOT_MAGIC)
        from_mb2(&map, info, &src);
    else
        die("not started by a Multiboot loader");
    if (src.count < 1 || !src.cmdline)
        die("the target kernel must be the first module");
    const char *cmdline = parse_cmdline(src.cmdline, &version);
    carve_loader(&map, &src);
    size_t len;
    const uint8_t *f = kernel_file(&map, src.start[0], src.end[0], &len);
    plan_kernel(&map, f, len, version);
    build_and_enter(&map, &src, f, version, cmdline);
}
