/* Multiboot 1 test kernel entry: ELF32 loaded by p_paddr. Header flags:
 * modules page-aligned (0) and memory information (1). */
#define MB1_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)

#define MB_VERSION 1
#include "start.inc"
