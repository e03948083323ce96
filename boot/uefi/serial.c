#include "serial.h"

#include "port.h"

#define COM1                0x3f8
#define UART_DATA           0
#define UART_IER            1
#define UART_FCR            2
#define UART_LCR            3
#define UART_MCR            4
#define UART_LSR            5
#define LSR_THR_EMPTY       0x20
#define LCR_DLAB            0x80
#define LCR_8N1             0x03
#define BAUD_DIVISOR_115200 1
/* Polls of LSR before a byte is dropped: keeps a missing UART (reads 0xff,
 * or never ready) from hanging the loader. */
#define TX_SPIN_LIMIT 100000

void serial_init(void)
{
    port_out8(COM1 + UART_IER, 0x00);
    port_out8(COM1 + UART_LCR, LCR_DLAB);
    port_out8(COM1 + UART_DATA, BAUD_DIVISOR_115200);
    port_out8(COM1 + UART_IER, 0x00);
    port_out8(COM1 + UART_LCR, LCR_8N1);
    port_out8(COM1 + UART_FCR, 0xc7); /* enable + clear FIFOs, 14-byte threshold */
    port_out8(COM1 + UART_MCR, 0x03); /* DTR + RTS */
}

static void serial_put(char c)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (port_in8(COM1 + UART_LSR) & LSR_THR_EMPTY)
            break;
    }
    port_out8(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_put('\r');
        serial_put(s[i]);
    }
}
