#include "firmware.h"

#include "mm/fmt.h"
#include "common/smbios.h"
#include "common/tsc_pm.h"
#include "port.h"

#define CALIBRATION_ROUNDS 4u

const char *fw_status_text(EFI_STATUS s)
{
    static const struct {
        EFI_STATUS status;
        const char *text;
    } known[] = {
        {EFI_SUCCESS, "success"},
        {EFI_NOT_FOUND, "not found"},
        {EFI_OUT_OF_RESOURCES, "out of resources"},
        {EFI_BUFFER_TOO_SMALL, "buffer too small"},
        {EFI_BAD_BUFFER_SIZE, "too large"},
        {EFI_INVALID_PARAMETER, "invalid parameter"},
        {EFI_DEVICE_ERROR, "device error"},
        {EFI_VOLUME_CORRUPTED, "volume corrupted"},
        {EFI_ACCESS_DENIED, "access denied"},
        {EFI_NO_MEDIA, "no media"},
        {EFI_UNSUPPORTED, "unsupported"},
        {EFI_END_OF_FILE, "unexpected end of file"},
    };
    static char hex[24];
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (known[i].status == s)
            return known[i].text;
    }
    mm_snprintf(hex, sizeof(hex), "status 0x%llx", (unsigned long long)s);
    return hex;
}

static bool guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (size_t i = 0; i < sizeof(EFI_GUID); i++) {
        if (x[i] != y[i])
            return false;
    }
    return true;
}

static uint64_t config_table_lookup(const EFI_SYSTEM_TABLE *st, const EFI_GUID *guid)
{
    for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
        if (guid_equal(&st->ConfigurationTable[i].VendorGuid, guid))
            return (uint64_t)(uintptr_t)st->ConfigurationTable[i].VendorTable;
    }
    return 0;
}

uint64_t fw_find_rsdp(const EFI_SYSTEM_TABLE *st)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    EFI_GUID acpi10 = ACPI_TABLE_GUID;
    uint64_t rsdp = config_table_lookup(st, &acpi20);
    return rsdp ? rsdp : config_table_lookup(st, &acpi10);
}

/* The entry point of `guid` when it is there and valid. */
static uint64_t smbios_entry(const EFI_SYSTEM_TABLE *st, EFI_GUID guid)
{
    uint64_t ep = config_table_lookup(st, &guid);
    if (!ep || bc_smbios_validate((const uint8_t *)(uintptr_t)ep, BC_SMBIOS_EP_MAX, NULL) != MM_OK)
        return 0;
    return ep;
}

uint64_t fw_find_smbios(const EFI_SYSTEM_TABLE *st)
{
    uint64_t ep = smbios_entry(st, (EFI_GUID)SMBIOS3_TABLE_GUID);
    return ep ? ep : smbios_entry(st, (EFI_GUID)SMBIOS_TABLE_GUID);
}

/* ---- TSC calibration ---------------------------------------------------
 * Across the boot: (PM timer, TSC) pairs at efi_main and after the
 * prepare step, the PM timer followed past its wraps at every driver
 * stamp (boot/common/tscal.h). Being descheduled anywhere except inside a
 * pair does not change the ratio. Fallbacks when the span is missing or
 * too short: pairs around a Stall, then (no PM timer) the shortest of a
 * few Stall windows measured with the TSC alone. */

static bc_tsc_pm pm;

/* Tables are identity-mapped while boot services run. */
static const void *identity(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    (void)len;
    return (const void *)(uintptr_t)phys;
}

void fw_tsc_span_start(uint64_t rsdp)
{
    bc_tsc_pm_start(&pm, rsdp, identity);
}

uint64_t fw_tsc_stamp(void)
{
    return bc_tsc_pm_stamp(&pm);
}

uint64_t fw_tsc_span_finish(void)
{
    return bc_tsc_pm_finish(&pm, BC_TSC_SPAN_MIN_TICKS);
}

uint64_t fw_tsc_cpuid_hz(void)
{
    return bc_tsc_cpuid_hz_now();
}

static uint64_t tsc_hz_from_pm_timer(EFI_BOOT_SERVICES *bs, uint64_t rsdp, uint32_t window_us)
{
    bc_tsc_pm w = {0};
    bc_tsc_pm_start(&w, rsdp, identity);
    if (!w.span.mask)
        return 0;
    bs->Stall(window_us);
    /* A counter that does not move (or wraps oddly) is no reference. */
    return bc_tsc_pm_finish(&w, BC_PM_TIMER_HZ / 10000u);
}

/* TSC ticks across one Stall(us); 0 when Stall fails. */
static uint64_t ticks_across_stall(EFI_BOOT_SERVICES *bs, uint32_t us)
{
    uint64_t t0 = rdtsc();
    if (EFI_ERROR(bs->Stall(us)))
        return 0;
    return rdtsc() - t0;
}

static uint64_t tsc_hz_from_stall(EFI_BOOT_SERVICES *bs, uint32_t window_us)
{
    uint32_t us = window_us / CALIBRATION_ROUNDS;
    if (us == 0)
        return 0;
    /* A Stall can only overrun (cold code, a descheduled vCPU): warm up
     * once and keep the shortest round. */
    ticks_across_stall(bs, 1);
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < CALIBRATION_ROUNDS; i++) {
        uint64_t t = ticks_across_stall(bs, us);
        if (t == 0)
            return 0;
        if (t < best)
            best = t;
    }
    return best * 1000000u / us;
}

uint64_t fw_tsc_frequency(EFI_BOOT_SERVICES *bs, uint64_t rsdp, uint32_t window_us,
                          const char **method)
{
    uint64_t hz = tsc_hz_from_pm_timer(bs, rsdp, window_us);
    *method = "ACPI PM timer around a Stall";
    if (hz == 0) {
        hz = tsc_hz_from_stall(bs, window_us);
        *method = "Stall";
    }
    return hz;
}

EFI_STATUS fw_memmap_query(EFI_BOOT_SERVICES *bs, UINTN *bytes, UINTN *desc_size)
{
    UINTN size = 0, key;
    UINT32 ver;
    EFI_STATUS s = bs->GetMemoryMap(&size, NULL, &key, desc_size, &ver);
    if (s != EFI_BUFFER_TOO_SMALL)
        return EFI_ERROR(s) ? s : EFI_DEVICE_ERROR;
    *bytes = size;
    return EFI_SUCCESS;
}

EFI_STATUS fw_memmap_read(EFI_BOOT_SERVICES *bs, struct fw_memmap *m)
{
    m->size = m->capacity;
    return bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key, &m->desc_size,
                            &m->desc_version);
}

EFI_STATUS fw_exit_attempt(EFI_BOOT_SERVICES *bs, EFI_HANDLE image, struct fw_memmap *m)
{
    EFI_STATUS s = fw_memmap_read(bs, m);
    return EFI_ERROR(s) ? s : bs->ExitBootServices(image, m->key);
}
