/* SMBIOS entry point checks and the BIOS-area scan (smbios.h). */
#include "smbios.h"

#include "acpi.h"

#define SM3_MIN 24u /* "_SM3_" structure, SMBIOS 3.0 */
#define SM2_MIN 30u /* "_SM_": 31 in the specification, 30 in SMBIOS 2.1's typo */
#define DMI_OFF 16u /* "_DMI_" intermediate anchor */
#define DMI_LEN 15u

static bool anchor_is(const uint8_t *p, const char *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)a[i])
            return false;
    return true;
}

mm_status bc_smbios_validate(const uint8_t *p, size_t avail, bc_smbios_ep *out)
{
    if (!p || avail < 5)
        return MM_ERR_INVALID_ARGUMENT;
    bool is64 = anchor_is(p, "_SM3_", 5);
    if (!is64 && !anchor_is(p, "_SM_", 4))
        return MM_ERR_INVALID_ARGUMENT;
    /* The length byte: offset 6 in "_SM3_", 5 in "_SM_"; the version
     * follows it one byte further on in "_SM3_". */
    uint32_t at = is64 ? 6 : 5, min = is64 ? SM3_MIN : SM2_MIN;
    if (avail <= at + 2)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t len = p[at];
    if (len < min || len > BC_SMBIOS_EP_MAX || len > avail || bc_acpi_sum(p, len) != 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (!is64 && (avail < DMI_OFF + DMI_LEN || !anchor_is(p + DMI_OFF, "_DMI_", 5) ||
                  bc_acpi_sum(p + DMI_OFF, DMI_LEN) != 0))
        return MM_ERR_INVALID_ARGUMENT;
    if (out)
        *out = (bc_smbios_ep){len, p[at + 1], p[at + 2], is64};
    return MM_OK;
}

/* One pass: an "_SM3_" ends it, the first "_SM_" is kept in case none
 * follows. Most of the area is code and data; the anchor's first byte
 * turns nearly all of it away before a call is made (the scan ran two
 * passes of two string compares a paragraph, a fifth of the BIOS
 * loader's instructions). */
mm_status bc_smbios_scan(const uint8_t *area, size_t len, size_t *offset)
{
    size_t sm2 = SIZE_MAX;
    bc_smbios_ep ep;
    for (size_t off = 0; area && off + 16 <= len; off += 16) {
        if (area[off] != '_' || bc_smbios_validate(area + off, len - off, &ep) != MM_OK)
            continue;
        if (ep.is64) {
            *offset = off;
            return MM_OK;
        }
        if (sm2 == SIZE_MAX)
            sm2 = off;
    }
    if (sm2 == SIZE_MAX)
        return MM_ERR_NOT_FOUND;
    *offset = sm2;
    return MM_OK;
}
