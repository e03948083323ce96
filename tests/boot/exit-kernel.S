/* The smallest kernel a loader can boot: it exits QEMU at once through
 * isa-debug-exit with the PASS value (kernel/exitcodes.h), so that a boot
 * of it measures firmware + loader and nothing else (make bench-boot). */
    .section .text
    .globl _start
_start:
    movb $0x10, %al
    outb %al, $0xf4
1:  cli
    hlt
    jmp 1b
