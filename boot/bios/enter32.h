/* The jump into a kernel entered in 32-bit protected mode (BC_ENTRY_PROTECTED). */
#ifndef BIOS_ENTER32_H
#define BIOS_ENTER32_H

#include "common/driver.h"

/* Interrupts off, then BC_ENTER32_TAIL (common/entry.h) with
 * bc_pm_jump_fill's view of `e` over stage 2's GDT: e's GDT, CS and data
 * selectors (or with e->gdt == 0 stage 2's own, CS = BC_SEL_CODE32, data
 * BC_SEL_DATA), ESP = e->esp unless 0, EAX, EBX, ESI from `e`, EDI =
 * EBP = 0, and a jump to e->entry (physical). Paging stays off. Returns
 * only with bc_pm_jump_fill's reason when `e` cannot be entered. */
const char *enter_protected(const bc_entry *e);

#endif
