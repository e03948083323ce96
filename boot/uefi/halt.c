/* "Clean halt" of the UEFI loader: the error is on screen and on COM1, the
 * machine then waits HALT_DELAY_US so a person can read it and powers off
 * through the firmware. Under QEMU that ends the run with exit status 0,
 * which the boot tests tell apart from the kernel's isa-debug-exit codes;
 * on real hardware it is an ordinary power-off. The loader never writes
 * the QEMU exit port itself: on real hardware port 0xf4 may be anything. */
#include <stdarg.h>

#include "loader.h"
#include "port.h"

#define HALT_DELAY_US 3000000u

/* Busy-waits `us` microseconds on the TSC (boot services may be gone). */
static void tsc_delay(uint64_t tsc_hz, uint32_t us)
{
    if (tsc_hz == 0)
        return;
    uint64_t ticks = tsc_hz / 1000000u * us;
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < ticks)
        __asm__ volatile("pause");
}

_Noreturn void loader_halt(struct loader *L)
{
    mm_log(&L->log, MM_LOG_ERROR, "boot stopped; powering off in %u s", HALT_DELAY_US / 1000000u);
    if (L->bs)
        L->bs->Stall(HALT_DELAY_US);
    else
        tsc_delay(L->tsc_hz, HALT_DELAY_US);
    L->st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_ABORTED, 0, NULL);
    for (;;)
        __asm__ volatile("cli; hlt");
}

_Noreturn void loader_fail(struct loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vlog(&L->log, MM_LOG_ERROR, fmt, ap);
    va_end(ap);
    loader_halt(L);
}
