/* Boot menu state machine (menu.h). One frame is redrawn whenever the
 * highlight moves; the countdown only rewrites the status line, once per
 * second. */
#include "menu.h"

#include "text.h"

typedef struct menu {
    const bc_bootcfg *cfg;
    const bc_menu_io *io;
    const char *error;  /* NULL: no error line */
    uint32_t highlight; /* 0-based */
    uint32_t typed;     /* number typed so far, 0 = none */
    uint32_t digits;    /* digits in `typed` */
    bool rejected;      /* the last digit named no entry */
} menu;

static void out(const menu *m, bc_menu_out kind, const char *text)
{
    m->io->out(m->io->ctx, kind, text);
}

static void entry_line(const menu *m, uint32_t i)
{
    char buf[BC_MENU_LINE_MAX];
    bc_text t;
    bc_text_init(&t, buf, sizeof buf);
    bc_text_str(&t, i == m->highlight ? "> " : "  ");
    bc_text_u32(&t, i + 1);
    bc_text_str(&t, ". ");
    bc_text_str(&t, bc_bootcfg_str(m->cfg, m->cfg->entries[i].name));
    if (i == m->cfg->default_entry)
        bc_text_str(&t, " (default)");
    out(m, BC_MENU_LINE, buf);
}

/* The prompt once the countdown is over (or never ran). */
static void prompt(const menu *m)
{
    char buf[BC_MENU_LINE_MAX];
    bc_text t;
    bc_text_init(&t, buf, sizeof buf);
    if (m->rejected) {
        bc_text_str(&t, "No such entry. ");
    } else if (m->typed) {
        bc_text_str(&t, "Entry ");
        bc_text_u32(&t, m->typed);
        bc_text_str(&t, ": ");
    }
    bc_text_str(&t, "Type 1-");
    bc_text_u32(&t, m->cfg->entry_count);
    bc_text_str(&t, " or use the arrows, then press Enter");
    out(m, BC_MENU_STATUS, buf);
}

static void draw(const menu *m)
{
    out(m, BC_MENU_CLEAR, "");
    out(m, BC_MENU_LINE, "MultiOS Boot: choose an entry");
    for (uint32_t i = 0; i < m->cfg->entry_count; i++)
        entry_line(m, i);
    if (m->error) {
        char buf[BC_MENU_LINE_MAX];
        bc_text t;
        bc_text_init(&t, buf, sizeof buf);
        bc_text_str(&t, "Error: ");
        bc_text_str(&t, m->error);
        out(m, BC_MENU_LINE, buf);
    }
}

static void countdown_line(const menu *m, uint32_t secs)
{
    char buf[BC_MENU_LINE_MAX];
    bc_text t;
    bc_text_init(&t, buf, sizeof buf);
    bc_text_str(&t, "Booting ");
    bc_text_str(&t, bc_bootcfg_str(m->cfg, m->cfg->entries[m->cfg->default_entry].name));
    bc_text_str(&t, " in ");
    bc_text_u32(&t, secs);
    bc_text_str(&t, " s; press any key to stop");
    out(m, BC_MENU_STATUS, buf);
}

static void move_to(menu *m, uint32_t index)
{
    if (index == m->highlight)
        return;
    m->highlight = index;
    draw(m);
}

/* A digit: appended to the typed number, or starts a new one when the
 * number would name no entry. */
static void type_digit(menu *m, uint32_t d)
{
    uint32_t n = m->digits < 2 ? m->typed * 10 + d : d;
    if (n == 0 || n > m->cfg->entry_count)
        n = d;
    m->rejected = n == 0 || n > m->cfg->entry_count;
    m->typed = m->rejected ? 0 : n;
    m->digits = m->rejected ? 0 : (n == d ? 1 : m->digits + 1);
    if (!m->rejected)
        move_to(m, n - 1);
}

/* Applies one key; true when Enter chose the highlighted entry. NONE and
 * OTHER change nothing. */
static bool handle_key(menu *m, bc_key key)
{
    uint32_t count = m->cfg->entry_count;
    if (key.kind == BC_KEY_ENTER)
        return true;
    if (key.kind == BC_KEY_DIGIT && key.digit <= 9) {
        type_digit(m, key.digit);
    } else if (key.kind == BC_KEY_UP || key.kind == BC_KEY_DOWN) {
        m->typed = m->digits = 0;
        m->rejected = false;
        uint32_t step = key.kind == BC_KEY_UP ? count - 1 : 1;
        move_to(m, (m->highlight + step) % count);
    }
    return false;
}

/* Counts down from cfg->timeout. Returns the key that stopped it, or
 * BC_KEY_NONE when the time ran out. */
static bc_key countdown(const menu *m)
{
    const bc_menu_io *io = m->io;
    uint64_t start = io->now_ms(io->ctx);
    uint32_t total = m->cfg->timeout * 1000u, shown = 0;
    for (;;) {
        uint64_t spent = io->now_ms(io->ctx) - start;
        if (spent >= total)
            return (bc_key){BC_KEY_NONE, 0};
        uint32_t left = total - (uint32_t)spent;
        uint32_t secs = (left + 999u) / 1000u;
        if (secs != shown)
            countdown_line(m, secs);
        shown = secs;
        bc_key key = io->poll(io->ctx, left - (secs - 1u) * 1000u);
        if (key.kind != BC_KEY_NONE)
            return key;
    }
}

static bool io_ok(const bc_menu_io *io)
{
    return io && io->out && io->poll && io->now_ms;
}

mm_status bc_menu_choose(const bc_bootcfg *cfg, const bc_menu_io *io, const char *error,
                         uint32_t *chosen)
{
    if (!cfg || !chosen || !io_ok(io) || cfg->entry_count == 0 ||
        cfg->entry_count > BC_CFG_MAX_ENTRIES || cfg->default_entry >= cfg->entry_count)
        return MM_ERR_INVALID_ARGUMENT;
    if (error && cfg->entry_count < 2)
        return MM_ERR_NOT_FOUND;
    if (!error && !bc_menu_wanted(cfg)) {
        *chosen = cfg->default_entry;
        return MM_OK;
    }
    menu m = {.cfg = cfg, .io = io, .error = error, .highlight = cfg->default_entry};
    draw(&m);
    /* After a failure the menu waits as if a key had stopped the countdown. */
    bc_key key = {BC_KEY_OTHER, 0};
    if (!error) {
        key = countdown(&m);
        if (key.kind == BC_KEY_NONE) {
            *chosen = m.highlight;
            return MM_OK;
        }
    }
    for (;;) {
        if (handle_key(&m, key)) {
            *chosen = m.highlight;
            return MM_OK;
        }
        if (key.kind != BC_KEY_NONE)
            prompt(&m);
        key = io->poll(io->ctx, 1000);
    }
}

bool bc_menu_wanted(const bc_bootcfg *cfg)
{
    return cfg && cfg->entry_count > 1 && cfg->timeout > 0;
}

bc_key bc_key_from_char(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (bc_key){BC_KEY_DIGIT, (uint8_t)(c - '0')};
    if (c == '\r' || c == '\n')
        return (bc_key){BC_KEY_ENTER, 0};
    return (bc_key){c ? BC_KEY_OTHER : BC_KEY_NONE, 0};
}

bc_key bc_key_from_bios(uint16_t ax)
{
    uint8_t scan = (uint8_t)(ax >> 8), c = (uint8_t)ax;
    if (scan == 0x48 && (c == 0 || c == 0xe0))
        return (bc_key){BC_KEY_UP, 0};
    if (scan == 0x50 && (c == 0 || c == 0xe0))
        return (bc_key){BC_KEY_DOWN, 0};
    return c ? bc_key_from_char(c) : (bc_key){BC_KEY_OTHER, 0};
}

bc_key bc_key_from_efi(uint16_t scan_code, uint16_t unicode_char)
{
    if (scan_code == 1)
        return (bc_key){BC_KEY_UP, 0};
    if (scan_code == 2)
        return (bc_key){BC_KEY_DOWN, 0};
    return unicode_char ? bc_key_from_char(unicode_char) : (bc_key){BC_KEY_OTHER, 0};
}
