/* x86 port I/O, TSC and CPUID as inline functions, for the firmware front
 * ends and the kernel (32- and 64-bit; header only, no state). */
#ifndef BOOT_X86IO_H
#define BOOT_X86IO_H

#include <stdbool.h>
#include <stdint.h>

static inline void x86_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline uint8_t x86_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
}

static inline uint32_t x86_inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void x86_outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

/* Time-stamp counter: ticks since reset, frequency unknown until
 * calibrated. */
static inline uint64_t x86_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* CPUID leaf `leaf`, subleaf 0: r = {eax, ebx, ecx, edx}. */
static inline void x86_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* Model-specific register `msr` (CPL 0; faults on an MSR the CPU lacks).
 * EDX:EAX split, so the same code serves 32- and 64-bit builds. */
static inline uint64_t x86_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* True when the CPU supports the no-execute page bit (CPUID 80000001h EDX
 * bit 20), i.e. EFER.NXE may be set. */
static inline bool x86_cpu_has_nx(void)
{
    uint32_t r[4];
    x86_cpuid(0x80000000u, r);
    if (r[0] < 0x80000001u)
        return false;
    x86_cpuid(0x80000001u, r);
    return (r[3] >> 20) & 1u;
}

#endif
