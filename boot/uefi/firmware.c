#include "firmware.h"

#include "mm/fmt.h"
#include "port.h"

#define EBS_MAX_ATTEMPTS   4
#define CALIBRATION_ROUNDS 2u

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

/* TSC ticks across one Stall(us); 0 when Stall fails. */
static uint64_t ticks_across_stall(EFI_BOOT_SERVICES *bs, uint32_t us)
{
    uint64_t t0 = rdtsc();
    if (EFI_ERROR(bs->Stall(us)))
        return 0;
    return rdtsc() - t0;
}

uint64_t fw_tsc_frequency(EFI_BOOT_SERVICES *bs, uint32_t window_us)
{
    if (window_us < CALIBRATION_ROUNDS)
        return 0;
    uint32_t us = window_us / CALIBRATION_ROUNDS;
    /* A Stall can only overrun (the first call also pays for cold code, and
     * under emulation the vCPU may be descheduled): warm up once and keep
     * the shortest of the rounds. */
    ticks_across_stall(bs, 1);
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < CALIBRATION_ROUNDS; i++) {
        uint64_t t = ticks_across_stall(bs, us);
        if (t == 0)
            return 0;
        if (t < best)
            best = t;
    }
    /* Ticks per second; the 64-bit divide is native on x86-64. */
    return best * 1000000u / us;
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

EFI_STATUS fw_exit_boot_services(EFI_BOOT_SERVICES *bs, EFI_HANDLE image, struct fw_memmap *m,
                                 uint32_t *attempts)
{
    EFI_STATUS s = EFI_INVALID_PARAMETER;
    *attempts = 0;
    while (*attempts < EBS_MAX_ATTEMPTS) {
        ++*attempts;
        s = fw_memmap_read(bs, m);
        if (EFI_ERROR(s))
            return s;
        s = bs->ExitBootServices(image, m->key);
        if (s != EFI_INVALID_PARAMETER)
            return s;
    }
    return s;
}
