# Demo kernel: a freestanding higher-half ELF64 (build/kernel/kernel.elf)
# that checks every promise of the handoff and exits QEMU PASS/FAIL
# (kernel/exitcodes.h). proof.c and kalloc.c hold the checks and also build
# for the host, where tests/kernel/test_kernel.c runs them on synthetic
# handoffs.
KERNEL_ELF := $(BUILD)/kernel/kernel.elf
OBJCOPY ?= llvm-objcopy
KERNEL_C_SRCS := $(sort $(wildcard kernel/*.c))
KERNEL_PORTABLE_SRCS := kernel/proof.c kernel/kalloc.c
# Of boot/common the kernel links only what it calls: the handoff's
# verifier and type table, the ACPI reader and the map picture.
KERNEL_COMMON_SRCS := boot/common/handoff.c boot/common/handoff_check.c boot/common/text.c \
                      boot/common/acpi.c boot/common/mapview.c boot/common/fbcon.c boot/common/font.c
KERNEL_OBJS := $(BUILD)/k64/kernel/entry.o \
               $(call objs,k64,$(KERNEL_C_SRCS) $(MM_SRCS) $(KERNEL_COMMON_SRCS) $(RT_SRCS))

$(call objs,host,tests/kernel/test_kernel.c): HOST_CFLAGS += -Ikernel

$(BUILD)/k64/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	$(CLANG) $(K64_CFLAGS) -c $< -o $@

# kernel.debug.elf keeps the DWARF for addr2line on an exception's RIP; the
# image gets kernel.elf without it (a third of the size to read at boot).
KERNEL_DEBUG_ELF := $(BUILD)/kernel/kernel.debug.elf
$(KERNEL_DEBUG_ELF): $(KERNEL_OBJS) kernel/kernel.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_x86_64 -static -nostdlib -z max-page-size=4096 -z norelro --build-id=none \
	    -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)

$(KERNEL_ELF): $(KERNEL_DEBUG_ELF)
	$(OBJCOPY) --strip-debug $< $@

ALL_TARGETS += $(KERNEL_ELF)

# Host unit suite over the portable part.
KERNEL_TEST := $(BUILD)/tests/kernel/test_kernel
$(KERNEL_TEST): $(call objs,host,tests/kernel/test_kernel.c $(KERNEL_PORTABLE_SRCS) $(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $(HOST_LDFLAGS) $^ -lcmocka -o $@

ALL_TARGETS += $(KERNEL_TEST)
UNIT_SUITES += unit-kernel
CMD_unit-kernel := $(KERNEL_TEST)

# The same suite over the checks built as DEBUG=1 builds them (allocation
# tracking on), whatever DEBUG this build has; lib/mm does not depend on
# MM_DEBUG, so its objects are shared.
KERNEL_TRACK_SRCS := tests/kernel/test_kernel.c $(KERNEL_PORTABLE_SRCS)
KERNEL_TRACK_OBJS := $(patsubst %.c,$(BUILD)/host-track/%.o,$(KERNEL_TRACK_SRCS))
KERNEL_TRACK_TEST := $(BUILD)/tests/kernel/test_kernel_debug
$(KERNEL_TRACK_OBJS): $(BUILD)/host-track/%.o: %.c $(BUILD)/flags/host.txt
	@mkdir -p $(@D)
	$(CLANG) $(HOST_CFLAGS) -Ikernel -UMM_DEBUG -DMM_DEBUG=1 -c $< -o $@
$(KERNEL_TRACK_TEST): $(KERNEL_TRACK_OBJS) $(call objs,host,$(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $(HOST_LDFLAGS) $^ -lcmocka -o $@

ALL_TARGETS += $(KERNEL_TRACK_TEST)
UNIT_SUITES += unit-kernel-debug
CMD_unit-kernel-debug := $(KERNEL_TRACK_TEST)

# The image's shape: only PT_LOAD segments, page-aligned, W^X, entry inside.
CHECK_SUITES += kernel-elf
CMD_kernel-elf := bash kernel/check-elf.sh $(KERNEL_ELF)

# QEMU boots of the exception path (kernel/boot-cases.sh), once the UEFI
# loader and the boot-test runner are in the tree.
ifneq ($(and $(wildcard tests/boot/boot-test.sh),$(wildcard boot/uefi/build.mk)),)
ifneq ($(UEFI),0)
BOOT_SUITES += kernel-faults-uefi
CMD_kernel-faults-uefi := kernel/boot-cases.sh --firmware uefi
endif
ifneq ($(BIOS),0)
ifneq ($(wildcard boot/bios/build.mk),)
BOOT_SUITES += kernel-faults-bios
CMD_kernel-faults-bios := kernel/boot-cases.sh --firmware bios
endif
endif
endif
