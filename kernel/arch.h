/* x86-64 machine layer of the demo kernel: serial and VGA console, its own
 * GDT/TSS/IDT, exit through isa-debug-exit. Kernel only (inline asm); the
 * checks in proof.c never call it, so they build for the host too. */
#ifndef MOS_KERNEL_ARCH_H
#define MOS_KERNEL_ARCH_H

#include <stddef.h>
#include <stdint.h>

/* Loads the kernel's own GDT (with a TSS whose IST1 stack serves double
 * faults, NMIs and machine checks) and an IDT whose 32 exception handlers
 * print the vector, error code, RIP and CR2 and exit FAIL. Call first: the
 * loader's GDT may live in memory the map calls usable. */
void arch_init_cpu(void);

/* Programs COM1 (0x3f8) for 115200 8N1. */
void arch_serial_init(void);

/* From now on the console also writes to the VGA text buffer whose first
 * cell is at virtual address `vga_virt` (80x25, phys 0xb8000 through the
 * direct map), and clears it. */
void arch_vga_enable(uintptr_t vga_virt);

/* mm_write_fn-compatible console sink: `len` bytes at `s` go to COM1 and,
 * when enabled, the VGA screen. `ctx` is unused. */
void arch_console_write(void *ctx, const char *s, size_t len);

/* Writes `code` (kernel/exitcodes.h) to isa-debug-exit, which makes QEMU
 * exit; where that device is absent, halts forever with interrupts off. */
__attribute__((noreturn)) void arch_exit(uint32_t code);

/* Current time stamp counter. */
uint64_t arch_rdtsc(void);

/* Current stack pointer (virtual). */
uint64_t arch_read_rsp(void);

/* Probes the mappings the kernel runs on: writes to its text and rodata
 * and a jump into its data, each expected to fault (the page fault is
 * caught and the probe resumes), plus CR0.WP, EFER.NXE, CPUID's NX bit and
 * CR3. Needs arch_init_cpu() first. */
struct kp_probe;
void arch_probe_mappings(struct kp_probe *out);

#endif
