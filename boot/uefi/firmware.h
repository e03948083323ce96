/* Facts the loader asks the firmware before leaving boot services. */
#ifndef UEFI_FIRMWARE_H
#define UEFI_FIRMWARE_H

#include <efi.h>
#include <stdint.h>

/* Short English text for a UEFI status ("not found", ...); the hex code
 * for statuses without one. The text lives in a static buffer for the
 * latter case: use it before the next call. */
const char *fw_status_text(EFI_STATUS s);

/* Physical address of the ACPI RSDP from the configuration table: the ACPI
 * 2.0+ entry when present, else the ACPI 1.0 one; 0 when neither exists. */
uint64_t fw_find_rsdp(const EFI_SYSTEM_TABLE *st);

/* Physical address of the SMBIOS entry point from the configuration
 * table: the SMBIOS 3 ("_SM3_") entry when present and valid
 * (bc_smbios_validate), else the SMBIOS 2 ("_SM_") one; 0 when neither. */
uint64_t fw_find_smbios(const EFI_SYSTEM_TABLE *st);

/* TSC ticks per second over a window of `window_us` microseconds: against
 * the ACPI PM timer when the FADT (reached from `rsdp`) has one, else
 * against the firmware's Stall() alone. *method names the reference used.
 * 0 when no measurement made sense. */
uint64_t fw_tsc_frequency(EFI_BOOT_SERVICES *bs, uint64_t rsdp, uint32_t window_us,
                          const char **method);

/* Starts measuring the TSC against the ACPI PM timer of the FADT reached
 * from `rsdp` (nothing when there is none): call at the loader's entry. */
void fw_tsc_span_start(uint64_t rsdp);

/* A TSC reading; also follows the PM timer past its wraps (call at least
 * every few seconds while a span runs). */
uint64_t fw_tsc_stamp(void);

/* TSC ticks per second over the span from fw_tsc_span_start to now; 0
 * when no span runs or it is shorter than 2 ms (then fw_tsc_frequency). */
uint64_t fw_tsc_span_finish(void);

/* The TSC frequency CPUID leaves 0x15/0x16 report, 0 when they do not. */
uint64_t fw_tsc_cpuid_hz(void);

/* The raw UEFI memory map in a buffer the loader allocated once, so that
 * re-reading it (as ExitBootServices' retry requires) allocates nothing. */
struct fw_memmap {
    uint8_t *buf;    /* `capacity` bytes, EfiLoaderData */
    UINTN capacity;  /* bytes */
    UINTN size;      /* bytes filled by the last read */
    UINTN key;       /* map key of the last read */
    UINTN desc_size; /* firmware descriptor stride (not sizeof) */
    UINT32 desc_version;
};

/* Bytes a map buffer needs now (*bytes) and the descriptor stride, from a
 * size query; add room before allocating, allocation grows the map. */
EFI_STATUS fw_memmap_query(EFI_BOOT_SERVICES *bs, UINTN *bytes, UINTN *desc_size);

/* Reads the current map into m->buf (no allocation). */
EFI_STATUS fw_memmap_read(EFI_BOOT_SERVICES *bs, struct fw_memmap *m);

/* Reads the map into m->buf and calls ExitBootServices with its key: one
 * attempt. EFI_INVALID_PARAMETER means the key was stale (the map changed
 * since the read): the UEFI specification says to read and try again.
 * After the call, failed or not, the firmware may have shut boot services
 * down in part: only GetMemoryMap and ExitBootServices may follow, no
 * ConOut. On EFI_SUCCESS `m` holds the final map. */
EFI_STATUS fw_exit_attempt(EFI_BOOT_SERVICES *bs, EFI_HANDLE image, struct fw_memmap *m);

#endif
