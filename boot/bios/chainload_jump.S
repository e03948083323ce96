/* void chainload_jump(uint32_t drive, uint32_t si)  (chainload.h)
 *
 * In .entry like the real-mode thunk of entry.S: 16-bit code must sit
 * below 64 KiB, and .entry is linked first at STAGE2_ADDR. */
#include "bios_layout.h"

#define SEL_CODE16 0x20 /* the GDT of entry.S */
#define SEL_DATA16 0x28

    .section .entry, "awx"
    .code32
    .globl chainload_jump
chainload_jump:
    cli
    mov     4(%esp), %edx       /* DL = drive; survives the mode switch */
    mov     8(%esp), %esi
    ljmp    $SEL_CODE16, $cl_pm16

    .code16
cl_pm16:
    mov     $SEL_DATA16, %ax    /* 64 KiB limits before leaving pmode */
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %fs
    mov     %ax, %gs
    mov     %ax, %ss
    mov     %cr0, %eax
    and     $~1, %eax
    mov     %eax, %cr0
    ljmp    $0, $cl_real
cl_real:
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %fs
    mov     %ax, %gs
    mov     %ax, %ss
    mov     $STAGE1_ADDR, %sp
    lidt    cl_rm_idt
    movzbl  %dl, %edx
    xor     %eax, %eax
    xor     %ebx, %ebx
    xor     %ecx, %ecx
    xor     %edi, %edi
    xor     %ebp, %ebp
    sti
    ljmp    $0, $STAGE1_ADDR

cl_rm_idt:                      /* the real-mode IVT at 0 */
    .word   0x3ff
    .long   0
