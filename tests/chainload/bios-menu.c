/* Test harness for the boot menu on BIOS (stage 2's entry.S, console and
 * disk code, boot/bios/menu_io.c, boot/bios/chainload.c): a compiled-in
 * boot.cfg with two bios-chainload entries, the menu with its countdown,
 * and a failed entry bringing the menu back with the reason:
 *   1 "Empty slot"  drive 0x81, partition 3: refused (no such partition)
 *   2 "Disk 0x81"   drive 0x81's sector 0 (the default)
 * The payload there reports DL/SI and exits QEMU. */
#include "bios.h"
#include "chainload.h"
#include "console.h"
#include "menu_io.h"

static const char cfg_text[] = "timeout=4\n"
                               "default=2\n"
                               "[Empty slot]\n"
                               "protocol=bios-chainload\n"
                               "drive=0x81\n"
                               "partition=3\n"
                               "[Disk 0x81]\n"
                               "protocol=bios-chainload\n"
                               "drive=0x81\n";

static bc_bootcfg cfg;

__attribute__((noreturn)) void stage2_main(uint32_t drive);

void stage2_main(uint32_t drive)
{
    bc_cfg_errors errs;
    con_init();
    idt_init();
    mm_log(&con_log, MM_LOG_INFO, "bios-menu: booted from 0x%x", drive);
    bc_bootcfg_defaults(&cfg);
    if (bc_bootcfg_parse(cfg_text, sizeof cfg_text - 1, &cfg, (bc_cfg_sink){0}, &errs) != MM_OK)
        fatal("bios-menu: the built-in boot.cfg does not parse");
    bc_menu_io io = bios_menu_io();
    const char *error = NULL;
    for (;;) {
        uint32_t i = 0;
        if (bc_menu_choose(&cfg, &io, error, &i) != MM_OK)
            fatal("bios-menu: %s", error ? error : "no entry");
        const bc_boot_entry *e = bc_bootcfg_entry(&cfg, i);
        mm_log(&con_log, MM_LOG_INFO, "bios-menu: booting %s", bc_bootcfg_str(&cfg, e->name));
        error = bios_chainload(e->drive, e->partition);
    }
}
