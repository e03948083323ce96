/* The loader as a packed body (boot/common/pack.h), embedded in the
 * packed BOOTX64.EFI (boot/uefi/packed.h). PACKED_LOADER is its path, set by build.mk. */
#define STR2(x) #x
#define STR(x)  STR2(x)
    .section .rdata, "dr"
    .globl  packed_loader
    .globl  packed_loader_end
packed_loader:
    .incbin STR(PACKED_LOADER)
packed_loader_end:
