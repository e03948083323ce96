/* Starting the application processors (APs) for handoff revision 2.
 *
 * Firmware-neutral: the caller hands in how to reach the local APIC (an
 * IPI function, e.g. bc_xapic_mmio_* below or an x2APIC MSR write), a
 * microsecond delay, the memory it placed, and the CPU list from the MADT
 * (acpi.h). No allocation, no globals, no inline assembly.
 *
 * Memory the caller places (both carved in the map, see docs/protocol.md
 * section 15):
 *   trampoline  BC_TRAMP_BYTES, 4 KiB aligned, below 1 MiB and outside
 *               [0xa0000, 0x100000): MM_TYPE_AP_TRAMPOLINE. Reached by the
 *               caller through a pointer and by the APs at its physical
 *               address (identity), before and after the switch to the
 *               kernel's CR3 (the protocol identity-maps low memory).
 *   AP stacks   bc_smp_stacks_bytes(ap_count), 4 KiB aligned, anywhere
 *               in the direct map: MM_TYPE_AP_STACKS. The records come
 *               first (64 bytes each), then one BC_SMP_AP_STACK_SIZE stack
 *               per AP.
 * The APs run the trampoline copied from bc_ap_trampoline_start ..
 * bc_ap_trampoline_end (ap_trampoline.S, linked by the front ends only). */
#ifndef BC_SMP_H
#define BC_SMP_H

#include "acpi.h"
#include "mos/handoff.h"
#include "smp_tramp.h"

#define BC_SMP_AP_STACK_SIZE 0x4000u /* bytes per AP stack */

/* ICR low words (Intel SDM vol. 3, 10.6.1): INIT (delivery mode 101b,
 * level assert) and STARTUP (110b) with the trampoline's page number. */
#define BC_ICR_INIT    0x00004500u
#define BC_ICR_STARTUP 0x00004600u
#define BC_ICR_PENDING 0x00001000u /* delivery status: send pending */

/* Access to the local APIC of the CPU running the loader (the BSP). */
typedef struct bc_lapic_ops {
    /* Sends the IPI `icr_low` to `apic_id` (xAPIC: ICR high = id << 24,
     * then ICR low; x2APIC: MSR 0x830 = id << 32 | icr_low, after an
     * MFENCE: that WRMSR does not order the trampoline parameters written
     * just before it). */
    void (*send_ipi)(void *ctx, uint32_t apic_id, uint32_t icr_low);
    /* True while the last IPI is still being delivered (xAPIC ICR bit
     * 12); x2APIC never reports it: return false. */
    bool (*ipi_pending)(void *ctx);
    /* Waits at least `us` microseconds (TSC, PIT or the firmware's Stall). */
    void (*delay_us)(void *ctx, uint32_t us);
    void *ctx;
} bc_lapic_ops;

/* Microseconds. bc_smp_timing_default() gives the SDM's values. */
typedef struct bc_smp_timing {
    uint32_t init_us;    /* after INIT, before the first STARTUP (10000) */
    uint32_t sipi_us;    /* wait for the AP after the first STARTUP (200) */
    uint32_t timeout_us; /* total wait after the second STARTUP (100000) */
    uint32_t poll_us;    /* polling step (10) */
} bc_smp_timing;

bc_smp_timing bc_smp_timing_default(void);

/* Whether a CPU needs the SDM's 10 ms wait between INIT and STARTUP:
 * `vendor` is CPUID leaf 0's EBX, EDX, ECX (the 12-byte vendor string),
 * `family` the display family (base + extended). Intel family 6, AMD from
 * family 0Fh and Hygon from 18h do not (what Linux assumes too); any
 * other CPU does. */
bool bc_smp_init_wait_needed(const uint32_t vendor[3], uint32_t family);

/* Bytes of the AP stacks region for `ap_count` APs: the records rounded
 * up to 4 KiB, then the stacks. 0 when ap_count is 0 or on overflow. */
uint64_t bc_smp_stacks_bytes(uint32_t ap_count);

/* Copies the trampoline blob (`blob_size` bytes at `blob`: from
 * bc_ap_trampoline_start to bc_ap_trampoline_end) to `dst`
 * (BC_TRAMP_BYTES writable bytes, physical `dst_phys`), turns its stored
 * offsets into addresses, builds its identity tables and the parked APs'
 * IDT, and stores the kernel's `cr3` (any physical address), whether the
 * APs must set EFER.NXE (`flags` BC_TRAMP_FLAG_NXE when the kernel's
 * tables use NX) and how a parked AP waits: `park_ticks` 0 spins with
 * pause, anything else halts between polls of its record, woken every
 * `park_ticks` ticks of its LAPIC timer (divide by 1; the timer must be
 * reachable: x2APIC, or the xAPIC page inside the kernel's identity map).
 * MM_OK; MM_ERR_INVALID_ARGUMENT for NULL, a blob without the trampoline's
 * magic, with a handler offset outside it or larger than
 * BC_TRAMP_CODE_MAX, dst_phys not 4 KiB aligned or not below 1 MiB (the
 * STARTUP vector is its page number), or unknown flags. Nothing is written
 * on an error. */
mm_status bc_smp_trampoline_install(void *dst, uint64_t dst_phys, const void *blob,
                                    size_t blob_size, uint64_t cr3, uint32_t flags,
                                    uint32_t park_ticks);

/* Everything bc_smp_start_all needs. Pointers are the caller's view;
 * addresses in records and the handoff are physical or (stacks, records)
 * virtual through `hhdm_offset`. */
typedef struct bc_smp_start {
    const bc_lapic_ops *ops;
    bc_smp_timing timing;
    void *tramp;         /* installed by bc_smp_trampoline_install */
    uint64_t tramp_phys; /* its physical address */
    void *stacks;        /* AP stacks region: records written here, stacks left as they are */
    uint64_t stacks_phys;
    uint64_t stacks_bytes; /* as placed: checked against the APs to start */
    uint64_t hhdm_offset;  /* virtual = physical + hhdm_offset in the kernel */
    uint32_t bsp_apic_id;  /* the CPU running this code */
} bc_smp_start;

/* Number of CPUs in `madt` (`count` entries) that bc_smp_start_all will
 * try to start: enabled ones other than the BSP. Size the AP stacks region
 * with bc_smp_stacks_bytes() of it. */
uint32_t bc_smp_ap_count(const bc_madt_cpu *madt, uint32_t count, uint32_t bsp_apic_id);

/* Fills out[0 .. count) from the MADT list, in its order: the BSP gets
 * MOS_CPU_BSP; every enabled AP is sent INIT, then after one INIT delay
 * (timing.init_us, 0 for none) the APs are started BC_TRAMP_SLOTS at a
 * time, each through its own trampoline slot (STARTUP to each, a wait,
 * a second STARTUP to those not alive, a wait up to the timeout) with its
 * own record and stack, and get MOS_CPU_STARTED and record_addr, or
 * MOS_CPU_FAILED when it did
 * not answer in time (or its IPI stayed pending) - it is then never
 * touched again (should it answer later, the trampoline finds another
 * CPU's id expected, or none, and halts it); online-capable CPUs that are
 * not enabled get no flags.
 * *started counts the APs now parked. Returns MM_OK (failed APs are a
 * result, not an error); MM_ERR_NOT_FOUND when bsp_apic_id is not in the
 * list (nothing started; list the BSP alone); MM_ERR_BUFFER_TOO_SMALL
 * when stacks_bytes is below bc_smp_stacks_bytes(APs) (nothing started);
 * MM_ERR_INVALID_ARGUMENT for NULL pointers. */
mm_status bc_smp_start_all(const bc_smp_start *s, const bc_madt_cpu *madt, uint32_t count,
                           struct mos_cpu *out, uint32_t *started);

/* The list of a machine without an MADT: the BSP alone in out[0]. */
void bc_smp_bsp_only(struct mos_cpu *out, uint32_t bsp_apic_id);

/* ---- xAPIC through MMIO (the loaders map the APIC page identity) ---- */

/* bc_lapic_ops callbacks for an xAPIC whose registers are at `ctx`
 * (a pointer to the 4 KiB MMIO page, e.g. lapic_addr from the MADT or
 * IA32_APIC_BASE): ICR high at 0x310, ICR low at 0x300. */
void bc_xapic_mmio_send_ipi(void *ctx, uint32_t apic_id, uint32_t icr_low);
bool bc_xapic_mmio_ipi_pending(void *ctx);

#endif
