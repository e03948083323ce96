/* Stage 2, protected-mode part: from the boot drive to the kernel. */
#include <stdint.h>

#include "a20.h"
#include "bios.h"
#include "console.h"
#include "disk.h"

static struct bios_disk disk;

__attribute__((noreturn)) void stage2_main(uint32_t drive);

void stage2_main(uint32_t drive)
{
    uint64_t tsc_entry = rdtsc();
    con_init();
    con_printf("MultiOS Boot (BIOS) stage 2, drive 0x%x", drive);
    const char *a20 = a20_enable();
    if (!a20)
        fatal("cannot enable the A20 gate");
    con_printf("A20: %s", a20);
    if (disk_open(&disk, (uint8_t)drive))
        fatal("drive 0x%x has no INT 13h extensions", drive);
    (void)tsc_entry;
    fatal("kernel loading not implemented yet");
}
