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

/* Reads `size` bytes from the position of `f` into `buf`; short reads are an
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

static EFI_STATUS open_file(EFI_FILE_HANDLE root, const char *path, EFI_FILE_HANDLE *f)
{
    CHAR16 wpath[FS_PATH_MAX];
    if (!to_uefi_path(path, wpath, FS_PATH_MAX))
        return EFI_INVALID_PARAMETER;
    return root->Open(root, f, wpath, EFI_FILE_MODE_READ, 0);
}

EFI_STATUS fs_size(EFI_FILE_HANDLE root, const char *path, uint64_t *size)
{
    EFI_FILE_HANDLE f;
    EFI_STATUS s = open_file(root, path, &f);
    if (EFI_ERROR(s))
        return s;
    s = file_size(f, size);
    f->Close(f);
    return s;
}

EFI_STATUS fs_read_into(EFI_FILE_HANDLE root, const char *path, uint64_t offset, void *dst,
                        uint64_t size)
{
    EFI_FILE_HANDLE f;
    EFI_STATUS s = open_file(root, path, &f);
    if (EFI_ERROR(s))
        return s;
    if (offset)
        s = f->SetPosition(f, offset);
    if (!EFI_ERROR(s))
        s = read_all(f, dst, size);
    f->Close(f);
    return s;
}
