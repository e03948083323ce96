/* Chainload test payload for BIOS: a boot sector (usable as an MBR or as
 * a partition's boot record) that reports how it was started, then exits
 * QEMU through isa-debug-exit with CHAIN_EXIT (QEMU status 0x63):
 *     chainload-mbr: DL=0x81 SI=0x07be
 * DL is the drive it was booted from and SI the partition entry offset a
 * chainloader hands over (whatever SI held when started as an MBR). COM1 is
 * written without programming the UART: QEMU's accepts bytes as it is. */
#define COM1_DATA  0x3f8
#define COM1_LSR   0x3fd
#define CHAIN_EXIT 0x31

    .code16
    .section .text, "ax"
    .globl _start
_start:
    cli
    mov     %dx, %di            /* keep DL and SI before anything else */
    mov     %si, %bp
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %ss
    mov     $0x7c00, %sp
    cld
    mov     $msg_dl, %si
    call    puts
    mov     %di, %ax
    mov     $2, %cx
    call    hex
    mov     $msg_si, %si
    call    puts
    mov     %bp, %ax
    mov     $4, %cx
    call    hex
    mov     $msg_end, %si
    call    puts
    mov     $CHAIN_EXIT, %al
    out     %al, $0xf4
1:  cli
    hlt
    jmp     1b

/* Writes the 0-terminated string at DS:SI. */
puts:
    lodsb
    test    %al, %al
    jz      2f
    call    putc
    jmp     puts
2:  ret

/* Writes AL to COM1 once the transmitter is empty; keeps BX, CX. */
putc:
    push    %ax
    mov     $COM1_LSR, %dx
3:  in      %dx, %al
    test    $0x20, %al
    jz      3b
    pop     %ax
    mov     $COM1_DATA, %dx
    out     %al, %dx
    ret

/* Writes the low CX (1 .. 4) hex digits of AX, lower case. */
hex:
    mov     %ax, %bx
    push    %cx
    mov     $4, %ax
    sub     %cx, %ax
    shl     $2, %al
    mov     %al, %cl
    rol     %cl, %bx            /* the first digit wanted is now on top */
    pop     %cx
4:  rol     $4, %bx
    mov     %bl, %al
    and     $0xf, %al
    add     $'0', %al
    cmp     $'9', %al
    jbe     5f
    add     $('a' - '9' - 1), %al
5:  call    putc
    loop    4b
    ret

msg_dl:  .asciz "chainload-mbr: DL=0x"
msg_si:  .asciz " SI=0x"
msg_end: .asciz "\r\n"

    .org    510
    .byte   0x55, 0xaa
