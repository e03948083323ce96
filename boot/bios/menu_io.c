/* Stage 2's side of the boot menu (menu_io.h). */
#include "menu_io.h"

#include "bios.h"
#include "console.h"

#define COM1      0x3f8
#define COM1_LSR  (COM1 + 5)
#define LSR_DATA  0x01
#define BDA_TICKS ((volatile const uint32_t *)0x46c)
#define ZF        0x40

static void out_text(const char *s)
{
    con_write(s, bc_strnlen(s, BC_MENU_LINE_MAX));
}

static void menu_out(void *ctx, bc_menu_out kind, const char *text)
{
    (void)ctx;
    if (kind != BC_MENU_CLEAR)
        out_text(text);
    con_write("\n", 1);
}

static uint64_t menu_now(void *ctx)
{
    (void)ctx;
    /* A tick is 65536 / 1193182 s = 54.925 ms ~ 55 - 1/13 ms; at most
     * 0x1800b0 ticks a day keeps ticks * 55 within 32 bits (no 64-bit
     * division in stage 2). */
    uint32_t ticks = *BDA_TICKS;
    return ticks * 55u - ticks / 13u;
}

/* INT 16h AH=01h (is a key waiting?) then AH=00h (take it). */
static bool keyboard_key(bc_key *key)
{
    struct bios_regs r = {.eax = 0x0100};
    bios_call(0x16, &r);
    if (r.flags & ZF) /* no key waiting */
        return false;
    r = (struct bios_regs){.eax = 0x0000};
    bios_call(0x16, &r);
    *key = bc_key_from_bios((uint16_t)r.eax);
    return true;
}

static bool serial_key(bc_key *key)
{
    if (!(inb(COM1_LSR) & LSR_DATA))
        return false;
    uint8_t c = inb(COM1);
    if (c == '\n') /* the second half of a CR LF Enter */
        return false;
    *key = bc_key_from_char(c);
    return true;
}

static bc_key menu_poll(void *ctx, uint32_t wait_ms)
{
    uint64_t end = menu_now(ctx) + wait_ms;
    bc_key key = {BC_KEY_NONE, 0};
    do {
        if (serial_key(&key) || keyboard_key(&key))
            return key;
    } while (menu_now(ctx) < end);
    return key;
}

bc_menu_io bios_menu_io(void)
{
    bc_menu_io io = {menu_out, menu_poll, menu_now, NULL};
    return io;
}
