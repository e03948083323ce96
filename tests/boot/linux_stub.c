/* linux-stub: a test-only BIOS mini-loader that boots a Linux bzImage
 * with boot/common/linux.c exactly in the order docs/linux.md gives the
 * driver, so the back end is proven against a real kernel before the
 * firmware-neutral driver exists. QEMU's multiboot loader starts it
 * (32-bit, paging off) after SeaBIOS; the files come through fw_cfg:
 *   opt/mos/vmlinuz   the kernel
 *   opt/mos/initrd    the initrd (optional)
 *   opt/mos/cmdline   the command line (optional)
 *   opt/mos/entry32   present: use the 32-bit entry even for a 64-bit kernel
 * It prints the final map in the loaders' "[0xA, 0xB) type" form (for
 * tests/boot/linux-check.sh) and "MOSSTUB ..." progress lines on COM1,
 * and "MOSSTUB FAIL: why" before halting on any error. */
#include "common/linux.h"
#include "common/text.h"
#include "common/x86io.h"
#include "mm/memmap.h"

#define COM1          0x3f8
#define FW_CFG_SEL    0x510
#define FW_CFG_DMA_HI 0x514
#define FW_CFG_DMA_LO 0x518
#define FW_CFG_DIR    0x19
#define DMA_ERROR     0x01u
#define DMA_READ      0x02u
#define DMA_SELECT    0x08u
#define MB_MAGIC      0x2badb002u
#define MB_FLAG_MMAP  0x40u
#define MAP_CAP       128u
#define DIR_MAX       64u
#define FOUR_GIB      (4 * MM_GIB)

extern char __stub_start[], __stub_end[];
__attribute__((noreturn)) void stub_enter32(uint32_t entry, uint32_t boot_params, const void *gdtr);
__attribute__((noreturn)) void stub_enter64(uint32_t entry, uint32_t boot_params, uint32_t cr3,
                                            const void *gdtr);

/* The stack _start switches to (its top, stub_stack_top, is defined here
 * for the assembly). */
uint8_t stub_stack[16384] __attribute__((aligned(16)));
__asm__(".globl stub_stack_top\n.set stub_stack_top, stub_stack + 16384");

static mm_entry map_storage[MAP_CAP];
static uint8_t sanitize_scratch[68 * MAP_CAP + 8];
static uint64_t page_tables[6][512] __attribute__((aligned(4096)));
static uint64_t gdt[4] __attribute__((aligned(8)));
static struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
} gdtr;

/* ---- Serial and messages ---------------------------------------------- */

static void putc_serial(char c)
{
    while (!(x86_inb(COM1 + 5) & 0x20))
        ;
    x86_outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
    while (*s)
        putc_serial(*s++);
    putc_serial('\n');
}

static void say(bc_text *t, char *buf, size_t cap, const char *first)
{
    bc_text_init(t, buf, cap);
    bc_text_str(t, first);
}

static void halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void fail(const char *what, const char *detail)
{
    char buf[160];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB FAIL: ");
    bc_text_str(&t, what);
    if (detail) {
        bc_text_str(&t, ": ");
        bc_text_str(&t, detail);
    }
    puts_serial(buf);
    halt();
}

static void check(mm_status st, const char *what, const char *detail)
{
    if (st != MM_OK)
        fail(what, detail ? detail : mm_strerror(st));
}

/* ---- fw_cfg (DMA interface, big-endian fields) ------------------------- */

static uint32_t be32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
}

static void fw_read(uint32_t control, void *dst, uint32_t len)
{
    static volatile struct {
        uint32_t control, length;
        uint32_t addr_hi, addr_lo;
    } __attribute__((aligned(16))) d;
    d.control = be32(control);
    d.length = be32(len);
    d.addr_hi = 0;
    d.addr_lo = be32((uint32_t)(uintptr_t)dst);
    x86_outl(FW_CFG_DMA_HI, 0);
    x86_outl(FW_CFG_DMA_LO, be32((uint32_t)(uintptr_t)&d));
    uint32_t c;
    while ((c = be32(d.control)) & ~DMA_ERROR)
        ;
    if (c & DMA_ERROR)
        fail("fw_cfg DMA", NULL);
}

typedef struct fw_file {
    uint32_t size;   /* bytes */
    uint16_t select; /* 0 when the file is absent */
} fw_file;

static fw_file fw_find(const char *name)
{
    static struct {
        uint32_t count;
        struct {
            uint32_t size;
            uint16_t select, reserved;
            char name[56];
        } e[DIR_MAX];
    } dir;
    fw_read((uint32_t)FW_CFG_DIR << 16 | DMA_SELECT | DMA_READ, &dir.count, 4);
    uint32_t n = be32(dir.count) < DIR_MAX ? be32(dir.count) : DIR_MAX;
    fw_read(DMA_READ, dir.e, n * sizeof dir.e[0]);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = 0;
        while (name[k] && dir.e[i].name[k] == name[k])
            k++;
        if (!name[k] && !dir.e[i].name[k]) {
            uint16_t sel = (uint16_t)(dir.e[i].select >> 8 | dir.e[i].select << 8);
            return (fw_file){be32(dir.e[i].size), sel};
        }
    }
    return (fw_file){0, 0};
}

static void fw_load(fw_file f, void *dst)
{
    fw_read((uint32_t)f.select << 16 | DMA_SELECT | DMA_READ, dst, f.size);
}

/* ---- Memory map ---------------------------------------------------------- */

static void import_multiboot(mm_map *m, uint32_t magic, const uint8_t *mbi)
{
    if (magic != MB_MAGIC || !(mm_load_le32(mbi) & MB_FLAG_MMAP))
        fail("no multiboot memory map", NULL);
    const uint8_t *p = (const uint8_t *)(uintptr_t)mm_load_le32(mbi + 48);
    const uint8_t *end = p + mm_load_le32(mbi + 44);
    check(mm_map_init(m, map_storage, MAP_CAP), "map", NULL);
    for (; p < end; p += mm_load_le32(p) + 4) {
        uint32_t type = mm_load_le32(p + 20);
        check(mm_map_add(m, mm_load_le64(p + 4), mm_load_le64(p + 12), mm_e820_type(type, 0), type,
                         0),
              "map entry", NULL);
    }
    check(
        mm_map_sanitize(m, MM_FRAME_SIZE_DEFAULT, sanitize_scratch, sizeof sanitize_scratch, NULL),
        "sanitize", NULL);
}

static void log_map(const mm_map *m)
{
    char buf[96];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB final map, ");
    bc_text_u32(&t, m->count);
    bc_text_str(&t, " entries:");
    puts_serial(buf);
    for (uint32_t i = 0; i < m->count; i++) {
        say(&t, buf, sizeof buf, "  [");
        bc_text_hex(&t, m->entries[i].base);
        bc_text_str(&t, ", ");
        bc_text_hex(&t, mm_entry_end(&m->entries[i]));
        bc_text_str(&t, ") ");
        bc_text_str(&t, mm_type_name((mm_type)m->entries[i].type));
        puts_serial(buf);
    }
}

/* Reserves `len` bytes at the top of usable memory below 4 GiB (the stub
 * runs without paging) for loader scratch. */
static void *scratch_alloc(mm_map *m, uint64_t len, const char *what)
{
    uint64_t at;
    check(mm_map_find(m, len, MM_FRAME_SIZE_DEFAULT, MM_MIB, FOUR_GIB, MM_FIND_TOP_DOWN, &at), what,
          NULL);
    check(mm_map_carve(m, at, len, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT), what, NULL);
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

/* ---- Entry ------------------------------------------------------------------ */

/* Identity map of [0, 4 GiB) in 2 MiB pages: covers every range
 * bc_linux_identity_ranges() can name for a kernel placed below 4 GiB. */
static uint32_t identity_4g(void)
{
    page_tables[0][0] = (uint32_t)(uintptr_t)page_tables[1] | 3u;
    for (uint32_t g = 0; g < 4; g++) {
        page_tables[1][g] = (uint32_t)(uintptr_t)page_tables[2 + g] | 3u;
        for (uint32_t i = 0; i < 512; i++)
            page_tables[2 + g][i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | 0x83u;
    }
    return (uint32_t)(uintptr_t)page_tables[0];
}

static void enter(const bc_linux_entry *e, const bc_linux_plan *plan)
{
    bc_linux_range r[BC_LINUX_IDENTITY_RANGES];
    check(bc_linux_identity_ranges(plan, r), "identity ranges", NULL);
    for (uint32_t i = 0; i < BC_LINUX_IDENTITY_RANGES; i++)
        if (r[i].base + r[i].length > FOUR_GIB)
            fail("identity range above 4 GiB", NULL);
    gdt[0] = 0;
    gdt[1] = 0;
    gdt[2] = e->mode == BC_LINUX_ENTRY_64 ? 0x00af9a000000ffffull : 0x00cf9a000000ffffull;
    gdt[3] = 0x00cf92000000ffffull;
    gdtr.limit = sizeof gdt - 1;
    gdtr.base = (uint32_t)(uintptr_t)gdt;
    char buf[96];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB entry ");
    bc_text_str(&t, e->mode == BC_LINUX_ENTRY_64 ? "64-bit at " : "32-bit at ");
    bc_text_hex(&t, e->address);
    bc_text_str(&t, ", boot_params ");
    bc_text_hex(&t, e->boot_params);
    puts_serial(buf);
    if (e->mode == BC_LINUX_ENTRY_64)
        stub_enter64((uint32_t)e->address, (uint32_t)e->boot_params, identity_4g(), &gdtr);
    stub_enter32((uint32_t)e->address, (uint32_t)e->boot_params, &gdtr);
}

/* ---- The load, in docs/linux.md's order ------------------------------------- */

static void print_plan(const bc_linux_plan *p)
{
    char buf[160];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB kernel ");
    bc_text_hex(&t, p->kernel_addr);
    bc_text_str(&t, " +");
    bc_text_hex(&t, p->kernel_span);
    bc_text_str(&t, ", initrd ");
    bc_text_hex(&t, p->initrd_addr);
    bc_text_str(&t, " +");
    bc_text_hex(&t, p->initrd_size);
    bc_text_str(&t, ", boot_params ");
    bc_text_hex(&t, p->params_addr);
    bc_text_str(&t, ", e820 entries ");
    bc_text_u32(&t, p->e820_count);
    puts_serial(buf);
}

void stub_main(uint32_t magic, const uint8_t *mbi);

void stub_main(uint32_t magic, const uint8_t *mbi)
{
    puts_serial("MOSSTUB linux-stub: booting Linux with boot/common/linux.c");
    mm_map m;
    import_multiboot(&m, magic, mbi);
    check(mm_map_carve(&m, (uintptr_t)__stub_start, (uintptr_t)(__stub_end - __stub_start),
                       MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT),
          "carve the stub", NULL);

    fw_file kf = fw_find("opt/mos/vmlinuz"), rf = fw_find("opt/mos/initrd");
    fw_file cf = fw_find("opt/mos/cmdline");
    if (!kf.size)
        fail("no opt/mos/vmlinuz in fw_cfg", NULL);
    uint8_t *file = scratch_alloc(&m, kf.size, "kernel file buffer");
    fw_load(kf, file);
    static char cmdline[4096];
    if (cf.size >= sizeof cmdline)
        fail("command line too long for the stub", NULL);
    if (cf.size)
        fw_load(cf, cmdline);

    bc_linux_image img;
    check(bc_linux_parse(file, kf.size, &img), "bc_linux_parse", img.msg);
    if (fw_find("opt/mos/entry32").select)
        img.xloadflags &= (uint16_t) ~(BC_LINUX_XLF_KERNEL_64 | BC_LINUX_XLF_CAN_LOAD_HIGH);

    bc_linux_plan plan = {0};
    check(bc_linux_plan_kernel(&plan, &m, &img), "bc_linux_plan_kernel", plan.msg);
    check(mm_map_carve(&m, plan.kernel_addr, plan.kernel_span, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
          "carve the kernel", NULL);
    check(bc_linux_plan_initrd(&plan, &m, &img, rf.size), "bc_linux_plan_initrd", plan.msg);
    if (rf.size)
        check(mm_map_carve(&m, plan.initrd_addr, rf.size, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
              "carve the initrd", NULL);
    uint32_t cmdline_bytes = (uint32_t)bc_strnlen(cmdline, sizeof cmdline) + 1;
    check(bc_linux_plan_params(&plan, &m, &img, cmdline_bytes, bc_linux_e820_count(&m)),
          "bc_linux_plan_params", plan.msg);
    check(mm_map_carve(&m, plan.params_addr, plan.params_span, MM_TYPE_HANDOFF, MM_CARVE_DEFAULT),
          "carve boot_params", NULL);
    print_plan(&plan);

    void *kdst = (void *)(uintptr_t)plan.kernel_addr;
    check(bc_linux_load_kernel(&img, file, kf.size, kdst, (size_t)plan.kernel_span), "load kernel",
          NULL);
    if (rf.size)
        fw_load(rf, (void *)(uintptr_t)plan.initrd_addr);
    uint8_t *bp = (uint8_t *)(uintptr_t)plan.params_addr;
    mm_memset(bp, 0, (size_t)plan.params_span);
    check(bc_linux_params_init(bp, &img, file, kf.size, &plan, cmdline,
                               (char *)(uintptr_t)plan.cmdline_addr),
          "bc_linux_params_init", NULL);
    bc_linux_firmware fw = {.acpi_rsdp = find_rsdp()};
    check(bc_linux_params_firmware(bp, &fw), "bc_linux_params_firmware", NULL);
    uint8_t *ext = plan.e820_ext_addr ? (uint8_t *)(uintptr_t)plan.e820_ext_addr : NULL;
    size_t ext_len = ext ? (size_t)(plan.params_addr + plan.params_span - plan.e820_ext_addr) : 0;
    check(bc_linux_params_e820(bp, &m, ext, ext_len, plan.e820_ext_addr), "bc_linux_params_e820",
          NULL);
    log_map(&m);

    bc_linux_entry entry;
    check(bc_linux_entry_for(&img, &plan, &entry), "bc_linux_entry_for", NULL);
    enter(&entry, &plan);
}
