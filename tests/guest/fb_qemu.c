/* Framebuffer console test image for QEMU (-kernel, multiboot, -vga std):
 * finds the Bochs VGA's linear framebuffer (PCI 1234:1111, BAR 0), sets
 * 800x600x32 through its DISPI registers, and writes three log lines
 * through bc_fbcon_log_sink (INFO, WARN, ERROR), exactly as a loader's
 * sink would. It then prints FB-READY on COM1 and waits: run-fb.sh takes a
 * screendump and checks the colours of each text row. */
#include "../support/qemu_guest.h"
#include "common/fbcon.h"
#include "mm/log.h"

#define FB_W 800u
#define FB_H 600u

void guest_main(void);

static uint32_t pci_read(uint32_t dev, uint32_t off)
{
    x86_outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
    return x86_inl(0xcfc);
}

/* BAR 0 of the first 1234:1111 device on bus 0, 0 when there is none. */
static uint32_t find_lfb(void)
{
    for (uint32_t dev = 0; dev < 32; dev++)
        if (pci_read(dev, 0) == 0x11111234u)
            return pci_read(dev, 0x10) & ~0xfu;
    return 0;
}

static void dispi(uint16_t index, uint16_t value)
{
    x86_outw(0x1ce, index);
    x86_outw(0x1cf, value);
}

void guest_main(void)
{
    uint32_t lfb = find_lfb();
    if (!lfb)
        finish("FB", 0, "no Bochs VGA (run with -vga std)");
    dispi(4, 0);    /* disable */
    dispi(1, FB_W); /* x resolution */
    dispi(2, FB_H); /* y resolution */
    dispi(3, 32);   /* bpp */
    dispi(4, 0x41); /* enable, linear framebuffer */
    bc_fb fb = {(uint8_t *)(uintptr_t)lfb, FB_W, FB_H, FB_W * 4, 32, 8, 16, 8, 8, 8, 0};
    bc_fbcon con;
    if (bc_fbcon_init(&con, &fb) != MM_OK)
        finish("FB", 0, "bc_fbcon_init refused the framebuffer");
    bc_fbcon_clear(&con);
    mm_logger log = {bc_fbcon_log_sink, &con, MM_LOG_TRACE};
    mm_log(&log, MM_LOG_INFO, "MultiOS Boot: framebuffer console at 0x%x", lfb);
    mm_log(&log, MM_LOG_WARN, "resolution 1000x700 not offered, using 800x600");
    mm_log(&log, MM_LOG_ERROR, "this line is red");
    say("FB-READY lfb=0x%x\n", lfb);
    for (uint32_t waited = 0; waited < 30000000; waited += 100000)
        delay(NULL, 100000);
    finish("FB", 0, "no screendump within 30 s");
}
