# Toolchains and flags for the four kinds of output. Included first by the
# top Makefile; components (*/build.mk) only append to the lists below.

CLANG ?= clang
LLD ?= ld.lld
LLD_LINK ?= lld-link

# Build options: UEFI=0 / BIOS=0 skip a front end,
# DEBUG=1 enables allocation tracking, MEMTEST=1 runs the memory test by default.
UEFI ?= 1
BIOS ?= 1
DEBUG ?= 0
MEMTEST ?= 0

OPT_DEFS := -DMM_DEBUG=$(DEBUG) -DMM_MEMTEST_DEFAULT=$(MEMTEST)
# DEBUG=1 builds get a tree of their own, so switching the option back and
# forth rebuilds nothing (the flags files below keep each tree consistent).
BUILD ?= $(if $(filter 0,$(DEBUG)),build,build-debug)

WARN := -Wall -Wextra -Werror
INC := -Iinclude -Ilib/mm -Ilib -Iboot
COMMON := -std=gnu11 $(WARN) $(INC) $(OPT_DEFS) -MMD -MP

# Host: unit tests under ASan+UBSan.
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := $(COMMON) -g -O1 $(HOST_SAN)
HOST_LDFLAGS := $(HOST_SAN)
# Host: tools, examples and benchmarks (optimized, no sanitizers).
REL_CFLAGS := $(COMMON) -g -O2
# Host: libFuzzer harnesses.
FUZZ_CFLAGS := $(COMMON) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

FREESTANDING := -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -mno-red-zone \
                -mgeneral-regs-only -fno-asynchronous-unwind-tables -O2 -g
# 64-bit kernel (higher half).
K64_CFLAGS := --target=x86_64-unknown-none-elf $(COMMON) $(FREESTANDING) -mcmodel=kernel
# Both loaders have a 96 KiB budget: optimize for size (-Oz; i386 then calls
# lib/rt/shift.c for 64-bit shifts) across the whole image (-flto: lld
# links the bitcode), one section per function so the linker drops what
# they do not call. Set here, not per
# target, because the objects are shared with the freestanding check.
SIZE_OPT := -Oz -flto -ffunction-sections -fdata-sections
# 64-bit UEFI application (PE32+, MS ABI: `long` is 32 bits here).
EFI_CFLAGS := --target=x86_64-unknown-windows $(COMMON) $(FREESTANDING) -fshort-wchar $(SIZE_OPT) \
              -mno-stack-arg-probe
# 32-bit BIOS stage 2 (protected mode).
I386_CFLAGS := --target=i386-unknown-none-elf -march=i686 $(COMMON) $(FREESTANDING) $(SIZE_OPT)

# Object path for source $(2) built for target $(1) (host, rel, fuzz, k64, efi, i386).
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# Objects depend on a file holding their target's flags, rewritten only when
# the flags change, so changing an option or a flag rebuilds what it affects.
define flags_file
$(BUILD)/flags/$(1).txt: FORCE
	@mkdir -p $$(@D)
	@echo '$(2)' | cmp -s - $$@ || echo '$(2)' > $$@
endef

# Object path for assembly source $(2) (boot/common/*.S) built for target $(1).
asm_objs = $(patsubst %.S,$(BUILD)/$(1)/%.o,$(2))

# $(1) = target name (object directory), $(2) = compiler flags. Assembly
# (*.S, preprocessed) takes the same flags: they carry the target triple.
define compile_rule
$(call flags_file,$(1),$(2))
$(BUILD)/$(1)/%.o: %.c $(BUILD)/flags/$(1).txt
	@mkdir -p $$(@D)
	$(CLANG) $$($(3)) -c $$< -o $$@
$(BUILD)/$(1)/%.o: %.S $(BUILD)/flags/$(1).txt
	@mkdir -p $$(@D)
	$(CLANG) $$($(3)) -c $$< -o $$@
endef
$(eval $(call compile_rule,host,$(HOST_CFLAGS),HOST_CFLAGS))
$(eval $(call compile_rule,rel,$(REL_CFLAGS),REL_CFLAGS))
$(eval $(call compile_rule,fuzz,$(FUZZ_CFLAGS),FUZZ_CFLAGS))
$(eval $(call compile_rule,k64,$(K64_CFLAGS),K64_CFLAGS))
$(eval $(call compile_rule,efi,$(EFI_CFLAGS),EFI_CFLAGS))
$(eval $(call compile_rule,i386,$(I386_CFLAGS),I386_CFLAGS))
.PHONY: FORCE
FORCE:

# Sources: lib/mm, the firmware-independent half of the loaders (boot/common,
# linked into every host test, fuzzer, bench and tool too) and the
# freestanding runtime every image links.
MM_SRCS := $(sort $(wildcard lib/mm/*.c))
COMMON_SRCS := $(sort $(wildcard boot/common/*.c))
# Assembly of boot/common (the AP trampoline): not in HOST_LIB_SRCS; only
# the images that start APs and the tests that inspect the blob link it,
# through $(call asm_objs,<target>,$(COMMON_ASM_SRCS)).
COMMON_ASM_SRCS := $(sort $(wildcard boot/common/*.S))
RT_SRCS := lib/rt/string.c lib/rt/shift.c
HOST_LIB_SRCS := $(MM_SRCS) $(COMMON_SRCS)

# Lists components append to:
#   ALL_TARGETS   files `make` builds
#   UNIT_SUITES   names of host unit suites; CMD_<name> is the command
#   CHECK_SUITES  other quick suites (tools, size budgets, freestanding link)
#   FUZZ_SUITES   short fuzz runs for `make test`
#   FUZZ_LONG     shell commands `make fuzz` runs, each ending in ';' (a
#                 command is several words, the list cannot be split on spaces)
#   BOOT_SUITES   QEMU boot tests
#   BENCHES       shell commands `make bench` runs, each ending in ';' as above
ALL_TARGETS :=
UNIT_SUITES :=
CHECK_SUITES :=
FUZZ_SUITES :=
BOOT_SUITES :=
BENCHES :=
FUZZ_LONG :=
.SECONDARY:
