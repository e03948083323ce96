/* BOOTX64.EFI: the UEFI front end of MultiOS Boot.
 *
 * efi_main runs the steps of boot/common/handoff.h in order:
 *   A  read boot.cfg and the kernel, take a provisional memory map, size
 *      everything;
 *   B  allocate every range with AllocatePages(EfiLoaderData), then leave
 *      boot services with the retry loop;
 *   C  import the final map, carve the ranges, build the frame bitmap, the
 *      page tables and the handoff, and jump.
 * Any error is logged with what and where, then the loader halts cleanly
 * (loader_halt: message, pause, power-off). */
#include "common/entry.h"
#include "console.h"
#include "enter.h"
#include "fs.h"
#include "loader.h"
#include "memory.h"
#include "port.h"

#define TSC_CALIBRATION_US 2000u
#define KERNEL_FILE_MAX    (256u * 1024u * 1024u)
#define BOOT_CFG_PATH      "boot.cfg"

static void log_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    console_write(line, len);
    console_write("\n", 1);
}

/* boot.cfg from the boot volume's root; a missing file means defaults.
 * Every problem (bad values, unknown keys, rules between keys) is printed
 * with its line, then the loader halts. */
static void read_config(struct loader *L, EFI_FILE_HANDLE root)
{
    struct fs_file f = {0};
    EFI_STATUS s = fs_read(L->bs, root, BOOT_CFG_PATH, BC_CFG_MAX_FILE, &f);
    if (EFI_ERROR(s) && s != EFI_NOT_FOUND)
        loader_fail(L, "boot.cfg: cannot read: %s", fw_status_text(s));
    /* NULL means no file; an empty file has no pages but is still read. */
    const void *text = s == EFI_NOT_FOUND ? NULL : f.pages ? (const void *)(uintptr_t)f.phys : "";
    if (text)
        BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, "boot.cfg file", f.pages << 12);
    mm_status st = bc_bootcfg_load(text, (size_t)f.size, &L->cfg, &L->mem, &L->log);
    if (text) {
        BC_TRACK_FREE(L, MM_ALLOC_OTHER, "boot.cfg file", f.pages << 12);
        fs_free(L->bs, &f);
    }
    if (st != MM_OK)
        loader_halt(L);
}

/* Reads, validates and loads the kernel into its own range (RANGE_KERNEL). */
static void load_kernel(struct loader *L, EFI_FILE_HANDLE root)
{
    const char *path = L->cfg.kernel;
    struct fs_file f = {0};
    EFI_STATUS s = fs_read(L->bs, root, path, KERNEL_FILE_MAX, &f);
    if (s == EFI_NOT_FOUND)
        loader_fail(L, "kernel %s: no such file on the boot volume (kernel= in boot.cfg)", path);
    if (EFI_ERROR(s))
        loader_fail(L, "kernel %s: cannot read: %s", path, fw_status_text(s));
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, "kernel file", f.pages << 12);
    const void *file = (const void *)(uintptr_t)f.phys;
    uint64_t file_size = f.size;
    if (bc_elf_parse(file, (size_t)file_size, &L->elf) != BC_ELF_OK)
        loader_fail(L, "kernel %s: not a valid kernel: %s", path, L->elf.msg);

    struct owned_range *k = &L->range[RANGE_KERNEL];
    s = mem_alloc(L, L->elf.span, L->elf.phys_align, k);
    if (EFI_ERROR(s))
        loader_fail(L, "kernel %s: cannot allocate %llu bytes: %s", path,
                    (unsigned long long)L->elf.span, fw_status_text(s));
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, mem_range_name(RANGE_KERNEL), k->size);
    bc_elf_load(&L->elf, file, (size_t)file_size, (void *)(uintptr_t)k->base, (size_t)k->size);
    BC_TRACK_FREE(L, MM_ALLOC_OTHER, "kernel file", f.pages << 12);
    fs_free(L->bs, &f);
    mm_log(&L->log, MM_LOG_INFO,
           "kernel %s: %llu bytes, %u segments, entry 0x%llx, virt 0x%llx..0x%llx at phys 0x%llx",
           path, (unsigned long long)file_size, L->elf.count, (unsigned long long)L->elf.entry,
           (unsigned long long)L->elf.virt_base, (unsigned long long)L->elf.virt_end,
           (unsigned long long)k->base);
}

/* Stack and temporary heap. The temporary heap is optional (seed 000): on
 * failure both handoff fields stay 0 and the kernel uses its fallback. */
static void allocate_stack_and_temp_heap(struct loader *L)
{
    struct owned_range *stk = &L->range[RANGE_STACK];
    EFI_STATUS s = mem_alloc(L, BC_KERNEL_STACK_SIZE, 0, stk);
    if (EFI_ERROR(s))
        loader_fail(L, "kernel stack: cannot allocate %u bytes: %s", BC_KERNEL_STACK_SIZE,
                    fw_status_text(s));
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, mem_range_name(RANGE_STACK), stk->size);

    struct owned_range *th = &L->range[RANGE_TEMP_HEAP];
    uint64_t want = L->mem.temp_heap_size;
    if (want == 0) {
        mm_log(&L->log, MM_LOG_WARN, "temp heap: temp_heap_size=0, none handed over");
        return;
    }
    s = mem_alloc(L, want, 0, th);
    if (EFI_ERROR(s)) {
        mm_log(&L->log, MM_LOG_WARN,
               "temp heap: cannot allocate %llu bytes (%s); handing over base 0, size 0",
               (unsigned long long)want, fw_status_text(s));
        return;
    }
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, mem_range_name(RANGE_TEMP_HEAP), th->size);
    mm_log(&L->log, MM_LOG_INFO, "temp heap: %llu KiB at 0x%llx", (unsigned long long)(want >> 10),
           (unsigned long long)th->base);
}

/* Halts while the console still works when not even the final map could
 * hold the boot heap (e.g. heap_size larger than RAM). */
static void boot_heap_must_fit(struct loader *L)
{
    struct mem_room room;
    if (mem_fits_after_exit(L, L->mem.heap_size, L->mem.heap_alignment, L->mem.min_heap_addr,
                            &room))
        return;
    loader_fail(L,
                "boot heap: heap_size=%llu bytes (align %llu) does not fit at or above 0x%llx "
                "(min_heap_addr): largest usable block there %llu bytes, %llu bytes in all",
                (unsigned long long)L->mem.heap_size, (unsigned long long)L->mem.heap_alignment,
                (unsigned long long)L->mem.min_heap_addr, (unsigned long long)room.largest,
                (unsigned long long)room.total);
}

/* The boot heap: heap_size bytes aligned to heap_alignment at or above
 * min_heap_addr, first fit in the firmware's free memory. Small machines
 * may have no such free block while boot services still own memory (with
 * 64 MiB, OVMF's largest free block is a few MiB): the heap is then placed
 * in the final map after ExitBootServices instead (mem_final_map), unless
 * even that map could not hold it: then the loader stops here, while the
 * message can still reach the screen. */
static void allocate_boot_heap(struct loader *L)
{
    struct owned_range *bh = &L->range[RANGE_BOOT_HEAP];
    EFI_STATUS s =
        mem_alloc_first_fit(L, L->mem.heap_size, L->mem.heap_alignment, L->mem.min_heap_addr, bh);
    if (EFI_ERROR(s)) {
        boot_heap_must_fit(L);
        L->boot_heap_deferred = true;
        mm_log(&L->log, MM_LOG_INFO,
               "boot heap: no free %llu KiB at or above 0x%llx yet, placing it after "
               "ExitBootServices",
               (unsigned long long)(L->mem.heap_size >> 10),
               (unsigned long long)L->mem.min_heap_addr);
        return;
    }
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, mem_range_name(RANGE_BOOT_HEAP), bh->size);
    mm_log(&L->log, MM_LOG_INFO, "boot heap: %llu KiB at 0x%llx",
           (unsigned long long)(bh->size >> 10), (unsigned long long)bh->base);
}

/* Page-table layout over the current map (bc_paging_standard): identity
 * map of low memory (at least 4 GiB, more if the loader itself lies
 * higher, since it runs on through the CR3 switch), direct map of all RAM,
 * the kernel's ranges. */
static void paging_layout(struct loader *L)
{
    uint64_t identity = 4 * MM_GIB;
    uint64_t top;
    if (mm_align_up(L->loader_top, BC_LARGE_PAGE_SIZE, &top) && top > identity)
        identity = top;
    uint64_t hhdm = bc_paging_hhdm_size(L->map.entries, L->map.count);
    if (hhdm == 0)
        loader_fail(L, "page tables: no RAM in the memory map");
    if (bc_paging_standard(&L->elf, L->range[RANGE_KERNEL].base, identity, hhdm,
                           L->nx ? BC_PAGING_NX : 0, &L->pg) != MM_OK) {
        char why[96] = "bad kernel mappings";
        bc_paging_check(&L->pg.layout, why, sizeof(why));
        loader_fail(L, "page tables: bad layout: %s", why);
    }
}

/* Bitmap storage, page tables and the handoff region, sized from the
 * provisional map (the final one differs only by the loader's own
 * allocations, which never make these larger). */
static void allocate_tables(struct loader *L)
{
    uint64_t bytes[RANGE_COUNT] = {0};
    mem_provisional_map(L);
    if (mm_bitmap_storage_size(&L->map, L->mem.bitmap_granularity, &bytes[RANGE_BITMAP]) != MM_OK)
        loader_fail(L, "frame bitmap: cannot size it for this memory map");
    paging_layout(L);
    if (bc_paging_bytes_needed(&L->pg.layout, &bytes[RANGE_PAGE_TABLES]) != MM_OK)
        loader_fail(L, "page tables: cannot size them");
    uint64_t efi_bytes = L->efimap.capacity;
    if (bc_handoff_layout_init(&L->handoff_layout, L->map.capacity,
                               bc_cmdline_bytes(L->cfg.cmdline), efi_bytes) != MM_OK)
        loader_fail(L, "handoff: cannot lay out its region");
    bytes[RANGE_HANDOFF] = L->handoff_layout.bytes;

    for (int r = RANGE_BITMAP; r <= RANGE_HANDOFF; r++) {
        struct owned_range *o = &L->range[r];
        EFI_STATUS s = mem_alloc(L, bytes[r], 0, o);
        if (EFI_ERROR(s))
            loader_fail(L, "%s: cannot allocate %llu bytes: %s", mem_range_name(r),
                        (unsigned long long)bytes[r], fw_status_text(s));
        BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, mem_range_name(r), o->size);
        mm_log(&L->log, MM_LOG_DEBUG, "%s: %llu bytes at 0x%llx", mem_range_name(r),
               (unsigned long long)o->size, (unsigned long long)o->base);
    }
}

/* Everything that needs boot services, ending with ExitBootServices. */
static void phase_boot_services(struct loader *L)
{
    EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_FILE_HANDLE root;
    EFI_STATUS s = L->bs->HandleProtocol(L->image, &li_guid, (void **)&li);
    if (EFI_ERROR(s))
        loader_fail(L, "loaded image protocol: %s", fw_status_text(s));
    s = fs_open_root(L->bs, li->DeviceHandle, &root);
    if (EFI_ERROR(s))
        loader_fail(L, "boot volume: cannot open: %s", fw_status_text(s));
    read_config(L, root);
    load_kernel(L, root);
    root->Close(root);

    mem_scratch_setup(L);
    allocate_boot_heap(L);
    allocate_stack_and_temp_heap(L);
    L->nx = x86_cpu_has_nx();
    if (cpu_paging_5level())
        loader_fail(L, "firmware runs with 5-level paging (CR4.LA57): not supported, the kernel "
                       "is entered with 4-level page tables (docs/protocol.md)");
    uint64_t image_top = (uint64_t)(uintptr_t)li->ImageBase + li->ImageSize;
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    L->loader_top = image_top > sp ? image_top : sp;
    allocate_tables(L);

    L->rsdp = fw_find_rsdp(L->st);
    const char *method;
    L->tsc_hz = fw_tsc_frequency(L->bs, L->rsdp, TSC_CALIBRATION_US, &method);
    mm_log(&L->log, MM_LOG_INFO, "ACPI RSDP 0x%llx, TSC %llu kHz (against the %s), NX %s",
           (unsigned long long)L->rsdp, (unsigned long long)(L->tsc_hz / 1000), method,
           L->nx ? "on" : "off");

    mm_log(&L->log, MM_LOG_INFO, "exiting boot services");
    uint32_t attempts;
    s = fw_exit_boot_services(L->bs, L->image, &L->efimap, &attempts);
    if (EFI_ERROR(s) && attempts == 0)
        loader_fail(L, "memory map: final GetMemoryMap failed: %s", fw_status_text(s));
    /* After any ExitBootServices call, failed or not, the firmware may have
     * shut boot services down in part (UEFI spec): from here on no Stall,
     * no ConOut, only COM1 and runtime services (the halt's power-off). */
    __asm__ volatile("cli");
    L->tsc_memmap_done = rdtsc();
    L->bs = NULL;
    console_boot_services_gone();
    if (EFI_ERROR(s))
        loader_fail(L, "ExitBootServices failed after %u attempts: %s", attempts,
                    fw_status_text(s));
    mm_log(&L->log, MM_LOG_INFO, "boot services exited (attempt %u), final map %llu bytes",
           attempts, (unsigned long long)L->efimap.size);
}

/* Final map, bitmap, page tables, handoff; then the jump. */
_Noreturn static void phase_handoff(struct loader *L)
{
    mem_final_map(L);
    mem_build_bitmap(L);
    mem_memory_test(L);

    uint64_t needed;
    paging_layout(L);
    if (bc_paging_bytes_needed(&L->pg.layout, &needed) != MM_OK ||
        needed > L->range[RANGE_PAGE_TABLES].size)
        loader_fail(L, "page tables: final layout needs more than the %llu bytes reserved",
                    (unsigned long long)L->range[RANGE_PAGE_TABLES].size);
    bc_paging_region region = {L->range[RANGE_PAGE_TABLES].base, L->range[RANGE_PAGE_TABLES].size,
                               mem_phys_to_ptr, NULL};
    if (bc_paging_build(&L->pg.layout, &region, &L->cr3) != MM_OK)
        loader_fail(L, "page tables: build failed");
    mm_log(&L->log, MM_LOG_INFO, "page tables: CR3 0x%llx, identity %llu MiB, direct map %llu MiB",
           (unsigned long long)L->cr3, (unsigned long long)(L->pg.layout.identity_size >> 20),
           (unsigned long long)(L->pg.layout.hhdm_size >> 20));

    struct mos_handoff *h = mem_build_handoff(L);
    BC_TRACK_REPORT(L, &L->log); /* DEBUG=1: the loader's allocations */
    uint64_t rdi = L->pg.layout.hhdm_offset + L->range[RANGE_HANDOFF].base;
    uint64_t mhz = L->tsc_hz / 1000000u; /* 0 when uncalibrated: no time printed */
    uint64_t us = mhz ? (rdtsc() - L->tsc_entry) / mhz : 0;
    mm_log(&L->log, MM_LOG_INFO,
           "jumping to the kernel at 0x%llx, handoff at 0x%llx, after %llu.%03llu ms in the loader",
           (unsigned long long)L->elf.entry, (unsigned long long)rdi,
           (unsigned long long)(us / 1000), (unsigned long long)(us % 1000));
    const struct owned_range *stk = &L->range[RANGE_STACK];
    uint64_t rsp = bc_entry_rsp(L->pg.layout.hhdm_offset, stk->base, stk->size);
    *(volatile uint64_t *)(uintptr_t)(rsp - L->pg.layout.hhdm_offset) = 0;
    bc_handoff_seal(h, rdtsc());
    enter_kernel(L->cr3, L->nx, L->elf.entry, rsp, rdi);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    struct loader L;
    mm_memset(&L, 0, sizeof(L));
    L.tsc_entry = rdtsc();
    L.image = image;
    L.st = st;
    L.bs = st->BootServices;
    L.log.sink = log_sink;
    L.log.level = MM_LOG_INFO;
    BC_TRACK_INIT(&L);
    console_init(st);
    mm_log(&L.log, MM_LOG_INFO, BC_BANNER_FMT " (UEFI, firmware revision 0x%x)", BC_BANNER_ARGS,
           st->FirmwareRevision);
    phase_boot_services(&L);
    phase_handoff(&L);
}
