/* Multiboot 2 test kernel entry: ELF32 loaded by p_paddr. Requires the
 * tags the checker insists on (command line, loader name, basic memory
 * information, memory map), asks optionally for the rest, for
 * page-aligned modules and (optionally) for an 800 x 600 x 32 framebuffer. */
#define MB2_MAGIC 0xe85250d6
#define TAG(type, flags, size) .short type, flags; .long size
#define OPTIONAL 1

    .section .multiboot, "a"
    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                                   /* i386 */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
    .align 8
    TAG(1, 0, 24)                             /* required information */
    .long 1, 2, 4, 6
    .align 8
    TAG(1, OPTIONAL, 48)                      /* optional information */
    .long 3, 5, 9, 12, 13, 14, 15, 17, 21, 8
    .align 8
    TAG(6, 0, 8)                              /* module alignment */
    .align 8
    TAG(5, OPTIONAL, 20)                      /* framebuffer */
    .long 800, 600, 32
    .align 8
    TAG(0, 0, 8)
mb2_header_end:

#define MB_VERSION 2
#include "start.inc"
