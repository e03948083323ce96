/* Layout of the AP trampoline (ap_trampoline.S) shared by the assembly and
 * boot/common/smp.c: byte offsets from the trampoline's first byte, which
 * the caller places at a 4 KiB-aligned physical address below 1 MiB. No C
 * here: the assembler includes it too. */
#ifndef BC_SMP_TRAMP_H
#define BC_SMP_TRAMP_H

/* Page 0: code and parameters; page 1: the slots (written while other APs
 * run page 0: kept apart so that an emulator's check for self-modifying
 * code never fires) and the IDT of APs that halt between polls while
 * parked; pages 2..4: the trampoline's own page tables (PML4, PDPT, PD
 * identity-mapping the first 1 GiB with 2 MiB pages) used only between
 * protected mode and the switch to the kernel's CR3, so that CR3 may lie
 * anywhere. */
#define BC_TRAMP_BYTES    0x5000
#define BC_TRAMP_CODE_MAX 0x1000 /* the blob must fit in page 0 */
#define BC_TRAMP_IDT_OFF  0x1800
#define BC_TRAMP_PML4_OFF 0x2000
#define BC_TRAMP_PDPT_OFF 0x3000
#define BC_TRAMP_PD_OFF   0x4000

#define BC_TRAMP_MAGIC_OFF 0x08 /* 8 bytes "MOSAPTR1" */
#define BC_TRAMP_GDTR_OFF  0x10 /* u16 limit, u32 base (blob: offset of the GDT) */
#define BC_TRAMP_PMJMP_OFF 0x18 /* u32 target (blob: offset), u16 selector: 32-bit code */
#define BC_TRAMP_LMJMP_OFF 0x20 /* u32 target (blob: offset), u16 selector: 64-bit code */
#define BC_TRAMP_TCR3_OFF  0x28 /* u32 physical address of the trampoline's PML4 */
#define BC_TRAMP_FLAGS_OFF 0x2c /* u32 BC_TRAMP_FLAG_* */
#define BC_TRAMP_CR3_OFF   0x30 /* u64 the kernel's CR3 */
#define BC_TRAMP_PARK_OFF  0x38 /* u32 LAPIC timer ticks between polls of a parked AP; 0: spin */
#define BC_TRAMP_IDTR_OFF  0x3c /* u16 limit, u64 base of the IDT at BC_TRAMP_IDT_OFF */
#define BC_TRAMP_GDT_OFF   0x50 /* null, code32, data, code64 */
#define BC_TRAMP_ISR_OFF   0x70 /* u32 x 3 (blob: offsets): fault, plain return, timer handler */

/* A parked AP that halts between polls: its LAPIC timer (periodic, divide
 * by 1) raises BC_TRAMP_VEC_TIMER, its spurious vector is
 * BC_TRAMP_VEC_SPURIOUS (low four bits set, as P6-family APICs require),
 * and its IDT covers vectors 0 .. BC_TRAMP_IDT_VECTORS - 1. */
#define BC_TRAMP_IDT_VECTORS  64
#define BC_TRAMP_VEC_TIMER    0x30
#define BC_TRAMP_VEC_SPURIOUS 0x3f

/* One slot per AP being started, so that a batch of APs starts at once:
 * an AP finds the slot with its APIC id, takes its stack and record and
 * stores 1 in `alive`; an AP without a slot halts. */
#define BC_TRAMP_SLOTS_OFF       0x1000
#define BC_TRAMP_SLOT_SIZE       32
#define BC_TRAMP_SLOTS           64   /* (BC_TRAMP_IDT_OFF - BC_TRAMP_SLOTS_OFF) / 32 */
#define BC_TRAMP_SLOT_APIC_OFF   0x00 /* u32 APIC id; BC_TRAMP_NO_APIC: free */
#define BC_TRAMP_SLOT_ALIVE_OFF  0x04 /* u32 the AP stores 1 once it read the slot */
#define BC_TRAMP_SLOT_STACK_OFF  0x08 /* u64 virtual stack top */
#define BC_TRAMP_SLOT_RECORD_OFF 0x10 /* u64 virtual address of its struct mos_cpu_record */

#define BC_TRAMP_FLAG_NXE 1          /* set EFER.NXE: the kernel's tables use the NX bit */
#define BC_TRAMP_NO_APIC  0xffffffff /* a free slot's APIC id */

#define BC_TRAMP_SEL_CODE32 0x08
#define BC_TRAMP_SEL_DATA   0x10
#define BC_TRAMP_SEL_CODE64 0x18

#endif
