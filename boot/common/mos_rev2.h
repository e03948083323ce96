/* The MultiOS back end's revision-2 work (docs/protocol.md sections
 * 13-16): modules, and the region the handoff's revision-2 arrays and
 * module command lines live in. Called by proto_mos.c in its order of
 * work; the state lives in the boot heap (bc_boot.backend_data). */
#ifndef BC_MOS_REV2_H
#define BC_MOS_REV2_H

#include "driver.h"
#include "handoff_rev2.h"
#include "mos_smp.h"

#define BC_MODULE_FILE_MAX (1024u * 1024u * 1024u) /* bytes: largest module file */

typedef struct bc_mos_rev2 {
    bc_rev2_module modules[BC_CFG_MAX_MODULES];
    uint32_t module_count;
    uint32_t cpu_capacity; /* mos_cpu entries the region holds */
    bc_rev2_layout layout;
    bc_placed region; /* BC_RANGE_PROTOCOL_DATA: the arrays and command lines */
    bc_mos_smp smp;
} bc_mos_rev2;

/* Before `exit`: the selected entry's module= files, in file order, each
 * read (an empty file is a module of size 0) straight into a MODULE range
 * of its own (4 KiB aligned, at least one granule, so even an empty
 * module has an address; the bytes after the file zero) and recorded in
 * `r` (zeroed first). A missing or unreadable file stops the boot naming
 * its boot.cfg line and path. */
void bc_mos_load_modules(bc_boot *b, bc_mos_rev2 *r);

/* Before `exit`, after the modules: lays out and places the revision-2
 * region (PROTOCOL_DATA, typed HANDOFF) for the modules and
 * `cpu_capacity` CPUs; the boot stops naming it when it cannot be placed.
 * Nothing is placed when there is nothing to hold. */
void bc_mos_place_rev2(bc_boot *b, bc_mos_rev2 *r, uint32_t cpu_capacity);

/* After bc_handoff_build, before the seal: fills the handoff's
 * revision-2 fields from `in` (its modules are taken from `r`); the boot
 * stops on a loader bug (the region too small). */
void bc_mos_fill_rev2(bc_boot *b, const bc_mos_rev2 *r, bc_rev2_input *in);

#endif
