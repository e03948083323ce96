/* linux-stub (UEFI): the UEFI twin of linux_stub.c. OVMF starts it as
 * EFI/BOOT/BOOTX64.EFI; it plans against the map as it is now (boot
 * services memory still taken), allocates every planned range with
 * AllocatePages(AllocateAddress, EfiLoaderData), leaves boot services,
 * builds the e820 table from the final map and efi_info from the system
 * table and that map, and enters Linux through the 64-bit entry. Same
 * fw_cfg files and output as the BIOS stub; opt/mos/entry32 is refused
 * (the 32-bit entry would need a drop out of long mode). */
#include <efi.h>

#include "linux_stub_lib.h"
#include "uefi/firmware.h"

#define MAP_CAP  512u
#define BELOW_4G 0xffffffffull

static mm_entry map_storage[MAP_CAP];
static uint8_t sanitize_scratch[68 * MAP_CAP + 8];
static uint64_t gdt[4] __attribute__((aligned(8)));
static uint8_t gdtr[10];

/* Pages below 4 GiB (fw_cfg DMA takes 32-bit addresses here). */
static void *pages_below_4g(EFI_BOOT_SERVICES *bs, uint64_t bytes, const char *what)
{
    EFI_PHYSICAL_ADDRESS a = BELOW_4G;
    EFI_STATUS s = bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, (bytes + 4095) >> 12, &a);
    if (EFI_ERROR(s))
        stub_fail(what, fw_status_text(s));
    return (void *)(uintptr_t)a;
}

/* The firmware's map as an mm map. `now`: memory the firmware still uses
 * (boot services, anything not conventional) is kept from the planner as
 * bootloader-reclaimable, which Linux later gets as usable anyway. */
static void import(mm_map *m, const struct fw_memmap *em, bool now)
{
    stub_check(mm_map_init(m, map_storage, MAP_CAP), "map", NULL);
    stub_check(mm_map_import_efi(m, em->buf, em->size, em->desc_size, em->desc_version),
               "mm_map_import_efi", NULL);
    for (uint32_t i = 0; now && i < m->count; i++)
        if (m->entries[i].type == MM_TYPE_USABLE && m->entries[i].raw_type != MM_EFI_CONVENTIONAL)
            m->entries[i].type = MM_TYPE_BOOTLOADER_RECLAIMABLE;
    stub_check(
        mm_map_sanitize(m, MM_FRAME_SIZE_DEFAULT, sanitize_scratch, sizeof sanitize_scratch, NULL),
        "sanitize", NULL);
}

static void allocate_at(void *ctx, mm_map *m, uint64_t base, uint64_t len, mm_type type)
{
    EFI_BOOT_SERVICES *bs = ctx;
    EFI_PHYSICAL_ADDRESS a = base;
    EFI_STATUS s = bs->AllocatePages(AllocateAddress, EfiLoaderData, (len + 4095) >> 12, &a);
    if (EFI_ERROR(s))
        stub_fail("AllocatePages at the planned address", fw_status_text(s));
    stub_check(mm_map_carve(m, base, len, type, MM_CARVE_DEFAULT), "carve", NULL);
}

/* boot.rst's 64-bit entry: our identity map, a GDT with 64-bit code at
 * 0x10 and data at 0x18 loaded into CS and DS/ES/SS, interrupts off,
 * RSI = boot_params. */
static _Noreturn void enter64(const bc_linux_entry *e, uint64_t (*tables)[512])
{
    stub_gdt(gdt, gdtr, BC_LINUX_ENTRY_64);
    stub_print_entry(e);
    uint64_t cr3 = stub_identity_4g(tables);
    __asm__ volatile("cli\n\t"
                     "mov %0, %%cr3\n\t"
                     "lgdt %1\n\t"
                     "pushq $0x10\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl $0x18, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "movq %2, %%rsi\n\t"
                     "jmp *%3"
                     :
                     : "r"(cr3), "m"(*(const uint8_t(*)[10])gdtr), "r"(e->boot_params),
                       "r"(e->address)
                     : "rax", "rsi", "memory");
    __builtin_unreachable();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    EFI_BOOT_SERVICES *bs = st->BootServices;
    stub_puts("MOSSTUB linux-stub (UEFI): booting Linux with boot/common/linux.c");
    stub_file kf = stub_fw_find("opt/mos/vmlinuz"), cf = stub_fw_find("opt/mos/cmdline");
    static char cmdline[4096];
    if (!kf.select)
        stub_fail("no opt/mos/vmlinuz in fw_cfg", NULL);
    if (stub_fw_find("opt/mos/entry32").select)
        stub_fail("the UEFI stub has no 32-bit entry", NULL);
    if (cf.size >= sizeof cmdline)
        stub_fail("command line too long for the stub", NULL);
    if (cf.select)
        stub_fw_load(cf, cmdline);
    uint8_t *file = pages_below_4g(bs, kf.size, "kernel file buffer");
    stub_fw_load(kf, file);

    UINTN bytes, desc_size;
    EFI_STATUS s = fw_memmap_query(bs, &bytes, &desc_size);
    if (EFI_ERROR(s))
        stub_fail("GetMemoryMap size", fw_status_text(s));
    struct fw_memmap em = {.capacity = bytes + 64 * desc_size};
    em.buf = pages_below_4g(bs, em.capacity, "memory map buffer");
    s = fw_memmap_read(bs, &em);
    if (EFI_ERROR(s))
        stub_fail("GetMemoryMap", fw_status_text(s));
    mm_map m;
    import(&m, &em, true);

    bc_linux_image img;
    bc_linux_plan plan;
    uint8_t *bp = stub_prepare_linux(&m, allocate_at, bs, file, kf.size,
                                     stub_fw_find("opt/mos/initrd"), cmdline, false, &img, &plan);
    uint64_t(*tables)[512] = pages_below_4g(bs, STUB_IDENTITY_PAGES * 4096u, "page tables");
    uint64_t rsdp = fw_find_rsdp(st);
    /* A stale map key (EFI_INVALID_PARAMETER) means: read and try again. */
    for (int attempt = 0; attempt < 4; attempt++) {
        s = fw_exit_attempt(bs, image, &em);
        if (s != EFI_INVALID_PARAMETER)
            break;
    }
    if (EFI_ERROR(s))
        stub_fail("ExitBootServices", fw_status_text(s));
    import(&m, &em, false);
    bc_linux_firmware fw = {.acpi_rsdp = rsdp,
                            .efi_system_table = (uint64_t)(uintptr_t)st,
                            .efi_map = (uint64_t)(uintptr_t)em.buf,
                            .efi_map_size = (uint32_t)em.size,
                            .efi_desc_size = (uint32_t)em.desc_size,
                            .efi_desc_version = em.desc_version};
    stub_check(bc_linux_params_firmware(bp, &fw), "bc_linux_params_firmware", NULL);
    bc_linux_entry entry;
    stub_finish_linux(&m, &img, &plan, &entry);
    enter64(&entry, tables);
}
