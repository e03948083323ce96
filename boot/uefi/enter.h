/* The last step: switch to the kernel's page tables, GDT and stack and jump
 * to its entry point in the state boot/common/entry.h describes. */
#ifndef UEFI_ENTER_H
#define UEFI_ENTER_H

#include <stdbool.h>
#include <stdint.h>

/* True when the firmware runs with 5-level paging (CR4.LA57). The loader
 * builds 4-level tables and LA57 cannot change in long mode, so it must
 * refuse to boot rather than load such a CR3. */
bool cpu_paging_5level(void);

/* Interrupts must already be off and boot services gone. Sets EFER.NXE
 * when `nx`, CR0 to BC_ENTRY_CR0 and the CR4 bits of BC_ENTRY_CR4, loads
 * `cr3`, the loaders' GDT (CS = BC_SEL_CODE64, data selectors BC_SEL_DATA),
 * then RSP = `rsp`, RDI = `rdi` and jumps to `entry`. The code doing this
 * must be identity-mapped by the new tables. Never returns. */
_Noreturn void enter_kernel(uint64_t cr3, bool nx, uint64_t entry, uint64_t rsp, uint64_t rdi);

/* A long-mode entry on the caller's GDT (bc_entry with gdt != 0, e.g.
 * Linux's 64-bit entry): physical `gdt` (identity-mapped by `cr3`) with
 * `gdt_limit`, CS = `cs`, DS/ES/SS/FS/GS = `ds`. */
struct enter_gdt {
    uint64_t cr3, entry, rsp, rdi, rsi, gdt;
    uint16_t gdt_limit, cs, ds;
    bool nx;
};

/* As enter_kernel, but loads j's GDT and selectors and sets RSI too. */
_Noreturn void enter_kernel_gdt(const struct enter_gdt *j);

#endif
