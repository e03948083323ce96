/* Shared half of the linux-stub mini-loaders (see linux_stub_lib.h). */
#include "linux_stub_lib.h"

#include "common/x86io.h"

#define COM1          0x3f8
#define FW_CFG_DMA_HI 0x514
#define FW_CFG_DMA_LO 0x518
#define FW_CFG_DIR    0x19
#define DMA_ERROR     0x01u
#define DMA_READ      0x02u
#define DMA_SELECT    0x08u
#define DIR_MAX       64u

/* ---- Output ---------------------------------------------------------------- */

static void putc_serial(char c)
{
    while (!(x86_inb(COM1 + 5) & 0x20))
        ;
    x86_outb(COM1, (uint8_t)c);
}

void stub_puts(const char *s)
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

void stub_fail(const char *what, const char *detail)
{
    char buf[160];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB FAIL: ");
    bc_text_str(&t, what);
    if (detail) {
        bc_text_str(&t, ": ");
        bc_text_str(&t, detail);
    }
    stub_puts(buf);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void stub_check(mm_status st, const char *what, const char *detail)
{
    if (st != MM_OK)
        stub_fail(what, detail ? detail : mm_strerror(st));
}

/* ---- fw_cfg (DMA interface, big-endian fields) ------------------------------ */

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
        stub_fail("fw_cfg DMA", NULL);
}

stub_file stub_fw_find(const char *name)
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
    fw_read(DMA_READ, dir.e, n * (uint32_t)sizeof dir.e[0]);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = 0;
        while (name[k] && dir.e[i].name[k] == name[k])
            k++;
        if (!name[k] && !dir.e[i].name[k]) {
            uint16_t sel = (uint16_t)(dir.e[i].select >> 8 | dir.e[i].select << 8);
            return (stub_file){be32(dir.e[i].size), sel};
        }
    }
    return (stub_file){0, 0};
}

void stub_fw_load(stub_file f, void *dst)
{
    fw_read((uint32_t)f.select << 16 | DMA_SELECT | DMA_READ, dst, f.size);
}

/* ---- The Linux boot ------------------------------------------------------------ */

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
    stub_puts(buf);
}

uint8_t *stub_prepare_linux(mm_map *m, stub_reserve_fn reserve, void *ctx, const uint8_t *file,
                            uint32_t len, stub_file initrd, const char *cmdline, bool entry32,
                            bc_linux_image *img, bc_linux_plan *plan)
{
    stub_check(bc_linux_parse(file, len, img), "bc_linux_parse", img->msg);
    if (entry32)
        img->xloadflags &= (uint16_t) ~(BC_LINUX_XLF_KERNEL_64 | BC_LINUX_XLF_CAN_LOAD_HIGH);
    mm_memset(plan, 0, sizeof *plan);
    stub_check(bc_linux_plan_kernel(plan, m, img), "bc_linux_plan_kernel", plan->msg);
    reserve(ctx, m, plan->kernel_addr, plan->kernel_span, MM_TYPE_KERNEL);
    stub_check(bc_linux_plan_initrd(plan, m, img, initrd.size), "bc_linux_plan_initrd", plan->msg);
    if (initrd.size)
        reserve(ctx, m, plan->initrd_addr, initrd.size, MM_TYPE_KERNEL);
    uint32_t cmdline_bytes = (uint32_t)bc_strnlen(cmdline, img->cmdline_size + 2) + 1;
    stub_check(bc_linux_plan_params(plan, m, img, cmdline_bytes, bc_linux_e820_count(m)),
               "bc_linux_plan_params", plan->msg);
    reserve(ctx, m, plan->params_addr, plan->params_span, MM_TYPE_HANDOFF);
    print_plan(plan);

    void *kdst = (void *)(uintptr_t)plan->kernel_addr;
    stub_check(bc_linux_load_kernel(img, file, len, kdst, (size_t)plan->kernel_span),
               "bc_linux_load_kernel", NULL);
    if (initrd.size)
        stub_fw_load(initrd, (void *)(uintptr_t)plan->initrd_addr);
    uint8_t *bp = (uint8_t *)(uintptr_t)plan->params_addr;
    mm_memset(bp, 0, (size_t)plan->params_span);
    stub_check(bc_linux_params_init(bp, img, file, len, plan, cmdline,
                                    (char *)(uintptr_t)plan->cmdline_addr),
               "bc_linux_params_init", NULL);
    return bp;
}

static void log_map(const mm_map *m)
{
    char buf[96];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB final map, ");
    bc_text_u32(&t, m->count);
    bc_text_str(&t, " entries:");
    stub_puts(buf);
    for (uint32_t i = 0; i < m->count; i++) {
        say(&t, buf, sizeof buf, "  [");
        bc_text_hex(&t, m->entries[i].base);
        bc_text_str(&t, ", ");
        bc_text_hex(&t, mm_entry_end(&m->entries[i]));
        bc_text_str(&t, ") ");
        bc_text_str(&t, mm_type_name((mm_type)m->entries[i].type));
        stub_puts(buf);
    }
}

void stub_finish_linux(const mm_map *m, const bc_linux_image *img, const bc_linux_plan *plan,
                       bc_linux_entry *entry)
{
    uint8_t *bp = (uint8_t *)(uintptr_t)plan->params_addr;
    uint8_t *ext = plan->e820_ext_addr ? (uint8_t *)(uintptr_t)plan->e820_ext_addr : NULL;
    size_t ext_len =
        ext ? (size_t)(plan->params_addr + plan->params_span - plan->e820_ext_addr) : 0;
    stub_check(bc_linux_params_e820(bp, m, ext, ext_len, plan->e820_ext_addr),
               "bc_linux_params_e820", NULL);
    log_map(m);
    stub_check(bc_linux_entry_for(img, plan, entry), "bc_linux_entry_for", NULL);
    bc_linux_range r[BC_LINUX_IDENTITY_RANGES];
    stub_check(bc_linux_identity_ranges(plan, r), "bc_linux_identity_ranges", NULL);
    for (uint32_t i = 0; i < BC_LINUX_IDENTITY_RANGES; i++)
        if (r[i].base + r[i].length > 4 * MM_GIB)
            stub_fail("identity range above the stub's 4 GiB map", NULL);
}

uint32_t stub_identity_4g(uint64_t (*tables)[512])
{
    tables[0][0] = (uint32_t)(uintptr_t)tables[1] | 3u;
    for (uint32_t g = 0; g < 4; g++) {
        tables[1][g] = (uint32_t)(uintptr_t)tables[2 + g] | 3u;
        for (uint32_t i = 0; i < 512; i++)
            tables[2 + g][i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | 0x83u;
    }
    return (uint32_t)(uintptr_t)tables[0];
}

void stub_gdt(uint64_t gdt[4], uint8_t gdtr[10], bc_linux_mode mode)
{
    gdt[0] = gdt[1] = 0;
    gdt[2] = mode == BC_LINUX_ENTRY_64 ? 0x00af9a000000ffffull : 0x00cf9a000000ffffull;
    gdt[3] = 0x00cf92000000ffffull;
    gdtr[0] = 4 * 8 - 1;
    gdtr[1] = 0;
    mm_store_le64(gdtr + 2, (uint64_t)(uintptr_t)gdt);
}

void stub_print_entry(const bc_linux_entry *e)
{
    char buf[96];
    bc_text t;
    say(&t, buf, sizeof buf, "MOSSTUB entry ");
    bc_text_str(&t, e->mode == BC_LINUX_ENTRY_64 ? "64-bit at " : "32-bit at ");
    bc_text_hex(&t, e->address);
    bc_text_str(&t, ", boot_params ");
    bc_text_hex(&t, e->boot_params);
    stub_puts(buf);
}
