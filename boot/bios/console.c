/* Stage 2 console: COM1 serial and VGA text mode, written directly (no BIOS
 * call per character: INT 10h through the thunk costs two mode switches). */
#include "console.h"

#include "bios.h"
#include "bios_layout.h"

#define COM1     0x3f8
#define VGA_TEXT ((volatile uint16_t *)0xb8000)
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700

struct vga_cursor {
    uint32_t row, col;
};

/* One cursor for the one screen; the loader is single-threaded. */
static struct vga_cursor cursor;

mm_logger con_log = {.sink = con_log_sink, .ctx = 0, .level = MM_LOG_INFO};

void con_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
    for (uint32_t i = 0; i < VGA_COLS * VGA_ROWS; i++)
        VGA_TEXT[i] = VGA_ATTR | ' ';
    cursor.row = cursor.col = 0;
}

static void serial_putc(char c)
{
    /* Bounded wait: a missing UART must not hang the loader. */
    for (uint32_t spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
        ;
    outb(COM1, (uint8_t)c);
}

static void vga_newline(void)
{
    cursor.col = 0;
    if (++cursor.row < VGA_ROWS)
        return;
    for (uint32_t i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
        VGA_TEXT[i] = VGA_TEXT[i + VGA_COLS];
    for (uint32_t i = 0; i < VGA_COLS; i++)
        VGA_TEXT[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
    cursor.row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
    if (c == '\n') {
        vga_newline();
        return;
    }
    VGA_TEXT[cursor.row * VGA_COLS + cursor.col] = VGA_ATTR | (uint8_t)c;
    if (++cursor.col == VGA_COLS)
        vga_newline();
}

void con_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        vga_putc(s[i]);
    }
}

void con_log_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    con_write(line, len);
    con_write("\n", 1);
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
    mm_log(&always, MM_LOG_ERROR, "boot stopped (BIOS loader)");
    outb(0xf4, LOADER_FAIL_CODE);
    for (;;)
        __asm__ volatile("cli; hlt");
}
