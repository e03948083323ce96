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

/* QEMU's MB1 memory map into `m`, sanitized at 4 KiB. */
static void import_map(mm_map *m, uint32_t info)
{
    if (!(rd32(info) & 0x40))
        die("no memory map from QEMU");
    uint32_t addr = rd32(info + 48), len = rd32(info + 44);
    mm_map_init(m, storage, MAX_ENTRIES);
    for (uint32_t off = 0; off + 24 <= len; off += rd32(addr + off) + 4) {
        const uint8_t *e = (const uint8_t *)(uintptr_t)(addr + off + 4);
        uint32_t type = mm_load_le32(e + 16);
        mm_map_add(m, mm_load_le64(e), mm_load_le64(e + 8), mm_e820_type(type, 0), type, 0);
    }
    if (mm_map_sanitize(m, 4096, scratch, sizeof scratch, 0) != MM_OK)
        die("map does not sanitize");
}

/* Loader memory: this image and QEMU's information, files and strings
 * (QEMU puts them all between its kernel and the first free page). */
static void carve_loader(mm_map *m, uint32_t info)
{
    uint64_t lo = (uintptr_t)__image_start, hi = (uintptr_t)__image_end;
    uint32_t count = rd32(info + 20), list = rd32(info + 24);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t end = rd32(list + 16 * i + 4);
        hi = end > hi ? end : hi;
    }
    hi = info + 0x1000ull > hi ? info + 0x1000ull : hi;
    if (mm_map_carve(m, lo, hi - lo, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_ANY_TYPE) != MM_OK)
        die("cannot carve the loader");
}

/* Usable memory of `size` bytes, page-aligned, below 4 GiB, carved. */
static uint64_t take(mm_map *m, uint64_t size, mm_type type)
{
    uint64_t at;
    if (mm_map_find(m, size ? size : 1, 4096, 0x100000, WINDOW_END, MM_FIND_BOTTOM_UP, &at) !=
            MM_OK ||
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
    uint8_t *out = (uint8_t *)(uintptr_t)take(m, claimed, MM_TYPE_BOOTLOADER_RECLAIMABLE);
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

/* Modules 1.. of QEMU become the target's modules, copied to new places. */
static uint32_t place_modules(mm_map *m, uint32_t info)
{
    uint32_t count = rd32(info + 20), list = rd32(info + 24), n = 0;
    for (uint32_t i = 1; i < count && n < MAX_MODULES; i++, n++) {
        uint32_t start = rd32(list + 16 * i), end = rd32(list + 16 * i + 4);
        uint64_t at = take(m, end - start, MM_TYPE_KERNEL);
        mm_memcpy((void *)(uintptr_t)at, (const void *)(uintptr_t)start, end - start);
        mods[n] = (bc_mb_module){at, end - start, (const char *)(uintptr_t)rd32(list + 16 * i + 8)};
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

/* "<path> mb=N rest": the version and the target's command line. */
static const char *parse_cmdline(uint32_t info, uint32_t *version)
{
    const char *s = (const char *)(uintptr_t)rd32(info + 16);
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    if (s[0] != 'm' || s[1] != 'b' || s[2] != '=' || (s[3] != '1' && s[3] != '2'))
        die("command line must start with mb=1 or mb=2");
    *version = (uint32_t)(s[3] - '0');
    s += 4;
    while (*s == ' ')
        s++;
    return s;
}

void mb_chain_main(uint32_t magic, uint32_t info)
{
    static mm_map map;
    uint32_t version;
    if (magic != BC_MB1_BOOT_MAGIC || rd32(info + 20) < 1)
        die("start me with QEMU -kernel and the target as the first -initrd file");
    const char *cmdline = parse_cmdline(info, &version);
    import_map(&map, info);
    carve_loader(&map, info);
    size_t len;
    uint32_t list = rd32(info + 24);
    const uint8_t *f = kernel_file(&map, rd32(list), rd32(list + 4), &len);
    plan_kernel(&map, f, len, version);
    bc_mb_info_input in = {.map = &map,
                           .cmdline = cmdline,
                           .modules = mods,
                           .plan = &plan,
                           .shdrs = plan.shnum ? f + plan.shoff : 0,
                           .rsdp = find_rsdp()};
    in.module_count = place_modules(&map, info);
    uint32_t size = bc_mb_info_size(version, &in, 2), used;
    uint64_t at = take(&map, size, MM_TYPE_HANDOFF);
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
