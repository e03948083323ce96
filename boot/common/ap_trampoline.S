/* AP start code: entered in real mode by a startup IPI at CS:IP = base>>4:0
 * (base = the trampoline's 4 KiB-aligned physical address below 1 MiB),
 * goes through protected mode into long mode on the trampoline's own
 * identity tables, switches to the kernel's CR3, takes its stack and
 * record from the parameters, tells the BSP it is alive and parks: polls
 * the record's goto_address and jumps there with RDI = the record. It
 * polls in a pause loop, or (a non-zero BC_TRAMP_PARK_OFF) halts between
 * polls, woken by its LAPIC timer: under a hypervisor a spinning AP holds
 * a host CPU the others, and the BSP, need.
 *
 * Position independent: everything is relative to bc_ap_trampoline_start;
 * the three absolute addresses it needs (GDT base, far-jump targets) are
 * stored here as offsets and turned into addresses by
 * bc_smp_trampoline_install(), which also fills the other parameters. The
 * bytes are copied, never run in place. Layout: smp_tramp.h. */
#include "smp_tramp.h"

#define APIC_BASE_MSR        0x1b
#define APIC_BASE_X2         0x400
#define APIC_EOI             0xb0
#define APIC_SVR             0xf0
#define APIC_SVR_ENABLE      0x100
#define APIC_SVR_RESET       0xff
#define APIC_LVT_TIMER       0x320
#define APIC_LVT_MASKED      0x10000
#define APIC_TIMER_PERIODIC  0x20000
#define APIC_TIMER_INIT      0x380
#define APIC_TIMER_DIV       0x3e0
#define APIC_DIV_1           0xb

    .text
    .globl bc_ap_trampoline_start
    .globl bc_ap_trampoline_end

    .code16
bc_ap_trampoline_start:
    jmp real_start

    .org BC_TRAMP_MAGIC_OFF
    .ascii "MOSAPTR1"
    .org BC_TRAMP_GDTR_OFF
    .word gdt_end - gdt - 1
    .long gdt - bc_ap_trampoline_start
    .org BC_TRAMP_PMJMP_OFF
    .long pm32 - bc_ap_trampoline_start
    .word BC_TRAMP_SEL_CODE32
    .org BC_TRAMP_LMJMP_OFF
    .long lm64 - bc_ap_trampoline_start
    .word BC_TRAMP_SEL_CODE64
    .org BC_TRAMP_TCR3_OFF
    .long 0
    .long 0 /* flags */
    .quad 0 /* cr3 */
    .org BC_TRAMP_GDT_OFF
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff /* 0x08: 32-bit code, flat */
    .quad 0x00cf92000000ffff /* 0x10: data, flat */
    .quad 0x00af9a000000ffff /* 0x18: 64-bit code */
gdt_end:
    .org BC_TRAMP_ISR_OFF
    .long stray - bc_ap_trampoline_start
    .long isr_return - bc_ap_trampoline_start
    .long isr_timer - bc_ap_trampoline_start

real_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    xorl %ebx, %ebx
    movw %ax, %bx
    shll $4, %ebx /* ebx = base, kept through protected mode */
    lgdtl BC_TRAMP_GDTR_OFF
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl *BC_TRAMP_PMJMP_OFF

    .code32
pm32:
    movw $BC_TRAMP_SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl %cr4, %eax
    orl $0x20, %eax /* PAE */
    movl %eax, %cr4
    movl BC_TRAMP_TCR3_OFF(%ebx), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx /* EFER */
    rdmsr
    orl $0x100, %eax /* LME */
    testl $BC_TRAMP_FLAG_NXE, BC_TRAMP_FLAGS_OFF(%ebx)
    jz 1f
    orl $0x800, %eax /* NXE */
1:  wrmsr
    movl %cr0, %eax
    andl $0x9fffffff, %eax /* caches on: INIT leaves CD and NW set */
    orl $0x80010033, %eax  /* PG, WP, NE, ET, MP, PE */
    movl %eax, %cr0
    ljmpl *BC_TRAMP_LMJMP_OFF(%ebx)

    .code64
lm64:
    movl %ebx, %ebp /* the base, zero-extended; cpuid clobbers rbx */
    movw $BC_TRAMP_SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    /* Only an AP with a slot may go on: one that answers late, after the
     * BSP gave up on it and freed its slot, halts here. */
    xorl %eax, %eax
    cpuid
    cmpl $0xb, %eax
    jb 2f
    movl $0xb, %eax
    xorl %ecx, %ecx
    cpuid
    testl %ebx, %ebx /* leaf 0xb not implemented */
    jz 2f
    movl %edx, %esi /* x2APIC id */
    jmp 3f
2:  movl $1, %eax
    cpuid
    shrl $24, %ebx /* initial APIC id */
    movl %ebx, %esi
3:  leaq BC_TRAMP_SLOTS_OFF(%rbp), %rdx
    movl $BC_TRAMP_SLOTS, %ecx
4:  cmpl BC_TRAMP_SLOT_APIC_OFF(%rdx), %esi
    je 5f
    addq $BC_TRAMP_SLOT_SIZE, %rdx
    decl %ecx
    jnz 4b
    jmp stray
5:  movq BC_TRAMP_CR3_OFF(%rbp), %rax
    movq %rax, %cr3 /* the kernel's tables identity-map this page too */
    movq BC_TRAMP_SLOT_STACK_OFF(%rdx), %rsp
    movq BC_TRAMP_SLOT_RECORD_OFF(%rdx), %rdi
    movl $1, BC_TRAMP_SLOT_ALIVE_OFF(%rdx) /* the slot may be reused from here */
    movl BC_TRAMP_PARK_OFF(%rbp), %r8d
    testl %r8d, %r8d
    jnz halt_park
park:
    pause
    movq (%rdi), %rax
    testq %rax, %rax
    jz park
enter:
    pushq $0 /* return slot: RSP + 8 is 16-byte aligned, as after a call */
    jmpq *%rax

/* Parked with interrupts on between polls: the timer every r8d ticks. */
halt_park:
    lidt BC_TRAMP_IDTR_OFF(%rbp)
    movl $APIC_SVR, %esi
    movl $(APIC_SVR_ENABLE | BC_TRAMP_VEC_SPURIOUS), %eax
    call apic_write
    movl $APIC_TIMER_DIV, %esi
    movl $APIC_DIV_1, %eax
    call apic_write
    movl $APIC_LVT_TIMER, %esi
    movl $(APIC_TIMER_PERIODIC | BC_TRAMP_VEC_TIMER), %eax
    call apic_write
    movl $APIC_TIMER_INIT, %esi
    movl %r8d, %eax
    call apic_write
1:  cli
    movq (%rdi), %rax
    testq %rax, %rax
    jnz 2f
    sti
    hlt /* STI holds interrupts off until HLT has begun: no tick is missed */
    jmp 1b
2:  movl $APIC_LVT_TIMER, %esi
    movl $APIC_LVT_MASKED, %eax
    call apic_write
    movl $APIC_TIMER_INIT, %esi
    xorl %eax, %eax
    call apic_write
    sti /* a tick raised before the mask is taken and acknowledged here */
    nop
    cli
    movl $APIC_SVR, %esi
    movl $APIC_SVR_RESET, %eax /* software-disabled again, as INIT left it */
    call apic_write
    movq (%rdi), %rax
    jmp enter

/* Writes EAX to the LAPIC register at xAPIC offset ESI, in whichever mode
 * the APIC is (x2APIC: MSR 0x800 + offset / 16; xAPIC: the MMIO page the
 * APIC base MSR names, reached through the identity map). Clobbers RAX,
 * RCX, RDX, R9. */
apic_write:
    movl %eax, %r9d
    movl $APIC_BASE_MSR, %ecx
    rdmsr
    testl $APIC_BASE_X2, %eax
    jnz 1f
    andl $0xfffff000, %eax
    shlq $32, %rdx
    orq %rdx, %rax
    movl %r9d, (%rax,%rsi)
    ret
1:  movl %esi, %ecx
    shrl $4, %ecx
    addl $0x800, %ecx
    movl %r9d, %eax
    xorl %edx, %edx
    wrmsr
    ret

isr_timer:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %r9
    movl $APIC_EOI, %esi
    xorl %eax, %eax
    call apic_write
    popq %r9
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
isr_return: /* NMI and the spurious vector: nothing to acknowledge */
    iretq

/* Without a slot, or an exception while parked: stop here. */
stray:
    cli
    hlt
    jmp stray
bc_ap_trampoline_end:

#if defined(__ELF__)
    .section .note.GNU-stack, "", @progbits /* no executable stack wanted */
#endif
