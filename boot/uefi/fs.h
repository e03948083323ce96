/* Files on the loader's own volume (the partition BOOTX64.EFI came from). */
#ifndef UEFI_FS_H
#define UEFI_FS_H

#include <efi.h>
#include <stdint.h>

/* Opens the root directory of the file system on `device` (the loader's
 * own: its LoadedImage->DeviceHandle). Returns the firmware's status;
 * *root is valid only on EFI_SUCCESS. */
EFI_STATUS fs_open_root(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, EFI_FILE_HANDLE *root);

/* Size in bytes of the file at ASCII `path` ('/' separated). */
EFI_STATUS fs_size(EFI_FILE_HANDLE root, const char *path, uint64_t *size);

/* Reads `size` bytes of the file at `path` from byte `offset` into `dst`;
 * EFI_END_OF_FILE when the file ends sooner. */
EFI_STATUS fs_read_into(EFI_FILE_HANDLE root, const char *path, uint64_t offset, void *dst,
                        uint64_t size);

#endif
