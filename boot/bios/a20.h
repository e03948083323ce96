/* A20 gate. */
#ifndef BIOS_A20_H
#define BIOS_A20_H

#include <stdbool.h>

/* Enables A20 and verifies it with the 1 MiB wraparound test, trying in
 * order: already on, INT 15h AX=2401h, the keyboard controller, port 0x92
 * ("fast A20"). Returns the name of the method that worked, or NULL when
 * none did. Runs in protected mode (uses the thunk for the BIOS call). */
const char *a20_enable(void);

/* True when addresses 1 MiB apart no longer alias (A20 is on). */
bool a20_is_on(void);

#endif
