/* DEBUG=1 allocation tracking for the loaders and the demo kernel.
 *
 * An owner struct (the loader's state, the kernel's checks) holds, only
 * when MM_DEBUG is set, the fields
 *     mm_tracker track;
 *     mm_track_slot track_slots[BC_TRACK_SLOTS];
 * and calls the macros below with a pointer to itself. Without MM_DEBUG
 * they expand to nothing but a use of the owner pointer (the tag and byte
 * arguments are not evaluated), so a normal build pays neither memory nor
 * time. */
#ifndef BC_TRACK_H
#define BC_TRACK_H

#include "mm/track.h"

/* Sites an owner has room for; more go to the tracker's overflow slot,
 * which the report flags. */
#define BC_TRACK_SLOTS 16

#if MM_DEBUG
#define BC_TRACK_INIT(o)                    ((void)mm_track_init(&(o)->track, (o)->track_slots, BC_TRACK_SLOTS))
#define BC_TRACK_ALLOC(o, kind, tag, bytes) MM_TRACK_ALLOC(&(o)->track, kind, tag, bytes)
#define BC_TRACK_FREE(o, kind, tag, bytes)  MM_TRACK_FREE(&(o)->track, kind, tag, bytes)
/* Logs the profile at INFO through `lg` (mm_track_report). */
#define BC_TRACK_REPORT(o, lg) mm_track_report(&(o)->track, lg)
#else
#define BC_TRACK_INIT(o)                    ((void)(o))
#define BC_TRACK_ALLOC(o, kind, tag, bytes) ((void)(o))
#define BC_TRACK_FREE(o, kind, tag, bytes)  ((void)(o))
#define BC_TRACK_REPORT(o, lg)              ((void)(o))
#endif

#endif
