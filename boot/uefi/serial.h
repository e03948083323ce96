/* COM1 (I/O port 0x3f8) driven directly, 115200 8N1, polled. Works before
 * and after ExitBootServices; needs no firmware. */
#ifndef UEFI_SERIAL_H
#define UEFI_SERIAL_H

#include <stddef.h>

/* Programs COM1 for 115200 8N1 with FIFOs on. Harmless when no UART is
 * present: writes then go nowhere (serial_write gives up per byte). */
void serial_init(void);

/* Writes `n` bytes, turning "\n" into "\r\n". */
void serial_write(const char *s, size_t n);

#endif
