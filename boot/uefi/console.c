#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "serial.h"

/* Loader-wide output state (the loader runs on one CPU, no threads). */
static EFI_SIMPLE_TEXT_OUT_PROTOCOL *con_out;
static bool com1_direct = true;
static bc_fbcon *screen; /* the framebuffer console once it has the screen */

/* True when device path list `dp` of `size` bytes contains a UART node. */
static bool device_paths_have_uart(const uint8_t *dp, UINTN size)
{
    UINTN off = 0;
    while (off + sizeof(EFI_DEVICE_PATH_PROTOCOL) <= size) {
        const EFI_DEVICE_PATH_PROTOCOL *node = (const EFI_DEVICE_PATH_PROTOCOL *)(dp + off);
        UINTN len = node->Length[0] | ((UINTN)node->Length[1] << 8);
        if (len < sizeof(EFI_DEVICE_PATH_PROTOCOL))
            return false;
        if (node->Type == MESSAGING_DEVICE_PATH && node->SubType == MSG_UART_DP)
            return true;
        off += len;
    }
    return false;
}

/* Asks the firmware whether its console output includes a serial port. */
static bool conout_reaches_uart(EFI_SYSTEM_TABLE *st)
{
    EFI_GUID global = EFI_GLOBAL_VARIABLE;
    uint8_t buf[1024];
    UINTN size = sizeof(buf);
    UINT32 attr;
    EFI_STATUS s = st->RuntimeServices->GetVariable(L"ConOut", &global, &attr, &size, buf);
    return !EFI_ERROR(s) && device_paths_have_uart(buf, size);
}

void console_init(EFI_SYSTEM_TABLE *st)
{
    serial_init();
    con_out = st->ConOut;
    com1_direct = !conout_reaches_uart(st);
}

/* Sends text to ConOut, converting to UCS-2 in chunks and "\n" to "\r\n". */
static void conout_write(const char *s, size_t n)
{
    CHAR16 buf[128];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k + 3 > sizeof(buf) / sizeof(buf[0])) {
            buf[k] = 0;
            con_out->OutputString(con_out, buf);
            k = 0;
        }
        if (s[i] == '\n')
            buf[k++] = L'\r';
        buf[k++] = (CHAR16)(unsigned char)s[i];
    }
    buf[k] = 0;
    if (k)
        con_out->OutputString(con_out, buf);
}

void console_write(const char *s, size_t n)
{
    if (con_out)
        conout_write(s, n);
    if (com1_direct)
        serial_write(s, n);
    if (screen)
        bc_fbcon_write(screen, s, n);
}

void console_boot_services_gone(void)
{
    con_out = NULL;
    com1_direct = true;
}

void console_screen_taken(bc_fbcon *con)
{
    console_boot_services_gone();
    screen = con;
}
