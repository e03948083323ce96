/* Legacy BIOS memory detection, firmware-independent part: the INT 15h
 * E820 walk and the E801 / AH=88h / INT 12h decoders, over a callback that
 * performs the BIOS call (the stage 2 thunk; a fake BIOS in host tests).
 *
 * The chain: E820, else E801, else AH=88h,
 * else the conservative fixed layout (mm_map_fallback). A boot.cfg knob
 * (bios_memory_detect) can start the chain further down to exercise the
 * fallbacks on real firmware. */
#ifndef BOOT_BIOSMEM_H
#define BOOT_BIOSMEM_H

#include "mm/log.h"
#include "mm/memmap.h"

/* Registers of one BIOS call as the detector uses them. */
typedef struct bm_regs {
    uint32_t eax, ebx, ecx, edx;
    bool carry; /* CF after the call */
} bm_regs;

/* Performs `INT intno` with *r; for E820 the BIOS writes its entry into
 * `buf` (24 bytes, the detector's ES:DI). Updates *r. */
typedef void (*bm_call_fn)(void *ctx, uint8_t intno, bm_regs *r, uint8_t *buf);

typedef struct bm_bios {
    bm_call_fn call;
    void *ctx;
    /* Where the detector says why it gave up on a method or cut a list
     * (WARN); NULL = silent. */
    const mm_logger *log;
} bm_bios;

/* Most firmware gives < 64 entries, but large servers report 300 and more
 * (issue 2). The list lives in caller storage (stage 2 puts it in its low
 * buffers, not in the image), 24 bytes an entry. */
#define BM_E820_MAX_ENTRIES 512u
#define BM_E820_MAX_CALLS   1024u       /* bounds a BIOS whose continuation never ends */
#define BM_SMAP             0x534d4150u /* "SMAP" */

/* Raw E820 entries as the BIOS gave them, packed `entry_size` bytes apart
 * (24 when any reply carried ACPI 3.0 extended attributes - 20-byte
 * replies then get the "enabled" bit - else 20), ready for
 * mm_map_import_e820(). Zero-length entries and replies shorter than 20
 * bytes are dropped. */
typedef struct bm_e820 {
    uint8_t raw[BM_E820_MAX_ENTRIES * 24];
    uint32_t count;
    uint32_t entry_size; /* 20 or 24 */
    uint32_t calls;      /* INT 15h calls made */
    uint32_t dropped;    /* replies ignored (short or zero length) */
    bool truncated;      /* stopped at a limit before the BIOS said "end" (logged) */
    bool bad_signature;  /* a reply after the first lacked "SMAP": list discarded */
} bm_e820;

/* Walks INT 15h EAX=E820h (EBX continuation, 24-byte buffer, SMAP
 * signature checked on every reply, CF or EBX = 0 ends the list).
 * MM_OK with out->count >= 1, or MM_ERR_NOT_FOUND when the BIOS does not
 * support E820, returned no entry, or broke the signature mid-list.
 *
 * A missing signature on a later reply means the BIOS stopped speaking
 * E820 part way: what came before may be a partial map, the whole map or
 * garbage, and a partial map would hide RAM or, worse, holes. So the list
 * is discarded (count 0, bad_signature set, WARN logged) and the chain
 * falls through to E801, which is coarse but self-consistent. Hitting
 * BM_E820_MAX_ENTRIES or BM_E820_MAX_CALLS keeps the entries read so far
 * (truncated set, WARN logged): memory past the cut is simply not used. */
mm_status bm_e820_collect(const bm_bios *b, bm_e820 *out);

/* What bm_detect() did, for the log and the handoff. */
typedef struct bm_report {
    uint32_t method;      /* MOS_BIOS_DETECT_E820/_E801/_88H/_FALLBACK */
    uint32_t tried;       /* bit (1 << method) for each method attempted */
    uint32_t raw_entries; /* entries the method produced before sanitizing */
    uint32_t low_kib;     /* INT 12h conventional memory (E801/88h), 0 if unused */
    uint32_t ext_kib;     /* E801 1..16 MiB or AH=88h KiB above 1 MiB */
    uint32_t high_64k;    /* E801 64 KiB blocks above 16 MiB */
} bm_report;

/* Minimum map capacity bm_detect() needs (E820 entries or the few
 * synthesized ones). */
#define BM_MAP_MIN_CAPACITY BM_E820_MAX_ENTRIES

/* Fills `map` (emptied first; capacity >= BM_MAP_MIN_CAPACITY) starting
 * the chain at `first` (MOS_BIOS_DETECT_E820, _E801, _88H or _FALLBACK)
 * and falling through to the next method when one fails (each fall-through
 * is logged at WARN through b->log). E820 fails when it is unsupported,
 * breaks its signature, or describes no usable RAM (every entry reserved
 * or disabled): a map without RAM would only fail later, at the boot heap. The map is
 * unsanitized. `e820` is scratch. Returns MM_OK (the fallback layout
 * always succeeds), MM_ERR_INVALID_ARGUMENT for NULL pointers or an
 * unknown `first`, MM_ERR_MAP_FULL when the capacity is too small. */
mm_status bm_detect(const bm_bios *b, uint32_t first, mm_map *map, bm_e820 *e820, bm_report *rep);

/* "e820", "e801", "88h", "fallback" ("?" otherwise). */
const char *bm_method_name(uint32_t method);

#endif
