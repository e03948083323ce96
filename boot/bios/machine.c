#include "console.h"
#include "machine.h"

#include "bios.h"
#include "common/acpi.h"
#include "common/tsc_pm.h"

#define PIT_HZ     1193182u
#define CAL_SHIFT  8 /* one window is 1/256 s: 4661 PIT ticks */
#define CAL_ROUNDS 5 /* windows measured; the shortest is kept */

bool cpu_long_mode(bool *nx)
{
    uint32_t r[4];
    cpuid(0x80000000u, r);
    if (r[0] < 0x80000001u)
        return false;
    cpuid(0x80000001u, r);
    *nx = (r[3] >> 20) & 1;
    return (r[3] >> 29) & 1;
}

/* TSC ticks across one 1/256 s PIT channel 2 one-shot; 0 when the PIT
 * never signals the end. */
static uint64_t pit_window_ticks(void)
{
    uint32_t count = PIT_HZ >> CAL_SHIFT;
    uint8_t gate = inb(0x61);
    outb(0x61, (uint8_t)((gate & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(0x43, 0xb0);                             /* channel 2, lo/hi, mode 0 */
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    uint32_t spins = 0;
    while (!(inb(0x61) & 0x20)) {
        if (++spins == 50000000u) {
            outb(0x61, gate);
            return 0;
        }
    }
    uint64_t t1 = rdtsc();
    outb(0x61, gate);
    return t1 - t0;
}

/* A window can only come out long: the CPU taken away (a descheduled
 * vCPU, an SMI) or code not yet warm between the end of the count and the
 * poll that sees it. Starting late cannot happen: the TSC is read right
 * after the count is loaded. The shortest of a few windows is kept. */
uint64_t tsc_calibrate(void)
{
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < CAL_ROUNDS; i++) {
        uint64_t t = pit_window_ticks();
        if (t == 0)
            return 0;
        if (t < best)
            best = t;
    }
    return best << CAL_SHIFT;
}

/* ---- TSC against the PM timer, across the boot ---------------------- */

static bc_tsc_pm pm;

/* Stage 2 reaches the low 4 GiB one to one. */
static const void *identity(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    if (phys >= ((uint64_t)1 << 32) || len > ((uint64_t)1 << 32) - phys)
        return NULL;
    return (const void *)(uintptr_t)phys;
}

void tsc_span_start(uint64_t rsdp)
{
    bc_tsc_pm_start(&pm, rsdp, identity);
}

uint64_t tsc_span_stamp(void)
{
    return bc_tsc_pm_stamp(&pm);
}

uint64_t tsc_span_finish(void)
{
    return bc_tsc_pm_finish(&pm, BC_TSC_SPAN_MIN_TICKS);
}

uint64_t tsc_cpuid_hz(void)
{
    return bc_tsc_cpuid_hz_now();
}

uint32_t ebda_base(void)
{
    uint32_t seg = *(volatile uint16_t *)0x40e;
    uint32_t base = seg << 4;
    return base >= 0x80000 && base < 0xa0000 ? base : 0;
}

/* The RSDP's address in [from, to), or 0. */
static uint64_t scan_rsdp(uint32_t from, uint32_t to)
{
    size_t off;
    if (bc_rsdp_scan((const uint8_t *)from, to - from, &off) != MM_OK)
        return 0;
    return from + off;
}

uint64_t find_rsdp(void)
{
    uint32_t ebda = ebda_base();
    uint64_t r = ebda ? scan_rsdp(ebda, ebda + 1024) : 0;
    return r ? r : scan_rsdp(0xe0000, 0x100000);
}

/* E820 answers land here: .bss, below 1 MiB as ES:DI requires. */
static uint8_t e820_buf[24];

static void thunk_call(void *ctx, uint8_t intno, bm_regs *r, uint8_t *buf)
{
    (void)ctx;
    struct bios_regs br = {.eax = r->eax, .ebx = r->ebx, .ecx = r->ecx, .edx = r->edx};
    if (buf) {
        mm_memcpy(e820_buf, buf, sizeof e820_buf);
        br.es = rm_seg((uint32_t)e820_buf);
        br.edi = rm_off((uint32_t)e820_buf);
    }
    bios_call(intno, &br);
    if (buf)
        mm_memcpy(buf, e820_buf, sizeof e820_buf);
    *r = (bm_regs){.eax = br.eax,
                   .ebx = br.ebx,
                   .ecx = br.ecx,
                   .edx = br.edx,
                   .carry = (br.flags & BIOS_FLAG_CF) != 0};
}

bm_bios bios_for_biosmem(void)
{
    return (bm_bios){.call = thunk_call, .ctx = 0, .log = &con_log};
}
