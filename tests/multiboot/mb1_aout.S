/* Multiboot 1 test kernel, address-field form (flag 16, the "a.out
 * kludge"): the loader takes load and entry addresses from the header,
 * not from the ELF program headers. Flag 2 asks for EGA text (80 x 25):
 * the screen as the firmware left it. */
#define MB1_FLAGS 0x00010007

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long 0x1badb002
    .long MB1_FLAGS
    .long -(0x1badb002 + MB1_FLAGS)
    .long mb1_header      /* header_addr */
    .long __image_start   /* load_addr */
    .long __data_end      /* load_end_addr */
    .long __image_end     /* bss_end_addr */
    .long _start          /* entry_addr */
    .long 1               /* mode_type: EGA text */
    .long 80, 25, 0       /* columns, rows, depth (0 in text mode) */

#define MB_VERSION 1
#include "start.inc"
