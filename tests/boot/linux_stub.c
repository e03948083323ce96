/* linux-stub (BIOS): a test-only mini-loader that boots a Linux bzImage
 * with boot/common/linux.c in the order docs/linux.md gives the driver,
 * so the back end is proven against a real kernel before the
 * firmware-neutral driver exists. QEMU's multiboot loader starts it
 * (32-bit, paging off) after SeaBIOS; the files come through fw_cfg:
 *   opt/mos/vmlinuz   the kernel
 *   opt/mos/initrd    the initrd (optional)
 *   opt/mos/cmdline   the command line (optional)
 *   opt/mos/entry32   present: use the 32-bit entry even for a 64-bit kernel
 * Output and errors as linux_stub_lib.h says. */
#include "linux_stub_lib.h"

#define MB_MAGIC     0x2badb002u
#define MB_FLAG_MMAP 0x40u
#define MAP_CAP      128u
#define FOUR_GIB     (4 * MM_GIB)

extern char __stub_start[], __stub_end[];
__attribute__((noreturn)) void stub_enter32(uint32_t entry, uint32_t boot_params, const void *gdtr);
__attribute__((noreturn)) void stub_enter64(uint32_t entry, uint32_t boot_params, uint32_t cr3,
                                            const void *gdtr);
void stub_main(uint32_t magic, const uint8_t *mbi);

/* The stack _start switches to (its top, stub_stack_top, is defined here
 * for the assembly). */
uint8_t stub_stack[16384] __attribute__((aligned(16)));
__asm__(".globl stub_stack_top\n.set stub_stack_top, stub_stack + 16384");

static mm_entry map_storage[MAP_CAP];
static uint8_t sanitize_scratch[68 * MAP_CAP + 8];
static uint64_t page_tables[STUB_IDENTITY_PAGES][512] __attribute__((aligned(4096)));
static uint64_t gdt[4] __attribute__((aligned(8)));
static uint8_t gdtr[10];

static void import_multiboot(mm_map *m, uint32_t magic, const uint8_t *mbi)
{
    if (magic != MB_MAGIC || !(mm_load_le32(mbi) & MB_FLAG_MMAP))
        stub_fail("no multiboot memory map", NULL);
    const uint8_t *p = (const uint8_t *)(uintptr_t)mm_load_le32(mbi + 48);
    const uint8_t *end = p + mm_load_le32(mbi + 44);
    stub_check(mm_map_init(m, map_storage, MAP_CAP), "map", NULL);
    for (; p < end; p += mm_load_le32(p) + 4) {
        uint32_t type = mm_load_le32(p + 20);
        stub_check(mm_map_add(m, mm_load_le64(p + 4), mm_load_le64(p + 12), mm_e820_type(type, 0),
                              type, 0),
                   "map entry", NULL);
    }
    stub_check(
        mm_map_sanitize(m, MM_FRAME_SIZE_DEFAULT, sanitize_scratch, sizeof sanitize_scratch, NULL),
        "sanitize", NULL);
}

static void carve(void *ctx, mm_map *m, uint64_t base, uint64_t len, mm_type type)
{
    (void)ctx;
    stub_check(mm_map_carve(m, base, len, type, MM_CARVE_DEFAULT), "carve", NULL);
}

/* Loader scratch at the top of usable memory below 4 GiB (no paging). */
static void *scratch_alloc(mm_map *m, uint64_t len, const char *what)
{
    uint64_t at;
    stub_check(mm_map_find(m, len, MM_FRAME_SIZE_DEFAULT, MM_MIB, FOUR_GIB, MM_FIND_TOP_DOWN, &at),
               what, NULL);
    carve(NULL, m, at, len, MM_TYPE_BOOTLOADER_RECLAIMABLE);
    return (void *)(uintptr_t)at;
}

static uint64_t find_rsdp(void)
{
    for (uintptr_t a = 0xe0000; a < 0x100000; a += 16) {
        const char *p = (const char *)a;
        if (p[0] == 'R' && p[1] == 'S' && p[2] == 'D' && p[3] == ' ' && p[4] == 'P' &&
            p[5] == 'T' && p[6] == 'R' && p[7] == ' ')
            return a;
    }
    return 0;
}

static void enter(const bc_linux_entry *e)
{
    stub_gdt(gdt, gdtr, e->mode);
    stub_print_entry(e);
    if (e->mode == BC_LINUX_ENTRY_64)
        stub_enter64((uint32_t)e->address, (uint32_t)e->boot_params, stub_identity_4g(page_tables),
                     gdtr);
    stub_enter32((uint32_t)e->address, (uint32_t)e->boot_params, gdtr);
}

void stub_main(uint32_t magic, const uint8_t *mbi)
{
    stub_puts("MOSSTUB linux-stub (BIOS): booting Linux with boot/common/linux.c");
    mm_map m;
    import_multiboot(&m, magic, mbi);
    carve(NULL, &m, (uintptr_t)__stub_start, (uintptr_t)(__stub_end - __stub_start),
          MM_TYPE_BOOTLOADER_RECLAIMABLE);

    stub_file kf = stub_fw_find("opt/mos/vmlinuz"), cf = stub_fw_find("opt/mos/cmdline");
    static char cmdline[4096];
    if (!kf.select)
        stub_fail("no opt/mos/vmlinuz in fw_cfg", NULL);
    if (cf.size >= sizeof cmdline)
        stub_fail("command line too long for the stub", NULL);
    if (cf.select)
        stub_fw_load(cf, cmdline);
    uint8_t *file = scratch_alloc(&m, kf.size, "kernel file buffer");
    stub_fw_load(kf, file);

    bc_linux_image img;
    bc_linux_plan plan;
    uint8_t *bp =
        stub_prepare_linux(&m, carve, NULL, file, kf.size, stub_fw_find("opt/mos/initrd"), cmdline,
                           stub_fw_find("opt/mos/entry32").select != 0, &img, &plan);
    bc_linux_firmware fw = {.acpi_rsdp = find_rsdp()};
    stub_check(bc_linux_params_firmware(bp, &fw), "bc_linux_params_firmware", NULL);
    bc_linux_entry entry;
    stub_finish_linux(&m, &img, &plan, &entry);
    enter(&entry);
}
