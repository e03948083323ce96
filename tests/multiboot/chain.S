/* mbchain.elf entry: a Multiboot 1 kernel (modules page-aligned, memory
 * information) that calls mb_chain_main(EAX, EBX) on its own stack. */
#define MB1_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)

    .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call mb_chain_main
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
    .space 16384
stack_top:
