#include "uart.h"

#include "x86io.h"

#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LCR_DLAB        0x80
#define LCR_8N1         0x03
#define FCR_FIFO_ON     0xc7 /* enabled, both cleared, 14-byte receive threshold */
#define MCR_DTR_RTS     0x03
#define LSR_THR_EMPTY   0x20 /* with the FIFO on: the transmit FIFO is empty */
#define UART_FIFO_BYTES 16
#define TX_SPIN_LIMIT   100000

void bc_uart_init(uint16_t base)
{
    x86_outb((uint16_t)(base + UART_IER), 0x00);
    x86_outb((uint16_t)(base + UART_LCR), LCR_DLAB);
    x86_outb(base, 0x01); /* divisor 1: 115200 baud */
    x86_outb((uint16_t)(base + UART_IER), 0x00);
    x86_outb((uint16_t)(base + UART_LCR), LCR_8N1);
    x86_outb((uint16_t)(base + UART_FCR), FCR_FIFO_ON);
    x86_outb((uint16_t)(base + UART_MCR), MCR_DTR_RTS);
}

static void put(uint16_t base, char c, uint32_t *room)
{
    if (*room == 0) {
        for (uint32_t spin = 0; spin < TX_SPIN_LIMIT; spin++) {
            if (x86_inb((uint16_t)(base + UART_LSR)) & LSR_THR_EMPTY)
                break;
        }
        *room = UART_FIFO_BYTES;
    }
    x86_outb(base, (uint8_t)c);
    --*room;
}

void bc_uart_write(uint16_t base, const char *s, size_t n)
{
    uint32_t room = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            put(base, '\r', &room);
        put(base, s[i], &room);
    }
}
