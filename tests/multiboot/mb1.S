/* Multiboot 1 test kernel entry: ELF32 loaded by p_paddr. Header flags:
 * modules page-aligned (0) and memory information (1). */
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
    push $1
    call mb_kernel_main
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
    .space 16384
stack_top:
