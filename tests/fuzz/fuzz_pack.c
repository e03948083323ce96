/* Packed-body fuzzer, differential against liblz4. The input is decoded
 * as a raw LZ4 block by ours and by LZ4_decompress_safe with the same
 * capacity: when both decode, the bytes must be the same; what liblz4
 * decodes ours may refuse only as BC_PACK_BAD_DATA (a zero offset, which
 * the format calls corrupt and liblz4 lets through); what ours accepts
 * that liblz4 refuses (liblz4 also insists on the end-of-block margins)
 * must still stay inside the buffers (ASan). Then the input goes through
 * bc_pack_unpack as a whole body. */
#include <lz4.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/pack.h"

#define CAP (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *ours = malloc(CAP), *theirs = malloc(CAP);
    size_t n = 0;
    bc_pack_status st = bc_lz4_decode(data, size, ours, CAP, &n);
    int zn = size <= (size_t)LZ4_MAX_INPUT_SIZE
                 ? LZ4_decompress_safe((const char *)data, (char *)theirs, (int)size, CAP)
                 : -1;
    if (zn >= 0 && st == BC_PACK_OK && (n != (size_t)zn || memcmp(ours, theirs, n)))
        abort();
    if (zn >= 0 && st != BC_PACK_OK && st != BC_PACK_BAD_DATA)
        abort();
    if (st != BC_PACK_OK && n != 0)
        abort();
    static uint32_t tables[BC_CRC32_SLICES][256];
    st = bc_pack_unpack(data, size, ours, CAP, &n, tables);
    if (st != BC_PACK_OK && n != 0)
        abort();
    free(ours);
    free(theirs);
    return 0;
}
