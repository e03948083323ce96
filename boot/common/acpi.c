/* RSDP, root table walk and MADT parsing (see acpi.h). */
#include "acpi.h"

#include "text.h"

uint8_t bc_acpi_sum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

static bool sig_is(const uint8_t *p, const char *sig, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}

static mm_status refuse(bc_text *t, const char *what)
{
    bc_text_str(t, what);
    return MM_ERR_INVALID_ARGUMENT;
}

mm_status bc_rsdp_validate(const uint8_t *p, size_t avail, bc_acpi *out, char *why, size_t why_len)
{
    bc_text t;
    bc_text_init(&t, why, why ? why_len : 0);
    if (!p || !out || avail < BC_RSDP_V1_SIZE)
        return refuse(&t, "RSDP: missing or shorter than 20 bytes");
    if (!sig_is(p, "RSD PTR ", 8))
        return refuse(&t, "RSDP: signature is not \"RSD PTR \"");
    if (bc_acpi_sum(p, BC_RSDP_V1_SIZE) != 0)
        return refuse(&t, "RSDP: checksum of the first 20 bytes is not 0");
    uint8_t rev = p[15];
    if (rev == 1)
        return refuse(&t, "RSDP: revision 1 is not defined");
    if (rev >= 2) {
        uint32_t len = avail >= BC_RSDP_V2_SIZE ? mm_load_le32(p + 20) : 0;
        if (len < BC_RSDP_V2_SIZE || len > avail)
            return refuse(&t, "RSDP: revision 2 length below 36 or past the readable bytes");
        if (bc_acpi_sum(p, len) != 0)
            return refuse(&t, "RSDP: extended checksum is not 0");
    }
    out->revision = rev;
    out->rsdt = mm_load_le32(p + 16);
    out->xsdt = rev >= 2 ? mm_load_le64(p + 24) : 0;
    mm_memcpy(out->oem_id, p + 9, 6);
    out->oem_id[6] = '\0';
    return MM_OK;
}

mm_status bc_rsdp_scan(const uint8_t *area, size_t len, size_t *offset)
{
    bc_acpi found;
    /* The first byte turns nearly every paragraph away before a call. */
    for (size_t off = 0; area && off + BC_RSDP_V1_SIZE <= len; off += 16) {
        if (area[off] == 'R' && bc_rsdp_validate(area + off, len - off, &found, NULL, 0) == MM_OK) {
            *offset = off;
            return MM_OK;
        }
    }
    return MM_ERR_NOT_FOUND;
}

static mm_status table_check(const uint8_t *p, size_t avail, const char *sig, bc_text *t)
{
    if (!p || !sig || avail < BC_ACPI_HEADER_SIZE)
        return refuse(t, "table header missing or shorter than 36 bytes");
    bc_text_strn(t, sig, 4);
    if (!sig_is(p, sig, 4))
        return refuse(t, ": signature does not match");
    uint32_t len = mm_load_le32(p + 4);
    if (len < BC_ACPI_HEADER_SIZE || len > avail || len > BC_ACPI_TABLE_MAX)
        return refuse(t, ": length below 36 or past the readable bytes");
    if (bc_acpi_sum(p, len) != 0)
        return refuse(t, ": checksum is not 0");
    t->len = 0;
    if (t->cap)
        t->p[0] = '\0';
    return MM_OK;
}

mm_status bc_acpi_table_validate(const uint8_t *p, size_t avail, const char *sig, char *why,
                                 size_t why_len)
{
    bc_text t;
    bc_text_init(&t, why, why ? why_len : 0);
    return table_check(p, avail, sig, &t);
}

/* The table at `phys` mapped whole: header first, then its length. */
static const uint8_t *map_table(const bc_acpi *a, uint64_t phys, const char *sig, bc_text *t)
{
    const uint8_t *h = (const uint8_t *)a->map(a->ctx, phys, BC_ACPI_HEADER_SIZE);
    if (!h) {
        refuse(t, "table address not reachable");
        return NULL;
    }
    uint32_t len = mm_load_le32(h + 4);
    if (len < BC_ACPI_HEADER_SIZE || len > BC_ACPI_TABLE_MAX) {
        bc_text_strn(t, sig, 4);
        refuse(t, ": length below 36 or above 1 MiB");
        return NULL;
    }
    const uint8_t *p = (const uint8_t *)a->map(a->ctx, phys, len);
    if (!p) {
        refuse(t, "table not reachable over its length");
        return NULL;
    }
    return table_check(p, len, sig, t) == MM_OK ? p : NULL;
}

static mm_status init_root(bc_acpi *a, bc_text *t)
{
    bool x = a->revision >= 2 && a->xsdt != 0;
    a->root = x ? a->xsdt : a->rsdt;
    a->entry_size = x ? 8 : 4;
    if (a->root == 0)
        return refuse(t, "RSDP names no RSDT or XSDT");
    const uint8_t *p = map_table(a, a->root, x ? "XSDT" : "RSDT", t);
    if (!p)
        return MM_ERR_INVALID_ARGUMENT;
    a->entries = (mm_load_le32(p + 4) - BC_ACPI_HEADER_SIZE) / a->entry_size;
    return MM_OK;
}

mm_status bc_acpi_init(bc_acpi *a, uint64_t rsdp_phys, bc_acpi_map_fn map, void *ctx, char *why,
                       size_t why_len)
{
    bc_text t;
    bc_text_init(&t, why, why ? why_len : 0);
    if (!a || !map)
        return refuse(&t, "no result or map function");
    mm_memset(a, 0, sizeof *a);
    const uint8_t *p = rsdp_phys ? (const uint8_t *)map(ctx, rsdp_phys, BC_RSDP_V1_SIZE) : NULL;
    if (!p)
        return refuse(&t, "RSDP address not reachable");
    size_t avail = BC_RSDP_V1_SIZE;
    if (p[15] >= 2) { /* the extended form: read the whole 36 bytes */
        const uint8_t *p2 = (const uint8_t *)map(ctx, rsdp_phys, BC_RSDP_V2_SIZE);
        if (p2) {
            p = p2;
            avail = BC_RSDP_V2_SIZE;
        }
    }
    mm_status st = bc_rsdp_validate(p, avail, a, why, why_len);
    if (st == MM_OK) {
        a->map = map;
        a->ctx = ctx;
        st = init_root(a, &t);
    }
    if (st != MM_OK)
        mm_memset(a, 0, sizeof *a);
    return st;
}

static uint64_t root_entry(const bc_acpi *a, const uint8_t *root, uint32_t i)
{
    const uint8_t *e = root + BC_ACPI_HEADER_SIZE + (size_t)i * a->entry_size;
    return a->entry_size == 8 ? mm_load_le64(e) : mm_load_le32(e);
}

const uint8_t *bc_acpi_table(const bc_acpi *a, uint64_t phys, const char *sig, uint32_t *len)
{
    bc_text t;
    bc_text_init(&t, NULL, 0);
    if (!a || !a->map || !sig || phys == 0)
        return NULL;
    const uint8_t *p = map_table(a, phys, sig, &t);
    if (p && len)
        *len = mm_load_le32(p + 4);
    return p;
}

mm_status bc_acpi_find(const bc_acpi *a, const char *sig, uint32_t index, uint64_t *phys)
{
    if (!a || !a->map || !sig || !phys)
        return MM_ERR_INVALID_ARGUMENT;
    const uint8_t *root = bc_acpi_table(a, a->root, a->entry_size == 8 ? "XSDT" : "RSDT", NULL);
    if (!root)
        return MM_ERR_NOT_FOUND;
    for (uint32_t i = 0; i < a->entries; i++) {
        uint64_t at = root_entry(a, root, i);
        if (!bc_acpi_table(a, at, sig, NULL))
            continue;
        if (index-- == 0) {
            *phys = at;
            return MM_OK;
        }
    }
    return MM_ERR_NOT_FOUND;
}

/* ---- MADT ---- */

#define MADT_ENTRIES_OFF 44u

/* The CPU entry at `e` (length checked) as a bc_madt_cpu; false for
 * other types or a CPU that is neither enabled nor online-capable. */
static bool cpu_of(const uint8_t *e, bc_madt_cpu *c)
{
    const uint32_t flag_bits = BC_MADT_ENABLED | BC_MADT_ONLINE_CAPABLE;
    if (e[0] == BC_MADT_LAPIC)
        *c = (bc_madt_cpu){e[3], e[2], mm_load_le32(e + 4) & flag_bits, BC_MADT_LAPIC};
    else if (e[0] == BC_MADT_X2APIC)
        *c = (bc_madt_cpu){mm_load_le32(e + 4), mm_load_le32(e + 12),
                           mm_load_le32(e + 8) & flag_bits, BC_MADT_X2APIC};
    else
        return false;
    return c->flags != 0;
}

/* Whether an entry in [MADT_ENTRIES_OFF, end), already walked and so well
 * formed, lists `apic_id`. Scans the table rather than the caller's array
 * so that counting without storage gives the same answer. */
static bool listed_before(const uint8_t *p, uint32_t end, uint32_t apic_id)
{
    bc_madt_cpu c;
    for (uint32_t off = MADT_ENTRIES_OFF; off < end; off += p[off + 1])
        if (cpu_of(p + off, &c) && c.apic_id == apic_id)
            return true;
    return false;
}

/* Minimum length of an entry of `type` this parser reads. */
static uint32_t min_len(uint8_t type)
{
    switch (type) {
    case BC_MADT_LAPIC:
        return 8;
    case BC_MADT_X2APIC:
        return 16;
    case BC_MADT_LAPIC_ADDR64:
        return 12;
    default:
        return 2;
    }
}

/* The well-formed entry at `off`: one CPU, the LAPIC address override, or
 * nothing. */
static void madt_entry(const uint8_t *p, uint32_t off, bc_madt *out, bc_madt_cpu *cpus,
                       uint32_t capacity)
{
    const uint8_t *e = p + off;
    bc_madt_cpu c;
    if (e[0] == BC_MADT_LAPIC_ADDR64) {
        out->lapic_addr = mm_load_le64(e + 4);
    } else if (cpu_of(e, &c) && !listed_before(p, off, c.apic_id)) {
        if (out->stored < capacity)
            cpus[out->stored++] = c;
        out->count++;
    }
}

mm_status bc_madt_parse(const uint8_t *p, uint32_t len, bc_madt *out, bc_madt_cpu *cpus,
                        uint32_t capacity)
{
    if (!p || !out || len < MADT_ENTRIES_OFF || (capacity && !cpus))
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(out, 0, sizeof *out);
    out->lapic_addr = mm_load_le32(p + 36);
    out->madt_flags = mm_load_le32(p + 40);
    for (uint32_t off = MADT_ENTRIES_OFF; off < len;) {
        if (len - off < 2 || p[off + 1] < min_len(p[off]) || p[off + 1] > len - off)
            return MM_ERR_MAP_INVALID;
        madt_entry(p, off, out, cpus, capacity);
        off += p[off + 1];
    }
    return out->count > out->stored ? MM_ERR_BUFFER_TOO_SMALL : MM_OK;
}
