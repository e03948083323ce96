/* What QEMU's TCG costs on the host (make bench-boot), for the four things
 * a boot loader's time under it is made of: translating a block of guest
 * code the first time it runs, a byte written to COM1, running code
 * already translated, and the first write into a 2 MiB region of guest
 * RAM (the host backs guest RAM with huge pages where it can, and clears
 * a whole one on that write). Built five times (tests/boot/build.mk):
 *   PROBE_BLOCKS  straight-line blocks of six instructions, a load and a
 *                 store among them (the loader's blocks average six), each
 *                 run once;
 *   PROBE_BYTES   bytes on COM1, LSR read before every 16 (the FIFO), as
 *                 boot/common/uart.c writes them;
 *   PROBE_LOOPS   iterations of a six-instruction loop, load and store
 *                 included, translated once and run from then on;
 *   PROBE_TOUCHES 2 MiB regions of RAM from TOUCH_BASE up, a byte
 *                 written into each (the machine needs TOUCH_BASE plus
 *                 that many times 2 MiB of RAM);
 *   none          the baseline the three are measured against.
 * Each then exits QEMU (status 33). A Multiboot (1) ELF32 kernel: QEMU's
 * -kernel boots it with neither a disk nor a loader of ours. */
#ifndef PROBE_BLOCKS
#define PROBE_BLOCKS 0
#endif
#ifndef PROBE_BYTES
#define PROBE_BYTES 0
#endif
#ifndef PROBE_LOOPS
#define PROBE_LOOPS 0
#endif
#ifndef PROBE_TOUCHES
#define PROBE_TOUCHES 0
#endif
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0
#define COM1     0x3f8
#define COM1_LSR (COM1 + 5)
#define SCRATCH  0x200000 /* RAM above the image, for the loads and stores */
#define TOUCH_BASE   0x1000000 /* 16 MiB: above what the firmware writes */
#define TOUCH_STRIDE 0x200000

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .code32
    .section .text, "ax"
    .globl _start
_start:
    mov     $PROBE_BYTES, %ebx
    xor     %esi, %esi          /* bytes the FIFO takes before the next look */
1:  test    %ebx, %ebx
    jz      3f
    test    %esi, %esi
    jnz     2f
    mov     $COM1_LSR, %dx
    inb     %dx, %al            /* QEMU's THR is always empty: no wait */
    mov     $16, %esi
2:  mov     $COM1, %dx
    mov     $'.', %al
    outb    %al, %dx
    dec     %esi
    dec     %ebx
    jmp     1b
3:
    mov     $SCRATCH, %edi
    mov     $PROBE_LOOPS, %ecx
    test    %ecx, %ecx
    jz      5f
4:  mov     (%edi), %eax
    add     $1, %eax
    mov     %eax, 4(%edi)
    xor     %ebx, %edx
    dec     %ecx
    jnz     4b
5:
    mov     $TOUCH_BASE, %edi
    mov     $PROBE_TOUCHES, %ecx
    test    %ecx, %ecx
    jz      8f
9:  movb    $1, (%edi)
    add     $TOUCH_STRIDE, %edi
    dec     %ecx
    jnz     9b
8:
    mov     $SCRATCH, %edi
    .rept PROBE_BLOCKS
    mov     (%edi), %eax
    add     $1, %eax
    mov     %eax, 4(%edi)
    xor     %ebx, %ecx
    inc     %esi
    jmp     6f
6:
    .endr
    movb    $0x10, %al          /* isa-debug-exit: QEMU status 33 */
    outb    %al, $0xf4
7:  cli
    hlt
    jmp     7b
