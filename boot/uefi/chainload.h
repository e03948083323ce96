/* boot.cfg protocol=efi: starts another EFI application (a shell, an OS
 * loader) from a file the loader already read, and comes back when it
 * returns, so the boot driver can show the menu again. */
#ifndef UEFI_CHAINLOAD_H
#define UEFI_CHAINLOAD_H

#include <efi.h>

/* What to start. All pointers are the caller's and only read. */
struct uefi_chainload {
    EFI_HANDLE parent;   /* the loader's own image handle */
    EFI_HANDLE device;   /* the volume the file is on (LoadedImage->DeviceHandle) */
    const char *path;    /* its '/'-separated path there, UTF-8: the image's FilePath */
    const void *image;   /* the whole PE file, read by the caller */
    UINTN size;          /* bytes at `image` */
    const char *cmdline; /* UTF-8; becomes the LoadOptions (UCS-2, 0-terminated); "" = none */
};

/* LoadImage()s req->image with a device path of req->device's path plus a
 * file node for req->path, sets its LoadOptions from req->cmdline, and
 * StartImage()s it. Returns when the application returns (or fails to
 * load), with everything this function allocated freed again; boot
 * services stay usable.
 * Returns EFI_SUCCESS when the application returned EFI_SUCCESS, else the
 * first failing status: of the pool allocations, of LoadImage (e.g.
 * EFI_LOAD_ERROR / EFI_UNSUPPORTED for a file that is no EFI application
 * for this machine, EFI_SECURITY_VIOLATION), or the application's own
 * exit status from StartImage. *step (when not NULL) names what gave the
 * status: "allocate", "LoadImage", "LoadedImage protocol" or "StartImage". */
EFI_STATUS uefi_chainload(EFI_BOOT_SERVICES *bs, const struct uefi_chainload *req,
                          const char **step);

#endif
