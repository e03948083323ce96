#include "uart.h"

#include "x86io.h"

#define UART_LSR        5
#define LSR_THR_EMPTY   0x20 /* with the FIFO on: the transmit FIFO is empty */
#define UART_FIFO_BYTES 16
#define TX_SPIN_LIMIT   100000

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
