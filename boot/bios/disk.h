/* BIOS disk access: INT 13h extensions through the real-mode thunk. */
#ifndef BIOS_DISK_H
#define BIOS_DISK_H

#include <stdint.h>

struct bios_disk {
    uint8_t drive;         /* BIOS drive number (0x80 ...) */
    uint32_t sector_size;  /* bytes, from AH=48h (512 if unknown) */
    uint64_t sectors;      /* total, 0 if unknown */
    uint32_t max_transfer; /* sectors per AH=42h call */
    uint32_t reads;        /* AH=42h calls made (statistics) */
    uint8_t last_error;    /* AH of the last failed call */
};

/* Checks for INT 13h extensions (AH=41h) and reads the drive parameters
 * (AH=48h). Returns 0, or -1 when extensions are missing. */
int disk_open(struct bios_disk *d, uint8_t drive);

/* Reads `count` sectors from `lba` into `dst` (any address, above 1 MiB
 * too) in as few calls as the bounce buffer allows. 0 or -1 (d->last_error
 * holds the BIOS status). Matches the sector-read callback of fat.h. */
int disk_read(void *ctx, uint64_t lba, uint32_t count, void *dst);

#endif
