/* Demo kernel entry: set up the CPU and console, then let proof.c check
 * every promise of the handoff and exit QEMU with PASS or FAIL. */
#include "arch.h"
#include "exitcodes.h"
#include "proof.h"

/* Linker script symbols: the image's virtual bounds. */
extern char __kernel_start[], __kernel_end[];
extern char _start[];

/* Room for the kernel's copy of the memory map (lib/mm takes storage from
 * its caller; the heap cannot hold it: placing the heap needs the map). */
#define KERNEL_MAP_CAPACITY 2048
static mm_entry map_storage[KERNEL_MAP_CAPACITY];

/* The checks' state, too big for a loader stack of unknown size. */
static struct kp proof;

/* VGA text at phys 0xb8000, through the direct map, on BIOS boots (UEFI
 * machines may have no text mode) when the direct map covers it. */
#define VGA_PHYS  0xb8000u
#define VGA_BYTES (80 * 25 * 2)

static void console_for(const struct mos_handoff *h)
{
    if (h->boot_mode == MOS_BOOT_MODE_BIOS && h->hhdm_size >= VGA_PHYS + VGA_BYTES)
        arch_vga_enable((uintptr_t)(h->hhdm_offset + VGA_PHYS));
}

/* True when the NUL-terminated `text` contains `word` as a whole
 * space-separated word. */
static bool has_word(const char *text, const char *word)
{
    for (const char *p = text; *p;) {
        size_t i = 0;
        while (word[i] && p[i] == word[i])
            i++;
        if (!word[i] && (p[i] == ' ' || p[i] == '\0'))
            return true;
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
    }
    return false;
}

/* Test hook for the exception path: `mos.fault=pf` on the command line
 * reads an address nothing maps (a page fault), `mos.fault=df` faults with
 * an unusable stack (a double fault), `mos.fault=ud` executes an invalid
 * opcode. Each must end as MOS-RESULT: FAIL exception, with
 * QEMU's FAIL status, not a triple fault. */
static void fault_on_request(const struct mos_handoff *h)
{
    if (h->cmdline_size == 0)
        return;
    const char *cmdline = (const char *)(uintptr_t)(h->cmdline_addr + h->hhdm_offset);
    if (has_word(cmdline, "mos.fault=pf")) {
        mm_cbprintf(arch_console_write, NULL, "mos.fault=pf: reading an unmapped address\n");
        (void)*(volatile uint64_t *)(uintptr_t)0x00007ffffffff000ull;
    }
    if (has_word(cmdline, "mos.fault=df")) {
        /* The #PF cannot push its frame on this stack either: a double
         * fault, which runs on the TSS's IST1 stack. */
        mm_cbprintf(arch_console_write, NULL, "mos.fault=df: pushing onto an unmapped stack\n");
        __asm__ volatile("movq $0x00007ffffffff000, %%rsp\n\tpushq $0" ::: "memory");
    }
    if (has_word(cmdline, "mos.fault=ud")) {
        mm_cbprintf(arch_console_write, NULL, "mos.fault=ud: executing ud2\n");
        __asm__ volatile("ud2");
    }
}

/* `mos.hold=1` on the command line: after the report the machine stays on
 * (interrupts off, halted) instead of leaving QEMU, so the picture on the
 * framebuffer can be looked at or screenshot; the line saying so comes
 * after MOS-RESULT for whoever waits on serial. */
static void hold_on_request(const struct mos_handoff *h)
{
    if (!h || h->cmdline_size == 0)
        return;
    const char *cmdline = (const char *)(uintptr_t)(h->cmdline_addr + h->hhdm_offset);
    if (!has_word(cmdline, "mos.hold=1"))
        return;
    mm_cbprintf(arch_console_write, NULL, "mos.hold=1: holding, the machine stays on\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Called by _start (entry.S) on the loader's stack with `handoff_virt` =
 * RDI, the handoff's direct-map address. Never returns: ends in
 * arch_exit() with MOS_EXIT_PASS or MOS_EXIT_FAIL, or halted for good
 * after the report with mos.hold=1. */
void kmain(uint64_t handoff_virt);
void kmain(uint64_t handoff_virt)
{
    uint64_t tsc = arch_rdtsc();
    arch_serial_init(); /* first: port I/O only, so a fault below still reports */
    arch_init_cpu();
    struct kp_probe probe;
    arch_probe_mappings(&probe);
    const struct kp_env env = {
        .handoff_virt = handoff_virt,
        .out = arch_console_write,
        .map_storage = map_storage,
        .map_capacity = KERNEL_MAP_CAPACITY,
        .rsp = arch_read_rsp(),
        .image_start = (uint64_t)(uintptr_t)__kernel_start,
        .image_end = (uint64_t)(uintptr_t)__kernel_end,
        .entry = (uint64_t)(uintptr_t)_start,
        .tsc_at_kmain = tsc,
        .probe = probe,
    };
    kp_init(&proof, &env);
    mm_cbprintf(arch_console_write, NULL, "\nMultiOS Boot demo kernel: handoff at 0x%llx\n",
                (unsigned long long)handoff_virt);
    if (kp_check_header(&proof)) {
        console_for(proof.h);
        fault_on_request(proof.h);
        if (kp_run_steps(&proof)) {
            bc_fb fb;
            kp_draw_map(&proof, kp_handoff_fb(&proof, &fb) ? &fb : NULL);
        }
    }
    bool pass = kp_report(&proof);
    hold_on_request(proof.h);
    arch_exit(pass ? MOS_EXIT_PASS : MOS_EXIT_FAIL);
}
