/* Linux bzImage fuzzer: bc_linux_parse() on any bytes never crashes and
 * always explains a refusal; bc_linux_parse_head() on the first
 * BC_LINUX_HEADER_BYTES (in a buffer of exactly that many: ASan catches a
 * read past) and the size gives the same verdict and fields; for an
 * accepted image the parsed extents stay inside the file, and the rest of
 * the back end runs on it as a loader would: placement in a fixed map and
 * the zero page built in exactly 4 KiB from the head alone, the e820
 * table written, the entry described. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/linux.h"

static void check_image(const bc_linux_image *img, size_t size)
{
    if (img->kernel_offset + img->kernel_size != size || img->kernel_size == 0 ||
        img->span < img->kernel_size || img->span % 4096 || img->header_end > 0x290 ||
        img->header_end < 0x264 || img->setup_sects == 0 || img->version < 0x206 ||
        img->pref_address == 0)
        abort();
}

/* Usable [0, 640K) and [1M, 1G), reserved between and above. */
static mm_map fixed_map(mm_entry *storage, uint32_t cap)
{
    mm_map m;
    mm_map_init(&m, storage, cap);
    storage[0] = (mm_entry){0, 0xa0000, MM_TYPE_USABLE, 1, 0};
    storage[1] = (mm_entry){0xa0000, 0x60000, MM_TYPE_RESERVED, 2, 0};
    storage[2] = (mm_entry){0x100000, 0x3ff00000, MM_TYPE_USABLE, 1, 0};
    storage[3] = (mm_entry){0xfec00000, 0x1400000, MM_TYPE_RESERVED, 2, 0};
    m.count = 4;
    return m;
}

static void run_loader(const bc_linux_image *img, const uint8_t *data, size_t size)
{
    mm_entry storage[16];
    mm_map m = fixed_map(storage, 16);
    bc_linux_plan plan;
    memset(&plan, 0, sizeof plan);
    if (bc_linux_plan_kernel(&plan, &m, img) == MM_OK) {
        if (plan.kernel_addr < img->pref_address || plan.kernel_span != img->span)
            abort();
        if (mm_map_carve(&m, plan.kernel_addr, plan.kernel_span, MM_TYPE_KERNEL, 0) != MM_OK)
            abort();
    }
    if (bc_linux_plan_initrd(&plan, &m, img, 0x12345) == MM_OK && plan.initrd_addr &&
        plan.initrd_addr + 0x13000 > (uint64_t)img->initrd_addr_max + 1)
        abort();
    static const char cmdline[] = "console=ttyS0";
    if (bc_linux_plan_params(&plan, &m, img, sizeof cmdline, bc_linux_e820_count(&m)) != MM_OK)
        return;
    uint8_t *bp = calloc(1, BC_LINUX_PARAMS_SIZE);
    char *cl = malloc(sizeof cmdline);
    if (bc_linux_params_init(bp, img, data, size, &plan, cmdline, cl) != MM_OK ||
        bp[0x210] != 0xff || memcmp(cl, cmdline, sizeof cmdline) != 0 ||
        bc_linux_params_e820(bp, &m, NULL, 0, 0) != MM_OK || bp[0x1e8] != 4)
        abort();
    bc_linux_entry entry;
    if (bc_linux_entry_for(img, &plan, &entry) != MM_OK)
        abort();
    free(cl);
    free(bp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bc_linux_image img, from_head;
    mm_status st = bc_linux_parse(data, size, &img);
    size_t head_len = size < BC_LINUX_HEADER_BYTES ? size : BC_LINUX_HEADER_BYTES;
    uint8_t *head = malloc(head_len ? head_len : 1);
    memcpy(head, data, head_len);
    if (bc_linux_parse_head(head, head_len, size, &from_head) != st ||
        memcmp(&img, &from_head, sizeof img) != 0)
        abort();
    if (st != MM_OK) {
        if (img.problem == BC_LINUX_FILE_OK || img.msg[0] == '\0' ||
            strnlen(img.msg, sizeof img.msg) == sizeof img.msg)
            abort();
        free(head);
        return 0;
    }
    check_image(&img, size);
    run_loader(&img, head, head_len);
    free(head);
    return 0;
}
