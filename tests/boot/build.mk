# QEMU boot tests (`make test`, `make test-boot`). tests/boot/boot-test.sh
# runs and judges one boot for either firmware; each *-cases.sh script is
# one suite printing a PASS:/FAIL: line per case.
BENCH_BOOT_RUNS ?= 5
# UEFI=0 / BIOS=0 drop that firmware's suites and benchmark.
ifneq ($(UEFI),0)
BOOT_SUITES += boot-uefi
CMD_boot-uefi := tests/boot/uefi-cases.sh
# The example kernel of docs/protocol.md, built and booted as documented
# (also under BIOS unless BIOS=0).
BOOT_SUITES += boot-protocol-example
CMD_boot-protocol-example := BIOS=$(BIOS) tests/boot/protocol-example.sh
# DEBUG=1 (allocation tracking): its own build in build-debug/, the
# loaders' size budgets, one UEFI boot with both allocation profiles.
BOOT_SUITES += boot-debug
CMD_boot-debug := BIOS=$(BIOS) tests/boot/debug-cases.sh
# MEMTEST=1 (memory test on by default): its own build, booted on both firmwares.
BOOT_SUITES += boot-memtest-build
CMD_boot-memtest-build := BIOS=$(BIOS) tests/boot/memtest-build.sh
BENCHES += scripts/bench-boot.sh --runs $(BENCH_BOOT_RUNS)
endif
ifneq ($(BIOS),0)
BOOT_SUITES += boot-bios
# MOS_UEFI=0: no UEFI loader, so no BIOS-vs-UEFI comparison boot.
CMD_boot-bios := MOS_UEFI=$(UEFI) tests/boot/bios-cases.sh
BENCHES += scripts/bench-boot.sh --runs $(BENCH_BOOT_RUNS) --firmware bios
endif

# Debian's kernel booted through boot/common/linux.c by the linux-stub
# mini-loaders: SeaBIOS with the 64- and 32-bit entries, OVMF with the
# 64-bit entry and efi_info (about 60 s under TCG once the payload is
# cached; the first run downloads and unpacks ~70 MB of Debian packages).
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-linux
CMD_boot-linux := BIOS=$(BIOS) UEFI=$(UEFI) tests/boot/linux-stub.sh
endif

# A kernel that exits QEMU on its first instruction, for the boot benchmark.
EXIT_KERNEL := $(BUILD)/tests/boot/exit-kernel.elf
$(EXIT_KERNEL): tests/boot/exit-kernel.S tests/boot/exit-kernel.ld
	@mkdir -p $(@D)
	$(CLANG) --target=x86_64-unknown-none-elf -c $< -o $(@:.elf=.o)
	$(LLD) -static -nostdlib -z max-page-size=4096 --build-id=none -T tests/boot/exit-kernel.ld \
	    $(@:.elf=.o) -o $@
ALL_TARGETS += $(EXIT_KERNEL)

# linux-stub: test-only mini-loaders that boot a Linux bzImage through
# boot/common/linux.c (tests/boot/linux-stub.sh): a 32-bit multiboot ELF
# started by QEMU after SeaBIOS, and a UEFI application for OVMF.
LINUX_STUB_LIB := tests/boot/linux_stub_lib.c
LINUX_STUB := $(BUILD)/tests/boot/linux-stub.elf
LINUX_STUB_OBJS := $(BUILD)/i386/tests/boot/linux-stub-entry.o \
                   $(call objs,i386,tests/boot/linux_stub.c $(LINUX_STUB_LIB) $(MM_SRCS) \
                                    $(COMMON_SRCS) $(RT_SRCS))
$(BUILD)/i386/tests/boot/linux-stub-entry.o: tests/boot/linux-stub-entry.S
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -c $< -o $@
$(LINUX_STUB): $(LINUX_STUB_OBJS) tests/boot/linux-stub.ld
	$(LLD) -m elf_i386 -static --gc-sections -T tests/boot/linux-stub.ld -o $@ $(LINUX_STUB_OBJS)
ALL_TARGETS += $(LINUX_STUB)
ifneq ($(UEFI),0)
LINUX_STUB_EFI := $(BUILD)/tests/boot/LINUXSTUB.EFI
LINUX_STUB_EFI_OBJS := $(call objs,efi,tests/boot/linux_stub_efi.c $(LINUX_STUB_LIB) \
                                       boot/uefi/firmware.c)
$(call objs,efi,tests/boot/linux_stub_efi.c): EFI_CFLAGS += -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64
$(LINUX_STUB_EFI): $(LINUX_STUB_EFI_OBJS) $(UEFI_LIB)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^
ALL_TARGETS += $(LINUX_STUB_EFI)
endif

# `make bench-boot` (also part of `make bench`): boot cost against the
# firmware floor (scripts/bench-boot.sh).
.PHONY: bench-boot
bench-boot: deps-test $(ALL_TARGETS)
ifneq ($(UEFI),0)
	@scripts/bench-boot.sh --runs $(BENCH_BOOT_RUNS)
endif
ifneq ($(BIOS),0)
	@scripts/bench-boot.sh --runs $(BENCH_BOOT_RUNS) --firmware bios
endif

# Handoff revision 2 in the real loaders (modules, framebuffer, CPUs), on both firmwares.
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-rev2
CMD_boot-rev2 := BIOS=$(BIOS) UEFI=$(UEFI) tests/boot/rev2-cases.sh
endif
