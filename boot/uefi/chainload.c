/* EFI chainloading (chainload.h). The device path matters beyond
 * LoadImage itself: the started image finds its own volume and directory
 * through LoadedImage->DeviceHandle/FilePath, as when the firmware's boot
 * manager starts it. */
#include "chainload.h"

#include "common/text.h"
#include "mm/base.h"

#define PATH_UNITS_MAX 256u /* UCS-2 units of a file path, with the 0 */

/* Bytes of `dp` before its end node (0 for NULL). */
static UINTN path_prefix_bytes(const EFI_DEVICE_PATH *dp)
{
    UINTN n = 0;
    while (dp && !IsDevicePathEndType(dp)) {
        UINTN len = DevicePathNodeLength(dp);
        if (len < sizeof *dp)
            break; /* malformed: keep what came before */
        n += len;
        dp = (const EFI_DEVICE_PATH *)((const UINT8 *)dp + len);
    }
    return n;
}

static void set_node(EFI_DEVICE_PATH *node, UINT8 type, UINT8 subtype, UINTN len)
{
    node->Type = type;
    node->SubType = subtype;
    node->Length[0] = (UINT8)(len & 0xff);
    node->Length[1] = (UINT8)(len >> 8);
}

/* The volume's device path + a file path node for `path` + the end node,
 * in pool memory (*out, freed by the caller with FreePool). */
static EFI_STATUS file_device_path(EFI_BOOT_SERVICES *bs, EFI_HANDLE device, const char *path,
                                   EFI_DEVICE_PATH **out)
{
    EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
    EFI_DEVICE_PATH *volume = NULL;
    uint16_t name[PATH_UNITS_MAX];
    size_t units = 0;
    if (bc_utf8_to_ucs2(path, name, PATH_UNITS_MAX, &units) != MM_OK)
        return EFI_INVALID_PARAMETER;
    for (size_t i = 0; i < units; i++) {
        if (name[i] == '/')
            name[i] = '\\';
    }
    if (EFI_ERROR(bs->HandleProtocol(device, &dp_guid, (void **)&volume)))
        volume = NULL; /* a file node alone still loads; the image then has no volume */
    UINTN prefix = path_prefix_bytes(volume);
    UINTN file_len = SIZE_OF_FILEPATH_DEVICE_PATH + (units + 1) * sizeof(CHAR16);
    UINT8 *buf;
    EFI_STATUS s =
        bs->AllocatePool(EfiLoaderData, prefix + file_len + END_DEVICE_PATH_LENGTH, (void **)&buf);
    if (EFI_ERROR(s))
        return s;
    mm_memcpy(buf, volume, prefix);
    FILEPATH_DEVICE_PATH *file = (FILEPATH_DEVICE_PATH *)(buf + prefix);
    set_node(&file->Header, MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, file_len);
    mm_memcpy(file->PathName, name, (units + 1) * sizeof(CHAR16));
    set_node((EFI_DEVICE_PATH *)(buf + prefix + file_len), END_DEVICE_PATH_TYPE,
             END_ENTIRE_DEVICE_PATH_SUBTYPE, END_DEVICE_PATH_LENGTH);
    *out = (EFI_DEVICE_PATH *)buf;
    return EFI_SUCCESS;
}

/* Hands `cmdline` to the loaded (not yet started) `child` as UCS-2
 * LoadOptions in pool memory (*options, freed by the caller). */
static EFI_STATUS set_load_options(EFI_BOOT_SERVICES *bs, EFI_HANDLE child, const char *cmdline,
                                   CHAR16 **options, const char **step)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    size_t units = bc_strnlen(cmdline, (size_t)-1);
    *step = "LoadedImage protocol";
    EFI_STATUS s = bs->HandleProtocol(child, &li_guid, (void **)&li);
    if (EFI_ERROR(s) || units == 0)
        return s;
    /* Each UTF-8 byte gives at most one UCS-2 unit. */
    UINTN bytes = (units + 1) * sizeof(CHAR16);
    *step = "allocate";
    s = bs->AllocatePool(EfiLoaderData, bytes, (void **)options);
    if (EFI_ERROR(s))
        return s;
    bc_utf8_to_ucs2(cmdline, (uint16_t *)*options, units + 1, &units);
    li->LoadOptions = *options;
    li->LoadOptionsSize = (UINT32)((units + 1) * sizeof(CHAR16));
    return EFI_SUCCESS;
}

EFI_STATUS uefi_chainload(EFI_BOOT_SERVICES *bs, const struct uefi_chainload *req,
                          const char **step)
{
    const char *where = "allocate";
    EFI_DEVICE_PATH *dp = NULL;
    EFI_HANDLE child = NULL;
    CHAR16 *options = NULL;
    EFI_STATUS s = file_device_path(bs, req->device, req->path, &dp);
    if (!EFI_ERROR(s)) {
        where = "LoadImage";
        s = bs->LoadImage(FALSE, req->parent, dp, (void *)req->image, req->size, &child);
    }
    if (!EFI_ERROR(s)) {
        s = set_load_options(bs, child, req->cmdline ? req->cmdline : "", &options, &where);
        if (EFI_ERROR(s))
            bs->UnloadImage(child);
    }
    if (!EFI_ERROR(s)) {
        UINTN exit_size = 0;
        CHAR16 *exit_data = NULL;
        where = "StartImage";
        s = bs->StartImage(child, &exit_size, &exit_data);
        if (exit_data)
            bs->FreePool(exit_data);
    }
    if (options)
        bs->FreePool(options);
    if (dp)
        bs->FreePool(dp);
    if (step)
        *step = where;
    return s;
}
