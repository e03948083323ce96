/* x86 port I/O for the UEFI loader (COM1, isa-debug-exit is not used here). */
#ifndef UEFI_PORT_H
#define UEFI_PORT_H

#include <stdint.h>

static inline void port_out8(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port));
}

static inline uint8_t port_in8(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Reads the time-stamp counter (ticks since reset, frequency unknown until
 * calibrated). */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
