/* SVG renderer of the memory map picture (see svg.h). */
#include "svg.h"

#include "common/mapview.h"

/* Text baseline inside a 16-pixel row for a 13-pixel monospace font. */
#define BASELINE 12u

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void text(FILE *f, uint32_t x, uint32_t y, const char *s)
{
    fprintf(f, "<text x=\"%u\" y=\"%u\" fill=\"#%06x\" xml:space=\"preserve\">", x, y + BASELINE,
            BC_MAPVIEW_TEXT);
    put_escaped(f, s);
    fputs("</text>\n", f);
}

static void bar(FILE *f, uint32_t x, uint32_t y, uint32_t w, uint32_t type)
{
    fprintf(f,
            "<rect class=\"bar\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
            "fill=\"#%06x\"><title>%s</title></rect>\n",
            x, y + 2, w, BC_MAPVIEW_ROW_H - 4, bc_mapview_colour(type),
            mm_type_name((mm_type)type));
}

static void legend(FILE *f, const bc_mapview_geom *g, const mm_entry *e, uint32_t n)
{
    uint32_t types[MM_TYPE_COUNT], k = bc_mapview_legend(e, n, types);
    for (uint32_t i = 0; i < k; i++) {
        uint32_t y = bc_mapview_row_y(i);
        fprintf(f,
                "<rect class=\"key\" x=\"%u\" y=\"%u\" width=\"16\" height=\"%u\" "
                "fill=\"#%06x\"/>\n",
                g->legend_x, y + 2, BC_MAPVIEW_ROW_H - 4, bc_mapview_colour(types[i]));
        text(f, g->legend_x + 24, y, mm_type_name((mm_type)types[i]));
    }
}

int memmap_write_svg(FILE *f, const mm_entry *e, uint32_t n, const char *title)
{
    uint32_t types[MM_TYPE_COUNT], k = bc_mapview_legend(e, n, types);
    uint32_t rows = n > k ? n : k;
    bc_mapview_geom g;
    if (bc_mapview_layout(MEMMAP_SVG_WIDTH, bc_mapview_row_y(rows) + BC_MAPVIEW_MARGIN, n, &g))
        return -1;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
            "font-family=\"monospace\" font-size=\"13\">\n",
            g.width, g.height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#%06x\"/>\n", BC_MAPVIEW_BG);
    text(f, BC_MAPVIEW_MARGIN, 0, title);
    char label[BC_MAPVIEW_LABEL_CHARS + 1];
    for (uint32_t i = 0; i < g.rows; i++) {
        bc_mapview_label(label, &e[i]);
        text(f, g.label_x, bc_mapview_row_y(i), label);
        bar(f, g.bar_x, bc_mapview_row_y(i), bc_mapview_bar_len(&g, e[i].length), e[i].type);
    }
    legend(f, &g, e, n);
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
