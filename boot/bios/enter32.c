/* Entering a 32-bit protected-mode kernel (Multiboot): stage 2 already
 * runs in that mode on the loaders' GDT (flat BC_SEL_CODE32 code,
 * BC_SEL_DATA data), paging off, A20 on, so the entry is a register load
 * and a jump. */
#include "enter32.h"

#include "common/entry.h"

/* Read by the jump after the stack may have moved; lives in stage 2,
 * which a kernel can never be placed over. */
static struct pm_jump {
    uint32_t entry, eax, ebx, esi, esp;
} jump32;

_Noreturn void enter_protected(const bc_entry *e)
{
    jump32 = (struct pm_jump){(uint32_t)e->entry, e->eax, e->ebx, e->esi, e->esp};
    __asm__ volatile("cli\n\t"
                     "cld\n\t"
                     "movl %[ds], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl 16(%%edx), %%ecx\n\t"
                     "testl %%ecx, %%ecx\n\t"
                     "jz 1f\n\t"
                     "movl %%ecx, %%esp\n"
                     "1:\n\t"
                     "movl 4(%%edx), %%eax\n\t"
                     "movl 8(%%edx), %%ebx\n\t"
                     "movl 12(%%edx), %%esi\n\t"
                     "jmp *(%%edx)"
                     :
                     : "d"(&jump32), [ds] "i"(BC_SEL_DATA)
                     : "eax", "ebx", "ecx", "esi", "memory");
    __builtin_unreachable();
}
