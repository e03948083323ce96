/* mbchain.elf entry: a Multiboot 1 kernel for QEMU (modules page-aligned,
 * memory information) and a Multiboot 2 kernel for GRUB (memory map
 * required, everything else optional), calling mb_chain_main(EAX, EBX) on
 * its own stack. */
#define MB1_FLAGS 0x00000003
#define MB2_MAGIC 0xe85250d6

    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)

    .align 8
mb2_header:
    .long MB2_MAGIC, 0, mb2_end - mb2_header, -(MB2_MAGIC + (mb2_end - mb2_header))
    .short 1, 0                            /* required information: */
    .long 16, 6, 1                         /* memory map, command line */
    .align 8
    .short 1, 1                            /* optional information: */
    .long 28, 12, 13, 14, 15, 17           /* EFI64, SMBIOS, ACPI, EFI map */
    .align 8
    .short 6, 0                            /* module alignment */
    .long 8
    .short 0, 0                            /* end */
    .long 8
mb2_end:

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
