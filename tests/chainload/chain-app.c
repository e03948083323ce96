/* Chainload test payload for UEFI: an EFI application that reports its
 * LoadOptions on COM1 and returns EFI_SUCCESS to whoever started it:
 *     chain-app: LoadOptions (36 bytes) "launcher says hi <U+00FC><U+20AC>"
 * UCS-2 units outside printable ASCII are written as <U+XXXX>, so a test
 * can check the exact conversion; an odd byte count or a missing final 0
 * is reported as such. */
#include <efi.h>

#include "uefi/serial.h"

#define SHOW_MAX 256 /* units of LoadOptions shown */

static void put(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    serial_write(s, n);
}

static void put_hex(uint32_t v, int digits)
{
    char buf[8];
    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        buf[i] = "0123456789ABCDEF"[v & 0xf];
    serial_write(buf, (size_t)digits);
}

static void put_dec(uint32_t v)
{
    char buf[10];
    int i = 10;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    serial_write(buf + i, (size_t)(10 - i));
}

/* The units up to the first 0 (or SHOW_MAX, or the end). */
static void put_options(const CHAR16 *o, UINT32 units)
{
    put("\"");
    for (UINT32 i = 0; i < units && i < SHOW_MAX && o[i]; i++) {
        if (o[i] >= 0x20 && o[i] < 0x7f && o[i] != '<' && o[i] != '"') {
            char c = (char)o[i];
            serial_write(&c, 1);
        } else {
            put("<U+");
            put_hex(o[i], 4);
            put(">");
        }
    }
    put("\"");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li = NULL;
    serial_init();
    put("chain-app: LoadOptions (");
    if (EFI_ERROR(st->BootServices->HandleProtocol(image, &li_guid, (void **)&li))) {
        put("no LoadedImage protocol)\n");
        return EFI_SUCCESS;
    }
    put_dec(li->LoadOptionsSize);
    put(" bytes) ");
    if (li->LoadOptions && li->LoadOptionsSize >= sizeof(CHAR16))
        put_options(li->LoadOptions, li->LoadOptionsSize / sizeof(CHAR16));
    else
        put("none");
    if (li->LoadOptionsSize % sizeof(CHAR16))
        put(" (odd size)");
    put("\n");
    return EFI_SUCCESS;
}
