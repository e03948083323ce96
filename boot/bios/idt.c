/* Protected-mode exception handlers: a fault in stage 2 (a loader bug or
 * broken hardware) ends in a message and the loader-failed exit instead
 * of a triple fault that resets the machine in silence. */
#include "bios.h"
#include "console.h"

#define ISR_STUB_SIZE 16 /* entry.S aligns each stub to 16 bytes */
#define SEL_CODE32    0x18

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type;
    uint16_t offset_hi;
};

struct __attribute__((packed)) idt_desc {
    uint16_t limit;
    uint32_t base;
};

extern char isr_stubs[];
extern struct idt_desc pm_idt_desc; /* entry.S: reloaded after each thunk */

static struct idt_gate idt[32];

void idt_init(void)
{
    for (uint32_t v = 0; v < 32; v++) {
        uint32_t at = (uint32_t)isr_stubs + v * ISR_STUB_SIZE;
        idt[v] = (struct idt_gate){.offset_lo = (uint16_t)at,
                                   .selector = SEL_CODE32,
                                   .type = 0x8e, /* present, ring 0, 32-bit interrupt gate */
                                   .offset_hi = (uint16_t)(at >> 16)};
    }
    pm_idt_desc = (struct idt_desc){.limit = sizeof idt - 1, .base = (uint32_t)idt};
    __asm__ volatile("lidt %0" : : "m"(pm_idt_desc));
}

static const char *const names[20] = {"divide error",
                                      "debug",
                                      "NMI",
                                      "breakpoint",
                                      "overflow",
                                      "bound range",
                                      "invalid opcode",
                                      "no FPU",
                                      "double fault",
                                      "coprocessor overrun",
                                      "invalid TSS",
                                      "segment missing",
                                      "stack fault",
                                      "general protection",
                                      "page fault",
                                      "reserved",
                                      "x87 error",
                                      "alignment check",
                                      "machine check",
                                      "SIMD error"};

__attribute__((noreturn)) void stage2_exception(uint32_t vector, uint32_t error, uint32_t eip);

void stage2_exception(uint32_t vector, uint32_t error, uint32_t eip)
{
    fatal("CPU exception %u (%s), error code 0x%x, at EIP 0x%x: stage 2 bug", vector,
          vector < 20 ? names[vector] : "reserved", error, eip);
}
