#include "fake_fw.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#define ONE_MIB ((uint64_t)1 << 20)
#define TSC_HZ  2000000000ULL

static fake_fw *self(void *ctx)
{
    return ctx;
}

static const fake_file *find_file(const fake_fw *f, const char *path)
{
    for (int i = 0; i < FAKE_FW_FILES; i++) {
        if (f->files[i].path && strcmp(f->files[i].path, path) == 0)
            return &f->files[i];
    }
    return NULL;
}

static mm_status file_size(void *ctx, const char *path, uint64_t *size, char *why, size_t len)
{
    (void)why;
    (void)len;
    const fake_file *file = find_file(self(ctx), path);
    if (!file)
        return MM_ERR_NOT_FOUND;
    *size = file->size;
    return MM_OK;
}

static mm_status file_read(void *ctx, const char *path, uint64_t offset, void *dst, uint64_t size,
                           char *why, size_t len)
{
    const fake_file *file = find_file(self(ctx), path);
    if (!file || offset > file->size || size > file->size - offset) {
        snprintf(why, len, "fake: range past the end");
        return MM_ERR_IO;
    }
    memcpy(dst, (const unsigned char *)file->data + offset, (size_t)size);
    /* The room after the file is the front end's to overwrite: fill it,
     * so a buffer without it shows (ASan, or a neighbour's bytes). */
    size_t room = (size_t)bc_file_room(size);
    memset((unsigned char *)dst + size, 0xa5, room - (size_t)size);
    return MM_OK;
}

static mm_status scratch(void *ctx, size_t bytes, void **out)
{
    fake_fw *f = self(ctx);
    if (f->scratch_count == FAKE_FW_SCRATCH)
        return MM_ERR_OUT_OF_MEMORY;
    *out = f->scratch[f->scratch_count++] = malloc(bytes);
    return *out ? MM_OK : MM_ERR_OUT_OF_MEMORY;
}

static mm_status memory_map(void *ctx, uint32_t granularity, uint32_t detect, mm_map **map,
                            mm_sanitize_report *report)
{
    fake_fw *f = self(ctx);
    (void)detect;
    f->map_calls++;
    if (f->map_calls == 1) {
        size_t need = mm_map_sanitize_scratch_size(f->fw_map.capacity);
        void *s = malloc(need);
        mm_status st = mm_map_sanitize(&f->fw_map, granularity, s, need, report);
        free(s);
        if (st == MM_OK)
            st = mm_map_carve(&f->fw_map, 0, 0x1000, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
        if (st != MM_OK)
            return st;
    }
    if (f->kind == FAKE_BIOS) {
        *map = &f->fw_map;
        return MM_OK;
    }
    /* GetMemoryMap: a fresh copy of the firmware's state every time. */
    memcpy(f->handed.entries, f->fw_map.entries, f->fw_map.count * sizeof(mm_entry));
    f->handed.count = f->fw_map.count;
    f->handed.frame_size = f->fw_map.frame_size;
    *map = &f->handed;
    return MM_OK;
}

static bool place_fails(fake_fw *f)
{
    uint32_t n = ++f->place_calls;
    return f->fail_place_count && n >= f->fail_place_from &&
           n - f->fail_place_from < f->fail_place_count;
}

static mm_status place(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                       uint64_t *base)
{
    fake_fw *f = self(ctx);
    if (f->end != FAKE_RUNNING || f->exit_calls)
        fail_msg("place after the firmware was left");
    if (place_fails(f))
        return MM_ERR_NOT_FOUND;
    mm_status st = mm_map_find(&f->fw_map, size, align, min < ONE_MIB ? ONE_MIB : min,
                               max < f->ram_size ? max : f->ram_size,
                               f->place_top_down ? MM_FIND_TOP_DOWN : MM_FIND_BOTTOM_UP, base);
    if (st == MM_OK)
        st =
            mm_map_carve(&f->fw_map, *base, size, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT);
    return st;
}

static mm_status place_at(void *ctx, uint64_t base, uint64_t size)
{
    fake_fw *f = self(ctx);
    if (place_fails(f))
        return MM_ERR_NOT_USABLE;
    return mm_map_carve(&f->fw_map, base, size, MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_CARVE_DEFAULT);
}

static void release(void *ctx, uint64_t base, uint64_t size)
{
    fake_fw *f = self(ctx);
    f->release_calls++;
    f->released_bytes += size;
    assert_true(mm_map_range_is(&f->fw_map, base, size, MM_TYPE_BOOTLOADER_RECLAIMABLE));
    assert_int_equal(mm_map_carve(&f->fw_map, base, size, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE),
                     MM_OK);
}

static void platform(void *ctx, bc_platform *out)
{
    fake_fw *f = self(ctx);
    out->acpi_rsdp = 0xf0000;
    out->tsc_frequency_hz = TSC_HZ;
    out->efi_system_table = f->kind == FAKE_UEFI ? 0x7000 : 0;
    out->identity_min = 0;
    out->memtest_window_end = f->ram_size;
    out->efi_map_capacity = f->efi.size;
    out->bios_memory_detect = f->kind == FAKE_BIOS ? MOS_BIOS_DETECT_E820 : MOS_BIOS_DETECT_NONE;
    out->nx = 1;
    out->smbios = f->smbios;
    out->bios_drive_known = f->kind == FAKE_BIOS;
    out->bios_drive = f->bios_drive;
    out->boot_partition = f->boot_partition;
    out->ap_blob = f->ap_blob;
    out->ap_blob_size = f->ap_blob ? 64 : 0;
}

/* Records what was asked for; the screen is whatever the test put in fb
 * and vga_text. */
static void video(void *ctx, const bc_video_want *want, bc_rev2_fb *fb, uint32_t *vga_text)
{
    fake_fw *f = self(ctx);
    f->video_calls++;
    f->video_kind = want->kind;
    f->video_w = want->width;
    f->video_h = want->height;
    f->video_bpp = want->bpp;
    *fb = f->fb;
    *vga_text = f->vga_text;
}

static mm_status leave(void *ctx, uint32_t attempt, bc_efi_map *efi)
{
    fake_fw *f = self(ctx);
    assert_int_equal(attempt, ++f->exit_calls);
    if (f->exit_calls <= f->stale_exits)
        return MM_ERR_RETRY;
    *efi = f->efi;
    return MM_OK;
}

static uint64_t timestamp(void *ctx)
{
    static uint64_t tsc;
    (void)ctx;
    return tsc += 1000;
}

static void halt(void *ctx)
{
    fake_fw *f = self(ctx);
    f->end = FAKE_HALTED;
    longjmp(f->back, 1);
}

static const char *enter(void *ctx, const bc_entry *e)
{
    fake_fw *f = self(ctx);
    f->end = FAKE_ENTERED;
    f->entered = *e;
    longjmp(f->back, 1);
}

static void menu_out(void *ctx, bc_menu_out kind, const char *text)
{
    fake_fw *f = self(ctx);
    f->menu_frames += kind == BC_MENU_CLEAR;
    if (kind != BC_MENU_CLEAR)
        log_lines_sink(&f->log, MM_LOG_INFO, text, strlen(text));
}

/* A menu with no key left and an hour gone would wait forever. */
static bc_key menu_poll(void *ctx, uint32_t wait_ms)
{
    fake_fw *f = self(ctx);
    char c = f->menu_keys[f->menu_key_next];
    if (c) {
        f->menu_key_next++;
        return bc_key_from_char((unsigned char)c);
    }
    f->menu_ms += wait_ms;
    if (f->menu_ms > 3600u * 1000u)
        fail_msg("the menu waits for a key the test does not type");
    return (bc_key){BC_KEY_NONE, 0};
}

static uint64_t menu_now(void *ctx)
{
    return self(ctx)->menu_ms;
}

static const bc_menu_io *menu_io(void *ctx)
{
    fake_fw *f = self(ctx);
    if (!f->menu_keys)
        return NULL;
    f->menu = (bc_menu_io){menu_out, menu_poll, menu_now, f};
    return &f->menu;
}

fake_fw *fake_fw_new(fake_kind kind, uint64_t ram_size, uint32_t entries)
{
    fake_fw *f = calloc(1, sizeof *f);
    uint32_t cap = bc_handoff_map_capacity(entries);
    assert_non_null(f);
    f->kind = kind;
    f->ram_size = ram_size;
    f->ram_mapping = mmap(NULL, (size_t)ram_size + 2 * ONE_MIB, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(f->ram_mapping != MAP_FAILED);
    f->ram = (unsigned char *)(((uintptr_t)f->ram_mapping + 2 * ONE_MIB - 1) & ~(2 * ONE_MIB - 1));
    f->bios_drive = 0x80;
    assert_int_equal(mm_map_init(&f->fw_map, calloc(cap, sizeof(mm_entry)), cap), MM_OK);
    assert_int_equal(mm_map_init(&f->handed, calloc(cap, sizeof(mm_entry)), cap), MM_OK);
    f->logger = (mm_logger){.sink = log_lines_sink, .ctx = &f->log, .level = MM_LOG_DEBUG};
    f->ops = (bc_fw_ops){
        .ctx = f,
        .boot_mode = kind == FAKE_BIOS ? MOS_BOOT_MODE_BIOS : MOS_BOOT_MODE_UEFI,
        .log = &f->logger,
        .phys_offset = (uintptr_t)f->ram,
        .tsc_entry = 1,
        .file_size = file_size,
        .file_read = file_read,
        .scratch = scratch,
        .memory_map = memory_map,
        .place = place,
        .place_at = place_at,
        .release = release,
        .platform = platform,
        .video = video,
        .exit = leave,
        .timestamp = timestamp,
        .halt = halt,
        .enter = enter,
        .menu_io = menu_io,
    };
    return f;
}

void fake_fw_free(fake_fw *f)
{
    for (uint32_t i = 0; i < f->scratch_count; i++)
        free(f->scratch[i]);
    free(f->fw_map.entries);
    free(f->handed.entries);
    munmap(f->ram_mapping, (size_t)f->ram_size + 2 * ONE_MIB);
    free(f);
}

void fake_fw_add(fake_fw *f, uint64_t base, uint64_t length, mm_type type)
{
    assert_int_equal(mm_map_add(&f->fw_map, base, length, type, type, 0), MM_OK);
}

fake_end fake_fw_boot(fake_fw *f)
{
    if (setjmp(f->back) == 0)
        bc_boot_run(&f->boot, &f->ops);
    return f->end;
}

void *fake_fw_ptr(const fake_fw *f, uint64_t phys)
{
    return f->ram + phys;
}

uint64_t fake_fw_heap_used(const fake_fw *f)
{
    struct mm_heap_stats heap;
    mm_heap_stats(&f->boot.heap, &heap);
    return heap.used;
}
