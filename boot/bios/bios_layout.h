/* Fixed low-memory layout and binary formats shared by stage 1, stage 2
 * and mos-install (usable from C and from assembly: macros only).
 *
 *   [0x00000, 0x01000)  IVT + BDA (firmware); a chainload keeps the MBR
 *                       at 0x00600 for the partition entry DS:SI points at
 *   [0x01000, 0x01040)  the real-mode thunk's data (boot/bios/entry.S)
 *   [0x01040, 0x07c00)  real-mode stack for BIOS calls (top at 0x7c00)
 *   [0x07c00, 0x07e00)  stage 1 (the MBR)
 *   [0x08000, 0x30000)  stage 2 image (unpacked, unpack.h) and its .bss
 *   [0x30000, 0x40000)  disk bounce buffer (one 64 KiB-aligned segment);
 *                       before the disk layer, the unpacker's CRC tables
 *   [0x40000, 0x50000)  protected-mode stack (top at 0x50000)
 *   [0x50000, 0x90000)  loader buffers (boot.cfg, FAT state, map storage)
 *   [0x90000, EBDA)     free conventional memory (usable for the kernel)
 *   EBDA .. 1 MiB       firmware (EBDA, VGA, option ROMs, BIOS) */
#ifndef BIOS_LAYOUT_H
#define BIOS_LAYOUT_H

#define STAGE1_ADDR     0x7c00
#define STAGE2_ADDR     0x8000
#define STAGE2_LIMIT    0x30000 /* end of image + .bss */
#define BOUNCE_ADDR     0x30000
#define BOUNCE_SIZE     0x10000
#define PM_STACK_BOTTOM 0x40000
#define PM_STACK_TOP    0x50000
#define RM_STACK_TOP    0x7c00
#define THUNK_DATA_ADDR 0x1000  /* bios_call's registers, saved ESP, vector */
#define LOW_BUF_BASE    0x50000 /* loader buffers (boot.cfg, FAT state, map storage) */
#define LOW_BUF_END     0x90000
#define LOADER_LOW_BASE 0x1000  /* loader-owned low memory starts here */
#define LOADER_LOW_END  0x90000 /* ... and ends here */
#define CHAIN_MBR_ADDR  0x0600  /* bios-chainload: sector 0 copy, as MBR code relocates it */

/* Stage 1 header (offsets from the start of the MBR). */
#define STAGE1_CODE_MAX    440
#define STAGE1_OFF_MAGIC   3   /* "MOSBOOT1" */
#define STAGE1_OFF_LBA     11  /* uint64_t, little endian */
#define STAGE1_OFF_SECTORS 19  /* uint16_t */
#define STAGE1_CHUNK       127 /* sectors per INT 13h read (the EDD maximum) */

/* Stage 2 header (offsets from the start of stage 2). */
#define STAGE2_OFF_MAGIC  4
#define STAGE2_MAGIC      0x3253534d /* "MSS2" little endian */
#define STAGE2_OFF_PACKED 8          /* uint32_t: bytes of the gzip body (unpack.h) */
/* What stage 1 loads and mos-install accepts: room for the DEBUG=1 build.
 * The release image's budget is 96 KiB (the size-stage2 check). */
#define STAGE2_MAX_BYTES   0x1c000 /* 112 KiB */
#define STAGE2_MAX_SECTORS (STAGE2_MAX_BYTES / 512)

/* Written to isa-debug-exit (port 0xf4) when the loader gives up; QEMU
 * then exits with status (code << 1) | 1 = 0x5d. */
#define LOADER_FAIL_CODE 0x2e

#endif
