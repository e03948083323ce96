/* boot.cfg protocol=bios-chainload on the BIOS loader: start another boot
 * sector (an MBR, a partition's boot record) the way a BIOS does. */
#ifndef BIOS_CHAINLOAD_H
#define BIOS_CHAINLOAD_H

#include <stdint.h>

/* Reads sector 0 of BIOS drive `drive` (partition 0) or the first sector
 * of primary MBR partition `partition` (1 .. 4) through INT 13h
 * extensions, checks its 0x55AA, places it at 0x7C00 and jumps there in
 * real mode with CS:IP = 0000:7C00, DL = drive, DS = ES = SS = 0,
 * SP = 0x7C00, interrupts on, and for a partition DS:SI at its 16-byte
 * entry in a copy of sector 0 at CHAIN_MBR_ADDR (bios_layout.h). Stage 2
 * and its state are gone then. Returns only when that is impossible, with
 * static English text saying why (no such drive or no extensions, a
 * bc_chain_read() reason); the loader's memory below 0x7E00 may then be
 * changed but stage 2 keeps running. */
const char *bios_chainload(uint8_t drive, uint32_t partition);

/* entry.S's partner (chainload_jump.S): leaves protected mode and jumps to
 * 0000:7C00 as described above, SI = `si`. */
__attribute__((noreturn)) void chainload_jump(uint32_t drive, uint32_t si);

#endif
