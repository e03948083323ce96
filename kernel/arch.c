/* x86-64 machine layer of the demo kernel (see arch.h). */
#include "arch.h"

#include "exitcodes.h"
#include "proof.h"
#include "common/x86io.h"
#include "mm/fmt.h"

#define COM1 0x3f8

#define outb x86_outb
#define inb  x86_inb
#define outl x86_outl

uint64_t arch_rdtsc(void)
{
    return x86_rdtsc();
}

uint64_t arch_read_rsp(void)
{
    uint64_t rsp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(rsp));
    return rsp;
}

enum control_reg { CR0, CR2, CR3 };

static uint64_t read_cr(enum control_reg r)
{
    uint64_t v = 0;
    switch (r) {
    case CR0:
        __asm__ volatile("movq %%cr0, %0" : "=r"(v));
        break;
    case CR2:
        __asm__ volatile("movq %%cr2, %0" : "=r"(v));
        break;
    case CR3:
        __asm__ volatile("movq %%cr3, %0" : "=r"(v));
        break;
    }
    return v;
}

/* ---- serial ---- */

void arch_serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB on */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
    outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void serial_putc(char c)
{
    /* Bounded wait: with no UART present the line status reads 0xff (ready)
     * anyway, and a stuck UART must not hang the report forever. */
    for (uint32_t spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
        __asm__ volatile("pause");
    outb(COM1, (uint8_t)c);
}

/* ---- VGA text ---- */

#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700 /* light grey on black */

static volatile uint16_t *vga;
static uint32_t vga_row, vga_col;

void arch_vga_enable(uintptr_t vga_virt)
{
    vga = (volatile uint16_t *)vga_virt;
    for (uint32_t i = 0; i < VGA_COLS * VGA_ROWS; i++)
        vga[i] = VGA_ATTR | ' ';
    vga_row = vga_col = 0;
}

static void vga_newline(void)
{
    vga_col = 0;
    if (++vga_row < VGA_ROWS)
        return;
    for (uint32_t i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
        vga[i] = vga[i + VGA_COLS];
    for (uint32_t i = 0; i < VGA_COLS; i++)
        vga[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
    vga_row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
    if (c == '\n') {
        vga_newline();
        return;
    }
    if (vga_col == VGA_COLS)
        vga_newline();
    vga[vga_row * VGA_COLS + vga_col++] = VGA_ATTR | (uint8_t)c;
}

void arch_console_write(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        if (vga)
            vga_putc(s[i]);
    }
}

static void console_printf(const char *fmt, ...) MM_PRINTF_LIKE(1, 2);
static void console_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vcbprintf(arch_console_write, NULL, fmt, ap);
    va_end(ap);
}

/* ---- exit ---- */

void arch_exit(uint32_t code)
{
    outl(MOS_EXIT_PORT, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- GDT, TSS, IDT ---- */

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* The CPU reads these after arch_init_cpu() returns, so they are static. */
static uint64_t gdt[5];
static struct tss64 tss;
static struct idt_gate idt[32];
static uint8_t ist1_stack[16384] __attribute__((aligned(16)));

extern const uint64_t arch_exception_stubs[32];

static void gdt_build(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
    gdt[2] = 0x00cf92000000ffffULL; /* data, DPL 0 */
    /* 16-byte available 64-bit TSS descriptor (type 9, present). */
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;
}

static void gdt_load(void)
{
    struct table_ptr p = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
    /* A far return reloads CS; the data segments follow. */
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "ltr %w3"
                     :
                     : "m"(p), "i"(SEL_CODE), "i"(SEL_DATA), "r"((uint16_t)SEL_TSS)
                     : "rax", "memory");
}

/* Vectors that get the known-good IST1 stack: a double fault usually means
 * the normal stack is gone; NMI and machine check may arrive anywhere. */
static uint8_t exception_ist(uint32_t vec)
{
    return (vec == 2 || vec == 8 || vec == 18) ? 1 : 0;
}

static void idt_build_and_load(void)
{
    for (uint32_t v = 0; v < 32; v++) {
        uint64_t off = arch_exception_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)off,
            .selector = SEL_CODE,
            .ist = exception_ist(v),
            .type_attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
            .offset_mid = (uint16_t)(off >> 16),
            .offset_hi = (uint32_t)(off >> 32),
        };
    }
    struct table_ptr p = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void arch_init_cpu(void)
{
    tss.ist[0] = (uint64_t)(uintptr_t)(ist1_stack + sizeof(ist1_stack));
    tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
    gdt_build();
    gdt_load();
    idt_build_and_load();
}

/* ---- exceptions ---- */

struct exception_frame {
    uint64_t vector;
    uint64_t error;
    uint64_t rip, cs, rflags, rsp, ss;
};

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "r15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    "r22", "r23", "r24", "r25", "r26", "r27", "#HV", "#VC", "#SX", "r31",
};

/* A deliberate fault (arch_probe_mappings): the page fault a probe
 * expects resumes at the probe's own label instead of ending the run. */
static volatile uint64_t probe_resume; /* label after the probing instruction */
static volatile int probe_armed;
static volatile int probe_faulted;

static bool probe_catch(struct exception_frame *f)
{
    if (!probe_armed || f->vector != 14)
        return false;
    probe_armed = 0;
    probe_faulted = 1;
    f->rip = probe_resume;
    return true;
}

/* Called by exc_common (entry.S) with the frame it built. Returns only to
 * resume a probe; every other exception is reported and ends the run. */
void arch_exception(struct exception_frame *f);
void arch_exception(struct exception_frame *f)
{
    if (probe_catch(f))
        return;
    static int nested; /* a fault while reporting a fault: just exit */
    if (nested++)
        arch_exit(MOS_EXIT_FAIL);
    const char *name = f->vector < 32 ? exception_names[f->vector] : "?";
    uint64_t cr2 = read_cr(CR2);
    console_printf("\nCPU exception %s (vector %u) error=0x%llx rip=0x%llx cr2=0x%llx "
                   "rsp=0x%llx\n",
                   name, (unsigned)f->vector, (unsigned long long)f->error,
                   (unsigned long long)f->rip, (unsigned long long)cr2, (unsigned long long)f->rsp);
    console_printf("MOS exception_vector=%u\nMOS exception_error=0x%llx\nMOS exception_rip=0x%llx\n"
                   "MOS exception_cr2=0x%llx\n",
                   (unsigned)f->vector, (unsigned long long)f->error, (unsigned long long)f->rip,
                   (unsigned long long)cr2);
    console_printf("MOS-RESULT: FAIL exception %s vector=%u error=0x%llx rip=0x%llx cr2=0x%llx\n",
                   name, (unsigned)f->vector, (unsigned long long)f->error,
                   (unsigned long long)f->rip, (unsigned long long)cr2);
    arch_exit(MOS_EXIT_FAIL);
}

/* ---- probing the kernel's own mappings ---- */

/* Writes the byte at `p` back unchanged; true when the write faulted. */
static bool probe_write_faults(volatile uint8_t *p)
{
    probe_faulted = 0;
    probe_armed = 1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %[resume]\n\t"
                     "movb (%[p]), %%cl\n\t"
                     "movb %%cl, (%[p])\n"
                     "1:"
                     : [resume] "=m"(probe_resume)
                     : [p] "r"(p)
                     : "rax", "rcx", "memory");
    probe_armed = 0;
    return probe_faulted;
}

/* Jumps into `code` (writable data holding `jmp *%rcx`, which comes
 * straight back); true when the instruction fetch faulted. */
static bool probe_exec_faults(volatile uint8_t *code)
{
    code[0] = 0xff; /* jmp *%rcx */
    code[1] = 0xe1;
    probe_faulted = 0;
    probe_armed = 1;
    __asm__ volatile("leaq 1f(%%rip), %%rcx\n\t"
                     "movq %%rcx, %[resume]\n\t"
                     "jmp *%[code]\n"
                     "1:"
                     : [resume] "=m"(probe_resume)
                     : [code] "r"(code)
                     : "rcx", "memory");
    probe_armed = 0;
    return probe_faulted;
}

static const uint8_t probe_rodata_byte[16] = {0x5a};
static uint8_t probe_data_code[16] __attribute__((aligned(16)));
extern char _start[];

void arch_probe_mappings(struct kp_probe *out)
{
    uint64_t efer = x86_rdmsr(0xc0000080u);
    *out = (struct kp_probe){
        .done = true,
        .cr3 = read_cr(CR3),
        .cr0_wp = (read_cr(CR0) >> 16) & 1,
        .nx_cpu = x86_cpu_has_nx(),
        .nx_enabled = (efer >> 11) & 1,
        .text_writable = !probe_write_faults((volatile uint8_t *)_start),
        .rodata_writable = !probe_write_faults((volatile uint8_t *)(uintptr_t)probe_rodata_byte),
        .data_executable = !probe_exec_faults(probe_data_code),
    };
}
