/* Boot menu with a scripted keyboard and a fake millisecond clock: the
 * clock only moves when the menu waits for a key, so every countdown step
 * and every key lands at an exact time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/menu.h"

#define MAX_LINES 512

typedef struct step {
    uint32_t at_ms; /* the key arrives at this time */
    bc_key key;
} step;

typedef struct fake {
    uint64_t now;
    const step *steps;
    size_t nsteps, next;
    uint32_t polls;
    size_t nlines;
    int kind[MAX_LINES];
    char text[MAX_LINES][BC_MENU_LINE_MAX];
    bc_bootcfg cfg;
} fake;

static void fake_out(void *ctx, bc_menu_out kind, const char *text)
{
    fake *f = ctx;
    assert_true(strlen(text) < BC_MENU_LINE_MAX);
    if (f->nlines == MAX_LINES)
        fail_msg("too much output");
    f->kind[f->nlines] = kind;
    snprintf(f->text[f->nlines++], BC_MENU_LINE_MAX, "%s", text);
}

static bc_key fake_poll(void *ctx, uint32_t wait_ms)
{
    fake *f = ctx;
    assert_in_range(wait_ms, 1, 1000);
    if (++f->polls > 10000)
        fail_msg("menu never returned");
    if (f->next < f->nsteps && f->steps[f->next].at_ms <= f->now + wait_ms) {
        if (f->steps[f->next].at_ms > f->now)
            f->now = f->steps[f->next].at_ms;
        return f->steps[f->next++].key;
    }
    f->now += wait_ms;
    return (bc_key){BC_KEY_NONE, 0};
}

static uint64_t fake_now(void *ctx)
{
    return ((fake *)ctx)->now;
}

static const bc_key enter = {BC_KEY_ENTER, 0};
static const bc_key up = {BC_KEY_UP, 0};
static const bc_key down = {BC_KEY_DOWN, 0};
static const bc_key other = {BC_KEY_OTHER, 0};

static bc_key digit(uint8_t d)
{
    return (bc_key){BC_KEY_DIGIT, d};
}

static int setup(void **state)
{
    fake *f = calloc(1, sizeof *f);
    f->now = 50000; /* not 0: the countdown must use differences */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void load(fake *f, const char *text)
{
    bc_cfg_errors errs;
    bc_bootcfg_defaults(&f->cfg);
    assert_int_equal(bc_bootcfg_parse(text, strlen(text), &f->cfg, (bc_cfg_sink){0}, &errs), MM_OK);
}

/* Three entries, default the second, 3 s countdown. */
static const char three[] = "timeout=3\ndefault=2\n"
                            "[MultiOS]\nkernel=/a\n[Linux]\nkernel=/b\n[Shell]\nkernel=/c\n";

static mm_status run(fake *f, const step *steps, size_t n, const char *error, uint32_t *chosen)
{
    f->steps = steps;
    f->nsteps = n;
    bc_menu_io io = {fake_out, fake_poll, fake_now, f};
    return bc_menu_choose(&f->cfg, &io, error, chosen);
}

/* Index of the first output line of `kind` containing `s` at or after
 * `from`, or -1. */
static int find(const fake *f, size_t from, int kind, const char *s)
{
    for (size_t i = from; i < f->nlines; i++) {
        if (f->kind[i] == kind && strstr(f->text[i], s))
            return (int)i;
    }
    return -1;
}

static int count(const fake *f, int kind, const char *s)
{
    int n = 0;
    for (int i = find(f, 0, kind, s); i >= 0; i = find(f, (size_t)i + 1, kind, s))
        n++;
    return n;
}

/* No key: the frame, then "3", "2", "1" once each, one second apart, and
 * the default boots when 3 s have passed.
 *     CLEAR / title / "  1. MultiOS" / "> 2. Linux (default)" / "  3. Shell"
 *     STATUS "Booting Linux in 3 s..." (t=0) "2 s" (t=1000) "1 s" (t=2000) */
static void default_after_timeout(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    load(f, three);
    assert_int_equal(run(f, NULL, 0, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 1);
    assert_int_equal(f->now, 53000);
    assert_int_equal(f->kind[0], BC_MENU_CLEAR);
    assert_string_equal(f->text[1], "MultiOS Boot: choose an entry");
    assert_string_equal(f->text[2], "  1. MultiOS");
    assert_string_equal(f->text[3], "> 2. Linux (default)");
    assert_string_equal(f->text[4], "  3. Shell");
    assert_string_equal(f->text[5], "Booting Linux in 3 s; press any key to stop");
    assert_string_equal(f->text[6], "Booting Linux in 2 s; press any key to stop");
    assert_string_equal(f->text[7], "Booting Linux in 1 s; press any key to stop");
    assert_int_equal(f->nlines, 8);
}

/* A key that is neither Enter nor a choice (t=1.5 s) stops the countdown:
 * nothing boots at 3 s; Enter at 10 s boots the highlighted default. */
static void any_key_stops_countdown(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{51500, other}, {60000, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 2, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 1);
    assert_int_equal(f->now, 60000);
    assert_int_equal(count(f, BC_MENU_STATUS, "Booting"), 2); /* 3 s and 2 s only */
    assert_true(find(f, 0, BC_MENU_STATUS, "Type 1-3") > find(f, 0, BC_MENU_STATUS, "in 2 s"));
}

/* Enter during the countdown boots the highlighted entry at once. */
static void enter_during_countdown(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{50200, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 1, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 1);
    assert_int_equal(f->now, 50200);
}

/* "3" then Enter (the serial way) picks entry 3; the frame is redrawn
 * with the highlight on it. */
static void digit_then_enter(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{50100, digit(3)}, {50300, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 2, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 2);
    assert_true(find(f, 1, BC_MENU_LINE, "> 3. Shell") > 0);
    assert_true(find(f, 0, BC_MENU_STATUS, "Entry 3: ") > 0);
}

/* Twelve entries: "1", "2" is entry 12; "9" then "9" is 9 again (99 is
 * too large, so the second 9 starts over). */
static void two_digit_numbers(void **state)
{
    fake *f = *state;
    char text[512] = "timeout=5\n";
    for (int i = 1; i <= 12; i++) {
        char e[32];
        snprintf(e, sizeof e, "[e%d]\nkernel=/k\n", i);
        strcat(text, e);
    }
    uint32_t chosen = 99;
    load(f, text);
    const step twelve[] = {{50001, digit(1)}, {50002, digit(2)}, {50003, enter}};
    assert_int_equal(run(f, twelve, 3, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 11);
    f->next = 0;
    const step nine[] = {{50001, digit(9)}, {50002, digit(9)}, {50003, enter}};
    assert_int_equal(run(f, nine, 3, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 8);
}

/* A digit naming no entry ("0", "7" of three) keeps the highlight and
 * says so. */
static void digit_out_of_range(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{50001, digit(7)}, {50002, digit(0)}, {50003, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 3, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 1);
    assert_int_equal(count(f, BC_MENU_STATUS, "No such entry"), 2);
}

/* Arrows move the highlight and wrap:
 *   start 2 -down-> 3 -down-> 1 -up-> 3 -up-> 2 -up-> 1, Enter -> 1 */
static void arrows_move_and_wrap(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{50001, down}, {50002, down}, {50003, up},
                          {50004, up},   {50005, up},   {50006, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 6, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 0);
    assert_int_equal(count(f, BC_MENU_CLEAR, ""), 6); /* first frame + 5 moves */
}

/* timeout=0: the default at once, nothing shown, no key read. */
static void timeout_zero_no_menu(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    load(f, "timeout=0\ndefault=3\n[a]\nkernel=/a\n[b]\nkernel=/b\n[c]\nkernel=/c\n");
    assert_false(bc_menu_wanted(&f->cfg));
    assert_int_equal(run(f, NULL, 0, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 2);
    assert_int_equal(f->nlines, 0);
    assert_int_equal(f->polls, 0);
}

/* One entry (the legacy file): no menu whatever the timeout. */
static void one_entry_no_menu(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    load(f, "timeout=10\nkernel=/k\n");
    assert_false(bc_menu_wanted(&f->cfg));
    assert_int_equal(run(f, NULL, 0, NULL, &chosen), MM_OK);
    assert_int_equal(chosen, 0);
    assert_int_equal(f->nlines, 0);
}

/* After a failed entry the menu comes back with the message and without
 * a countdown (no boot at 3 s); the user picks another entry. */
static void failed_entry_returns_with_message(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{58000, digit(1)}, {58100, enter}};
    load(f, three);
    assert_int_equal(run(f, steps, 2, "Linux: /b: file not found", &chosen), MM_OK);
    assert_int_equal(chosen, 0);
    assert_int_equal(f->now, 58100);
    assert_int_equal(find(f, 0, BC_MENU_LINE, "Error: Linux: /b: file not found"), 5);
    assert_int_equal(count(f, BC_MENU_STATUS, "Booting"), 0);
}

/* Even with timeout=0 a failure shows the menu when there is a choice. */
static void failure_with_timeout_zero_shows_menu(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    const step steps[] = {{50010, down}, {50020, enter}};
    load(f, "timeout=0\n[a]\nkernel=/a\n[b]\nkernel=/b\n");
    assert_int_equal(run(f, steps, 2, "a: bad ELF", &chosen), MM_OK);
    assert_int_equal(chosen, 1);
}

/* A single entry that failed has nothing to go back to: MM_ERR_NOT_FOUND,
 * nothing shown, so the caller prints the message and halts. */
static void failed_single_entry_has_no_menu(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    load(f, "kernel=/k\n");
    assert_int_equal(run(f, NULL, 0, "no kernel", &chosen), MM_ERR_NOT_FOUND);
    assert_int_equal(chosen, 99);
    assert_int_equal(f->nlines, 0);
}

static void bad_arguments(void **state)
{
    fake *f = *state;
    uint32_t chosen = 99;
    load(f, three);
    bc_menu_io io = {fake_out, NULL, fake_now, f};
    assert_int_equal(bc_menu_choose(&f->cfg, &io, NULL, &chosen), MM_ERR_INVALID_ARGUMENT);
    io.poll = fake_poll;
    assert_int_equal(bc_menu_choose(NULL, &io, NULL, &chosen), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_menu_choose(&f->cfg, &io, NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    f->cfg.default_entry = 3;
    assert_int_equal(bc_menu_choose(&f->cfg, &io, NULL, &chosen), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(chosen, 99);
}

/* Characters from serial or a keyboard's ASCII. */
static void keys_from_characters(void **state)
{
    (void)state;
    assert_int_equal(bc_key_from_char('7').kind, BC_KEY_DIGIT);
    assert_int_equal(bc_key_from_char('7').digit, 7);
    assert_int_equal(bc_key_from_char('0').digit, 0);
    assert_int_equal(bc_key_from_char('\r').kind, BC_KEY_ENTER);
    assert_int_equal(bc_key_from_char('\n').kind, BC_KEY_ENTER);
    assert_int_equal(bc_key_from_char('a').kind, BC_KEY_OTHER);
    assert_int_equal(bc_key_from_char(0x1b).kind, BC_KEY_OTHER);
    assert_int_equal(bc_key_from_char(0).kind, BC_KEY_NONE);
}

/* BIOS INT 16h keystrokes (AH scan code, AL character): the arrow keys
 * of both keypads (AL 0 or 0xE0), Enter, digits, a function key. */
static void keys_from_bios(void **state)
{
    (void)state;
    assert_int_equal(bc_key_from_bios(0x4800).kind, BC_KEY_UP);
    assert_int_equal(bc_key_from_bios(0x48e0).kind, BC_KEY_UP);
    assert_int_equal(bc_key_from_bios(0x5000).kind, BC_KEY_DOWN);
    assert_int_equal(bc_key_from_bios(0x1c0d).kind, BC_KEY_ENTER);
    assert_int_equal(bc_key_from_bios(0x0433).kind, BC_KEY_DIGIT);
    assert_int_equal(bc_key_from_bios(0x0433).digit, 2 + 1);
    assert_int_equal(bc_key_from_bios(0x4838).kind, BC_KEY_DIGIT); /* keypad 8 with NumLock */
    assert_int_equal(bc_key_from_bios(0x3b00).kind, BC_KEY_OTHER); /* F1 */
}

/* UEFI keystrokes: SCAN_UP/SCAN_DOWN, Enter, a digit, SCAN_ESC. */
static void keys_from_efi(void **state)
{
    (void)state;
    assert_int_equal(bc_key_from_efi(1, 0).kind, BC_KEY_UP);
    assert_int_equal(bc_key_from_efi(2, 0).kind, BC_KEY_DOWN);
    assert_int_equal(bc_key_from_efi(0, 0x0d).kind, BC_KEY_ENTER);
    assert_int_equal(bc_key_from_efi(0, '5').digit, 5);
    assert_int_equal(bc_key_from_efi(0x17, 0).kind, BC_KEY_OTHER);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(default_after_timeout),
        T(any_key_stops_countdown),
        T(enter_during_countdown),
        T(digit_then_enter),
        T(two_digit_numbers),
        T(digit_out_of_range),
        T(arrows_move_and_wrap),
        T(timeout_zero_no_menu),
        T(one_entry_no_menu),
        T(failed_entry_returns_with_message),
        T(failure_with_timeout_zero_shows_menu),
        T(failed_single_entry_has_no_menu),
        T(bad_arguments),
        T(keys_from_characters),
        T(keys_from_bios),
        T(keys_from_efi),
    };
    return cmocka_run_group_tests_name("menu", tests, NULL, NULL);
}
