/* The boot benchmark's floor on BIOS: an MBR boot sector that exits QEMU
 * at once through isa-debug-exit with the kernel's PASS value (0x10), so
 * that a run of it measures SeaBIOS start-up and nothing else. */
    .code16
    .section .text, "ax"
    .globl _start
_start:
    mov     $0x10, %al
    out     %al, $0xf4
1:  cli
    hlt
    jmp     1b
