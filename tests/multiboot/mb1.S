/* Multiboot 1 test kernel entry: ELF32 loaded by p_paddr. Header flags:
 * modules page-aligned (0), memory information (1) and a video mode (2):
 * linear graphics, 1024 x 768, 32 bits per pixel. The address fields
 * (flag 16 clear) are there only to put the video fields at bytes 32-47. */
#define MB1_FLAGS 0x00000007

    .section .multiboot, "a"
    .align 4
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)
    .long 0, 0, 0, 0, 0   /* address fields, unused */
    .long 0               /* mode_type: linear graphics */
    .long 1024, 768, 32   /* width, height, depth */

#define MB_VERSION 1
#include "start.inc"
