/* The resident head of stage 2 (see unpack.h). Compiled without LTO and
 * linked into the .stub section, below the compressed body: nothing here
 * may call into the body (build.mk checks the undefined symbols). */
#include "unpack.h"

#include "bios_layout.h"
#include "common/pack.h"
#include "common/uart.h"
#include "common/x86io.h"

#include <stddef.h>

extern uint8_t __payload_start[], __image_end[];
extern const uint32_t stage2_packed_size; /* entry.S header, patched by the packer */

uint64_t stage2_entry_tsc;

/* The CRC's 8 KiB of tables live in the disk bounce buffer, unused until
 * the body's disk layer runs: .bss is short of room (image + .bss end at
 * STAGE2_LIMIT). */
#define CRC_TABLES ((uint32_t(*)[256])BOUNCE_ADDR)
_Static_assert(BC_CRC32_SLICES * 256 * sizeof(uint32_t) <= BOUNCE_SIZE, "CRC tables fit");

#define COM1     0x3f8
#define VGA_TEXT ((volatile uint16_t *)0xb8000)

/* `s` on COM1 and on row 0 of the text screen from column *col on. */
static void show(const char *s, unsigned *col)
{
    size_t n = 0;
    for (; s[n]; n++, ++*col) {
        if (*col < 80 && s[n] != '\n')
            VGA_TEXT[*col] = (uint16_t)(0x4f00 | (uint8_t)s[n]);
    }
    bc_uart_write(COM1, s, n);
}

/* Row 0 of the text screen and COM1, then the loader-failed code. */
_Noreturn static void unpack_fail(const char *why)
{
    static const char head[] = "stage 2 is corrupt, boot stopped: ";
    bc_uart_init(COM1);
    unsigned col = 0;
    show(head, &col);
    show(why, &col);
    show("\n", &col);
    x86_outb(0xf4, LOADER_FAIL_CODE);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void stage2_unpack(void)
{
    stage2_entry_tsc = x86_rdtsc();
    uint32_t packed = stage2_packed_size;
    size_t body = (size_t)(__image_end - __payload_start);
    if (packed > LOW_BUF_END - LOW_BUF_BASE || packed > STAGE2_MAX_BYTES)
        unpack_fail("its packed size is out of range");
    uint8_t *copy = (uint8_t *)LOW_BUF_BASE;
    mm_memcpy(copy, __payload_start, packed);
    size_t out = 0;
    bc_pack_status st = bc_pack_unpack(copy, packed, __payload_start, body, &out, CRC_TABLES);
    if (st != BC_PACK_OK)
        unpack_fail(bc_pack_strerror(st));
    if (out != body)
        unpack_fail("its body has the wrong length");
}
