/* SMBIOS entry points: the "_SM3_" (SMBIOS 3, 64-bit table address) and
 * "_SM_" (2.1, 32-bit) structures that say where the SMBIOS tables are.
 * The loaders find one (BIOS: a scan of the BIOS area; UEFI: the
 * configuration table) and hand it over, e.g. as the Multiboot 2 SMBIOS
 * tag. Firmware-neutral; nothing is written. */
#ifndef BC_SMBIOS_H
#define BC_SMBIOS_H

#include "mm/base.h"

#define BC_SMBIOS_SCAN_BASE 0xf0000u  /* BIOS: the anchors lie in [base, end) ... */
#define BC_SMBIOS_SCAN_END  0x100000u /* ... on 16-byte boundaries */
#define BC_SMBIOS_EP_MAX    32u       /* bytes read of an entry point at most */

/* A valid entry point. */
typedef struct bc_smbios_ep {
    uint32_t length; /* bytes of the structure (its length byte) */
    uint8_t major;   /* SMBIOS version */
    uint8_t minor;
    uint8_t is64; /* 1 for "_SM3_" */
} bc_smbios_ep;

/* Checks the entry point at `p`, of which `avail` bytes may be read:
 * "_SM3_" with a length byte in [24, 32] and its bytes summing to 0, or
 * "_SM_" with a length byte in [30, 32], its bytes summing to 0 and the
 * "_DMI_" part at offset 16 with its 15 bytes summing to 0 (31 bytes
 * readable); the length must fit `avail`. MM_OK and *out filled (out may be NULL);
 * MM_ERR_INVALID_ARGUMENT for NULL `p` or any rule broken, *out
 * untouched. */
mm_status bc_smbios_validate(const uint8_t *p, size_t avail, bc_smbios_ep *out);

/* Scans area[0 .. len) (its first byte 16-byte aligned) at 16-byte
 * steps for a valid entry point: the first "_SM3_", else the first
 * "_SM_". MM_OK and its offset in *offset; MM_ERR_NOT_FOUND when there
 * is none (and for a NULL area). */
mm_status bc_smbios_scan(const uint8_t *area, size_t len, size_t *offset);

#endif
