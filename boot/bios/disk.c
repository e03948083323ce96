#include "disk.h"

#include "bios.h"
#include "bios_layout.h"
#include "mm/base.h"

struct edd_packet {
    uint8_t size, reserved;
    uint16_t count;
    uint16_t offset, segment;
    uint64_t lba;
};

struct edd_params {
    uint16_t size, flags;
    uint32_t cylinders, heads, spt;
    uint64_t sectors;
    uint16_t sector_size;
} __attribute__((packed));

/* The packets are handed to the BIOS, so they live in .bss (below 1 MiB). */
static struct edd_packet packet;
static struct edd_params params;

int disk_open(struct bios_disk *d, uint8_t drive)
{
    mm_memset(d, 0, sizeof *d);
    d->drive = drive;
    d->sector_size = 512;
    struct bios_regs r = {.eax = 0x4100, .ebx = 0x55aa, .edx = drive};
    bios_call(0x13, &r);
    if ((r.flags & BIOS_FLAG_CF) || (r.ebx & 0xffff) != 0xaa55 || !(r.ecx & 1))
        return -1;
    mm_memset(&params, 0, sizeof params);
    params.size = 0x1a;
    r = (struct bios_regs){.eax = 0x4800, .edx = drive};
    r.ds = rm_seg((uint32_t)&params);
    r.esi = rm_off((uint32_t)&params);
    bios_call(0x13, &r);
    if (!(r.flags & BIOS_FLAG_CF) && params.sector_size >= 512 && params.sector_size <= 4096 &&
        mm_is_pow2(params.sector_size)) {
        d->sector_size = params.sector_size;
        d->sectors = params.sectors;
    }
    /* 127 sectors is the limit many BIOSes document for AH=42h. */
    d->max_transfer = BOUNCE_SIZE / d->sector_size;
    if (d->max_transfer > 127)
        d->max_transfer = 127;
    return 0;
}

int disk_read(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    struct bios_disk *d = ctx;
    uint8_t *out = dst;
    while (count) {
        uint32_t n = count < d->max_transfer ? count : d->max_transfer;
        packet = (struct edd_packet){.size = 16,
                                     .count = (uint16_t)n,
                                     .offset = 0,
                                     .segment = rm_seg(BOUNCE_ADDR),
                                     .lba = lba};
        struct bios_regs r = {.eax = 0x4200, .edx = d->drive};
        r.ds = rm_seg((uint32_t)&packet);
        r.esi = rm_off((uint32_t)&packet);
        bios_call(0x13, &r);
        d->reads++;
        if (r.flags & BIOS_FLAG_CF) {
            d->last_error = (uint8_t)(r.eax >> 8);
            return -1;
        }
        uint32_t bytes = n * d->sector_size;
        mm_memcpy(out, (const void *)BOUNCE_ADDR, bytes);
        out += bytes;
        lba += n;
        count -= n;
    }
    return 0;
}
