#include "fs.h"

#include <stdbool.h>
#include <stddef.h>

#include "common/text.h"
#include "mm/base.h"

#define PAGE_SIZE  4096u
#define PAGE_SHIFT 12

EFI_STATUS fs_open_root(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, struct fs_volume *v)
{
    v->file = NULL;
    EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
    EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
    EFI_STATUS s = bs->HandleProtocol(device, &fs_guid, (void **)&sfs);
    if (EFI_ERROR(s))
        return s;
    return sfs->OpenVolume(sfs, &v->root);
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

void fs_close_file(struct fs_volume *v)
{
    if (v->file)
        v->file->Close(v->file);
    v->file = NULL;
}

/* The file at `path`: the one kept open, or opened now in its place. */
static EFI_STATUS open_file(struct fs_volume *v, const char *path, EFI_FILE_HANDLE *f)
{
    if (v->file && mm_str_eq(v->path, path)) {
        *f = v->file;
        return EFI_SUCCESS;
    }
    fs_close_file(v);
    CHAR16 wpath[FS_PATH_MAX];
    if (!to_uefi_path(path, wpath, FS_PATH_MAX))
        return EFI_INVALID_PARAMETER;
    EFI_STATUS s = v->root->Open(v->root, f, wpath, EFI_FILE_MODE_READ, 0);
    if (EFI_ERROR(s))
        return s;
    /* Shorter than FS_PATH_MAX: to_uefi_path took it. */
    mm_memcpy(v->path, path, bc_strnlen(path, FS_PATH_MAX) + 1);
    v->file = *f;
    v->pos = 0;
    return EFI_SUCCESS;
}

EFI_STATUS fs_size(struct fs_volume *v, const char *path, uint64_t *size)
{
    EFI_FILE_HANDLE f;
    EFI_STATUS s = open_file(v, path, &f);
    return EFI_ERROR(s) ? s : file_size(f, size);
}

EFI_STATUS fs_read_into(struct fs_volume *v, const char *path, uint64_t offset, void *dst,
                        uint64_t size)
{
    EFI_FILE_HANDLE f;
    EFI_STATUS s = open_file(v, path, &f);
    if (EFI_ERROR(s))
        return s;
    /* A file read whole after its size is at its start already: no call. */
    if (v->pos != offset)
        s = f->SetPosition(f, offset);
    if (!EFI_ERROR(s))
        s = read_all(f, dst, size);
    if (EFI_ERROR(s))
        fs_close_file(v); /* its position unknown: the next read opens it anew */
    else
        v->pos = offset + size;
    return s;
}
