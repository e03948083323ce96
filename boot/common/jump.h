/* bc_jump: going back to an earlier point of the same call chain, as C's
 * setjmp/longjmp, for the boot driver's "back to the menu". Hosted builds
 * (tests, fuzzers) use <setjmp.h> (so sanitizers see the jump); the
 * freestanding loaders use jump.c's few instructions, which keep only the
 * general callee-saved registers: the loaders are built with
 * -mgeneral-regs-only, so no vector register is live across the jump. */
#ifndef BC_JUMP_H
#define BC_JUMP_H

#include <stdint.h>

#if __STDC_HOSTED__
#include <setjmp.h>

typedef struct bc_jump {
    jmp_buf buf;
} bc_jump;

/* Like setjmp: 0 now, 1 when bc_jump_back(j) comes back here. A macro,
 * as setjmp must be called by the function that stays active. */
#define bc_jump_save(j) setjmp((j)->buf)
#define bc_jump_back(j) longjmp((j)->buf, 1)

#else

typedef struct bc_jump {
    uintptr_t reg[10]; /* callee-saved registers, stack pointer, return address */
} bc_jump;

/* Saves the caller's callee-saved registers, stack pointer and return
 * address in `j`; returns 0 now and 1 when bc_jump_back(j) resumes here.
 * The caller must still be active (not returned) when the jump comes. */
__attribute__((returns_twice)) int bc_jump_save(bc_jump *j);

/* Resumes at j's bc_jump_save, which then returns 1. */
_Noreturn void bc_jump_back(const bc_jump *j);

#endif

#endif
