/* Partition-table parsing on mutated disk heads: the input is the disk's
 * first sectors (padded with zeros to a 64 MiB disk), read with a small
 * and a large scratch buffer. Any crash, sanitizer report or hang is a bug;
 * errors are fine, and both scratch sizes must give the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/part.h"
#include "padded_input.h"

#define DISK_SECTORS 131072u

/* Reads past the disk's end fail, as on a real drive. */
static int read_input(void *ctx, uint64_t lba, uint32_t count, void *dst)
{
    if (lba > DISK_SECTORS || count > DISK_SECTORS - lba)
        return -1;
    return padded_read(ctx, lba, count, dst);
}

static uint8_t small[512], large[16384];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct padded_input in = {data, size};
    part_disk a = {read_input, &in, 512, DISK_SECTORS, small, sizeof small};
    part_disk b = {read_input, &in, 512, DISK_SECTORS, large, sizeof large};
    part_entry ea = {0}, eb = {0};
    part_status sa = part_find_boot_volume(&a, &ea);
    part_status sb = part_find_boot_volume(&b, &eb);
    if (sa != sb || (sa == PART_OK && memcmp(&ea, &eb, sizeof ea) != 0)) {
        /* A small scratch may only refuse huge entries, never disagree. */
        if (!(sa == PART_ERR_ARGUMENT && sb != PART_ERR_ARGUMENT))
            abort();
    }
    (void)part_gpt_find(&b, part_guid_bios_boot, &eb);
    return 0;
}
