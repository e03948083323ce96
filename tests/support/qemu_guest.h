/* Helpers of the bare QEMU test images (tests/smp, tests/fbcon): COM1
 * output with lib/mm's formatting, a PIT-timed delay and the isa-debug-exit
 * result. 32-bit protected mode, paging off; header only. */
#ifndef TESTS_QEMU_GUEST_H
#define TESTS_QEMU_GUEST_H

#include "../../kernel/exitcodes.h"
#include "common/x86io.h"
#include "mm/fmt.h"

#define GUEST_COM1 0x3f8

static void guest_serial(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        while (!(x86_inb(GUEST_COM1 + 5) & 0x20))
            ;
        x86_outb(GUEST_COM1, (uint8_t)s[i]);
    }
}

static void say(const char *fmt, ...) MM_PRINTF_LIKE(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vcbprintf(guest_serial, NULL, fmt, ap);
    va_end(ap);
}

/* "<TAG>-RESULT: PASS|FAIL why", then QEMU exits 33 (PASS) or 35. */
static void finish(const char *tag, int pass, const char *why)
{
    say("%s-RESULT: %s %s\n", tag, pass ? "PASS" : "FAIL", why);
    x86_outl(MOS_EXIT_PORT, pass ? MOS_EXIT_PASS : MOS_EXIT_FAIL);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* At least `us` microseconds of real time, counted by PIT channel 2 in
 * mode 0 (its OUT pin, bit 5 of port 0x61, rises at terminal count): the
 * emulated PIT follows the host clock, instructions do not. */
static void delay(void *ctx, uint32_t us)
{
    (void)ctx;
    while (us) {
        uint32_t chunk = us < 50000 ? us : 50000;
        uint32_t ticks = chunk * 1193u / 1000u + 1;                  /* 1.193182 MHz, < 65536 */
        x86_outb(0x61, (uint8_t)((x86_inb(0x61) & ~0x02u) | 0x01u)); /* gate on, speaker off */
        x86_outb(0x43, 0xb0); /* channel 2, low then high byte, mode 0 */
        x86_outb(0x42, (uint8_t)ticks);
        x86_outb(0x42, (uint8_t)(ticks >> 8));
        while (!(x86_inb(0x61) & 0x20))
            ;
        us -= chunk;
    }
}

#endif
