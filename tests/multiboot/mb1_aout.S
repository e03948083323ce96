/* Multiboot 1 test kernel, address-field form (flag 16, the "a.out
 * kludge"): the loader takes load and entry addresses from the header,
 * not from the ELF program headers. */
#define MB1_FLAGS 0x00010003

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)
    .long mb1_header      /* header_addr */
    .long __image_start   /* load_addr */
    .long __data_end      /* load_end_addr */
    .long __image_end     /* bss_end_addr */
    .long _start          /* entry_addr */

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
