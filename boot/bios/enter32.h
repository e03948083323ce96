/* The jump into a kernel entered in 32-bit protected mode (BC_ENTRY_PROTECTED). */
#ifndef BIOS_ENTER32_H
#define BIOS_ENTER32_H

#include "common/driver.h"

/* Interrupts off, DS = ES = FS = GS = SS = BC_SEL_DATA (CS stays
 * BC_SEL_CODE32, paging stays off), ESP = e->esp unless 0, EAX, EBX, ESI
 * from `e`, then a jump to e->entry (physical). Uses the loaders' GDT:
 * e->gdt must be 0. Never returns. */
_Noreturn void enter_protected(const bc_entry *e);

#endif
