#include "serial.h"

#include "common/uart.h"

#define COM1 0x3f8

void serial_init(void)
{
    bc_uart_init(COM1);
}

void serial_write(const char *s, size_t n)
{
    bc_uart_write(COM1, s, n);
}
