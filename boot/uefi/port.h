/* x86 port I/O for the UEFI loader (COM1, isa-debug-exit is not used here). */
#ifndef UEFI_PORT_H
#define UEFI_PORT_H

#include "common/x86io.h"

#define port_out8 x86_outb
#define port_in8  x86_inb
#define rdtsc     x86_rdtsc

#endif
