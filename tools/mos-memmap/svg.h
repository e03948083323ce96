/* mos-memmap --svg: the memory map picture of boot/common/mapview.h as an
 * SVG file (same geometry, colours and labels as on the framebuffer). */
#ifndef MOS_MEMMAP_SVG_H
#define MOS_MEMMAP_SVG_H

#include <stdio.h>

#include "mm/memmap.h"

/* Width of the picture, pixels; its height grows with the entries. */
#define MEMMAP_SVG_WIDTH 1024u

/* Writes the picture of the `n` entries at `e` with the title `title`
 * (XML-escaped here) to `f`: every entry gets its row. Returns 0, or -1
 * when writing failed. */
int memmap_write_svg(FILE *f, const mm_entry *e, uint32_t n, const char *title);

#endif
