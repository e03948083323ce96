# The UEFI loader BOOTX64.EFI: a PE32+ EFI application built straight from C
# with clang's Windows target and lld-link. Only gnu-efi's headers are used
# (its libefi is ELF/SysV); lib/mm, boot/common and lib/rt are compiled with
# the same EFI_CFLAGS and linked in.
UEFI_DIR := $(BUILD)/boot/uefi
UEFI_EFI := $(UEFI_DIR)/BOOTX64.EFI
UEFI_FLOOR := $(UEFI_DIR)/FLOOR.EFI
UEFI_SIZE_LIMIT := 98304

GNUEFI_INC ?= /usr/include/efi
UEFI_SRCS := $(filter-out boot/uefi/floor.c,$(sort $(wildcard boot/uefi/*.c)))
UEFI_LIB_SRCS := $(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS)
UEFI_OBJS := $(call objs,efi,$(UEFI_SRCS))
# The AP trampoline (boot/common/ap_trampoline.S): copied below 1 MiB by the MultiOS back end.
UEFI_ASM_OBJS := $(call asm_objs,efi,$(COMMON_ASM_SRCS))
UEFI_LIB_OBJS := $(call objs,efi,$(UEFI_LIB_SRCS))
UEFI_LIB := $(UEFI_DIR)/libmos-efi.a
LLVM_AR ?= llvm-ar

# Size: EFI_CFLAGS optimize for size (mk/common.mk); the linker drops every
# function nothing calls (the library parts go through an archive for the
# same reason).
UEFI_LDFLAGS := /subsystem:efi_application /entry:efi_main /nodefaultlib /opt:ref /opt:icf \
    /debug:none
# BOOTX64.EFI is packed (boot/uefi/packed.h): the loader proper is
# loader.efi, packed by mos-pack and embedded in the stub.
UEFI_INNER := $(UEFI_DIR)/loader.efi
# The stub is built for speed (-O2, not -Oz): it runs over every byte of
# the loader (LZ4, CRC-32).
EFI_STUB_CFLAGS := $(filter-out -Oz,$(EFI_CFLAGS))
$(eval $(call compile_rule,efi-stub,$(EFI_STUB_CFLAGS),EFI_STUB_CFLAGS))
UEFI_STUB_OBJS := $(call objs,efi-stub,boot/uefi/stub/unpack.c boot/common/pack.c \
    boot/common/crc32.c boot/common/uart.c lib/rt/string.c) \
    $(BUILD)/efi/boot/uefi/stub/payload.o
$(UEFI_OBJS) $(call objs,efi,boot/uefi/floor.c): EFI_CFLAGS += -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64
$(call objs,efi-stub,boot/uefi/stub/unpack.c): EFI_STUB_CFLAGS += -I$(GNUEFI_INC) \
    -I$(GNUEFI_INC)/x86_64

$(UEFI_LIB): $(UEFI_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(LLVM_AR) rcs $@ $^

$(UEFI_INNER): $(UEFI_OBJS) $(UEFI_ASM_OBJS) $(UEFI_LIB)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^

$(UEFI_INNER).pack: $(UEFI_INNER) $(BUILD)/bin/mos-pack
	$(BUILD)/bin/mos-pack $< $@

$(BUILD)/efi/boot/uefi/stub/payload.o: boot/uefi/stub/payload.S $(UEFI_INNER).pack
	@mkdir -p $(@D)
	$(CLANG) --target=x86_64-unknown-windows -DPACKED_LOADER=$(UEFI_INNER).pack -c $< -o $@

$(UEFI_EFI): $(UEFI_STUB_OBJS)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^
	@echo "BOOTX64.EFI: $$(stat -c %s $(UEFI_INNER)) bytes packed into $$(stat -c %s $@)"

$(UEFI_FLOOR): $(call objs,efi,boot/uefi/floor.c)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^

# UEFI=0 leaves the loader out of `make`, `make test` and the image.
ifneq ($(UEFI),0)
ALL_TARGETS += $(UEFI_EFI) $(UEFI_FLOOR)

# Size budget, read from the file itself.
CHECK_SUITES += size-uefi
CMD_size-uefi := tests/boot/check-size.sh $(UEFI_EFI) $(UEFI_SIZE_LIMIT)
MKIMAGE_EFI_DEP := $(UEFI_EFI)
MKIMAGE_EFI := --efi $(UEFI_EFI)
else
MKIMAGE_EFI_DEP :=
MKIMAGE_EFI := --no-efi
endif

# The disk image both firmwares boot (scripts/mkimage.sh has the layout):
# BIOS=0 leaves stage 1/2 out (boot/bios/build.mk sets MKIMAGE_BIOS), UEFI=0
# BOOTX64.EFI; with both off there is no loader and so no image.
MOS_IMAGE := $(BUILD)/multios.img
MOS_KERNEL := $(BUILD)/kernel/kernel.elf
MOS_BOOT_CFG := boot/boot.cfg

$(MOS_IMAGE): $(MKIMAGE_EFI_DEP) $(MOS_KERNEL) $(MOS_BOOT_CFG) scripts/mkimage.sh \
    $(BUILD)/flags/mkimage.txt
	scripts/mkimage.sh $@ $(MKIMAGE_EFI) --cfg $(MOS_BOOT_CFG) --kernel $(MOS_KERNEL) \
	    $(MKIMAGE_BIOS)
# Switching UEFI= or BIOS= rebuilds the image.
$(eval $(call flags_file,mkimage,$(MKIMAGE_EFI) $(MKIMAGE_BIOS)))

ifneq ($(UEFI)$(BIOS),00)
ALL_TARGETS += $(MOS_IMAGE)

# The same with mos.hold=1 on the kernel's command line and a 1024x768
# screen: the demo kernel stays on after its report, its memory map picture
# on the screen, for `make run`'s window and `make screenshot` (built by
# `make` too: the boot-window test boots it).
MOS_HOLD_CFG := $(BUILD)/hold/boot.cfg
MOS_HOLD_IMAGE := $(BUILD)/hold/multios.img
ALL_TARGETS += $(MOS_HOLD_IMAGE)
$(MOS_HOLD_CFG): $(MOS_BOOT_CFG)
	@mkdir -p $(@D)
	{ cat $<; printf '%s\n' cmdline=mos.hold=1 resolution=1024x768; } >$@
$(MOS_HOLD_IMAGE): $(MKIMAGE_EFI_DEP) $(MOS_KERNEL) $(MOS_HOLD_CFG) scripts/mkimage.sh \
    $(BUILD)/flags/mkimage.txt
	scripts/mkimage.sh $@ $(MKIMAGE_EFI) --cfg $(MOS_HOLD_CFG) --kernel $(MOS_KERNEL) \
	    $(MKIMAGE_BIOS)

# `make run [MEM=256M] [FIRMWARE=uefi|bios]`: boots the image, serial on the
# terminal; exits 0 when the kernel reports PASS. With a display (DISPLAY or
# WAYLAND_DISPLAY set) it boots the held image in a QEMU window instead, the
# picture staying until the window is closed or RUN_TIMEOUT seconds pass
# (scripts/qemu-boot.sh --window). The firmware defaults to UEFI, or BIOS
# when UEFI=0 left the UEFI loader out. The boot-window test
# (tests/boot/window-cases.sh) runs this same RUN_CMD on a virtual X display.
MEM ?= 256M
FIRMWARE ?= $(if $(filter 0,$(UEFI)),bios,uefi)
RUN_TIMEOUT ?= 300
RUN_CMD := scripts/qemu-boot.sh --summary --firmware $(FIRMWARE) --mem $(MEM) \
    --timeout $(RUN_TIMEOUT) --image $(MOS_IMAGE) --window $(MOS_HOLD_IMAGE)
RUN_DEPS := $(MOS_IMAGE) $(MOS_HOLD_IMAGE)

# `make screenshot [FIRMWARE=uefi|bios]`: docs/screenshot.png, the held
# demo kernel's screen taken through QEMU's QMP screendump (PNG).
SCREENSHOT := docs/screenshot.png
.PHONY: screenshot
screenshot: deps-screenshot $(MOS_HOLD_IMAGE)
	scripts/screendump.sh --image $(MOS_HOLD_IMAGE) --firmware $(FIRMWARE) --mem $(MEM) \
	    --format png --out $(SCREENSHOT) --serial $(BUILD)/hold/screenshot.serial
	@echo "screenshot: $(SCREENSHOT)"
endif
