/* Stage 2 entry, real-mode thunk and long-mode trampoline.
 *
 * Everything here sits in .entry, linked first at STAGE2_ADDR, so the
 * 16-bit code and the thunk's data stay below 64 KiB where real mode with
 * all segments 0 reaches them. */
#include "bios_layout.h"

/* Selectors of the loaders' shared GDT (boot/common/entry.h; stage 2
 * checks at startup that the table below equals bc_gdt_fill()'s). */
#define SEL_CODE64 0x08
#define SEL_DATA32 0x10
#define SEL_CODE32 0x18
#define SEL_CODE16 0x20
#define SEL_DATA16 0x28

#define CR0_ENTRY 0x80010033 /* PG | WP | NE | ET | MP | PE (BC_ENTRY_CR0) */
#define CR4_ENTRY 0x00000620 /* OSXMMEXCPT | OSFXSR | PAE (BC_ENTRY_CR4) */

/* struct bios_regs (bios.h): offsets */
#define R_EAX 0
#define R_EBX 4
#define R_ECX 8
#define R_EDX 12
#define R_ESI 16
#define R_EDI 20
#define R_EBP 24
#define R_DS 28
#define R_ES 30
#define R_FLAGS 32
#define R_SIZE 36

/* The thunk's data (bios_layout.h, THUNK_DATA_ADDR): a page of its own,
 * apart from the code. A store into a page holding code that has run is
 * self-modifying code to an emulator: QEMU retranslated the thunk on every
 * call while the registers, the saved ESP and the interrupt number (once
 * patched into an INT instruction) were stored beside it. */
#define THUNK_SAVED_ESP (THUNK_DATA_ADDR + 0)
#define THUNK_VECTOR    (THUNK_DATA_ADDR + 4) /* the handler, offset:segment */
#define THUNK_REGS      (THUNK_DATA_ADDR + 8) /* struct bios_regs */

/* DS, ES, FS, GS and SS = `sel` (through AX). */
    .macro load_data_segments sel
    mov     \sel, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %fs
    mov     %ax, %gs
    mov     %ax, %ss
    .endm

    .section .entry, "awx"
    .code16
    .globl _start
_start:
    jmp     real_start
    .balign 4
    .long   STAGE2_MAGIC        /* STAGE2_OFF_MAGIC: stage 1 checks it */
    .globl  stage2_packed_size
stage2_packed_size:             /* STAGE2_OFF_PACKED: written by the packer */
    .long   0

real_start:
    cli
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $RM_STACK_TOP, %sp
    cld
    mov     %dl, boot_drive
    lgdtl   gdt_desc
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $SEL_CODE32, $pm_start

    .code32
pm_start:
    load_data_segments $SEL_DATA32
    mov     $PM_STACK_TOP, %esp
    mov     $__bss_start, %edi  /* .bss is not in the image */
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    shr     $2, %ecx            /* both ends 4-aligned (stage2.ld): a word a step */
    xor     %eax, %eax
    rep stosl
    call    stage2_unpack       /* the body exists from here on */
    movzbl  boot_drive, %eax
    push    %eax
    call    stage2_main         /* never returns */
1:  cli
    hlt
    jmp     1b

/* void bios_call(uint32_t intno, struct bios_regs *regs)
 *
 * Drops to real mode, loads the registers from *regs (DS and ES
 * included), runs INT intno with the real-mode IVT, stores every register
 * and FLAGS back into *regs and returns to 32-bit protected mode with
 * interrupts disabled. *regs may live anywhere: it is copied through
 * THUNK_REGS below 64 KiB. Buffers the BIOS writes must be below 1 MiB.
 * The interrupt is made as the CPU makes it (FLAGS, CS, IP pushed, IF
 * cleared, the IVT's vector entered), so the handler returns with IRET or
 * RETF 2 as from INT. */
    .globl bios_call
bios_call:
    pushal
    movzbl  36(%esp), %eax
    mov     (,%eax,4), %eax     /* IVT entry intno (the real-mode IVT is at 0) */
    mov     %eax, THUNK_VECTOR
    mov     40(%esp), %esi
    mov     $THUNK_REGS, %edi
    mov     $R_SIZE / 4, %ecx
    rep movsl
    mov     %esp, THUNK_SAVED_ESP
    ljmp    $SEL_CODE16, $rm_switch

    .code16
rm_switch:
    load_data_segments $SEL_DATA16 /* 64 KiB limits before leaving pmode */
    mov     %cr0, %eax
    and     $~1, %eax
    mov     %eax, %cr0
    ljmp    $0, $rm_entry
rm_entry:
    load_data_segments $0
    mov     $RM_STACK_TOP, %sp
    lidt    rm_idt
    mov     THUNK_REGS + R_ES, %ax
    mov     %ax, %es
    mov     THUNK_REGS + R_EBX, %ebx
    mov     THUNK_REGS + R_ECX, %ecx
    mov     THUNK_REGS + R_EDX, %edx
    mov     THUNK_REGS + R_ESI, %esi
    mov     THUNK_REGS + R_EDI, %edi
    mov     THUNK_REGS + R_EBP, %ebp
    mov     THUNK_REGS + R_EAX, %eax
    pushw   THUNK_REGS + R_DS
    popw    %ds
    sti
    pushfw                      /* INT: FLAGS with IF as the caller had it, */
    cli                         /* IF clear in the handler, */
    lcallw  *%cs:THUNK_VECTOR   /* CS:IP pushed (CS = 0 here) */
    cli
    pushfw
    pushw   %ds
    pushl   %eax
    xor     %ax, %ax
    mov     %ax, %ds
    popl    THUNK_REGS + R_EAX
    popw    THUNK_REGS + R_DS
    popw    THUNK_REGS + R_FLAGS
    mov     %es, THUNK_REGS + R_ES
    mov     %ebx, THUNK_REGS + R_EBX
    mov     %ecx, THUNK_REGS + R_ECX
    mov     %edx, THUNK_REGS + R_EDX
    mov     %esi, THUNK_REGS + R_ESI
    mov     %edi, THUNK_REGS + R_EDI
    mov     %ebp, THUNK_REGS + R_EBP
    lgdtl   gdt_desc
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $SEL_CODE32, $pm_return

    .code32
pm_return:
    load_data_segments $SEL_DATA32
    mov     THUNK_SAVED_ESP, %esp
    lidt    pm_idt_desc         /* stage 2's exception handlers again */
    mov     40(%esp), %edi
    mov     $THUNK_REGS, %esi
    mov     $R_SIZE / 4, %ecx
    rep movsl
    popal
    ret

/* void enter_long_mode(uint32_t pml4, const struct lm_jump *jump)
 *
 * Sets CR4 = PAE | OSFXSR | OSXMMEXCPT, loads CR3, sets EFER.LME (and NXE
 * when jump->nxe), sets CR0 = BC_ENTRY_CR0 (paging on) and jumps in 64-bit
 * mode to jump->entry with RSP = jump->rsp, RDI = jump->rdi, data
 * segments = BC_SEL_DATA, IF = DF = 0. The page tables must identity-map
 * this code and *jump. */
/* Paging and long mode on with CR3 = 4(%esp), ESI = the jump struct
 * (its NXE word at offset \nxe), then a far jump to \target in 64-bit
 * code on the loaders' GDT. */
    .macro long_mode_on nxe, target
    cli
    cld
    mov     4(%esp), %eax
    mov     8(%esp), %esi
    mov     $CR4_ENTRY, %edx
    mov     %edx, %cr4
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx   /* EFER */
    rdmsr
    or      $(1 << 8), %eax     /* LME */
    testl   $1, \nxe(%esi)
    jz      1f
    or      $(1 << 11), %eax    /* NXE */
1:  wrmsr
    mov     $CR0_ENTRY, %eax
    mov     %eax, %cr0
    ljmp    $SEL_CODE64, $\target
    .endm

    .globl enter_long_mode
enter_long_mode:
    long_mode_on 24, lm_start

    .code64
lm_start:
    mov     $SEL_DATA32, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    mov     %esi, %esi          /* zero-extend the pointer to *jump */
    mov     0(%rsi), %rax       /* entry */
    mov     8(%rsi), %rsp
    mov     16(%rsi), %rdi
    xor     %ebp, %ebp
    jmp     *%rax

/* struct lm_gdt_jump (bios.h): offsets */
#define J_ENTRY 0
#define J_RSP 8
#define J_RDI 16
#define J_RSI 24
#define J_NXE 32
#define J_CS 36
#define J_GDTR 38
#define J_DS 48

/* void enter_long_mode_gdt(uint32_t pml4, const struct lm_gdt_jump *jump)
 *
 * As enter_long_mode, then in 64-bit mode loads jump's GDT, CS = jump->cs
 * (far return), DS/ES/SS/FS/GS = jump->ds, RSP, RDI and RSI from *jump,
 * and jumps to jump->entry (Linux's 64-bit entry: boot_params in RSI).
 * The tables must identity-map this code, *jump, the GDT and the stage 2
 * stack. */
    .code32
    .globl enter_long_mode_gdt
enter_long_mode_gdt:
    long_mode_on J_NXE, lm_gdt_start

    .code64
lm_gdt_start:
    mov     %esi, %esi          /* zero-extend the pointer to *jump */
    lgdt    J_GDTR(%rsi)
    movzwl  J_CS(%rsi), %eax
    push    %rax
    lea     2f(%rip), %rax
    push    %rax
    lretq
2:  mov     J_DS(%rsi), %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    mov     J_ENTRY(%rsi), %rax
    mov     J_RSP(%rsi), %rsp
    mov     J_RDI(%rsi), %rdi
    mov     J_RSI(%rsi), %rsi
    xor     %ebp, %ebp
    jmp     *%rax

/* Exception stubs, ISR_STUB_SIZE bytes apart from isr_stubs so that C can
 * compute each one's address: push a 0 error code where the CPU pushes
 * none, push the vector, go to the common handler, which calls
 * stage2_exception(vector, error, eip) (never returns). */
#define HAS_ERROR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21 || (n) == 29 || (n) == 30)
    .macro isr n
    .balign 16
    .if HAS_ERROR(\n)
    .else
    pushl   $0
    .endif
    pushl   $\n
    jmp     isr_common
    .endm

    .code32
    .balign 16
    .globl  isr_stubs
isr_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    isr \n
    .endr
isr_common:
    cli
    cld
    mov     $SEL_DATA32, %ax
    mov     %ax, %ds
    mov     %ax, %es
    call    stage2_exception

    .balign 8
    .globl  stage2_gdt
stage2_gdt:
gdt:
    .quad   0
    .quad   0x00af9a000000ffff  /* 0x08: code, 64-bit */
    .quad   0x00cf92000000ffff  /* 0x10: data, flat */
    .quad   0x00cf9a000000ffff  /* 0x18: code, 32-bit, flat */
    .quad   0x00009a000000ffff  /* 0x20: code, 16-bit, 64 KiB */
    .quad   0x000092000000ffff  /* 0x28: data, 16-bit, 64 KiB */
gdt_end:
    .balign 4
    .word   0
gdt_desc:
    .word   gdt_end - gdt - 1
    .long   gdt
    .word   0
rm_idt:
    .word   0x3ff
    .long   0
    .balign 4
    .word   0
    .globl  pm_idt_desc
pm_idt_desc:                    /* filled by idt_init() */
    .word   0
    .long   0
    .globl  boot_drive
boot_drive:
    .byte   0
