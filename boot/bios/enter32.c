/* Entering a 32-bit protected-mode kernel (Multiboot, Linux's 32-bit
 * entry): stage 2 already runs in that mode (flat code and data, paging
 * off, A20 on), so the entry is the shared tail: the kernel's GDT or the
 * loaders' own again, the segments, the registers, the jump. */
#include "enter32.h"

#include "common/entry.h"

/* bios_enter32(const bc_pm_jump *j): cdecl, never returns. */
__asm__(".text\n"
        ".code32\n"
        "bios_enter32:\n"
        "    cli\n"
        "    cld\n"
        "    movl 4(%esp), %edx\n" BC_ENTER32_TAIL("bios_enter32_resume"));

_Noreturn void bios_enter32(const bc_pm_jump *j);
extern const uint8_t bios_enter32_resume[];
extern const uint64_t stage2_gdt[BC_GDT_ENTRIES];

/* Read by the jump after the stack may have moved; lives in stage 2,
 * which a kernel can never be placed over. */
static bc_pm_jump jump32;

const char *enter_protected(const bc_entry *e)
{
    const char *why = bc_pm_jump_fill(e, (uint32_t)(uintptr_t)stage2_gdt,
                                      (uint32_t)(uintptr_t)bios_enter32_resume, &jump32);
    if (why)
        return why;
    bios_enter32(&jump32);
}
