/* The benchmark floor: a UEFI application that ends the boot at once.
 *
 * `make bench-boot` boots an image holding this instead of the loader to
 * measure what firmware start-up alone costs under QEMU: it writes the
 * QEMU exit device and halts. Where the port only records the write (the
 * benchmark's resident-memory boots, scripts/qemu-boot.sh --resident),
 * the halt keeps the firmware from doing more before QEMU is stopped. */
#include <efi.h>

/* isa-debug-exit port of the test setup; this program only ever runs there. */
#define FLOOR_EXIT_PORT  0xf4
#define FLOOR_EXIT_VALUE 0x10

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    (void)image;
    (void)st;
    __asm__ volatile("outb %b0, %w1" : : "a"(FLOOR_EXIT_VALUE), "Nd"(FLOOR_EXIT_PORT));
    for (;;)
        __asm__ volatile("cli; hlt");
}
