#include "host_frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t first_fit(const host_frames *hf, uint64_t count)
{
    uint64_t run = 0;
    for (uint64_t i = 0; i < hf->frames; i++) {
        run = hf->used[i] ? 0 : run + 1;
        if (run == count)
            return i + 1 - count;
    }
    return UINT64_MAX;
}

static mm_status hf_alloc(void *ctx, uint64_t count, void **ptr, uint64_t *phys)
{
    host_frames *hf = ctx;
    if (count == 0)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t at = hf->out + count <= hf->limit ? first_fit(hf, count) : UINT64_MAX;
    if (at == UINT64_MAX) {
        hf->refusals++;
        return MM_ERR_OUT_OF_MEMORY;
    }
    memset(hf->used + at, 1, count);
    hf->run[at] = count;
    hf->out += count;
    hf->allocs++;
    *ptr = hf->arena + at * hf->src.frame_size;
    *phys = (uint64_t)(uintptr_t)*ptr;
    return MM_OK;
}

static mm_status hf_release(void *ctx, void *ptr, uint64_t count)
{
    host_frames *hf = ctx;
    uintptr_t off = (uintptr_t)ptr - (uintptr_t)hf->arena;
    uint64_t at = off / hf->src.frame_size;
    if ((uintptr_t)ptr < (uintptr_t)hf->arena || off % hf->src.frame_size != 0 ||
        at >= hf->frames || hf->run[at] != count) {
        hf->bad_releases++;
        return MM_ERR_INVALID_ARGUMENT;
    }
    memset(hf->used + at, 0, count);
    hf->run[at] = 0;
    hf->out -= count;
    hf->releases++;
    return MM_OK;
}

void host_frames_init(host_frames *hf, uint64_t frames, uint64_t frame_size)
{
    memset(hf, 0, sizeof(*hf));
    hf->arena = aligned_alloc(frame_size, frames * frame_size);
    hf->run = calloc(frames, sizeof(*hf->run));
    hf->used = calloc(frames, 1);
    if (!hf->arena || !hf->run || !hf->used) {
        fprintf(stderr, "host_frames: cannot allocate %llu frames\n", (unsigned long long)frames);
        abort();
    }
    hf->frames = frames;
    hf->limit = frames;
    hf->src.alloc = hf_alloc;
    hf->src.release = hf_release;
    hf->src.ctx = hf;
    hf->src.frame_size = frame_size;
}

void host_frames_fini(host_frames *hf)
{
    free(hf->arena);
    free(hf->run);
    free(hf->used);
    memset(hf, 0, sizeof(*hf));
}

int host_frames_owns(const host_frames *hf, const void *p, uint64_t len)
{
    uintptr_t a = (uintptr_t)p, base = (uintptr_t)hf->arena;
    uint64_t fs = hf->src.frame_size;
    if (a < base || len == 0 || a - base + len > hf->frames * fs)
        return 0;
    for (uint64_t i = (a - base) / fs; i <= (a - base + len - 1) / fs; i++) {
        if (!hf->used[i])
            return 0;
    }
    return 1;
}
