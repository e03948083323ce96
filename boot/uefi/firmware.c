#include "firmware.h"

#include "mm/fmt.h"
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

/* ---- TSC calibration ---------------------------------------------------
 * Preferred: against the ACPI PM timer (3.579545 MHz, found through the
 * FADT), reading (PM timer, TSC) pairs before and after a Stall. Being
 * descheduled anywhere except inside a pair does not change the ratio,
 * and a pair that took too long is read again. Fallback (no PM timer):
 * the shortest of a few Stall windows measured with the TSC alone. */

#define PM_TIMER_HZ       3579545u
#define PM_PAIR_MAX_TICKS 4u /* a pair is tight if both PM reads are this close */
#define PM_PAIR_TRIES     16u

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p)
{
    return read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

static bool sig_is(const uint8_t *p, const char *sig)
{
    return p[0] == sig[0] && p[1] == sig[1] && p[2] == sig[2] && p[3] == sig[3];
}

/* The FADT ("FACP") through the XSDT (or the RSDT for ACPI 1.0); NULL if
 * absent. Tables are identity-mapped while boot services run. */
static const uint8_t *find_fadt(uint64_t rsdp_addr)
{
    const uint8_t *rsdp = (const uint8_t *)(uintptr_t)rsdp_addr;
    if (!rsdp)
        return NULL;
    bool x = rsdp[15] >= 2 && read_u64(rsdp + 24) != 0;
    const uint8_t *sdt =
        (const uint8_t *)(uintptr_t)(x ? read_u64(rsdp + 24) : read_u32(rsdp + 16));
    if (!sdt)
        return NULL;
    uint32_t len = read_u32(sdt + 4), step = x ? 8 : 4;
    for (uint32_t off = 36; off + step <= len; off += step) {
        const uint8_t *t =
            (const uint8_t *)(uintptr_t)(x ? read_u64(sdt + off) : read_u32(sdt + off));
        if (t && sig_is(t, "FACP"))
            return t;
    }
    return NULL;
}

/* PM timer I/O port and counter mask from the FADT; false if none. */
static bool pm_timer(uint64_t rsdp, uint16_t *port, uint32_t *mask)
{
    const uint8_t *fadt = find_fadt(rsdp);
    if (!fadt)
        return false;
    uint32_t len = read_u32(fadt + 4);
    uint64_t p = len >= 80 ? read_u32(fadt + 76) : 0; /* PM_TMR_BLK */
    /* X_PM_TMR_BLK (generic address, system I/O space) wins when set. */
    if (len >= 220 && fadt[208] == 1 && read_u64(fadt + 212))
        p = read_u64(fadt + 212);
    if (p == 0 || p > 0xffff)
        return false;
    *port = (uint16_t)p;
    *mask = (len >= 116 && (read_u32(fadt + 112) & (1u << 8))) ? 0xffffffffu : 0xffffffu;
    return true;
}

static uint32_t port_in32(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* A (PM timer, TSC) pair read close together; false if never tight. */
static bool pm_tsc_pair(uint16_t port, uint32_t mask, uint32_t *pm, uint64_t *tsc)
{
    for (uint32_t i = 0; i < PM_PAIR_TRIES; i++) {
        uint32_t a = port_in32(port) & mask;
        uint64_t t = rdtsc();
        uint32_t b = port_in32(port) & mask;
        if (((b - a) & mask) <= PM_PAIR_MAX_TICKS) {
            *pm = a;
            *tsc = t;
            return true;
        }
    }
    return false;
}

static uint64_t tsc_hz_from_pm_timer(EFI_BOOT_SERVICES *bs, uint64_t rsdp, uint32_t window_us)
{
    uint16_t port;
    uint32_t mask, pm0, pm1;
    uint64_t t0, t1;
    if (!pm_timer(rsdp, &port, &mask) || !pm_tsc_pair(port, mask, &pm0, &t0))
        return 0;
    bs->Stall(window_us);
    if (!pm_tsc_pair(port, mask, &pm1, &t1))
        return 0;
    uint32_t dpm = (pm1 - pm0) & mask;
    /* A counter that does not move (or wraps oddly) is no reference. */
    if (dpm < PM_TIMER_HZ / 10000u)
        return 0;
    return (t1 - t0) * PM_TIMER_HZ / dpm;
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
    *method = "ACPI PM timer";
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
