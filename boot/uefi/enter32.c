#include "enter32.h"

#include "common/entry.h"

/* Layout of the trampoline page: the loaders' GDT the 32-bit code starts
 * on, the jump (bc_pm_jump), the code. */
#define T_GDT   0x00u
#define T_JUMP  0x40u
#define T_CODE  0x80u
#define T_LIMIT 0x1000u

#define CR4_PCIDE ((uint64_t)1 << 17)

static EFI_PHYSICAL_ADDRESS page; /* 0 = none reserved */

/* Runs from the copy, entered in 64-bit mode with RDI = the page: far
 * return into BC_SEL_CODE32 (compatibility mode), paging off (which ends
 * long mode; the page is identity-mapped so the next fetch is the same
 * byte), then EFER.LME/NXE and CR4.PAE cleared, a flat DS, and the shared
 * tail. No relocations: everything is RDI-relative. */
__asm__(".text\n"
        ".globl mos_tramp32_start\n"
        ".globl mos_tramp32_resume\n"
        ".globl mos_tramp32_end\n"
        "mos_tramp32_start:\n"
        ".code64\n"
        "    leaq (mos_tramp32_compat - mos_tramp32_start + 0x80)(%rdi), %rax\n"
        "    pushq $0x18\n" /* BC_SEL_CODE32 */
        "    pushq %rax\n"
        "    lretq\n"
        ".code32\n"
        "mos_tramp32_compat:\n"
        "    movl %cr0, %eax\n"
        "    andl $0x7fffffff, %eax\n"
        "    movl %eax, %cr0\n"
        "    movl $0xc0000080, %ecx\n"
        "    rdmsr\n"
        "    andl $~0x900, %eax\n" /* LME, NXE */
        "    wrmsr\n"
        "    movl %cr4, %eax\n"
        "    andl $~0x20, %eax\n" /* PAE */
        "    movl %eax, %cr4\n"
        "    movl $0x10, %eax\n" /* BC_SEL_DATA */
        "    movl %eax, %ds\n"
        "    leal 0x40(%edi), %edx\n" /* T_JUMP */
        BC_ENTER32_TAIL("mos_tramp32_resume") "mos_tramp32_end:\n"
                                              ".code64\n");

extern const uint8_t mos_tramp32_start[], mos_tramp32_resume[], mos_tramp32_end[];

_Static_assert(BC_SEL_CODE32 == 0x18 && BC_SEL_DATA == 0x10, "trampoline selectors");
_Static_assert(T_JUMP == 0x40 && T_CODE == 0x80 && T_GDT + BC_GDT_ENTRIES * 8 <= T_JUMP &&
                   T_JUMP + sizeof(bc_pm_jump) <= T_CODE,
               "trampoline page layout");

void enter32_reserve(EFI_BOOT_SERVICES *bs)
{
    EFI_PHYSICAL_ADDRESS at = 0xffffffffu;
    if (page == 0 && !EFI_ERROR(bs->AllocatePages(AllocateMaxAddress, EfiLoaderCode, 1, &at)))
        page = at;
}

/* The GDT, the jump and the code into the page; NULL or the reason `e`
 * cannot be entered. */
static const char *fill_page(uint8_t *p, const bc_entry *e)
{
    size_t code = (size_t)(mos_tramp32_end - mos_tramp32_start);
    uint32_t resume = (uint32_t)(page + T_CODE + (size_t)(mos_tramp32_resume - mos_tramp32_start));
    if (T_CODE + code > T_LIMIT)
        return "the 32-bit trampoline does not fit its page";
    const char *why =
        bc_pm_jump_fill(e, (uint32_t)page + T_GDT, resume, (bc_pm_jump *)(p + T_JUMP));
    if (why)
        return why;
    bc_gdt_fill((uint64_t *)(p + T_GDT));
    for (size_t i = 0; i < code; i++)
        p[T_CODE + i] = mos_tramp32_start[i];
    return NULL;
}

const char *enter_protected(const bc_entry *e)
{
    if (page == 0)
        return "no memory below 4 GiB for the 32-bit trampoline";
    uint8_t *p = (uint8_t *)(uintptr_t)page;
    const char *why = fill_page(p, e);
    if (why)
        return why;
    uint8_t gdtr[10]; /* limit, base: byte by byte, no struct padding to get wrong */
    uint64_t base = page + T_GDT;
    gdtr[0] = BC_GDT_ENTRIES * 8 - 1;
    gdtr[1] = 0;
    for (int i = 0; i < 8; i++)
        gdtr[2 + i] = (uint8_t)(base >> (8 * i));
    uint64_t cr4;
    __asm__ volatile("cli\n\t"
                     "cld\n\t"
                     "mov %%cr4, %0"
                     : "=r"(cr4));
    /* PCIDE set forbids turning paging off. */
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~CR4_PCIDE));
    __asm__ volatile("lgdt %0\n\t"
                     "jmpq *%1"
                     :
                     : "m"(gdtr), "r"(page + T_CODE), "D"(page)
                     : "memory");
    __builtin_unreachable();
}
