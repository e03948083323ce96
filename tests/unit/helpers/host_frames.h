/* A frame source over host memory for tests, fuzzers and benches: a fixed
 * arena of frames handed out first-fit, with counters so tests can see what
 * an allocator took and gave back, and a limit to provoke exhaustion.
 * Releases are checked (start and length must match an earlier alloc);
 * mismatches are counted in bad_releases and refused. */
#ifndef HOST_FRAMES_H
#define HOST_FRAMES_H

#include <stdint.h>

#include "mm/source.h"

typedef struct host_frames {
    mm_frame_source src; /* pass &hf->src to allocators */
    unsigned char *arena;
    uint64_t frames;     /* capacity */
    uint64_t *run;       /* run[i]: length of the run handed out at frame i, 0 if none */
    unsigned char *used; /* used[i]: frame i belongs to a handed-out run */
    uint64_t out;        /* frames handed out now */
    uint64_t limit;      /* alloc refuses beyond this many frames out */
    uint64_t allocs, releases, bad_releases, refusals;
} host_frames;

/* `frames` frames of `frame_size` bytes (power of two), limit = frames.
 * Aborts when the host cannot provide the arena. */
void host_frames_init(host_frames *hf, uint64_t frames, uint64_t frame_size);
void host_frames_fini(host_frames *hf);

/* True when [p, p + len) lies inside frames currently handed out. */
int host_frames_owns(const host_frames *hf, const void *p, uint64_t len);

#endif
