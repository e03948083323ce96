/* BIOS chainload sector selection on mutated disks: the input is the
 * disk's first sectors (padded with zeros to a 32 MiB disk). For every
 * partition number 0 .. 4: no crash or sanitizer report; success means
 * the loaded sector ends in 0x55AA and, for a partition, lies on the disk
 * and its entry offset is the slot's (446 + 16 * (N-1)); a failure always
 * comes with a reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/chainload.h"
#include "padded_input.h"

#define DISK_SECTORS 65536u

static int read_input(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    if (lba > DISK_SECTORS || count > DISK_SECTORS - lba)
        return -1;
    return padded_read(ctx, lba, count, dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct padded_input in = {data, size};
    static uint8_t mbr[512], boot[512];
    part_disk d = {read_input, &in, 512, DISK_SECTORS, NULL, 0};
    for (uint32_t p = 0; p <= 4; p++) {
        bc_chain_sector s = {0, 0};
        const char *why = NULL;
        mm_status st = bc_chain_read(&d, p, mbr, boot, &s, &why);
        if (st != MM_OK) {
            if (!why || !why[0])
                abort();
            continue;
        }
        if (boot[510] != 0x55 || boot[511] != 0xaa || s.lba >= DISK_SECTORS)
            abort();
        if ((p == 0) != (s.entry_offset == 0) ||
            (p && s.entry_offset != BC_MBR_ENTRIES_OFF + BC_MBR_ENTRY_SIZE * (p - 1)))
            abort();
    }
    return 0;
}
