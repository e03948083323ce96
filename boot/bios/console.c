/* Stage 2 console: COM1 serial and VGA text mode, written directly (no BIOS
 * call per character: INT 10h through the thunk costs two mode switches). */
#include "console.h"

#include "bios.h"
#include "bios_layout.h"
#include "common/uart.h"

#define COM1            0x3f8
#define VGA_TEXT        ((volatile uint16_t *)0xb8000)
#define VGA_COLS        80
#define VGA_ROWS        25
#define VGA_ATTR        0x0700
#define BDA_CRTC_PORT   0x463 /* BIOS data area: the video BIOS's CRT controller port */
#define VGA_CRTC_COLOUR 0x3d4

/* The screen is kept in RAM and only written to VGA memory: reading video
 * memory back (to scroll) is slow on real cards and slower still under
 * emulation. Without a VGA (QEMU -nodefaults) the text buffer's addresses
 * may still read back what was written, so the probe in con_init() asks
 * the BIOS first (vga_probe). */
struct vga_screen {
    uint16_t cells[VGA_COLS * VGA_ROWS];
    uint32_t row, col;
    bool present;
};

/* One screen; the loader is single-threaded. */
static struct vga_screen screen;

/* The framebuffer console the log is also drawn on (con_use_framebuffer). */
static bc_fbcon *fb_con;

mm_logger con_log = {.sink = con_log_sink, .ctx = 0, .level = MM_LOG_INFO};

/* A colour text screen at 0xB8000: the video BIOS records its CRT
 * controller at 0x3D4 in the BIOS data area (0x3B4 for a monochrome one,
 * whose text is elsewhere; 0 when there is no video BIOS), and the first
 * cell keeps what is written to it. */
static bool vga_probe(void)
{
    if (*(volatile uint16_t *)BDA_CRTC_PORT != VGA_CRTC_COLOUR)
        return false;
    volatile uint16_t *cell = VGA_TEXT;
    uint16_t saved = *cell;
    *cell = 0x1234;
    bool ok = *cell == 0x1234;
    *cell = 0x4321;
    ok = ok && *cell == 0x4321;
    *cell = saved;
    return ok;
}

void con_init(void)
{
    bc_uart_init(COM1);
    screen.present = vga_probe();
    for (uint32_t i = 0; i < VGA_COLS * VGA_ROWS; i++)
        screen.cells[i] = VGA_ATTR | ' ';
    if (screen.present) {
        for (uint32_t i = 0; i < VGA_COLS * VGA_ROWS; i++)
            VGA_TEXT[i] = screen.cells[i];
    }
}

/* A scroll moves the RAM copy up a row and writes the whole screen out,
 * through the string runtime (a word per step): every log line past the
 * 25th scrolls. */
static void vga_newline(void)
{
    screen.col = 0;
    if (++screen.row < VGA_ROWS)
        return;
    mm_memmove(screen.cells, screen.cells + VGA_COLS,
               VGA_COLS * (VGA_ROWS - 1) * sizeof screen.cells[0]);
    for (uint32_t i = 0; i < VGA_COLS; i++)
        screen.cells[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
    screen.row = VGA_ROWS - 1;
    mm_memcpy((void *)VGA_TEXT, screen.cells, sizeof screen.cells);
}

static void vga_putc(char c)
{
    if (c == '\n') {
        vga_newline();
        return;
    }
    uint32_t at = screen.row * VGA_COLS + screen.col;
    screen.cells[at] = VGA_ATTR | (uint8_t)c;
    VGA_TEXT[at] = screen.cells[at];
    if (++screen.col == VGA_COLS)
        vga_newline();
}

void con_write(const char *s, size_t len)
{
    bc_uart_write(COM1, s, len);
    if (!screen.present)
        return;
    for (size_t i = 0; i < len; i++)
        vga_putc(s[i]);
}

void con_log_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    con_write(line, len);
    con_write("\n", 1);
    if (fb_con)
        bc_fbcon_log_sink(fb_con, level, line, len);
}

void fatal(const char *fmt, ...)
{
    char msg[MM_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    mm_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mm_logger always = con_log;
    always.level = MM_LOG_ERROR;
    mm_log(&always, MM_LOG_ERROR, "FATAL: %s", msg);
    con_halt();
}

void con_halt(void)
{
    mm_logger always = con_log;
    always.level = MM_LOG_ERROR;
    mm_log(&always, MM_LOG_ERROR, "boot stopped (BIOS loader)");
    outb(0xf4, LOADER_FAIL_CODE);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void con_use_framebuffer(bc_fbcon *fb)
{
    fb_con = fb;
    screen.present = false; /* VGA text memory is not the screen in a graphics mode */
}
