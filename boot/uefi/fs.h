/* Files on the loader's own volume (the partition BOOTX64.EFI came from). */
#ifndef UEFI_FS_H
#define UEFI_FS_H

#include <efi.h>
#include <stdint.h>

#define FS_PATH_MAX 256

/* The loader's volume and the one file it keeps open. The driver asks for
 * a file's size and then reads it, whole or in parts; each Open walks the
 * path's directories again and each Close tears the firmware's file state
 * down, so the file last named stays open until another is. */
struct fs_volume {
    EFI_FILE_HANDLE root;
    EFI_FILE_HANDLE file; /* open on `path`; NULL: none (also after a failed read) */
    uint64_t pos;         /* its position */
    char path[FS_PATH_MAX];
};

/* Opens the root directory of the file system on `device` (the loader's
 * own: its LoadedImage->DeviceHandle) into `v`, with no file open.
 * Returns the firmware's status; `v` is usable only on EFI_SUCCESS. */
EFI_STATUS fs_open_root(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, struct fs_volume *v);

/* Size in bytes of the file at ASCII `path` ('/' separated). */
EFI_STATUS fs_size(struct fs_volume *v, const char *path, uint64_t *size);

/* Reads `size` bytes of the file at `path` from byte `offset` into `dst`;
 * EFI_END_OF_FILE when the file ends sooner. */
EFI_STATUS fs_read_into(struct fs_volume *v, const char *path, uint64_t offset, void *dst,
                        uint64_t size);

/* Closes the file kept open, if any: before the firmware is left or
 * another image runs. */
void fs_close_file(struct fs_volume *v);

#endif
