#include "a20.h"

#include <stdint.h>

#include "bios.h"

/* A free word below 1 MiB (between stage 1 and stage 2) and its alias. */
#define A20_PROBE_LOW  ((volatile uint32_t *)0x7f00)
#define A20_PROBE_HIGH ((volatile uint32_t *)0x107f00)

bool a20_is_on(void)
{
    uint32_t saved_low = *A20_PROBE_LOW, saved_high = *A20_PROBE_HIGH;
    *A20_PROBE_LOW = 0x4d4f5331u;
    *A20_PROBE_HIGH = ~0x4d4f5331u;
    bool on = *A20_PROBE_LOW != *A20_PROBE_HIGH;
    *A20_PROBE_HIGH = saved_high;
    *A20_PROBE_LOW = saved_low;
    return on;
}

/* The gate may take a moment to switch: poll the test for a while. */
static bool a20_wait_on(void)
{
    for (uint32_t i = 0; i < 1000; i++) {
        if (a20_is_on())
            return true;
        (void)inb(0x80);
    }
    return false;
}

static void a20_bios(void)
{
    struct bios_regs r = {.eax = 0x2401};
    bios_call(0x15, &r);
}

/* Waits (bounded) until the 8042's input buffer is empty. */
static void kbc_wait_input(void)
{
    for (uint32_t i = 0; i < 100000 && (inb(0x64) & 2); i++)
        ;
}

static void a20_kbc(void)
{
    kbc_wait_input();
    outb(0x64, 0xd1); /* write output port */
    kbc_wait_input();
    outb(0x60, 0xdf); /* A20 on, CPU reset line released */
    kbc_wait_input();
}

static void a20_fast(void)
{
    uint8_t v = inb(0x92);
    if (!(v & 2))
        outb(0x92, (uint8_t)((v | 2) & ~1)); /* bit 0 would reset the CPU */
}

const char *a20_enable(void)
{
    if (a20_is_on())
        return "already on";
    a20_bios();
    if (a20_wait_on())
        return "BIOS INT 15h 2401h";
    a20_kbc();
    if (a20_wait_on())
        return "keyboard controller";
    a20_fast();
    if (a20_wait_on())
        return "port 0x92";
    return (const char *)0;
}
