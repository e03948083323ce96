/* The CPU state at the kernel's entry, shared by both front ends so that
 * a kernel cannot tell them apart (docs/protocol.md, "Entry state").
 *
 * Both loaders:
 *   - load a GDT laid out by bc_gdt_fill() (it lives in loader memory,
 *     MOS_MEM_BOOTLOADER_RECLAIMABLE: the kernel loads its own GDT before
 *     reclaiming that memory), CS = BC_SEL_CODE64, DS = ES = SS = FS = GS =
 *     BC_SEL_DATA; no IDT the kernel may rely on, no TSS (TR = 0 is
 *     allowed); interrupts off (RFLAGS.IF = 0), RFLAGS.DF = 0;
 *   - set CR0 = BC_ENTRY_CR0 (other bits clear), CR4 to at least
 *     BC_ENTRY_CR4 (LA57 clear, other bits unspecified), EFER.LME/LMA and
 *     EFER.NXE exactly when the CPU has NX (then the tables use NX);
 *   - RSP = bc_entry_rsp(), RDI = hhdm_offset + the handoff's physical
 *     address, other general registers unspecified, and jump (not call)
 *     to the ELF entry point. */
#ifndef BC_ENTRY_H
#define BC_ENTRY_H

#include "mm/base.h"

/* GDT selectors (byte offsets into the table). */
#define BC_SEL_NULL    0x00u
#define BC_SEL_CODE64  0x08u /* ring 0, 64-bit code (L = 1) */
#define BC_SEL_DATA    0x10u /* ring 0, flat 4 GiB read/write data */
#define BC_SEL_CODE32  0x18u /* ring 0, flat 32-bit code (BIOS stage 2 protected mode) */
#define BC_SEL_CODE16  0x20u /* ring 0, 16-bit code, base 0, 64 KiB (real-mode thunks) */
#define BC_SEL_DATA16  0x28u /* ring 0, 16-bit data, base 0, 64 KiB (real-mode thunks) */
#define BC_GDT_ENTRIES 6u

#define BC_CR0_PE    (1u << 0)
#define BC_CR0_MP    (1u << 1)
#define BC_CR0_ET    (1u << 4)
#define BC_CR0_NE    (1u << 5)
#define BC_CR0_WP    (1u << 16)
#define BC_CR0_PG    (1u << 31)
#define BC_ENTRY_CR0 (BC_CR0_PE | BC_CR0_MP | BC_CR0_ET | BC_CR0_NE | BC_CR0_WP | BC_CR0_PG)

#define BC_CR4_PAE        (1u << 5)
#define BC_CR4_OSFXSR     (1u << 9)
#define BC_CR4_OSXMMEXCPT (1u << 10)
#define BC_ENTRY_CR4      (BC_CR4_PAE | BC_CR4_OSFXSR | BC_CR4_OSXMMEXCPT)

#define BC_MSR_EFER 0xc0000080u
#define BC_EFER_LME (1u << 8)
#define BC_EFER_LMA (1u << 10)
#define BC_EFER_NXE (1u << 11)

/* Writes the BC_GDT_ENTRIES descriptors of the loaders' GDT into `gdt`. */
void bc_gdt_fill(uint64_t gdt[BC_GDT_ENTRIES]);

/* RSP at entry for a stack at physical [phys_base, phys_base + size)
 * reached through the direct map at `hhdm_offset`: the top rounded down to
 * 16 bytes, minus 8 (the slot a `call` would have pushed; the loader
 * stores 0 there so stack walkers stop). This is stack_virt_top. */
static inline uint64_t bc_entry_rsp(uint64_t hhdm_offset, uint64_t phys_base, uint64_t size)
{
    return ((hhdm_offset + phys_base + size) & ~(uint64_t)15) - 8;
}

/* ---- 32-bit protected-mode entry (bc_entry mode BC_ENTRY_PROTECTED) ---- */

struct bc_entry;

/* What the jump loads, resolved for BC_ENTER32_TAIL, which reads it at
 * these offsets. */
typedef struct bc_pm_jump {
    uint32_t entry;         /* 0: physical entry point */
    uint32_t eax, ebx, esi; /* 4, 8, 12 */
    uint32_t esp;           /* 16: 0 = keep the current one */
    uint32_t resume;        /* 20: far pointer to the tail's resume label: offset, */
    uint16_t cs;            /* 24: selector */
    uint16_t gdt_limit;     /* 26: lgdt operand: limit, */
    uint32_t gdt;           /* 28: base (physical) */
    uint16_t ds;            /* 32: for DS, ES, FS, GS and SS */
    uint16_t pad;
} bc_pm_jump;

/* Resolves `e` (mode BC_ENTRY_PROTECTED) into *out: e's GDT and
 * selectors, or with e->gdt == 0 the loaders' GDT (bc_gdt_fill's
 * BC_GDT_ENTRIES descriptors at physical `own_gdt`, CS = BC_SEL_CODE32,
 * data BC_SEL_DATA). `resume` is the physical address of the label the
 * front end named in BC_ENTER32_TAIL. Returns NULL, or the reason the
 * entry cannot be made (*out then untouched): an entry point or GDT not
 * below 4 GiB, a selector that is null, not a ring-0 GDT selector or
 * past the table's limit. */
const char *bc_pm_jump_fill(const struct bc_entry *e, uint32_t own_gdt, uint32_t resume,
                            bc_pm_jump *out);

/* The end of every 32-bit entry, as assembly text for a top-level asm
 * block in 32-bit code: runs with paging off, interrupts off, DS flat and
 * EDX = a bc_pm_jump. Loads its GDT, reloads CS through a far jump to
 * `resume` (a label this text defines; the front end tells
 * bc_pm_jump_fill where it lies), loads the data segments, ESP unless 0,
 * EAX, EBX, ESI, zeroes EDI and EBP (Linux's 32-bit boot protocol), and
 * jumps to the entry. */
#define BC_ENTER32_TAIL(resume)                                                                    \
    "    lgdtl 26(%edx)\n"                                                                         \
    "    ljmpl *20(%edx)\n" resume ":\n"                                                           \
    "    movw 32(%edx), %ds\n"                                                                     \
    "    movw 32(%edx), %es\n"                                                                     \
    "    movw 32(%edx), %fs\n"                                                                     \
    "    movw 32(%edx), %gs\n"                                                                     \
    "    movw 32(%edx), %ss\n"                                                                     \
    "    movl 16(%edx), %ecx\n"                                                                    \
    "    testl %ecx, %ecx\n"                                                                       \
    "    jz 1f\n"                                                                                  \
    "    movl %ecx, %esp\n"                                                                        \
    "1:  movl 4(%edx), %eax\n"                                                                     \
    "    movl 8(%edx), %ebx\n"                                                                     \
    "    movl 12(%edx), %esi\n"                                                                    \
    "    xorl %edi, %edi\n"                                                                        \
    "    xorl %ebp, %ebp\n"                                                                        \
    "    jmp *(%edx)\n"

#endif
