/* Test harness for boot/bios/chainload.c: a stage 2 (same entry.S, GDT
 * and real-mode thunk as the loader's) whose main only chainloads drive
 * 0x81. It first asks for an empty partition slot (3), which must come
 * back with a reason, then boots CHAIN_PARTITION (0 = the whole disk)
 * for good; the payload there reports DL and SI and exits QEMU. Reaching
 * the end means the chainload failed: LOADER_FAIL_CODE. */
#include "bios.h"
#include "bios_layout.h"
#include "chainload.h"
#include "console.h"

#ifndef CHAIN_PARTITION
#define CHAIN_PARTITION 0
#endif
#define CHAIN_DRIVE 0x81

__attribute__((noreturn)) void stage2_main(uint32_t drive);

void stage2_main(uint32_t drive)
{
    con_init();
    idt_init();
    mm_log(&con_log, MM_LOG_INFO, "bios-launcher: booted from 0x%x", drive);
    const char *why = bios_chainload(CHAIN_DRIVE, 3);
    mm_log(&con_log, MM_LOG_INFO, "bios-launcher: partition 3 refused: %s", why);
    why = bios_chainload(CHAIN_DRIVE, CHAIN_PARTITION);
    fatal("bios-launcher: partition %u: %s", (unsigned)CHAIN_PARTITION, why);
}
