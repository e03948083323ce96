/* Linux/x86 boot protocol back end (`protocol=linux` entries), shared by
 * both loaders: bzImage validation, placement of the kernel, initrd and
 * boot_params in the loader's sanitized map, boot_params construction and
 * the entry description. Offsets and rules follow the kernel's
 * Documentation/arch/x86/boot.rst and zero-page.rst; docs/linux.md says
 * what a Linux system receives.
 *
 * Order of work for a driver (every step returns an mm_status; on error
 * the plan's or image's msg says why):
 *   1. bc_linux_parse_head(the file's first bytes)  validate the bzImage
 *   2. bc_linux_initrd_layout(module sizes)         initrd bytes
 *   3. bc_linux_plan_kernel / _initrd / _params     addresses; the caller
 *      carves each result out of the map before asking for the next one
 *   4. the file's [kernel_offset, +kernel_size) and the modules read to
 *      their places, bc_linux_params_init, bc_linux_params_firmware
 *      (UEFI: after the final GetMemoryMap)
 *   5. bc_linux_params_e820 on the final map (after the last carve)
 *   6. bc_linux_entry_for: where to jump, in which mode, with which RSI/ESI.
 * On UEFI, step 3 plans on the map as it is before ExitBootServices and
 * allocates each result with AllocatePages(AllocateAddress). The boot
 * driver's back end, proto_linux.c, follows these steps in both loaders.
 *
 * Nothing here keeps state, allocates or touches memory other than the
 * buffers passed in; any byte string can be given to bc_linux_parse(). */
#ifndef BC_LINUX_H
#define BC_LINUX_H

#include "mm/memmap.h"

#define BC_LINUX_MIN_VERSION     0x0206u /* oldest boot protocol accepted */
#define BC_LINUX_PARAMS_SIZE     4096u   /* struct boot_params, the "zero page" */
#define BC_LINUX_E820_ZEROPAGE   128u    /* e820 entries the zero page holds */
#define BC_LINUX_E820_ENTRY_SIZE 20u     /* packed: addr u64, size u64, type u32 */
#define BC_LINUX_SETUP_DATA_HDR  16u     /* setup_data: next u64, type u32, len u32 */
#define BC_LINUX_SETUP_E820_EXT  1u      /* setup_data type of extra e820 entries */
#define BC_LINUX_LOADER_TYPE     0xffu   /* type_of_loader: "undefined" loader */
#define BC_LINUX_MSG_MAX         96u

/* xloadflags bits (setup header offset 0x236): the 64-bit entry at load +
 * 0x200; kernel, boot_params, command line and initrd may lie above 4 GiB. */
#define BC_LINUX_XLF_KERNEL_64     0x1u
#define BC_LINUX_XLF_CAN_LOAD_HIGH 0x2u

/* Why bc_linux_parse() refused a file (tests rely on each having its own
 * code); BC_LINUX_FILE_OK when it did not. */
typedef enum bc_linux_problem {
    BC_LINUX_FILE_OK = 0,
    BC_LINUX_FILE_TOO_SMALL,    /* shorter than the setup header */
    BC_LINUX_FILE_ELF,          /* an ELF file (vmlinux), not a bzImage */
    BC_LINUX_FILE_NO_BOOT_FLAG, /* no 0xAA55 at 0x1FE: not a Linux image */
    BC_LINUX_FILE_NO_HDRS,      /* no "HdrS": pre-2.00 kernel */
    BC_LINUX_FILE_OLD_PROTOCOL, /* protocol below BC_LINUX_MIN_VERSION */
    BC_LINUX_FILE_NOT_BZIMAGE,  /* LOADED_HIGH clear: a zImage */
    BC_LINUX_FILE_TRUNCATED,    /* setup, syssize or payload reach past the file */
    BC_LINUX_FILE_BAD_HEADER,   /* an inconsistent field (alignment, header length) */
    BC_LINUX_FILE_PROBLEM_COUNT
} bc_linux_problem;

/* A validated bzImage. Offsets are into the file; the protected-mode
 * kernel is file[kernel_offset, kernel_offset + kernel_size). */
typedef struct bc_linux_image {
    uint16_t version;    /* boot protocol, e.g. 0x020f */
    uint16_t xloadflags; /* BC_LINUX_XLF_* (0 before protocol 2.12) */
    uint8_t loadflags;   /* as in the header */
    uint8_t relocatable; /* relocatable_kernel != 0 */
    uint16_t reserved;
    uint32_t setup_sects;      /* 512-byte sectors after the boot sector (0 read as 4) */
    uint32_t header_end;       /* 0x202 + byte at 0x201: end of the setup header */
    uint32_t kernel_alignment; /* power of two; load alignment of a relocatable kernel */
    uint32_t init_size;        /* bytes from the load address the kernel needs */
    uint32_t initrd_addr_max;  /* highest address the initrd may occupy (inclusive) */
    uint32_t cmdline_size;     /* longest command line, without the NUL */
    uint64_t pref_address;     /* preferred load address (0x100000 before 2.10) */
    uint64_t kernel_offset;    /* (setup_sects + 1) * 512 */
    uint64_t kernel_size;      /* file bytes from kernel_offset to the end */
    uint64_t span;             /* bytes reserved at the load address: the larger
                                  of init_size and kernel_size, 4 KiB multiple */
    bc_linux_problem problem;
    char msg[BC_LINUX_MSG_MAX]; /* "ok" or what is wrong with the file */
} bc_linux_image;

/* Validates the `len`-byte file at `file` as a bzImage the loader can boot
 * and fills `img` (always: on failure img->problem and img->msg say why,
 * the other fields are unspecified). MM_OK, or MM_ERR_INVALID_ARGUMENT for
 * a refused file or a NULL `img` / NULL `file` with len > 0. Reads the
 * header byte by byte: any bytes of any length are safe. */
mm_status bc_linux_parse(const void *file, size_t len, bc_linux_image *img);

/* The file bytes from the start that bc_linux_parse_head and
 * bc_linux_params_init read at most: the setup header's largest extent. */
#define BC_LINUX_HEADER_BYTES 0x290u

/* bc_linux_parse for a loader that reads the protected-mode kernel
 * straight to its place: `head` holds the first `head_len` bytes of a
 * file of `file_size` bytes (head_len >= min(file_size,
 * BC_LINUX_HEADER_BYTES) gives bc_linux_parse's verdict on the whole
 * file, which it never reads past `head_len`; head_len > file_size is
 * refused as BC_LINUX_FILE_TOO_SMALL). img->kernel_offset and kernel_size
 * are then file offsets to read from. */
mm_status bc_linux_parse_head(const void *head, size_t head_len, uint64_t file_size,
                              bc_linux_image *img);

/* Short static name of a problem ("BC_LINUX_FILE_ELF"), never NULL. */
const char *bc_linux_problem_name(bc_linux_problem p);

/* ---- Placement ------------------------------------------------------------ */

/* Where the pieces of one Linux boot go (physical addresses). Filled by
 * the bc_linux_plan_* functions in order; start from a zeroed plan. */
typedef struct bc_linux_plan {
    uint64_t kernel_addr;       /* load address of the protected-mode kernel */
    uint64_t kernel_span;       /* == image span: bytes reserved at kernel_addr */
    uint64_t initrd_addr;       /* 4 KiB aligned; 0 with no initrd */
    uint64_t initrd_size;       /* bytes (0: no initrd) */
    uint64_t params_addr;       /* boot_params page, then cmdline, then setup_data */
    uint64_t params_span;       /* bytes of that region, 4 KiB multiple */
    uint64_t cmdline_addr;      /* params_addr + BC_LINUX_PARAMS_SIZE */
    uint64_t e820_ext_addr;     /* SETUP_E820_EXT node, 8 aligned; 0 if not needed */
    uint32_t cmdline_bytes;     /* command line with its NUL */
    uint32_t e820_count;        /* e820 entries the map converts to */
    char msg[BC_LINUX_MSG_MAX]; /* "ok" or why a step failed */
} bc_linux_plan;

/* Picks the kernel's load address: pref_address when [pref, pref + span)
 * is usable RAM (and, for a relocatable kernel, aligned); otherwise, for a
 * relocatable kernel, the lowest kernel_alignment-aligned usable range of
 * `span` bytes at or above pref_address (a relocatable kernel that starts
 * below pref_address decompresses at pref_address anyway, so memory below
 * it would not be what the kernel uses), below 4 GiB unless the kernel
 * has both XLF_KERNEL_64 and XLF_CAN_LOAD_HIGH. A non-relocatable kernel
 * gets pref_address or nothing. Sets plan->kernel_addr/kernel_span.
 * Does not change the map: carve [kernel_addr, + kernel_span) before the
 * next step. MM_ERR_INVALID_ARGUMENT (NULL pointer), MM_ERR_NOT_FOUND
 * (no room; plan->msg says what was needed), plan fields unchanged then. */
mm_status bc_linux_plan_kernel(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img);

/* Picks the highest 4 KiB aligned usable range of `initrd_size` bytes that
 * ends at or below initrd_addr_max + 1 (and at or above 1 MiB), as GRUB
 * does: high memory keeps low memory free for the kernel's own early
 * allocations. initrd_size 0 means no initrd (address 0, MM_OK). Carve the
 * result before the next step. MM_ERR_INVALID_ARGUMENT (NULL pointer),
 * MM_ERR_NOT_FOUND (no room; plan->msg says so). */
mm_status bc_linux_plan_initrd(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img,
                               uint64_t initrd_size);

/* Number of e820 entries the map converts to (bc_linux_e820_type() per
 * entry, neighbours of one e820 type merged). The loader-owned types all
 * become usable, so carving a loader range does not change this number:
 * it may be taken before the last carve. */
uint32_t bc_linux_e820_count(const mm_map *map);

/* Picks one region for boot_params (4 KiB), the command line
 * (`cmdline_bytes` with its NUL, 1 for none) and, when `e820_count`
 * exceeds BC_LINUX_E820_ZEROPAGE, the SETUP_E820_EXT node holding the rest:
 * the lowest usable 4 KiB aligned range in [1 MiB, 4 GiB) (the 32-bit
 * cmd_line_ptr and setup_data of old kernels, and low enough to sit in any
 * identity map). A command line longer than cmdline_size is refused, not
 * cut: a cut could drop `init=` or `root=` silently. Carve
 * [params_addr, + params_span) afterwards. MM_ERR_INVALID_ARGUMENT (NULL
 * pointer, cmdline_bytes 0), MM_ERR_OUT_OF_RANGE (command line too long),
 * MM_ERR_NOT_FOUND (no room). */
mm_status bc_linux_plan_params(bc_linux_plan *plan, const mm_map *map, const bc_linux_image *img,
                               uint32_t cmdline_bytes, uint32_t e820_count);

/* Byte offsets of `count` modules concatenated into one initrd: module i
 * starts at offsets[i], each start 4-byte aligned (the kernel's cpio
 * reader skips the zero padding; GRUB pads the same way); *total is the
 * initrd size. MM_ERR_INVALID_ARGUMENT (NULL pointer with count > 0, NULL
 * total), MM_ERR_OVERFLOW when the sum passes 2^64. */
mm_status bc_linux_initrd_layout(const uint64_t *sizes, uint32_t count, uint64_t *offsets,
                                 uint64_t *total);

/* ---- Loading and boot_params ------------------------------------------------ */

/* Fills the zero page `bp` (BC_LINUX_PARAMS_SIZE bytes, zeroed by the
 * caller, in the memory at plan->params_addr) from the image and the plan:
 * the setup header copied from the file (0x1F1 to header_end), then
 * type_of_loader 0xFF, cmd_line_ptr (+ ext_cmd_line_ptr) at
 * plan->cmdline_addr, ramdisk_image/size (+ ext_) from the plan. Writes the
 * command line `cmdline` (cmdline_bytes - 1 characters, any NUL inside
 * ends it early) followed by a NUL into `cmdline_dst` (the memory at
 * plan->cmdline_addr, >= plan->cmdline_bytes bytes). screen_info (offset
 * 0) stays zero (bc_linux_params_screen fills it). `file` holds the
 * file's first `len` bytes (BC_LINUX_HEADER_BYTES are enough).
 * MM_ERR_INVALID_ARGUMENT for NULL pointers or len below img->header_end. */
mm_status bc_linux_params_init(uint8_t *bp, const bc_linux_image *img, const void *file, size_t len,
                               const bc_linux_plan *plan, const char *cmdline, char *cmdline_dst);

/* Firmware facts for the zero page. Zero fields are left out. */
typedef struct bc_linux_firmware {
    uint64_t acpi_rsdp;        /* RSDP physical address (acpi_rsdp_addr) */
    uint64_t efi_system_table; /* UEFI only: system table; 0 on BIOS */
    uint64_t efi_map;          /* the final EFI memory map (physical), kept for Linux */
    uint32_t efi_map_size;     /* bytes */
    uint32_t efi_desc_size;    /* the firmware's descriptor stride */
    uint32_t efi_desc_version;
    uint32_t reserved;
} bc_linux_firmware;

/* Writes acpi_rsdp_addr and, when efi_system_table != 0, efi_info with the
 * "EL64" signature, the system table and the final memory map (low and
 * high halves), so Linux finds the EFI runtime services. Call after the
 * last GetMemoryMap (the map must be the one ExitBootServices accepted).
 * MM_ERR_INVALID_ARGUMENT for NULL pointers or an EFI map without a
 * descriptor size. */
mm_status bc_linux_params_firmware(uint8_t *bp, const bc_linux_firmware *fw);

/* The linear framebuffer the loader set, for screen_info. */
typedef struct bc_linux_screen {
    uint64_t base;          /* physical */
    uint32_t width, height; /* pixels, each at most 65535 */
    uint32_t pitch;         /* bytes per line, at most 65535 */
    uint32_t bpp;           /* bits per pixel, 1 .. 32 */
    uint8_t red_size, red_pos, green_size, green_pos, blue_size, blue_pos; /* bits */
    uint8_t efi; /* 1: a UEFI GOP mode (VIDEO_TYPE_EFI); 0: a VBE mode (VIDEO_TYPE_VLFB) */
    uint8_t reserved;
} bc_linux_screen;

/* Fills screen_info (zero page offset 0, zeroed before) so Linux's efifb,
 * vesafb or simpledrm drives the framebuffer: orig_video_isVGA 0x70 (EFI)
 * or 0x23 (VESA linear), lfb_width/height/depth/linelength, lfb_base
 * (+ ext_lfb_base and VIDEO_CAPABILITY_64BIT_BASE above 4 GiB), lfb_size
 * (EFI: bytes; VESA: 64 KiB blocks, rounded up) covering pitch * height,
 * the colour sizes and positions, and rsvd for the pixel bits no colour
 * uses when they form one run. MM_ERR_INVALID_ARGUMENT for NULL;
 * MM_ERR_OUT_OF_RANGE (nothing written) for base 0, a zero or too large
 * size, a pitch below width * bpp / 8 or pitch * height past 4 GiB. */
mm_status bc_linux_params_screen(uint8_t *bp, const bc_linux_screen *s);

/* e820 type Linux is given for an mm type: usable 1 for usable RAM and for
 * every loader-owned type (Linux reserves its kernel, initrd, setup_data
 * and EFI memory map itself and copies boot_params and the command line
 * before it allocates), acpi 3, nvs 4, bad 5 (unusable), persistent 7,
 * reserved 2 for the rest (firmware runtime, MMIO, unaccepted: Linux gets
 * runtime ranges from the EFI map). */
uint32_t bc_linux_e820_type(mm_type type);

/* Writes the map as e820 entries: the first BC_LINUX_E820_ZEROPAGE into the
 * zero page (e820_entries, e820_table), the rest into a SETUP_E820_EXT
 * setup_data node at `ext` (`ext_len` bytes, the memory at physical
 * `ext_phys`, from plan->e820_ext_addr), linked at the head of the zero
 * page's setup_data list. `ext` may be NULL when the map needs no more
 * than the zero page holds. MM_ERR_INVALID_ARGUMENT (NULL bp/map),
 * MM_ERR_BUFFER_TOO_SMALL (node needed but missing or short: nothing
 * written). */
mm_status bc_linux_params_e820(uint8_t *bp, const mm_map *map, uint8_t *ext, size_t ext_len,
                               uint64_t ext_phys);

/* ---- Entry ------------------------------------------------------------------ */

typedef enum bc_linux_mode {
    BC_LINUX_ENTRY_64 = 1, /* long mode, paging on, identity map (boot.rst "64-bit") */
    BC_LINUX_ENTRY_32 = 2  /* protected mode, paging off (boot.rst "32-bit") */
} bc_linux_mode;

typedef struct bc_linux_entry {
    uint64_t address;     /* where to jump */
    uint64_t boot_params; /* RSI (64-bit) / ESI (32-bit) */
    bc_linux_mode mode;
    uint32_t reserved;
} bc_linux_entry;

/* How to enter the kernel: the 64-bit entry (kernel_addr + 0x200) when the
 * image has XLF_KERNEL_64, else the 32-bit entry at kernel_addr. Both
 * need a GDT with flat 4 GiB code at 0x10 and data at 0x18, interrupts
 * off; the 32-bit entry also EBP = EDI = EBX = 0. MM_ERR_INVALID_ARGUMENT
 * for NULL pointers, MM_ERR_OUT_OF_RANGE for the 32-bit entry with the
 * kernel or boot_params at or above 4 GiB. */
mm_status bc_linux_entry_for(const bc_linux_image *img, const bc_linux_plan *plan,
                             bc_linux_entry *entry);

/* A physical range the 64-bit entry needs identity mapped. */
typedef struct bc_linux_range {
    uint64_t base;
    uint64_t length;
} bc_linux_range;

#define BC_LINUX_IDENTITY_RANGES 2u

/* The ranges boot.rst requires identity mapped at the 64-bit entry: the
 * kernel from its load address for its span (init_size at least) and the
 * params region (zero page, command line, setup_data). Writes
 * BC_LINUX_IDENTITY_RANGES entries. MM_ERR_INVALID_ARGUMENT for NULL. */
mm_status bc_linux_identity_ranges(const bc_linux_plan *plan,
                                   bc_linux_range out[BC_LINUX_IDENTITY_RANGES]);

#endif
