/* BOOTX64.EFI: the UEFI front end of the boot driver (boot/common/driver.h).
 * efi_main opens the volume the loader came from and runs the driver with
 * these firmware services:
 *   files      the Simple File System protocol of that volume;
 *   map        GetMemoryMap, provisional until ExitBootServices;
 *   place      AllocatePages(EfiLoaderData), carved by the driver into
 *              the final map later (memory.c);
 *   exit       one ExitBootServices attempt per call (the driver retries
 *              on a stale map key);
 *   menu       ConOut/ConIn (menu_io.c), boot services' Stall as clock;
 *   chain_efi  LoadImage + StartImage (chainload.c);
 *   enter      enter.c.
 * Errors are logged with what and where, then the loader halts cleanly
 * (loader_halt: message, pause, power-off). */
#include "chainload.h"
#include "common/entry.h"
#include "console.h"
#include "enter.h"
#include "enter32.h"
#include "fs.h"
#include "loader.h"
#include "memory.h"
#include "menu_io.h"
#include "packed.h"
#include "port.h"

#define TSC_CALIBRATION_US 2000u

static struct loader L;
extern const uint8_t bc_ap_trampoline_start[], bc_ap_trampoline_end[]; /* ap_trampoline.S */
static bc_boot boot;
static struct uefi_menu_clock menu_clock;
static bc_menu_io menu;

static void log_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    /* console_write also draws on the framebuffer: in the level's colour */
    bc_fbcon_set_colours(&L.screen.con, bc_fbcon_level_colour(level), BC_FBCON_BG);
    console_write(line, len);
    console_write("\n", 1);
    bc_fbcon_set_colours(&L.screen.con, BC_FBCON_TEXT, BC_FBCON_BG);
}

/* The mode the kernel asks for; the log stays on the screen in it. UEFI
 * has no VGA text mode to describe. */
static void video(void *ctx, const bc_video_want *want, bc_rev2_fb *fb, uint32_t *vga_text)
{
    struct loader *l = ctx;
    if (want->kind == BC_VIDEO_LINEAR)
        gop_set_mode(&l->screen, want->width, want->height, want->bpp, &l->log);
    *fb = l->screen.fb;
    *vga_text = 0;
}

static mm_status file_status(EFI_STATUS s, char *why, size_t why_len)
{
    if (s == EFI_NOT_FOUND)
        return MM_ERR_NOT_FOUND;
    mm_snprintf(why, why_len, "%s", fw_status_text(s));
    return EFI_ERROR(s) ? MM_ERR_IO : MM_OK;
}

static mm_status file_size(void *ctx, const char *path, uint64_t *size, char *why, size_t why_len)
{
    struct loader *l = ctx;
    return file_status(fs_size(&l->vol, path, size), why, why_len);
}

static mm_status file_read(void *ctx, const char *path, uint64_t offset, void *dst, uint64_t size,
                           char *why, size_t why_len)
{
    struct loader *l = ctx;
    return file_status(fs_read_into(&l->vol, path, offset, dst, size), why, why_len);
}

static void platform(void *ctx, bc_platform *out)
{
    struct loader *l = ctx;
    out->acpi_rsdp = l->rsdp;
    out->smbios = fw_find_smbios(l->st);
    out->tsc_frequency_hz = fw_tsc_cpuid_hz(); /* else measured after prepare (tsc_finish) */
    out->efi_system_table = (uint64_t)(uintptr_t)l->st;
    out->identity_min = l->loader_top;
    out->memtest_window_end = 0;
    out->efi_map_capacity = l->efimap.capacity;
    out->bios_memory_detect = MOS_BIOS_DETECT_NONE;
    out->nx = l->nx;
    /* bios_drive_known stays 0: UEFI has no BIOS drive number, so
     * Multiboot kernels get no boot device (docs/multiboot.md). */
    enter32_reserve(l->bs);
    out->ap_blob = bc_ap_trampoline_start;
    out->ap_blob_size = (uint32_t)(bc_ap_trampoline_end - bc_ap_trampoline_start);
    l->tsc_hz = out->tsc_frequency_hz;
}

/* CPUID's frequency stands; else the span since efi_main, or the Stall
 * windows when the span is missing or too short. */
static uint64_t tsc_finish(void *ctx)
{
    struct loader *l = ctx;
    if (l->tsc_hz)
        return 0;
    const char *method = "ACPI PM timer across the boot";
    uint64_t hz = fw_tsc_span_finish();
    if (hz == 0)
        hz = fw_tsc_frequency(l->bs, l->rsdp, TSC_CALIBRATION_US, &method);
    l->tsc_hz = hz;
    mm_log(&l->log, MM_LOG_DEBUG, "TSC calibrated against the %s", method);
    return hz;
}

/* After any ExitBootServices call, failed or not, the firmware may have
 * shut boot services down in part (UEFI spec): from then on no Stall, no
 * ConOut, only COM1 and runtime services (the halt's power-off). */
static mm_status leave(void *ctx, uint32_t attempt, bc_efi_map *efi)
{
    struct loader *l = ctx;
    fs_close_file(&l->vol);
    EFI_STATUS s = fw_exit_attempt(l->bs, l->image, &l->efimap);
    console_boot_services_gone();
    if (s == EFI_INVALID_PARAMETER)
        return MM_ERR_RETRY;
    if (EFI_ERROR(s)) {
        mm_log(&l->log, MM_LOG_ERROR, "ExitBootServices (attempt %u): %s", attempt,
               fw_status_text(s));
        return MM_ERR_IO;
    }
    __asm__ volatile("cli");
    l->bs = NULL;
    *efi = (bc_efi_map){l->efimap.buf, l->efimap.size, (uint32_t)l->efimap.desc_size,
                        l->efimap.desc_version};
    return MM_OK;
}

static uint64_t timestamp(void *ctx)
{
    (void)ctx;
    return fw_tsc_stamp();
}

static void halt(void *ctx)
{
    loader_halt(ctx);
}

static const char *enter(void *ctx, const bc_entry *e)
{
    (void)ctx;
    if (e->mode == BC_ENTRY_PROTECTED)
        return enter_protected(e);
    if (e->gdt) {
        struct enter_gdt j = {.cr3 = e->cr3,
                              .entry = e->entry,
                              .rsp = e->rsp,
                              .rdi = e->rdi,
                              .rsi = e->rsi,
                              .gdt = e->gdt,
                              .gdt_limit = e->gdt_limit,
                              .cs = e->cs,
                              .ds = e->ds,
                              .nx = e->nx != 0};
        enter_kernel_gdt(&j);
    }
    enter_kernel(e->cr3, e->nx != 0, e->entry, e->rsp, e->rdi);
}

/* The firmware's watchdog (5 minutes from the boot manager) would reset
 * the machine under a menu waiting for a key: it is turned off. */
static const bc_menu_io *menu_io(void *ctx)
{
    struct loader *l = ctx;
    l->bs->SetWatchdogTimer(0, 0, 0, NULL);
    menu = uefi_menu_io(l->st, &menu_clock);
    return &menu;
}

static mm_status chain_efi(void *ctx, const char *path, const void *image, uint64_t size,
                           const char *cmdline, char *why, size_t why_len)
{
    struct loader *l = ctx;
    fs_close_file(&l->vol);
    struct uefi_chainload req = {l->image, l->device, path, image, (UINTN)size, cmdline};
    const char *step = "";
    EFI_STATUS s = uefi_chainload(l->bs, &req, &step);
    mm_snprintf(why, why_len, "%s: %s", step, fw_status_text(s));
    return s == EFI_SUCCESS ? MM_OK : MM_ERR_IO;
}

/* The volume BOOTX64.EFI was loaded from (the packed stub's, when it
 * started this loader: packed.h, which also moves the loader's time start
 * to the stub's entry), and where this image ends (the identity map must
 * cover the loader through the CR3 switch). */
static void open_volume(struct loader *l, uint64_t *tsc_entry)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_STATUS s = l->bs->HandleProtocol(l->image, &li_guid, (void **)&li);
    if (EFI_ERROR(s))
        loader_fail(l, "loaded image protocol: %s", fw_status_text(s));
    l->device = li->DeviceHandle;
    const struct uefi_packed_args *packed = li->LoadOptions;
    if (li->LoadOptionsSize == sizeof *packed && packed->magic == UEFI_PACKED_MAGIC) {
        l->device = packed->device;
        *tsc_entry = packed->tsc_entry;
    }
    s = fs_open_root(l->bs, l->device, &l->vol);
    if (EFI_ERROR(s))
        loader_fail(l, "boot volume: cannot open: %s", fw_status_text(s));
    uint64_t image_top = (uint64_t)(uintptr_t)li->ImageBase + li->ImageSize;
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    l->loader_top = image_top > sp ? image_top : sp;
}

static bc_fw_ops uefi_ops = {
    .ctx = &L,
    .boot_mode = MOS_BOOT_MODE_UEFI,
    .log = &L.log,
    .phys_offset = 0,
    .file_size = file_size,
    .file_read = file_read,
    .scratch = mem_scratch,
    .memory_map = mem_memory_map,
    .place = mem_place,
    .place_at = mem_place_at,
    .release = mem_release,
    .video = video,
    .platform = platform,
    .exit = leave,
    .for_each_busy = mem_for_each_busy,
    .timestamp = timestamp,
    .tsc_finish = tsc_finish,
    .halt = halt,
    .enter = enter,
    .menu_io = menu_io,
    .chain_efi = chain_efi,
};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    uefi_ops.tsc_entry = rdtsc();
    L.image = image;
    L.st = st;
    L.rsdp = fw_find_rsdp(st);
    fw_tsc_span_start(L.rsdp);
    L.bs = st->BootServices;
    L.log.sink = log_sink;
    L.log.level = MM_LOG_INFO;
    console_init(st);
    gop_start(&L.screen, L.bs);
    if (L.screen.fb.addr)
        console_screen_taken(&L.screen.con);
    mm_log(&L.log, MM_LOG_INFO, BC_BANNER_FMT " (UEFI, firmware revision 0x%x)", BC_BANNER_ARGS,
           st->FirmwareRevision);
    if (cpu_paging_5level())
        loader_fail(&L, "firmware runs with 5-level paging (CR4.LA57): not supported, the kernel "
                        "is entered with 4-level page tables (docs/protocol.md)");
    L.nx = x86_cpu_has_nx();
    open_volume(&L, &uefi_ops.tsc_entry);
    bc_boot_run(&boot, &uefi_ops);
}
