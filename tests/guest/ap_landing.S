/* The 64-bit code the SMP test image's APs jump to (smp_qemu.c). */
    .text
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

    .section .note.GNU-stack, "", @progbits
