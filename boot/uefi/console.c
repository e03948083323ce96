#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "serial.h"

/* Loader-wide output state (the loader runs on one CPU, no threads). */
static EFI_SIMPLE_TEXT_OUT_PROTOCOL *con_out;
static bool com1_direct = true;
static bc_fbcon *screen; /* the framebuffer console once it has the screen */

/* Where the firmware's console goes, from its ConOut variable: a list of
 * device path instances, each ended by an End node (type 0x7f). */
typedef enum conout_reach {
    CONOUT_NO_UART,   /* no instance is a serial port (or unknown) */
    CONOUT_UART_ONLY, /* every instance is a serial port */
    CONOUT_UART_AND_MORE,
} conout_reach;

static conout_reach classify(const uint8_t *dp, UINTN size)
{
    UINTN off = 0;
    bool uart = false, instance_uart = false, other = false;
    while (off + sizeof(EFI_DEVICE_PATH_PROTOCOL) <= size) {
        const EFI_DEVICE_PATH_PROTOCOL *node = (const EFI_DEVICE_PATH_PROTOCOL *)(dp + off);
        UINTN len = node->Length[0] | ((UINTN)node->Length[1] << 8);
        if (len < sizeof(EFI_DEVICE_PATH_PROTOCOL))
            return CONOUT_NO_UART;
        if (node->Type == MESSAGING_DEVICE_PATH && node->SubType == MSG_UART_DP)
            instance_uart = true;
        if (node->Type == END_DEVICE_PATH_TYPE) {
            uart = uart || instance_uart;
            other = other || !instance_uart;
            instance_uart = false;
            if (node->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE)
                break;
        }
        off += len;
    }
    return !uart ? CONOUT_NO_UART : other ? CONOUT_UART_AND_MORE : CONOUT_UART_ONLY;
}

/* Asks the firmware where its console output goes. */
static conout_reach conout_reaches(EFI_SYSTEM_TABLE *st)
{
    EFI_GUID global = EFI_GLOBAL_VARIABLE;
    uint8_t buf[1024];
    UINTN size = sizeof(buf);
    UINT32 attr;
    EFI_STATUS s = st->RuntimeServices->GetVariable(L"ConOut", &global, &attr, &size, buf);
    return EFI_ERROR(s) ? CONOUT_NO_UART : classify(buf, size);
}

/* A ConOut that is a serial port and nothing else is skipped: the loader
 * writes COM1 itself, as it does after ExitBootServices, which spares the
 * firmware's terminal layer (UCS-2, escape sequences, a status read per
 * byte). */
void console_init(EFI_SYSTEM_TABLE *st)
{
    serial_init();
    conout_reach r = conout_reaches(st);
    con_out = r == CONOUT_UART_ONLY ? NULL : st->ConOut;
    com1_direct = r != CONOUT_UART_AND_MORE;
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
