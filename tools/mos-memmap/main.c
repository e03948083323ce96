/* mos-memmap: reads a memory map as Linux prints it in dmesg (or plain
 * "START END TYPE" lines), sanitizes it with lib/mm and prints the result,
 * what was fixed, and statistics. `dmesg | mos-memmap` works on a real
 * machine.
 *
 *   mos-memmap [--check] [--plain] [--frame-size BYTES] [--svg OUT.svg] [FILE | -]
 *
 * --svg also writes the sanitized map as a picture (boot/common/mapview.h:
 * the one the demo kernel draws on the framebuffer).
 *
 * Exit status: 0 fine, 1 --check found a broken invariant in the input,
 * 2 bad usage or unreadable input. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "svg.h"

#define EXIT_CHECK_FAILED 1
#define EXIT_BAD_INPUT    2

typedef struct options {
    int check;
    int plain;
    uint64_t frame_size;
    const char *svg;  /* --svg output file, NULL = none */
    const char *path; /* NULL or "-" = stdin */
} options;

/* Entries of one source, in input order, with the line each came from and
 * whether the parser cut it at 2^64 - 1 (memmap_line.top_clipped). */
typedef struct entry_list {
    mm_entry *entries;
    unsigned long *lines;
    unsigned char *top_clipped;
    uint32_t count, capacity;
    uint32_t top_clipped_count;
    int old_form, new_form;
} entry_list;

static void die_oom(void)
{
    fprintf(stderr, "mos-memmap: out of memory\n");
    exit(EXIT_BAD_INPUT);
}

static void list_push(entry_list *l, const memmap_line *ml, unsigned long line_no)
{
    if (l->count == UINT32_MAX / 4) {
        fprintf(stderr, "mos-memmap: more than %u entries\n", l->count);
        exit(EXIT_BAD_INPUT);
    }
    if (l->count == l->capacity) {
        uint32_t cap = l->capacity ? 2 * l->capacity : 64;
        mm_entry *e = realloc(l->entries, sizeof(*e) * cap);
        if (e)
            l->entries = e;
        unsigned long *ln = e ? realloc(l->lines, sizeof(*ln) * cap) : NULL;
        if (ln)
            l->lines = ln;
        unsigned char *tc = ln ? realloc(l->top_clipped, cap) : NULL;
        if (!tc)
            die_oom();
        l->top_clipped = tc;
        l->capacity = cap;
    }
    l->entries[l->count] = ml->entry;
    l->top_clipped[l->count] = (unsigned char)ml->top_clipped;
    l->top_clipped_count += ml->top_clipped ? 1 : 0;
    l->lines[l->count++] = line_no;
    if (ml->old_form)
        l->old_form = 1;
    else
        l->new_form = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mos-memmap [--check] [--plain] [--frame-size BYTES] [--svg OUT.svg] "
               "[FILE | -]\n"
               "Reads BIOS-e820/efi memory map lines from dmesg (old and new forms) or\n"
               "plain 'START END TYPE' lines (END exclusive) and prints the sanitized map.\n"
               "  --check       exit 1 if the input breaks a map invariant, naming it\n"
               "  --plain       print only the sanitized map, one '0xSTART 0xEND TYPE' a line\n"
               "  --frame-size  frame size for usable alignment (power of two, default 4096)\n"
               "  --svg OUT     also draw the sanitized map into OUT (one bar per entry)\n");
}

static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){0, 0, MM_FRAME_SIZE_DEFAULT, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) {
            o->check = 1;
        } else if (strcmp(argv[i], "--plain") == 0) {
            o->plain = 1;
        } else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc) {
            o->svg = argv[++i];
        } else if (strcmp(argv[i], "--frame-size") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 0);
            if (errno || *end || !mm_is_pow2(v)) {
                fprintf(stderr, "mos-memmap: --frame-size needs a power of two, got '%s'\n",
                        argv[i]);
                return 0;
            }
            o->frame_size = v;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "mos-memmap: unknown option '%s'\n", argv[i]);
            return 0;
        } else if (o->path) {
            fprintf(stderr, "mos-memmap: only one input file, got '%s' and '%s'\n", o->path,
                    argv[i]);
            return 0;
        } else {
            o->path = argv[i];
        }
    }
    return 1;
}

/* Reads every line into the list of its source. Returns 0 (after printing
 * why, with the line number) on a malformed memory map line. */
static int read_input(FILE *f, const char *name, entry_list lists[MEMMAP_SRC_COUNT])
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long line_no = 0;
    int ok = 1;
    while (ok && (n = getline(&line, &cap, f)) >= 0) {
        line_no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        memmap_line ml;
        const char *error;
        switch (memmap_parse_line(line, (size_t)n, &ml, &error)) {
        case MEMMAP_LINE_ENTRY:
            list_push(&lists[ml.source], &ml, line_no);
            break;
        case MEMMAP_LINE_ERROR:
            fprintf(stderr, "mos-memmap: %s:%lu: %s\n  %.*s\n", name, line_no, error,
                    (int)(n > 200 ? 200 : n), line);
            ok = 0;
            break;
        case MEMMAP_LINE_SKIP:
            break;
        }
    }
    if (ok && ferror(f)) {
        fprintf(stderr, "mos-memmap: %s: read error: %s\n", name, strerror(errno));
        ok = 0;
    }
    free(line);
    return ok;
}

/* The firmware's own map is preferred: EFI lines (the original UEFI map)
 * over BIOS-e820 lines (which the kernel derives from it on UEFI boots)
 * over plain lines. */
static memmap_source pick_source(const entry_list lists[MEMMAP_SRC_COUNT])
{
    static const memmap_source order[] = {MEMMAP_SRC_EFI, MEMMAP_SRC_E820, MEMMAP_SRC_PLAIN};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (lists[order[i]].count > 0)
            return order[i];
    return MEMMAP_SRC_NONE;
}

/* "1.5 GiB" style size into buf (rounded to one decimal). */
static const char *human(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned u = 0;
    double v = (double)bytes;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " B", bytes);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
    return buf;
}

static void print_entry(const mm_entry *e, int plain)
{
    char h[32];
    if (plain) {
        printf("0x%016" PRIx64 " 0x%016" PRIx64 " %s\n", e->base, mm_entry_end(e),
               mm_type_name((mm_type)e->type));
        return;
    }
    printf("  0x%016" PRIx64 "-0x%016" PRIx64 " %-22s %10s", e->base, mm_entry_end(e),
           mm_type_name((mm_type)e->type), human(e->length, h, sizeof(h)));
    if (e->attributes)
        printf("  (raw %" PRIu32 ", attr 0x%" PRIx64 ")", e->raw_type, e->attributes);
    else if (e->raw_type)
        printf("  (raw %" PRIu32 ")", e->raw_type);
    printf("\n");
}

static const char *rule_explanation(mm_validate_rule r)
{
    switch (r) {
    case MM_RULE_BAD_TYPE:
        return "type is not a memory type";
    case MM_RULE_EMPTY:
        return "entry is empty";
    case MM_RULE_WRAPS:
        return "range runs past the top of the 64-bit address space";
    case MM_RULE_UNSORTED:
        return "starts below the previous entry (input not sorted)";
    case MM_RULE_OVERLAP:
        return "overlaps the previous entry";
    case MM_RULE_NOT_MERGED:
        return "continues the previous entry with the same type (not merged)";
    case MM_RULE_USABLE_UNALIGNED:
        return "usable range not aligned to the frame size";
    default:
        return "";
    }
}

/* --check: every entry of the input, in input order, against the sanitized
 * map invariants. Returns the number of broken entries. */
static uint32_t check_input(const entry_list *l, uint64_t frame_size, const char *name)
{
    mm_map m = {l->entries, l->count, l->count, frame_size};
    uint32_t broken = 0;
    for (uint32_t i = 0; i < l->count; i++) {
        mm_validate_rule r = mm_map_entry_rule(&m, i, frame_size);
        const mm_entry *e = &l->entries[i];
        if (l->top_clipped[i]) {
            /* The input's range was [base, 2^64): no map can hold it, and
             * that comes before any rule the cut entry breaks. */
            printf("%s:%lu: entry %u [0x%" PRIx64 "-0x10000000000000000) %s: %s: %s\n", name,
                   l->lines[i], i, e->base, mm_type_name((mm_type)e->type),
                   mm_validate_rule_name(MM_RULE_WRAPS),
                   "range ends at 2^64, one past the highest end a map can hold");
            broken++;
            continue;
        }
        if (r == MM_RULE_NONE)
            continue;
        printf("%s:%lu: entry %u [0x%" PRIx64 "-0x%" PRIx64 ") %s: %s: %s\n", name, l->lines[i], i,
               e->base, e->base + e->length, mm_type_name((mm_type)e->type),
               mm_validate_rule_name(r), rule_explanation(r));
        broken++;
    }
    if (broken == 0)
        printf("%s: %u entries, all invariants hold (sorted, non-overlapping, merged, usable "
               "aligned to %" PRIu64 ")\n",
               name, l->count, frame_size);
    else
        printf("%s: %u of %u entries break an invariant\n", name, broken, l->count);
    return broken;
}

/* What sanitize fixed. `top_clipped` entries ran to 2^64 and were cut at
 * 2^64 - 1 by the parser: the clip the sanitizer makes for a wrapping
 * range, counted with those (a usable one then loses the rest of its last
 * frame to alignment, reported as trimmed). */
static void print_report(const mm_sanitize_report *r, uint32_t top_clipped)
{
    char h[32];
    printf("fixed:\n");
    printf("  empty entries dropped      %u\n", r->empty_dropped);
    printf("  wrapping entries clipped   %u\n", r->wrapped_clipped + top_clipped);
    printf("  overlapping entries        %u\n", r->overlaps_resolved);
    printf("  entries merged             %u\n", r->merged);
    printf("  usable slivers dropped     %u\n", r->slivers_dropped);
    printf("  usable bytes trimmed       %" PRIu64 " (%s)\n", r->bytes_trimmed,
           human(r->bytes_trimmed, h, sizeof(h)));
}

static void print_stats(const mm_map *m)
{
    struct mm_map_stats s;
    char h[32];
    mm_map_stats(m, &s);
    printf("statistics:\n");
    for (uint32_t t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        if (s.entries[t] == 0)
            continue;
        printf("  %-22s %10s in %u entr%s\n", mm_type_name((mm_type)t),
               human(s.bytes[t], h, sizeof(h)), s.entries[t], s.entries[t] == 1 ? "y" : "ies");
    }
    printf("  total usable           %" PRIu64 " bytes (%s)\n", s.usable_bytes,
           human(s.usable_bytes, h, sizeof(h)));
    printf("  highest usable end     0x%" PRIx64 "\n", s.highest_usable_end);
    printf("  highest end            0x%" PRIx64 "\n", s.highest_end);
}

static const char *form_name(const entry_list *l, memmap_source src)
{
    if (src == MEMMAP_SRC_PLAIN)
        return "";
    if (l->old_form && l->new_form)
        return " (old and new kernel forms)";
    return l->old_form ? " (old kernel form)" : " (current kernel form)";
}

/* --svg: the picture of the sanitized map. Returns the exit status. */
static int write_svg(const char *path, const mm_map *m, const char *name)
{
    char title[160];
    snprintf(title, sizeof(title), "%s: %u entries", name, m->count);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "mos-memmap: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int bad = memmap_write_svg(f, m->entries, m->count, title);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "mos-memmap: writing %s failed\n", path);
        return EXIT_BAD_INPUT;
    }
    return 0;
}

/* Sanitizes a copy of the list (room for every possible split) and prints
 * it. Returns the exit status. */
static int sanitize_and_print(const entry_list *l, memmap_source src, const options *o,
                              const char *name)
{
    uint32_t cap = 2 * l->count + 1;
    mm_entry *storage = malloc(sizeof(mm_entry) * cap);
    size_t scratch_size = mm_map_sanitize_scratch_size(l->count);
    void *scratch = malloc(scratch_size);
    if (!storage || !scratch)
        die_oom();
    memcpy(storage, l->entries, sizeof(mm_entry) * l->count);
    mm_map m = {storage, l->count, cap, o->frame_size};
    mm_sanitize_report r;
    mm_status st = mm_map_sanitize(&m, o->frame_size, scratch, scratch_size, &r);
    if (st != MM_OK) {
        fprintf(stderr, "mos-memmap: sanitize failed: %s\n", mm_strerror(st));
        return EXIT_BAD_INPUT;
    }
    if (o->plain) {
        for (uint32_t i = 0; i < m.count; i++)
            print_entry(&m.entries[i], 1);
    } else {
        printf("input: %s, %u %s lines%s, frame size %" PRIu64 "\n", name, l->count,
               memmap_source_name(src), form_name(l, src), o->frame_size);
        printf("sanitized map: %u entries\n", m.count);
        for (uint32_t i = 0; i < m.count; i++)
            print_entry(&m.entries[i], 0);
        print_report(&r, l->top_clipped_count);
        print_stats(&m);
    }
    int status = o->svg ? write_svg(o->svg, &m, name) : 0;
    free(scratch);
    free(storage);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    if (!parse_args(argc, argv, &o)) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    int from_stdin = !o.path || strcmp(o.path, "-") == 0;
    const char *name = from_stdin ? "<stdin>" : o.path;
    FILE *f = from_stdin ? stdin : fopen(o.path, "r");
    if (!f) {
        fprintf(stderr, "mos-memmap: cannot open %s: %s\n", o.path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    entry_list lists[MEMMAP_SRC_COUNT];
    memset(lists, 0, sizeof(lists));
    int ok = read_input(f, name, lists);
    if (!from_stdin)
        fclose(f);
    memmap_source src = pick_source(lists);
    int status = EXIT_BAD_INPUT;
    if (ok && src == MEMMAP_SRC_NONE)
        fprintf(stderr,
                "mos-memmap: %s: no memory map lines found (expected BIOS-e820:, "
                "efi: memNN: or 'START END TYPE' lines)\n",
                name);
    else if (ok && o.check)
        status = check_input(&lists[src], o.frame_size, name) ? EXIT_CHECK_FAILED : 0;
    else if (ok)
        status = sanitize_and_print(&lists[src], src, &o, name);
    if (ok && src != MEMMAP_SRC_NONE && !o.plain)
        for (int s = MEMMAP_SRC_NONE + 1; s < MEMMAP_SRC_COUNT; s++)
            if (s != (int)src && lists[s].count > 0)
                fprintf(stderr, "mos-memmap: note: ignored %u %s lines, using the %s map\n",
                        lists[s].count, memmap_source_name((memmap_source)s),
                        memmap_source_name(src));
    for (int s = 0; s < MEMMAP_SRC_COUNT; s++) {
        free(lists[s].entries);
        free(lists[s].lines);
        free(lists[s].top_clipped);
    }
    return status;
}
