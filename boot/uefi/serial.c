#include "serial.h"

#include "common/uart.h"
#include "port.h"

#define COM1                0x3f8
#define UART_DATA           0
#define UART_IER            1
#define UART_FCR            2
#define UART_LCR            3
#define UART_MCR            4
#define LCR_DLAB            0x80
#define LCR_8N1             0x03
#define BAUD_DIVISOR_115200 1

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

void serial_write(const char *s, size_t n)
{
    bc_uart_write(COM1, s, n);
}
