/* VBE framebuffer (vbe.h). Offsets are those of the VBE 2.0/3.0
 * controller and mode information blocks. */
#include "vbe.h"

#include "bios.h"
#include "common/fbmode.h"

#define VBE_OK            0x004fu /* AX after a supported, successful call */
#define VBE_ATTR_NEEDED   0x0099u /* supported, colour, graphics, linear framebuffer */
#define VBE_MODEL_DIRECT  6u
#define VBE_MODE_LINEAR   0x4000u
#define VBE_MODE_NO_CLEAR 0x8000u /* start_console clears it, far faster than the VGA BIOS */
#define VBE_MODE_LIST_END 0xffffu

/* INT 10h function `ax` with ES:DI at `buf` (below 1 MiB) and CX = cx. */
static bool vbe_call(uint16_t ax, uint16_t bx, uint16_t cx, void *buf)
{
    uint32_t lin = (uint32_t)(uintptr_t)buf;
    struct bios_regs r = {.eax = ax, .ebx = bx, .ecx = cx, .edi = rm_off(lin), .es = rm_seg(lin)};
    bios_call(0x10, &r);
    return (r.eax & 0xffffu) == VBE_OK;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The mode's layout from its information block; false when it is not a
 * direct-colour linear-framebuffer graphics mode. */
static bool describe(const uint8_t *mi, bc_rev2_fb *fb)
{
    if ((le16(mi) & VBE_ATTR_NEEDED) != VBE_ATTR_NEEDED || mi[27] != VBE_MODEL_DIRECT)
        return false;
    fb->width = le16(mi + 18);
    fb->height = le16(mi + 20);
    fb->bpp = mi[25];
    fb->pitch = le16(mi + 50) ? le16(mi + 50) : le16(mi + 16); /* VBE 3 linear pitch */
    fb->red_size = mi[31];
    fb->red_shift = mi[32];
    fb->green_size = mi[33];
    fb->green_shift = mi[34];
    fb->blue_size = mi[35];
    fb->blue_shift = mi[36];
    fb->addr = mm_load_le32(mi + 40);
    fb->source = MOS_FB_SOURCE_VBE;
    return fb->addr != 0;
}

/* The BIOS's modes (copied out of its list: 4F01 may reuse the buffer). */
static uint32_t list_modes(uint8_t *info, uint8_t *mi, bc_fb_mode *modes)
{
    static uint16_t ids[VBE_MODES_MAX];
    uint32_t far = mm_load_le32(info + 14);
    const uint8_t *list = (const uint8_t *)(uintptr_t)((far >> 16) * 16 + (far & 0xffff));
    uint32_t n = 0;
    while (n < VBE_MODES_MAX && le16(list + 2 * n) != VBE_MODE_LIST_END) {
        ids[n] = le16(list + 2 * n);
        n++;
    }
    for (uint32_t i = 0; i < n; i++) {
        bc_rev2_fb fb = {0};
        modes[i] = (bc_fb_mode){0, 0, 0, ids[i]};
        if (vbe_call(0x4f01, 0, ids[i], mi) && describe(mi, &fb))
            modes[i] = (bc_fb_mode){fb.width, fb.height, fb.bpp, ids[i]};
    }
    return n;
}

/* The console on the mode just set, screen cleared. */
static void start_console(struct vbe_screen *s)
{
    const bc_rev2_fb *f = &s->fb;
    bc_fb view = {(uint8_t *)(uintptr_t)f->addr,
                  f->width,
                  f->height,
                  f->pitch,
                  f->bpp,
                  f->red_size,
                  f->red_shift,
                  f->green_size,
                  f->green_shift,
                  f->blue_size,
                  f->blue_shift};
    if (bc_fbcon_init(&s->con, &view) != MM_OK)
        s->fb.addr = 0;
    else
        bc_fbcon_clear(&s->con);
}

void vbe_set_mode(struct vbe_screen *s, uint32_t want_w, uint32_t want_h, uint32_t want_bpp,
                  void *low, const mm_logger *log)
{
    static bc_fb_mode modes[VBE_MODES_MAX];
    uint8_t *info = low, *mi = info + 512;
    uint32_t pick;
    bool exact;
    mm_memset(s, 0, sizeof *s);
    mm_memset(info, 0, VBE_BUFFER_SIZE);
    mm_memcpy(info, "VBE2", 4);
    if (!vbe_call(0x4f00, 0, 0, info) ||
        !(info[0] == 'V' && info[1] == 'E' && info[2] == 'S' && info[3] == 'A') ||
        le16(info + 4) < 0x200) {
        mm_log(log, MM_LOG_INFO, "framebuffer: no VBE 2.0+, staying in text mode");
        return;
    }
    uint32_t n = list_modes(info, mi, modes);
    if (bc_fb_pick_mode_depth(modes, n, want_w, want_h, want_bpp, &pick, &exact) != MM_OK ||
        !vbe_call(0x4f01, 0, (uint16_t)modes[pick].id, mi) || !describe(mi, &s->fb) ||
        !vbe_call(0x4f02, (uint16_t)(modes[pick].id | VBE_MODE_LINEAR | VBE_MODE_NO_CLEAR), 0,
                  mi)) {
        mm_memset(&s->fb, 0, sizeof s->fb);
        mm_log(log, MM_LOG_INFO, "framebuffer: no linear VBE mode could be set");
        return;
    }
    start_console(s);
    if (!exact)
        mm_log(log, MM_LOG_WARN, "resolution=%ux%u is not offered: using %ux%u", want_w, want_h,
               modes[pick].width, modes[pick].height);
}
