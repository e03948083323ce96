/* Multiboot (v1) entry of the SMP test image, and the 64-bit code the
 * started APs jump to. QEMU's -kernel loader enters _start in 32-bit
 * protected mode, flat segments, paging off. */
    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long 0
    .long -0x1badb002

    .text
    .code32
    .globl _start
_start:
    cli
    movl $stack_top, %esp
    call smp_main
1:  hlt
    jmp 1b

/* An AP lands here from its record's goto_address (64-bit, identity
 * mapped): RDI = its record. It proves what the contract says by writing
 * into the record's reserved words: [0] = the argument it read through
 * RDI, [1] = RSP + 8 (the stack top minus nothing: 16-byte aligned), then
 * counts itself and halts. */
    .code64
    .globl ap_landing
ap_landing:
    movq 8(%rdi), %rax
    movq %rax, 32(%rdi)
    leaq 8(%rsp), %rax
    movq %rax, 40(%rdi)
    lock incl ap_landed
2:  cli
    hlt
    jmp 2b

    .bss
    .align 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
