/* Inflater fuzzer, differential against zlib. The first input byte picks
 * the wrapper: even = the rest is a gzip file (bc_gzip_decompress against
 * zlib's gzip decoding), odd = a raw deflate stream (bc_inflate_raw against
 * zlib's raw inflate). Both decoders get the same output capacity; when
 * zlib decodes a complete stream that fits, ours must give the same bytes,
 * and ours must never accept what zlib rejects. ASan checks that no byte
 * outside the input or the output buffer is touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/inflate.h"

#define CAP (256u * 1024u)

/* zlib's verdict: 1 and *n bytes when a complete stream decodes into CAP. */
static int zlib_decode(const uint8_t *p, size_t len, int window_bits, uint8_t *out, size_t *n)
{
    z_stream z = {0};
    if (inflateInit2(&z, window_bits) != Z_OK)
        abort();
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = CAP;
    int rc = inflate(&z, Z_FINISH);
    *n = z.total_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool gzip = (data[0] & 1) == 0;
    data++;
    size--;
    static bc_inflate_work work;
    uint8_t *ours = malloc(CAP), *theirs = malloc(CAP);
    size_t n = 0, used = 0, zn = 0;
    bc_inflate_status st = gzip ? bc_gzip_decompress(data, size, ours, CAP, &n, &work)
                                : bc_inflate_raw(data, size, ours, CAP, &n, &used, &work);
    int zok = zlib_decode(data, size, gzip ? 31 : -15, theirs, &zn);
    if (st == BC_INFLATE_OK && (!zok || n != zn || memcmp(ours, theirs, n)))
        abort();
    if (zok && st != BC_INFLATE_OK)
        abort();
    if (st != BC_INFLATE_OK && (n != 0 || used != 0))
        abort();
    free(ours);
    free(theirs);
    return 0;
}
