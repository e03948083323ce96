/* BOOTX64.EFI travels packed: a small stub application (boot/uefi/stub/)
 * carries the loader as a packed body (boot/common/pack.h), unpacks it, has the firmware
 * load it from memory (LoadImage with a source buffer: relocation and the
 * loaded-image protocol as for any image) and starts it with these
 * LoadOptions, so the loader knows the volume the stub came from and when
 * the boot began. Halving the file keeps the loader inside its 96 KiB
 * budget; a loader started directly (no such options) still works. */
#ifndef UEFI_PACKED_H
#define UEFI_PACKED_H

#include <efi.h>
#include <stdint.h>

#define UEFI_PACKED_MAGIC 0x31424b50534f4dull /* "MOSPKB1" */

struct uefi_packed_args {
    uint64_t magic;     /* UEFI_PACKED_MAGIC */
    uint64_t tsc_entry; /* TSC at the stub's first instruction of C */
    EFI_HANDLE device;  /* the volume BOOTX64.EFI was loaded from */
};

#endif
