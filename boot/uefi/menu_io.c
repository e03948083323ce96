/* The UEFI loader's side of the boot menu (menu_io.h). */
#include "menu_io.h"

#include "console.h"

static void menu_out(void *ctx, bc_menu_out kind, const char *text)
{
    (void)ctx;
    if (kind != BC_MENU_CLEAR)
        console_write(text, bc_strnlen(text, BC_MENU_LINE_MAX));
    console_write("\n", 1);
}

static uint64_t menu_now(void *ctx)
{
    return ((struct uefi_menu_clock *)ctx)->ms;
}

static bc_key menu_poll(void *ctx, uint32_t wait_ms)
{
    struct uefi_menu_clock *clock = ctx;
    SIMPLE_INPUT_INTERFACE *in = clock->st->ConIn;
    for (uint32_t waited = 0; waited < wait_ms; waited++) {
        EFI_INPUT_KEY key;
        if (in && !EFI_ERROR(in->ReadKeyStroke(in, &key)))
            return bc_key_from_efi(key.ScanCode, key.UnicodeChar);
        clock->st->BootServices->Stall(1000);
        clock->ms++;
    }
    return (bc_key){BC_KEY_NONE, 0};
}

bc_menu_io uefi_menu_io(EFI_SYSTEM_TABLE *st, struct uefi_menu_clock *clock)
{
    clock->st = st;
    clock->ms = 0;
    bc_menu_io io = {menu_out, menu_poll, menu_now, clock};
    return io;
}
