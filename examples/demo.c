/* Host demo of lib/mm (`make run` until the boot loaders land): runs the
 * whole initialization twice, once on the E820 map a BIOS gives a 128 MiB
 * QEMU guest and once on OVMF's UEFI map of the same guest, with memory
 * that stands in for the guest's RAM, and prints everything: what sanitize
 * fixed, the final map, the bitmap and heap, the memory test, and the
 * allocation profile of a mock kernel load. */
#include "example.h"
#include "mm/track.h"

/* What a boot.cfg could hold; applied with mm_config_set like the loaders'
 * parser does. */
static const char *const uefi_cfg[][2] = {
    {"heap_size", "8M"},
    {"memory_test", "on"},
    {"log_level", "info"},
};

/* Loads a pretend kernel: image and stack from the bitmap, recorded in the
 * map; a few heap allocations. Every allocation is tracked. */
static void mock_kernel_load(mm_ctx *ctx, mm_tracker *tr, const mm_logger *lg)
{
    uint64_t image, stack;
    void *p;
    ex_check(mm_bitmap_alloc_contig(&ctx->bitmap, 512, 2 << 20, 0, &image), "kernel image");
    mm_track_alloc(tr, MM_ALLOC_BITMAP, "kernel image", 512 * 4096);
    ex_check(mm_carve_reserve(ctx, image, 512 * 4096, MM_TYPE_KERNEL), "carve kernel");
    ex_check(mm_bitmap_alloc(&ctx->bitmap, &stack), "kernel stack");
    mm_track_alloc(tr, MM_ALLOC_BITMAP, "kernel stack", 4096);
    ex_check(mm_carve_reserve(ctx, stack, 4096, MM_TYPE_KERNEL_STACK), "carve stack");
    for (int i = 0; i < 6; i++) {
        ex_check(mm_heap_alloc(&ctx->heap, 4096, 4096, &p), "page table");
        mm_track_alloc(tr, MM_ALLOC_HEAP, "page tables", 4096);
    }
    ex_check(mm_heap_alloc_zeroed(&ctx->heap, 512, 8, &p), "handoff");
    mm_track_alloc(tr, MM_ALLOC_HEAP, "handoff", 512);
    mm_log(lg, MM_LOG_INFO, "mock kernel: image at 0x%llx, stack at 0x%llx",
           (unsigned long long)image, (unsigned long long)stack);
}

static int run(const char *title, mm_boot_mode mode, const mm_raw_map *raw, const mm_config *cfg)
{
    printf("\n======== %s ========\n", title);
    mm_logger lg = ex_logger(mm_config_log_level(cfg));
    mm_phys_window w;
    void *ram = ex_ram(EX_RAM, &w);
    static ex_storage storage;
    mm_init_storage st = ex_storage_for(&storage, w);
    mm_ctx ctx;
    mm_status s = mm_init(&ctx, mode, raw, cfg, &st, &lg);
    if (s != MM_OK) {
        printf("mm_init failed: %s\n", mm_strerror(s));
        free(ram);
        return 1;
    }
    mm_track_slot slots[8];
    mm_tracker tr;
    mm_track_init(&tr, slots, MM_ARRAY_SIZE(slots));
    mock_kernel_load(&ctx, &tr, &lg);
    printf("\n-- report\n");
    mm_init_report(&ctx, &lg);
    printf("\n-- allocation profile\n");
    mm_track_report(&tr, &lg);
    free(ram);
    return 0;
}

int main(void)
{
    int failed = 0;
    mm_config cfg;

    mm_config_defaults(&cfg); /* detailed logging: DEBUG lines too */
    mm_raw_map bios = ex_bios_raw();
    failed += run("legacy BIOS: QEMU E820 map, default config", MM_BOOT_BIOS, &bios, &cfg);

    mm_config_defaults(&cfg);
    cfg.enable_detailed_logging = false;
    for (size_t i = 0; i < MM_ARRAY_SIZE(uefi_cfg); i++) {
        mm_config_error err;
        if (mm_config_set(&cfg, uefi_cfg[i][0], uefi_cfg[i][1], &err) != MM_OK) {
            printf("boot.cfg: %s: %s\n", mm_config_field_name(err.field), err.reason);
            return 1;
        }
        printf("boot.cfg: %s = %s\n", uefi_cfg[i][0], uefi_cfg[i][1]);
    }
    mm_raw_map uefi = ex_uefi_raw();
    failed += run("UEFI: OVMF memory map, 8 MiB heap, memory test on", MM_BOOT_UEFI, &uefi, &cfg);
    return failed ? 1 : 0;
}
