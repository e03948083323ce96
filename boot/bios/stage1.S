/* MultiOS Boot stage 1: the MBR boot code (at most 440 bytes).
 *
 * Loaded by the BIOS at 0:0x7c00 with DL = boot drive. Loads stage 2
 * (STAGE2_SECTORS sectors from STAGE2_LBA, both patched in by mos-install
 * at the fixed offsets of the header below) to 0:0x8000 with INT 13h
 * extensions, checks its signature and jumps to it with DL preserved.
 * Bytes 440..511 (disk signature, partition table, 0x55AA) belong to the
 * disk and are never part of this binary.
 *
 * Errors print a short message with INT 10h and on COM1, write the "loader failed"
 * code to isa-debug-exit (port 0xf4; harmless without the device, and it
 * lets tests end instead of hanging) and halt. */
#include "bios_layout.h"

    .code16
    .section .text, "ax"
    .globl _start
_start:
    jmp     start
    nop
    /* Header patched by the installer: offsets fixed in bios_layout.h. */
    .ascii  "MOSBOOT1"          /* STAGE1_OFF_MAGIC */
stage2_lba:
    .quad   0                   /* STAGE1_OFF_LBA */
stage2_sectors:
    .word   0                   /* STAGE1_OFF_SECTORS */

start:
    cli
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $STAGE1_ADDR, %sp
    ljmp    $0, $normalized     /* some BIOSes enter at 07c0:0000 */
normalized:
    sti
    cld
    mov     %dl, drive

    mov     $0x41, %ah          /* INT 13h extensions present? */
    mov     $0x55aa, %bx
    int     $0x13
    jc      no_ext
    cmp     $0xaa55, %bx
    jne     no_ext
    test    $1, %cl             /* bit 0: packet (AH=42h) access */
    jz      no_ext

    mov     stage2_sectors, %cx
    jcxz    no_stage2
    cmp     $STAGE2_MAX_SECTORS, %cx
    ja      no_stage2
    mov     stage2_lba, %eax
    mov     %eax, dap_lba
    mov     stage2_lba + 4, %eax
    mov     %eax, dap_lba + 4

read_loop:
    mov     $STAGE1_CHUNK, %ax  /* sectors this round: min(left, chunk) */
    cmp     %ax, %cx
    jae     1f
    mov     %cx, %ax
1:  mov     %ax, dap_count
    mov     $dap, %si
    mov     drive, %dl
    mov     $0x42, %ah
    push    %cx
    int     $0x13
    pop     %cx
    jc      disk_error
    mov     dap_count, %ax
    sub     %ax, %cx
    add     %ax, dap_lba
    adcl    $0, dap_lba + 2     /* carry into the upper 48 bits */
    adcw    $0, dap_lba + 6
    shl     $5, %ax             /* 512-byte sectors = 32 paragraphs each */
    add     %ax, dap_seg
    test    %cx, %cx
    jnz     read_loop

    cmpl    $STAGE2_MAGIC, STAGE2_ADDR + STAGE2_OFF_MAGIC
    jne     no_stage2
    mov     drive, %dl
    ljmp    $0, $STAGE2_ADDR

no_ext:
    mov     $msg_noext, %si
    jmp     fail
no_stage2:
    mov     $msg_nostage2, %si
    jmp     fail
disk_error:
    push    %ax                 /* AH: BIOS status code, printed in hex */
    mov     $msg_disk, %si
    call    puts
    pop     %ax
    push    %ax
    mov     %ah, %al
    shr     $4, %al
    call    puthex
    pop     %ax
    mov     %ah, %al
    call    puthex
    mov     $msg_nl, %si
fail:
    call    puts
    mov     $LOADER_FAIL_CODE, %al
    out     %al, $0xf4
halt:
    cli
    hlt
    jmp     halt

/* Prints the NUL-terminated string at DS:SI. */
puts:
    lodsb
    test    %al, %al
    jz      2f
    call    putc
    jmp     puts
2:  ret

/* Prints the low nibble of AL as a hex digit. */
puthex:
    and     $0xf, %al
    add     $'0', %al
    cmp     $'9', %al
    jbe     putc
    add     $7, %al
    /* fall through */

/* Prints AL on COM1 (as the firmware left it; stage 2 sets it up
 * properly) and on the screen with INT 10h teletype. */
putc:
    mov     $0x3f8, %dx
    out     %al, %dx
    mov     $0x0e, %ah
    mov     $7, %bx
    int     $0x10
    ret

msg_noext:    .asciz "MOS: no INT13h extensions\r\n"
msg_nostage2: .asciz "MOS: stage 2 missing, run mos-install\r\n"
msg_disk:     .asciz "MOS: disk read error 0x"
msg_nl:       .asciz "\r\n"

    .balign 4
dap:
    .byte   16, 0               /* packet size, reserved */
dap_count:
    .word   0
dap_off:
    .word   0
dap_seg:
    .word   STAGE2_ADDR >> 4
dap_lba:
    .quad   0
drive:
    .byte   0
