#include "enter.h"

#include "common/entry.h"
#include "common/x86io.h"

/* Lives in the loader image (bootloader-reclaimable memory, identity-mapped
 * at entry): the kernel loads its own GDT before reclaiming it. */
static uint64_t gdt[BC_GDT_ENTRIES] __attribute__((aligned(16)));

struct __attribute__((packed)) gdtr {
    uint16_t limit;
    uint64_t base;
};

#define CR4_LA57 ((uint64_t)1 << 12)

bool cpu_paging_5level(void)
{
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    return (cr4 & CR4_LA57) != 0;
}

/* Control registers as the entry state requires (before the new CR3, so an
 * NX bit in the new tables is legal the moment they are live). */
static void set_control_registers(bool nx)
{
    uint64_t efer = x86_rdmsr(BC_MSR_EFER);
    efer = nx ? (efer | BC_EFER_NXE) : (efer & ~(uint64_t)BC_EFER_NXE);
    x86_wrmsr(BC_MSR_EFER, efer);
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | BC_ENTRY_CR4));
    __asm__ volatile("mov %0, %%cr0" : : "r"((uint64_t)BC_ENTRY_CR0));
}

_Noreturn void enter_kernel(uint64_t cr3, bool nx, uint64_t entry, uint64_t rsp, uint64_t rdi)
{
    bc_gdt_fill(gdt);
    struct enter_gdt j = {.cr3 = cr3,
                          .entry = entry,
                          .rsp = rsp,
                          .rdi = rdi,
                          .gdt = (uint64_t)(uintptr_t)gdt,
                          .gdt_limit = sizeof(gdt) - 1,
                          .cs = BC_SEL_CODE64,
                          .ds = BC_SEL_DATA,
                          .nx = nx};
    enter_kernel_gdt(&j);
}

_Noreturn void enter_kernel_gdt(const struct enter_gdt *j)
{
    struct gdtr gdtr = {j->gdt_limit, j->gdt};
    set_control_registers(j->nx);
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* New tables; then reload CS through a far return and the data
     * segments, switch stacks and jump. Everything after the CR3 write
     * runs on the identity map. */
    __asm__ volatile("mov %[cr3], %%cr3\n\t"
                     "pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[ds], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "movq %[rsp], %%rsp\n\t"
                     "xorl %%ebp, %%ebp\n\t"
                     "cld\n\t"
                     "jmpq *%[entry]"
                     :
                     : [cr3] "r"(j->cr3), [cs] "r"((uint64_t)j->cs), [ds] "r"((uint32_t)j->ds),
                       [rsp] "r"(j->rsp), [entry] "r"(j->entry), "D"(j->rdi), "S"(j->rsi)
                     : "rax", "memory");
    __builtin_unreachable();
}
