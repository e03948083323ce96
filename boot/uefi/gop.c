/* The UEFI screen (gop.h). */
#include "gop.h"

#include "common/fbmode.h"

/* Lowest set bit and number of set bits of a contiguous mask. */
static void mask_bits(uint32_t mask, uint8_t *shift, uint8_t *size)
{
    uint8_t s = 0, n = 0;
    while (mask && !(mask & 1u)) {
        mask >>= 1;
        s++;
    }
    while (mask & 1u) {
        mask >>= 1;
        n++;
    }
    *shift = s;
    *size = n;
}

/* Bits per pixel of a bit-mask format: up to its highest used byte. */
static uint32_t mask_bpp(const EFI_PIXEL_BITMASK *m)
{
    uint32_t all = m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask;
    return all >> 24 ? 32 : all >> 16 ? 24 : 16;
}

/* The pixel layout of `info`; false for formats without a framebuffer. */
static bool describe(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, bc_rev2_fb *fb)
{
    fb->bpp = 32;
    fb->red_size = fb->green_size = fb->blue_size = 8;
    fb->green_shift = 8;
    switch (info->PixelFormat) {
    case PixelRedGreenBlueReserved8BitPerColor:
        fb->red_shift = 0;
        fb->blue_shift = 16;
        break;
    case PixelBlueGreenRedReserved8BitPerColor:
        fb->red_shift = 16;
        fb->blue_shift = 0;
        break;
    case PixelBitMask:
        fb->bpp = mask_bpp(&info->PixelInformation);
        mask_bits(info->PixelInformation.RedMask, &fb->red_shift, &fb->red_size);
        mask_bits(info->PixelInformation.GreenMask, &fb->green_shift, &fb->green_size);
        mask_bits(info->PixelInformation.BlueMask, &fb->blue_shift, &fb->blue_size);
        break;
    default:
        return false;
    }
    fb->width = info->HorizontalResolution;
    fb->height = info->VerticalResolution;
    fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8);
    return true;
}

/* The console on the current mode, screen cleared. */
static void restart(struct gop_screen *s)
{
    EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE *mode = s->gop->Mode;
    mm_memset(&s->fb, 0, sizeof s->fb);
    mm_memset(&s->con, 0, sizeof s->con);
    if (!mode || !mode->Info || !describe(mode->Info, &s->fb) || !mode->FrameBufferBase)
        return;
    s->fb.addr = mode->FrameBufferBase;
    s->fb.source = MOS_FB_SOURCE_GOP;
    bc_fb view = {(uint8_t *)(uintptr_t)s->fb.addr,
                  s->fb.width,
                  s->fb.height,
                  s->fb.pitch,
                  s->fb.bpp,
                  s->fb.red_size,
                  s->fb.red_shift,
                  s->fb.green_size,
                  s->fb.green_shift,
                  s->fb.blue_size,
                  s->fb.blue_shift};
    if (bc_fbcon_init(&s->con, &view) != MM_OK) {
        s->fb.addr = 0;
        return;
    }
    bc_fbcon_clear(&s->con);
}

void gop_start(struct gop_screen *s, EFI_BOOT_SERVICES *bs)
{
    EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    mm_memset(s, 0, sizeof *s);
    if (EFI_ERROR(bs->LocateProtocol(&guid, NULL, (void **)&s->gop)) || !s->gop)
        s->gop = NULL;
    else
        restart(s);
}

/* The firmware's modes as fbmode.h sees them (bpp 0: not drawable). */
static uint32_t list_modes(struct gop_screen *s, bc_fb_mode *modes)
{
    uint32_t n = s->gop->Mode->MaxMode < GOP_MODES_MAX ? s->gop->Mode->MaxMode : GOP_MODES_MAX;
    for (uint32_t i = 0; i < n; i++) {
        EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
        UINTN size;
        bc_rev2_fb fb = {0};
        modes[i] = (bc_fb_mode){0, 0, 0, i};
        if (!EFI_ERROR(s->gop->QueryMode(s->gop, i, &size, &info)) && describe(info, &fb))
            modes[i] = (bc_fb_mode){fb.width, fb.height, fb.bpp, i};
    }
    return n;
}

void gop_set_mode(struct gop_screen *s, uint32_t want_w, uint32_t want_h, uint32_t want_bpp,
                  const mm_logger *log)
{
    static bc_fb_mode modes[GOP_MODES_MAX];
    uint32_t pick;
    bool exact;
    if (!s->gop || (want_w == 0 && want_h == 0))
        return;
    uint32_t n = list_modes(s, modes);
    if (bc_fb_pick_mode_depth(modes, n, want_w, want_h, want_bpp, &pick, &exact) != MM_OK) {
        mm_log(log, MM_LOG_WARN, "resolution=%ux%u: the firmware lists no drawable mode", want_w,
               want_h);
        return;
    }
    if (modes[pick].id != s->gop->Mode->Mode) {
        EFI_STATUS st = s->gop->SetMode(s->gop, modes[pick].id);
        restart(s);
        if (EFI_ERROR(st)) {
            mm_log(log, MM_LOG_WARN, "resolution=%ux%u: cannot set mode %u (%ux%u)", want_w, want_h,
                   modes[pick].id, modes[pick].width, modes[pick].height);
            return;
        }
    }
    if (!exact)
        mm_log(log, MM_LOG_WARN, "resolution=%ux%u is not offered: using %ux%u", want_w, want_h,
               modes[pick].width, modes[pick].height);
    mm_log(log, MM_LOG_INFO, "framebuffer: %ux%u, %u bpp, pitch %u at 0x%llx", s->fb.width,
           s->fb.height, s->fb.bpp, s->fb.pitch, (unsigned long long)s->fb.addr);
}
