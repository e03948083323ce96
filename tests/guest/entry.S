/* Multiboot (v1) entry of the QEMU test images (tests/guest): QEMU's
 * -kernel loader enters _start in 32-bit protected mode, flat segments,
 * paging off; guest_main never returns. */
    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long 0
    .long -0x1badb002

    .text
    .code32
    .globl _start
_start:
    cli
    movl $stack_top, %esp
    call guest_main
1:  hlt
    jmp 1b

    .bss
    .align 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
