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
endif
ifneq ($(BIOS),0)
BOOT_SUITES += boot-bios
# MOS_UEFI=0: no UEFI loader, so no BIOS-vs-UEFI comparison boot.
CMD_boot-bios := MOS_UEFI=$(UEFI) tests/boot/bios-cases.sh
endif

# Debian's kernel booted by the real loaders (protocol=linux entries):
# SeaBIOS and OVMF at 256 MiB and 1 GiB and through the 32-bit entry, plus
# a truncated bzImage, an ELF as kernel= and a missing initrd module (2 to
# 4 min under TCG once the payload is cached; the first run downloads and
# unpacks ~70 MB of Debian packages).
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-linux
CMD_boot-linux := BIOS=$(BIOS) UEFI=$(UEFI) tests/boot/linux-cases.sh
endif

# A kernel that exits QEMU on its first instruction, for the boot benchmark.
EXIT_KERNEL := $(BUILD)/tests/boot/exit-kernel.elf
$(EXIT_KERNEL): tests/boot/exit-kernel.S tests/boot/exit-kernel.ld
	@mkdir -p $(@D)
	$(CLANG) --target=x86_64-unknown-none-elf -c $< -o $(@:.elf=.o)
	$(LLD) -static -nostdlib -z max-page-size=4096 --build-id=none -T tests/boot/exit-kernel.ld \
	    $(@:.elf=.o) -o $@
ALL_TARGETS += $(EXIT_KERNEL)

# The same for GRUB (Multiboot2, ELF32), the benchmark's comparison loader.
MB2_EXIT_KERNEL := $(BUILD)/tests/boot/mb2-exit-kernel.elf
$(MB2_EXIT_KERNEL): tests/boot/mb2-exit-kernel.S tests/boot/mb2-exit-kernel.ld
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -c $< -o $(@:.elf=.o)
	$(LLD) -m elf_i386 -static -nostdlib --build-id=none -T tests/boot/mb2-exit-kernel.ld \
	    $(@:.elf=.o) -o $@
ALL_TARGETS += $(MB2_EXIT_KERNEL)

# A bzImage that exits QEMU wherever it is entered, for the benchmark's
# Linux-protocol boots (MultiOS Boot and GRUB load it as a Linux kernel).
LINUX_EXIT_KERNEL := $(BUILD)/tests/boot/linux-exit-kernel.bin
$(LINUX_EXIT_KERNEL): tests/boot/linux-exit-kernel.S
	@mkdir -p $(@D)
	$(CLANG) --target=x86_64-unknown-none-elf -c $< -o $(@:.bin=.o)
	$(LLD) -static -nostdlib --build-id=none -Ttext=0 --oformat binary $(@:.bin=.o) -o $@
ALL_TARGETS += $(LINUX_EXIT_KERNEL)

# The benchmark's probe of what TCG costs on the host (tests/boot/tcg-probe.S):
# a baseline, 16384 blocks of code run once, 32768 bytes on COM1, a loop
# of 60 million instructions, and first writes into 64 regions of 2 MiB
# (16 to 144 MiB of RAM).
TCG_PROBES := $(addprefix $(BUILD)/tests/boot/tcg-probe-,base.elf blocks.elf bytes.elf loop.elf \
    touch.elf)
TCG_PROBE_DEFS_base :=
TCG_PROBE_DEFS_blocks := -DPROBE_BLOCKS=16384
TCG_PROBE_DEFS_bytes := -DPROBE_BYTES=32768
TCG_PROBE_DEFS_loop := -DPROBE_LOOPS=10000000
TCG_PROBE_DEFS_touch := -DPROBE_TOUCHES=64
$(BUILD)/tests/boot/tcg-probe-%.elf: tests/boot/tcg-probe.S tests/boot/tcg-probe.ld
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf $(TCG_PROBE_DEFS_$*) -c $< -o $(@:.elf=.o)
	$(LLD) -m elf_i386 -static -nostdlib --build-id=none -T tests/boot/tcg-probe.ld \
	    $(@:.elf=.o) -o $@
ALL_TARGETS += $(TCG_PROBES)

# `make bench-boot` (also part of `make bench`): boot cost of MultiOS Boot and
# of GRUB against the firmware floor, on each firmware built (UEFI=0 / BIOS=0
# drop one), in one run (scripts/bench-boot.sh, docs/boot-time.md). Not a
# test: never part of `make test`.
comma := ,
space := $(subst ,, )
BENCH_BOOT_FIRMWARES := $(subst $(space),$(comma),$(strip $(if $(filter 0,$(UEFI)),,uefi) \
                                                          $(if $(filter 0,$(BIOS)),,bios)))
BENCH_BOOT_CMD := scripts/bench-boot.sh --runs $(BENCH_BOOT_RUNS) --firmware $(BENCH_BOOT_FIRMWARES)
ifneq ($(BENCH_BOOT_FIRMWARES),)
BENCHES += $(BENCH_BOOT_CMD);
endif
.PHONY: bench-boot
bench-boot: deps-bench-boot $(ALL_TARGETS)
	@$(if $(BENCH_BOOT_FIRMWARES),$(BENCH_BOOT_CMD),echo "bench-boot: UEFI=0 BIOS=0, nothing to boot")

# Handoff revision 2 in the real loaders (modules, framebuffer, CPUs), on both firmwares.
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-rev2
CMD_boot-rev2 := BIOS=$(BIOS) UEFI=$(UEFI) tests/boot/rev2-cases.sh
endif

# The memory map picture read back from the screen: a QMP screendump of the
# demo kernel held with mos.hold=1, its pixels checked against the map it
# printed, on both firmwares.
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-screenshot
CMD_boot-screenshot := BIOS=$(BIOS) UEFI=$(UEFI) tests/boot/screenshot-cases.sh
endif

# `make run`'s window: its RUN_CMD (boot/uefi/build.mk) run on an Xvfb
# display for each firmware, the X screen read back and the QEMU window's
# picture checked against the map the kernel printed.
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-window
CMD_boot-window := BIOS=$(BIOS) UEFI=$(UEFI) RUN_CMD="$(RUN_CMD)" tests/boot/window-cases.sh
endif
