#include "fs.h"

#include <stdbool.h>
#include <stddef.h>

#define FS_PATH_MAX 256
#define PAGE_SIZE   4096u
#define PAGE_SHIFT  12

EFI_STATUS fs_open_root(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, EFI_FILE_HANDLE *root)
{
    EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
    EFI_STATUS s = bs->HandleProtocol(device, &fs_guid, (void **)&sfs);
    if (EFI_ERROR(s))
        return s;
    return sfs->OpenVolume(sfs, root);
}

/* Converts '/'-separated ASCII to a UEFI path ("\\"-separated UCS-2).
 * Returns false when it does not fit. */
static bool to_uefi_path(const char *path, CHAR16 *out, size_t cap)
{
    size_t i = 0;
    for (; path[i]; i++) {
        if (i + 1 >= cap)
            return false;
        out[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
    }
    out[i] = 0;
    return true;
}

/* File size through GetInfo; EFI_FILE_INFO ends with the file name, so the
 * buffer leaves room for one. */
static EFI_STATUS file_size(EFI_FILE_HANDLE f, uint64_t *size)
{
    EFI_GUID info_guid = EFI_FILE_INFO_ID;
    union {
        EFI_FILE_INFO info;
        uint8_t raw[sizeof(EFI_FILE_INFO) + FS_PATH_MAX * sizeof(CHAR16)];
    } u;
    UINTN len = sizeof(u);
    EFI_STATUS s = f->GetInfo(f, &info_guid, &len, &u.info);
    if (!EFI_ERROR(s))
        *size = u.info.FileSize;
    return s;
}

/* Reads `size` bytes from the start of `f` into `buf`; short reads are an
 * error (the size came from the file system itself). */
static EFI_STATUS read_all(EFI_FILE_HANDLE f, void *buf, uint64_t size)
{
    uint8_t *p = buf;
    while (size) {
        UINTN n = size;
        EFI_STATUS s = f->Read(f, &n, p);
        if (EFI_ERROR(s))
            return s;
        if (n == 0)
            return EFI_END_OF_FILE;
        p += n;
        size -= n;
    }
    return EFI_SUCCESS;
}

static EFI_STATUS read_open_file(EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE f, uint64_t max_size,
                                 struct fs_file *out)
{
    uint64_t size;
    EFI_STATUS s = file_size(f, &size);
    if (EFI_ERROR(s))
        return s;
    if (size > max_size)
        return EFI_BAD_BUFFER_SIZE;
    uint64_t pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    EFI_PHYSICAL_ADDRESS phys = 0;
    if (pages) {
        s = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &phys);
        if (EFI_ERROR(s))
            return s;
        s = read_all(f, (void *)(uintptr_t)phys, size);
        if (EFI_ERROR(s)) {
            bs->FreePages(phys, pages);
            return s;
        }
    }
    out->phys = phys;
    out->size = size;
    out->pages = pages;
    return EFI_SUCCESS;
}

EFI_STATUS fs_read(EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE root, const char *path, uint64_t max_size,
                   struct fs_file *out)
{
    CHAR16 wpath[FS_PATH_MAX];
    EFI_FILE_HANDLE f;
    if (!to_uefi_path(path, wpath, FS_PATH_MAX))
        return EFI_INVALID_PARAMETER;
    EFI_STATUS s = root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(s))
        return s;
    s = read_open_file(bs, f, max_size, out);
    f->Close(f);
    return s;
}

void fs_free(EFI_BOOT_SERVICES *bs, struct fs_file *f)
{
    if (f->pages)
        bs->FreePages(f->phys, f->pages);
    f->phys = f->size = f->pages = 0;
}
