/* The test launchers' whole-file read: fs_size, fresh pages, fs_read_into. */
#ifndef TESTS_CHAINLOAD_EFI_FILE_H
#define TESTS_CHAINLOAD_EFI_FILE_H

#include "uefi/fs.h"

struct efi_file {
    EFI_PHYSICAL_ADDRESS phys; /* 0 when nothing was allocated */
    uint64_t size;             /* bytes of file data */
    UINTN pages;
};

/* Reads `path` into fresh pages; EFI_BAD_BUFFER_SIZE over `max` bytes. */
static inline EFI_STATUS efi_file_read(EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE root,
                                       const char *path, uint64_t max, struct efi_file *f)
{
    EFI_STATUS s = fs_size(root, path, &f->size);
    if (!EFI_ERROR(s) && f->size > max)
        s = EFI_BAD_BUFFER_SIZE;
    f->pages = (UINTN)((f->size + 4095) >> 12) + 1;
    if (!EFI_ERROR(s))
        s = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, f->pages, &f->phys);
    if (!EFI_ERROR(s))
        s = fs_read_into(root, path, (void *)(uintptr_t)f->phys, f->size);
    return s;
}

static inline void efi_file_free(EFI_BOOT_SERVICES *bs, struct efi_file *f)
{
    if (f->phys)
        bs->FreePages(f->phys, f->pages);
    f->phys = 0;
}

#endif
