/* Stage 2 machine interface: the real-mode thunk, port I/O, CPU helpers. */
#ifndef BIOS_BIOS_H
#define BIOS_BIOS_H

#include <stdint.h>

#include "common/x86io.h"

/* Registers in and out of a BIOS call (layout fixed by entry.S). */
struct bios_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint16_t ds, es;
    uint32_t flags; /* FLAGS after the call (low 16 bits) */
};
_Static_assert(sizeof(struct bios_regs) == 36, "bios_regs layout (entry.S)");

#define BIOS_FLAG_CF 0x0001u

/* Runs real-mode `INT intno` with *regs loaded (DS/ES too) and writes all
 * registers and FLAGS back. Pointers handed to the BIOS must be below
 * 1 MiB (segment:offset). Returns with interrupts disabled. */
void bios_call(uint32_t intno, struct bios_regs *regs);

/* What enter_long_mode() jumps with (layout fixed by entry.S); must be
 * identity-mapped by the page tables. */
struct lm_jump {
    uint64_t entry; /* 64-bit virtual entry point */
    uint64_t rsp;
    uint64_t rdi;
    uint32_t nxe; /* non-zero: set EFER.NXE */
    uint32_t pad;
};
_Static_assert(sizeof(struct lm_jump) == 32, "lm_jump layout (entry.S)");

/* Enables PAE and long mode with CR3 = pml4 (below 4 GiB) and jumps. */
__attribute__((noreturn)) void enter_long_mode(uint32_t pml4, const struct lm_jump *jump);

/* What enter_long_mode_gdt() jumps with (layout fixed by entry.S): a
 * long-mode entry on a GDT of the kernel protocol's (bc_entry.gdt != 0).
 * `gdt_limit` and `gdt` form the lgdt operand. */
struct lm_gdt_jump {
    uint64_t entry;
    uint64_t rsp;
    uint64_t rdi;
    uint64_t rsi;
    uint32_t nxe;
    uint16_t cs;
    uint16_t gdt_limit;
    uint64_t gdt; /* physical, identity-mapped */
    uint16_t ds;
    uint16_t pad[3];
};
_Static_assert(sizeof(struct lm_gdt_jump) == 56, "lm_gdt_jump layout (entry.S)");

/* enter_long_mode with the GDT, selectors and RSI of *jump. */
__attribute__((noreturn)) void enter_long_mode_gdt(uint32_t pml4, const struct lm_gdt_jump *jump);

extern uint8_t boot_drive;

/* Installs stage 2's protected-mode exception handlers (report + halt). */
void idt_init(void);

static inline uint16_t rm_seg(uint32_t linear)
{
    return (uint16_t)(linear >> 4);
}

static inline uint16_t rm_off(uint32_t linear)
{
    return (uint16_t)(linear & 0xf);
}

/* Short names for boot/common/x86io.h inside stage 2. */
#define outb  x86_outb
#define inb   x86_inb
#define rdtsc x86_rdtsc
#define cpuid x86_cpuid

#endif
