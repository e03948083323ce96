# Legacy BIOS front end: stage 1 (MBR boot code) and stage 2 (real-mode
# entry + 32-bit protected-mode C, long-mode trampoline), both flat binaries.
# BIOS=0 skips them.
ifneq ($(BIOS),0)

BIOS_OUT := $(BUILD)/bios
STAGE1_BIN := $(BIOS_OUT)/stage1.bin
STAGE2_BIN := $(BIOS_OUT)/stage2.bin

# The resident head of stage 2 (boot/bios/unpack.h): built without LTO and
# linked into one relocatable object, so the linker script can place it
# below the compressed body and its undefined symbols can be checked. It
# is built for speed (-O2, not -Oz): it runs over every byte of the body
# (LZ4, CRC-32) and holds the string runtime; some 1.4 KB more.
STUB_SRCS := boot/bios/unpack.c boot/common/pack.c boot/common/crc32.c boot/common/uart.c \
    $(RT_SRCS)
I386_STUB_CFLAGS := $(filter-out -flto -Oz,$(I386_CFLAGS))
$(eval $(call compile_rule,i386-stub,$(I386_STUB_CFLAGS),I386_STUB_CFLAGS))
STAGE2_STUB := $(BUILD)/i386/stage2-stub.o

BIOS_C_SRCS := $(filter-out $(STUB_SRCS),$(sort $(wildcard boot/bios/*.c)))
STAGE2_OBJS := $(BUILD)/i386/boot/bios/entry.o $(BUILD)/i386/boot/bios/chainload_jump.o \
               $(STAGE2_STUB) \
               $(call objs,i386,$(BIOS_C_SRCS) $(MM_SRCS) $(filter-out $(STUB_SRCS),$(COMMON_SRCS))) \
               $(call asm_objs,i386,$(COMMON_ASM_SRCS))

# Size (96 KiB budget): I386_CFLAGS optimize for size with one section per
# function (mk/common.mk); the linker drops everything stage 2 does not call.

$(BUILD)/i386/boot/bios/%.o: boot/bios/%.S boot/bios/bios_layout.h
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -Iboot/bios -c $< -o $@

$(BIOS_OUT)/stage1.elf: $(BUILD)/i386/boot/bios/stage1.o boot/bios/stage1.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -T boot/bios/stage1.ld -o $@ $<

# The head may only use itself and .entry (the body does not exist yet).
$(STAGE2_STUB): $(call objs,i386-stub,$(STUB_SRCS)) $(BUILD)/i386/boot/bios/entry.o
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -r -o $@ $(call objs,i386-stub,$(STUB_SRCS))
	@llvm-nm -u $@ | awk '{print $$NF}' | sort -u >$@.undef
	@llvm-nm --defined-only $(BUILD)/i386/boot/bios/entry.o | awk '{print $$NF}' | sort -u >$@.entry
	@bad=$$(comm -23 $@.undef $@.entry | grep -vx -e __payload_start -e __image_end); \
	 test -z "$$bad" || { echo "stage 2 head calls into the compressed body: $$bad" >&2; rm -f $@; exit 1; }

$(BIOS_OUT)/stage2.elf: $(STAGE2_OBJS) boot/bios/stage2.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static --gc-sections -T boot/bios/stage2.ld -o $@ $(STAGE2_OBJS)

# Stage 1 must leave the disk signature and partition table (440..511) alone.
$(STAGE1_BIN): $(BIOS_OUT)/stage1.elf
	llvm-objcopy -O binary $< $@
	@test $$(stat -c %s $@) -le 440 || { echo "stage1.bin exceeds 440 bytes" >&2; rm -f $@; exit 1; }
$(STAGE2_BIN): $(BIOS_OUT)/stage2.elf scripts/pack-stage2.sh $(BUILD)/bin/mos-pack
	bash scripts/pack-stage2.sh $< $@ $(BUILD)/bin/mos-pack

# The boot benchmark's floor: an MBR that exits QEMU at once.
FLOOR_MBR := $(BIOS_OUT)/floor-mbr.bin
$(BIOS_OUT)/floor-mbr.elf: $(BUILD)/i386/boot/bios/floor.o boot/bios/stage1.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -T boot/bios/stage1.ld -o $@ $<
$(FLOOR_MBR): $(BIOS_OUT)/floor-mbr.elf
	llvm-objcopy -O binary $< $@

ALL_TARGETS += $(STAGE1_BIN) $(STAGE2_BIN) $(FLOOR_MBR)

# The shared disk images (their recipes are in boot/uefi/build.mk) get
# stage 1 and stage 2 installed, so the same file boots on BIOS and UEFI.
# mos-install reads both from beside itself when it runs, so each image
# waits for them, not only for mos-install (a parallel make ran it first).
MOS_INSTALL := $(BUILD)/bin/mos-install
MKIMAGE_BIOS := --bios $(MOS_INSTALL)
$(BUILD)/multios.img $(BUILD)/hold/multios.img: $(STAGE1_BIN) $(STAGE2_BIN) $(MOS_INSTALL)

# mos-install on throwaway GPT/MBR/garbage images (PASS:/FAIL: lines).
CHECK_SUITES += check-mos-install
CMD_check-mos-install := bash tests/tools/test_install.sh $(MOS_INSTALL) $(STAGE1_BIN) $(STAGE2_BIN)

# Size budget, read from the file itself.
CHECK_SUITES += size-stage2 size-stage1
CMD_size-stage2 := tests/boot/check-size.sh $(STAGE2_BIN) 98304
CMD_size-stage1 := tests/boot/check-size.sh $(STAGE1_BIN) 440

endif
