/* A gzip member of a host buffer, made with zlib at level 9, for tests
 * that hand the loader compressed kernels and modules (host only; the
 * suite links -lz). */
#ifndef TESTS_GZIP_BUILD_H
#define TESTS_GZIP_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

/* The gzip form of p[0 .. n) in a malloc'd buffer the caller frees, its
 * length in *out_len; NULL when zlib or malloc fails. */
static inline uint8_t *gzip_build(const uint8_t *p, size_t n, size_t *out_len)
{
    z_stream z = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, n);
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int st = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_len = z.total_out;
    deflateEnd(&z);
    if (st != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

#endif
