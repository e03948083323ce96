/* Entering a 32-bit protected-mode kernel (Multiboot, Linux's 32-bit
 * entry) from UEFI's long mode: a small trampoline in a page below 4 GiB
 * leaves long mode. */
#ifndef UEFI_ENTER32_H
#define UEFI_ENTER32_H

#include <efi.h>

#include "common/driver.h"

/* Takes the trampoline's page below 4 GiB (EfiLoaderCode: executable under the firmware's NX
 * policy; the final map calls it bootloader-reclaimable: the kernel may reuse it). Call before
 * ExitBootServices; without it enter_protected refuses. */
void enter32_reserve(EFI_BOOT_SERVICES *bs);

/* Interrupts must be off and boot services gone. Copies the trampoline
 * and the loaders' GDT into the reserved page, switches to its 32-bit
 * code segment (compatibility mode), turns paging off, clears EFER.LME
 * and NXE and CR4.PAE, then runs BC_ENTER32_TAIL (common/entry.h) with
 * bc_pm_jump_fill's view of `e`: e's GDT and selectors (or with e->gdt ==
 * 0 the page's GDT, CS = BC_SEL_CODE32, data BC_SEL_DATA), ESP = e->esp
 * unless 0, EAX, EBX, ESI from `e`, EDI = EBP = 0, and a jump to e->entry
 * (physical, below 4 GiB). Returns only with the reason when no page was
 * reserved or bc_pm_jump_fill refuses `e`. */
const char *enter_protected(const bc_entry *e);

#endif
