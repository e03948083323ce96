/* ACPI table access for the loaders and the kernel: RSDP validation,
 * table lookup through the XSDT or RSDT, MADT parsing into a CPU list.
 *
 * Firmware-neutral and reentrant: every physical address is turned into a
 * pointer by a function the caller supplies (identity on the loaders, the
 * HHDM in the kernel, a buffer on the host), which also says how many bytes
 * may be read there. Multi-byte fields are read byte by byte
 * (mm_load_le32/64), so tables may sit at any alignment. Nothing is
 * written. */
#ifndef BC_ACPI_H
#define BC_ACPI_H

#include "mm/base.h"

#define BC_RSDP_V1_SIZE     20u        /* bytes the ACPI 1.0 checksum covers */
#define BC_RSDP_V2_SIZE     36u        /* bytes of an ACPI 2.0+ RSDP */
#define BC_ACPI_HEADER_SIZE 36u        /* common system description table header */
#define BC_ACPI_TABLE_MAX   (1u << 20) /* largest table length accepted, bytes */

/* Returns a pointer to `len` readable bytes at physical `phys`, or NULL
 * when that range cannot be reached. `ctx` is passed through unchanged. */
typedef const void *(*bc_acpi_map_fn)(void *ctx, uint64_t phys, uint64_t len);

/* A validated root: where the tables are listed and how. */
typedef struct bc_acpi {
    bc_acpi_map_fn map;
    void *ctx;
    uint8_t revision;    /* RSDP revision: 0 (ACPI 1.0) or >= 2 */
    uint64_t rsdt;       /* physical, from the RSDP */
    uint64_t xsdt;       /* physical, 0 when revision < 2 or absent */
    uint64_t root;       /* the table walked: the XSDT when present, else the RSDT */
    uint32_t entry_size; /* 8 for the XSDT, 4 for the RSDT */
    uint32_t entries;    /* table pointers in the root */
    char oem_id[7];      /* from the RSDP, NUL-terminated */
} bc_acpi;

/* Sum of `len` bytes modulo 256; a valid ACPI structure sums to 0. */
uint8_t bc_acpi_sum(const uint8_t *p, size_t len);

/* Validates the RSDP at `p` of which `avail` bytes may be read: signature
 * "RSD PTR ", checksum of the first 20 bytes, revision 0 or >= 2, and for
 * revision >= 2 a length in [36, avail] and the extended checksum over it.
 * On MM_OK fills revision, rsdt, xsdt and oem_id of `*out` (others
 * untouched). MM_ERR_INVALID_ARGUMENT (NULL, too few bytes, any rule
 * broken) with the reason in `why` (`why_len` bytes, may be NULL). */
mm_status bc_rsdp_validate(const uint8_t *p, size_t avail, bc_acpi *out, char *why, size_t why_len);

/* Scans area[0 .. len) (its first byte 16-byte aligned) at 16-byte steps
 * for the first RSDP bc_rsdp_validate accepts with the bytes left in the
 * area: the BIOS's search of the EBDA's first KiB and of [0xE0000,
 * 0x100000). MM_OK and its offset in *offset; MM_ERR_NOT_FOUND when there
 * is none (and for a NULL area). Reads nothing at or past area + len. */
mm_status bc_rsdp_scan(const uint8_t *area, size_t len, size_t *offset);

/* Validates a system description table header at `p` (`avail` readable
 * bytes): signature `sig` (4 characters), length in [36, min(avail,
 * BC_ACPI_TABLE_MAX)], bytes summing to 0. MM_OK or
 * MM_ERR_INVALID_ARGUMENT with the reason in `why`. */
mm_status bc_acpi_table_validate(const uint8_t *p, size_t avail, const char *sig, char *why,
                                 size_t why_len);

/* Reads the RSDP at `rsdp_phys` through `map`, validates it, then the
 * XSDT (revision >= 2 and a non-zero XSDT address) or else the RSDT, and
 * fills `*a` to walk it. MM_OK; MM_ERR_INVALID_ARGUMENT for NULL
 * arguments, an address `map` refuses or any validation failure (reason
 * in `why`); `*a` is then zeroed. */
mm_status bc_acpi_init(bc_acpi *a, uint64_t rsdp_phys, bc_acpi_map_fn map, void *ctx, char *why,
                       size_t why_len);

/* Physical address of the `index`-th (from 0) table with signature `sig`
 * listed in the root whose header and checksum are valid (tables that
 * fail are skipped). MM_OK and *phys; MM_ERR_NOT_FOUND;
 * MM_ERR_INVALID_ARGUMENT for NULL arguments. */
mm_status bc_acpi_find(const bc_acpi *a, const char *sig, uint32_t index, uint64_t *phys);

/* Pointer to the whole validated table at `phys` with signature `sig`
 * (its length in *len), or NULL. */
const uint8_t *bc_acpi_table(const bc_acpi *a, uint64_t phys, const char *sig, uint32_t *len);

/* ---- MADT ---- */

#define BC_MADT_LAPIC        0u /* processor local APIC entry */
#define BC_MADT_LAPIC_ADDR64 5u /* local APIC address override */
#define BC_MADT_X2APIC       9u /* processor local x2APIC entry */

#define BC_MADT_ENABLED        1u /* MADT flag bit 0 */
#define BC_MADT_ONLINE_CAPABLE 2u /* MADT flag bit 1 (ACPI 6.3) */

/* One processor of the MADT. */
typedef struct bc_madt_cpu {
    uint32_t apic_id;
    uint32_t acpi_uid;
    uint32_t flags; /* BC_MADT_ENABLED | BC_MADT_ONLINE_CAPABLE as given */
    uint8_t type;   /* BC_MADT_LAPIC or BC_MADT_X2APIC */
} bc_madt_cpu;

typedef struct bc_madt {
    uint64_t lapic_addr; /* physical; the override when present */
    uint32_t madt_flags; /* bit 0: PC-AT compatible dual 8259 */
    uint32_t count;      /* CPUs found (may exceed the caller's capacity) */
    uint32_t stored;     /* CPUs written to the array: min(count, capacity) */
} bc_madt;

/* Parses the validated MADT of `len` bytes at `p` (as bc_acpi_table
 * returns it): local APIC (type 0) and x2APIC (type 9) entries whose flags
 * have ENABLED or ONLINE_CAPABLE are listed in table order into `cpus`
 * (`capacity` entries, may be 0 with cpus NULL to count); an APIC id
 * listed twice (some firmware gives both entry types) is kept once, the
 * first time (quadratic in the entries, which firmware keeps in the
 * hundreds); other
 * entry types are skipped. MM_OK; MM_ERR_BUFFER_TOO_SMALL when more CPUs
 * than `capacity` were found (the first `capacity` are stored, `count`
 * has them all); MM_ERR_MAP_INVALID when an entry is shorter than its type
 * needs or runs past the table (what came before is kept);
 * MM_ERR_INVALID_ARGUMENT for NULL or a table shorter than 44 bytes. */
mm_status bc_madt_parse(const uint8_t *p, uint32_t len, bc_madt *out, bc_madt_cpu *cpus,
                        uint32_t capacity);

#endif
