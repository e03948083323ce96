/* The whole Multiboot back end in the order the boot driver will call it
 * (boot/common/multiboot.h, "Order of work"), on a BIOS-like machine in a
 * 16 MiB host window, with a gzip-compressed kernel and module made by
 * zlib in the test; the result is judged by the test kernels' checker in
 * strict mode (nothing the kernel owns inside an available range).
 *
 *   0x0 .. 0x9f000       usable
 *   0x9f000 .. 0x100000  reserved
 *   0x100000 .. 0x110000 the loader (bootloader-reclaimable)
 *   0x110000 .. 16 MiB   usable
 * The kernel is linked at 0x100000, on top of the loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/gzip_build.h"
#include "common/inflate.h"
#include "common/multiboot.h"
#include "helpers/host_window.h"
#include "helpers/mb_image.h"
#include "helpers/mb_lines.h"
#include "mbcheck.h"
#include "mos/handoff.h"

#define RAM        0x1000000u
#define KFILE      0x4000u
#define MODULE_LEN 50000u

typedef struct machine {
    host_window hw;
    mm_entry storage[32];
    mm_map map;
    bc_inflate_work work;
    mb_lines out;
} machine;

/* An ELF32 MB2 kernel linked at 0x100000 (text 0x1000, data+bss 0x3000);
 * `reloc` adds the relocatable tag (min 1 MiB, max 16 MiB, 2 MiB, lowest). */
static uint8_t *kernel_file(int reloc)
{
    static const mbi_seg segs[2] = {
        {1, 0x1000, 0x100000, 0x100000, 0x800, 0x1000},
        {1, 0x2000, 0x101000, 0x101000, 0x100, 0x3000},
    };
    uint8_t *f = calloc(1, KFILE);
    for (uint32_t i = 0x1000; i < KFILE; i++)
        f[i] = (uint8_t)(i ^ 0x5a);
    mbi_elf(f, 32, segs, 2, 0x100010, 0x3000, 3);
    mbi_mb2 b;
    const uint32_t want[2] = {BC_MB2_TAG_BASIC_MEMINFO, BC_MB2_TAG_MMAP};
    const uint32_t where[4] = {0x100000, RAM, 0x200000, 1};
    mbi_mb2_begin(&b, f + 0x200, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_INFO_REQUEST, 0, want, 2);
    mbi_mb2_tag(&b, BC_MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
    if (reloc)
        mbi_mb2_tag(&b, BC_MB2_HTAG_RELOCATABLE, 0, where, 4);
    mbi_mb2_end(&b);
    return f;
}

static int setup(void **state)
{
    machine *m = calloc(1, sizeof *m);
    host_window_init(&m->hw, 0, RAM);
    mm_map_init(&m->map, m->storage, 32);
    mm_map_add(&m->map, 0, 0x9f000, MM_TYPE_USABLE, 1, 0);
    mm_map_add(&m->map, 0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0);
    mm_map_add(&m->map, 0x100000, RAM - 0x100000, MM_TYPE_USABLE, 1, 0);
    mm_map_carve(&m->map, 0x100000, 0x10000, MM_TYPE_BOOTLOADER_RECLAIMABLE, 0);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine *m = *state;
    host_window_fini(&m->hw);
    free(m);
    return 0;
}

/* Step 1: a gzip file decompressed into a buffer sized from its trailer. */
static uint8_t *unpack(machine *m, const uint8_t *gz, size_t len, size_t *out_len)
{
    uint32_t claimed;
    assert_true(bc_gzip_detect(gz, len));
    assert_int_equal(bc_gzip_claimed_size(gz, len, &claimed), BC_INFLATE_OK);
    uint8_t *out = malloc(claimed);
    assert_int_equal(bc_gzip_decompress(gz, len, out, claimed, out_len, &m->work), BC_INFLATE_OK);
    return out;
}

/* Steps 5-6 for one range: usable memory below 4 GiB, page-aligned,
 * carved so nothing later lands on it. */
static uint64_t place(machine *m, uint64_t size, mm_type type)
{
    uint64_t at;
    assert_int_equal(mm_map_find(&m->map, size, 4096, 0x100000, RAM, MM_FIND_BOTTOM_UP, &at),
                     MM_OK);
    assert_int_equal(mm_map_carve(&m->map, at, size, type, 0), MM_OK);
    return at;
}

/* The driver's sequence, returning the plan's status (BC_MB_OK when the
 * kernel was loaded, built and checked). */
static bc_mb_status boot(machine *m, int reloc, bc_mb_plan *p, bc_mb_entry *entry)
{
    size_t gz_len, klen, mlen;
    uint8_t *kernel = kernel_file(reloc);
    uint8_t *gz = gzip_build(kernel, KFILE, &gz_len);
    assert_non_null(gz);
    uint8_t *file = unpack(m, gz, gz_len, &klen);
    assert_memory_equal(file, kernel, KFILE);
    bc_mb_header h;
    assert_int_equal(bc_mb_find_header(file, klen, 2, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    assert_int_equal(bc_mb_plan_build(file, klen, &h, p), BC_MB_OK);
    bc_mb_status st = bc_mb_plan_relocate(p, &h, &m->map);
    if (st == BC_MB_OK)
        st = bc_mb_plan_check(p, &m->map);
    if (st != BC_MB_OK) {
        free(kernel), free(gz), free(file);
        return st;
    }
    for (uint32_t i = 0; i < p->count; i++)
        assert_int_equal(
            mm_map_carve(&m->map, p->segments[i].phys, p->segments[i].mem_size, MM_TYPE_KERNEL, 0),
            MM_OK);
    assert_int_equal(bc_mb_load(p, file, klen, &m->hw.w), BC_MB_OK);

    uint8_t *mod = malloc(MODULE_LEN);
    for (uint32_t i = 0; i < MODULE_LEN; i++)
        mod[i] = (uint8_t)((i * 7) >> 3);
    uint8_t *mgz = gzip_build(mod, MODULE_LEN, &gz_len);
    assert_non_null(mgz);
    uint8_t *mfile = unpack(m, mgz, gz_len, &mlen);
    bc_mb_module mods[1] = {{place(m, mlen, MM_TYPE_KERNEL), mlen, "initrd args"}};
    memcpy(host_window_ptr(&m->hw, mods[0].phys), mfile, mlen);

    bc_mb_info_input in = {.map = &m->map,
                           .cmdline = "flow",
                           .modules = mods,
                           .module_count = 1,
                           .plan = p,
                           .shdrs = file + p->shoff};
    uint32_t size = bc_mb_info_size(2, &in, 2), used;
    uint64_t info = place(m, size, MM_TYPE_HANDOFF);
    assert_int_equal(bc_mb_modules_check(p, mods, 1, info, size, NULL, 0), BC_MB_OK);
    assert_int_equal(bc_mb2_info_build(&in, host_window_ptr(&m->hw, info), size, info, &used),
                     BC_MB_OK);
    *entry = bc_mb_entry_regs(p, 2, (uint32_t)info);

    char line[64];
    snprintf(line, sizeof line, "MB mod0.crc32=0x%x", mos_crc32_skip(mod, MODULE_LEN, MODULE_LEN));
    mbc_ctx c = {
        .mem = mb_lines_mem, .out = mb_lines_out, .env = &m->out, .kernel = {p->lowest, p->end}};
    mb_lines_reset(&m->out, &m->hw);
    uint32_t failures = mbc_check(&c, 2, entry->eax, entry->ebx);
    if (failures || !mb_lines_has(&m->out, line))
        fail_msg("checker (%u failures), want \"%s\":\n%s", failures, line, m->out.text);
    free(kernel), free(gz), free(file), free(mod), free(mgz), free(mfile);
    return BC_MB_OK;
}

/* Relocatable: moved off the loader to the lowest 2 MiB boundary above
 * 1 MiB that is free (0x200000), entry moved with it. */
static void relocatable_kernel_boots(void **state)
{
    machine *m = *state;
    bc_mb_plan p;
    bc_mb_entry e;
    assert_int_equal(boot(m, 1, &p, &e), BC_MB_OK);
    assert_true(p.lowest == 0x200000);
    assert_int_equal(e.eip, 0x200010);
    assert_int_equal(e.eax, BC_MB2_BOOT_MAGIC);
    assert_true(mb_lines_has(&m->out, "MB load_base=0x200000"));
    assert_true(mb_lines_has(&m->out, "MB result=PASS"));
}

/* Not relocatable: refused before anything is written, naming the loader. */
static void kernel_over_loader_refused(void **state)
{
    machine *m = *state;
    bc_mb_plan p;
    bc_mb_entry e;
    uint8_t *ram = host_window_ptr(&m->hw, 0x100000);
    memset(ram, 0xcc, 0x4000);
    assert_int_equal(boot(m, 0, &p, &e), BC_MB_NOT_USABLE);
    assert_non_null(strstr(p.msg, "overlaps bootloader-reclaimable memory"));
    assert_int_equal(ram[0], 0xcc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(relocatable_kernel_boots, setup, teardown),
        cmocka_unit_test_setup_teardown(kernel_over_loader_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
