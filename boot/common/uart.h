/* Output to a 16550 UART (COM1 on both loaders) through its 16-byte
 * transmit FIFO, which both loaders enable: one status read per 16 bytes
 * instead of one per byte. Under emulation every port access leaves the
 * translated code, and the log is some 3 KB a boot. */
#ifndef BC_UART_H
#define BC_UART_H

#include "mm/base.h"

/* Sets the UART at I/O port `base` to 115200 baud, 8N1, no interrupts,
 * DTR and RTS on, and its FIFOs on and cleared (bc_uart_write relies on
 * the transmit FIFO). */
void bc_uart_init(uint16_t base);

/* Writes s[0 .. n) to the UART at I/O port `base`, each '\n' as "\r\n".
 * Waits for an empty FIFO at most a bounded number of status reads and
 * then writes anyway, so a missing UART costs time, never a hang. */
void bc_uart_write(uint16_t base, const char *s, size_t n);

#endif
