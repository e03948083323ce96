/* The Multiboot test kernels' C part (both versions): 32-bit protected
 * mode, paging off, so physical addresses are pointers. Runs the shared
 * checker (mbcheck.c), prints its `MB key=value` lines on COM1 and exits
 * QEMU through isa-debug-exit with PASS or FAIL (kernel/exitcodes.h). */
#include <stdint.h>

#include "common/x86io.h"
#include "exitcodes.h"
#include "mbcheck.h"

#define COM1 0x3f8

/* Linker symbols: the whole image, [start, end) including bss. */
extern char __image_start[], __image_end[];

static void serial_init(void)
{
    x86_outb(COM1 + 1, 0x00); /* no interrupts */
    x86_outb(COM1 + 3, 0x80); /* divisor latch */
    x86_outb(COM1 + 0, 0x01); /* 115200 baud */
    x86_outb(COM1 + 1, 0x00);
    x86_outb(COM1 + 3, 0x03); /* 8N1 */
    x86_outb(COM1 + 2, 0xc7); /* FIFO on */
}

static void serial_putc(char c)
{
    for (uint32_t spin = 0; spin < 100000 && !(x86_inb(COM1 + 5) & 0x20); spin++)
        ;
    x86_outb(COM1, (uint8_t)c);
}

static void serial_line(void *env, const char *line)
{
    (void)env;
    while (*line)
        serial_putc(*line++);
    serial_putc('\r');
    serial_putc('\n');
}

/* Paging is off: every address below 4 GiB reads as itself. */
static const void *phys_mem(void *env, uint64_t addr, uint64_t len)
{
    (void)env;
    if (len == 0 || addr >= 0x100000000ull || len > 0x100000000ull - addr)
        return 0;
    return (const void *)(uintptr_t)addr;
}

static void qemu_exit(uint8_t code)
{
    x86_outb(MOS_EXIT_PORT, code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Called by the entry stub with the version it was built for and the
 * registers the loader left: EAX (magic) and EBX (info address). */
void mb_kernel_main(uint32_t version, uint32_t magic, uint32_t info)
{
    static mbc_ctx c; /* large: keep it off the 16 KiB stack */
    serial_init();
    c.mem = phys_mem;
    c.out = serial_line;
    c.kernel.base = (uintptr_t)__image_start;
    c.kernel.end = (uintptr_t)__image_end;
    uint32_t failures = mbc_check(&c, version, magic, info);
    qemu_exit(failures ? MOS_EXIT_FAIL : MOS_EXIT_PASS);
}
