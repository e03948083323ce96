/* Kernel entry and CPU exception stubs.
 *
 * The loader jumps to _start in long mode, interrupts off, with RDI = the
 * handoff's direct-map address and RSP on its stack (see
 * include/mos/handoff.h). Nothing here touches memory besides the stack. */

    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    /* The ABI wants RSP 16-byte aligned before the call; the loader promises
     * it, but a kernel that relies on nothing re-aligns. */
    andq $-16, %rsp
    xorl %ebp, %ebp
    call kmain
1:  cli
    hlt
    jmp 1b
    .size _start, . - _start

/* One stub per exception vector 0-31. Each leaves the same frame on the
 * stack for arch_exception() (below the registers exc_common saves):
 *   [rsp]      vector
 *   [rsp + 8]  error code (0 when the CPU pushes none)
 *   [rsp + 16] RIP, CS, RFLAGS, RSP, SS as pushed by the CPU. */
    .text
    .macro EXC_NOERR vec
exc_\vec:
    pushq $0
    pushq $\vec
    jmp exc_common
    .endm

    .macro EXC_ERR vec
exc_\vec:
    pushq $\vec
    jmp exc_common
    .endm

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR   8
EXC_NOERR 9
EXC_ERR   10
EXC_ERR   11
EXC_ERR   12
EXC_ERR   13
EXC_ERR   14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR   17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR   21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR   29
EXC_ERR   30
EXC_NOERR 31

exc_common:
    cld
    /* Save every register C code may clobber: arch_exception() returns
     * when it resumes a deliberate probe (arch.c), and the interrupted
     * code must then continue as if nothing happened. */
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %rbx
    leaq 80(%rsp), %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call arch_exception
    movq %rbx, %rsp
    popq %rbx
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
    addq $16, %rsp /* vector and error code */
    iretq

/* Stub addresses, indexed by vector, for the IDT set-up in arch.c. */
    .section .rodata
    .globl arch_exception_stubs
    .balign 8
arch_exception_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exc_\v
    .endr
