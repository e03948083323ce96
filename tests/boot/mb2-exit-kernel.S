/* The smallest Multiboot2 kernel, for GRUB in the boot benchmark (make
 * bench-boot): like exit-kernel.S it exits QEMU at once through
 * isa-debug-exit, so a boot of it measures firmware + GRUB and nothing
 * else. It exits with the PASS value (0x10, QEMU status 33) only when EAX
 * holds the Multiboot2 boot magic, and with 0x11 (status 35) otherwise, so
 * the benchmark knows GRUB really started it as a Multiboot2 kernel.
 * Entered in 32-bit protected mode (Multiboot2 machine state, i386). */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_BOOT_MAGIC   0x36d76289

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    /* The four fields sum to 0 mod 2^32. */
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* End tag: type 0, flags 0, size 8. */
    .short 0
    .short 0
    .long 8
mb2_header_end:

    .code32
    .section .text, "ax"
    .globl _start
_start:
    cmpl    $MB2_BOOT_MAGIC, %eax
    movb    $0x10, %al
    je      1f
    movb    $0x11, %al
1:  outb    %al, $0xf4
2:  cli
    hlt
    jmp     2b
