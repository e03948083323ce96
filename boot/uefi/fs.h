/* Files on the loader's own volume (the partition BOOTX64.EFI came from). */
#ifndef UEFI_FS_H
#define UEFI_FS_H

#include <efi.h>
#include <stdint.h>

/* A file read whole into pages the loader allocated (EfiLoaderData).
 * `pages` is what fs_free() gives back. */
struct fs_file {
    uint64_t phys; /* first byte, identity-mapped while boot services run */
    uint64_t size; /* bytes of file data */
    uint64_t pages;
};

/* Opens the root directory of the file system on `device` (the loader's
 * own: its LoadedImage->DeviceHandle). Returns the firmware's status;
 * *root is valid only on EFI_SUCCESS. */
EFI_STATUS fs_open_root(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, EFI_FILE_HANDLE *root);

/* Reads the file at ASCII `path` ('/' separated, relative to the root) into
 * fresh pages. Returns EFI_NOT_FOUND when it does not exist, EFI_BAD_BUFFER_SIZE
 * when it is larger than `max_size` bytes, else the firmware's status. */
EFI_STATUS fs_read(EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE root, const char *path, uint64_t max_size,
                   struct fs_file *out);

/* Returns the pages of a file read by fs_read (no-op for an empty struct). */
void fs_free(EFI_BOOT_SERVICES *bs, struct fs_file *f);

#endif
