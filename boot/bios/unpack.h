/* Stage 2's body travels compressed: stage 1 loads the resident head
 * (.entry, this unpacker, the LZ4 decoder and CRC-32 of
 * boot/common/pack.h, the string runtime) followed by a packed body of
 * everything else, and the head unpacks it in place before stage2_main
 * runs. Halving what stage 1 reads keeps the loader inside its
 * 96 KiB budget with the features of handoff revision 2. */
#ifndef BIOS_UNPACK_H
#define BIOS_UNPACK_H

#include <stdint.h>

/* TSC at stage 2's first protected-mode instruction of C, before the body
 * is inflated: the loader's own time starts here. */
extern uint64_t stage2_entry_tsc;

/* Unpacks the packed body at __payload_start (its length is the header
 * field stage2_packed_size, written by scripts/pack-stage2.sh) into
 * [__payload_start, __image_end), through a copy at LOW_BUF_BASE so the
 * output never overruns unread input. Needs .bss zeroed; uses nothing of
 * the body. A body that is too long, corrupt or of the wrong length ends
 * in a message on COM1 and the screen, the loader-failed code on
 * isa-debug-exit and a halt: the rest of stage 2 does not exist yet. */
void stage2_unpack(void);

#endif
