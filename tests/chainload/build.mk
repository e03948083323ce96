# Chainload test payloads and the harnesses that start them through the
# loaders' chainload back ends (tests/boot/chainload-payloads.sh):
#   chain-mbr.bin        BIOS boot sector: prints DL and SI, exits QEMU
#   chain-app.efi        EFI application: prints its LoadOptions, returns
#   efi-launcher.efi     starts chain-app.efi through boot/uefi/chainload.c
#   efi-menu.efi         the boot menu on UEFI (boot/uefi/menu_io.c) with
#                        efi entries
#   bios-launcher-p*.bin stage 2 that boots drive 0x81 through
#                        boot/bios/chainload.c (p0: whole disk, p1: partition 1)
#   bios-menu.bin        stage 2 showing the boot menu (boot/bios/menu_io.c)
#                        with bios-chainload entries
CHAIN_OUT := $(BUILD)/tests/chainload
CHAIN_MBR := $(CHAIN_OUT)/chain-mbr.bin
CHAIN_APP := $(CHAIN_OUT)/chain-app.efi
CHAIN_EFI_LAUNCHER := $(CHAIN_OUT)/efi-launcher.efi
CHAIN_BIOS_LAUNCHERS := $(CHAIN_OUT)/bios-launcher-p0.bin $(CHAIN_OUT)/bios-launcher-p1.bin

$(BUILD)/i386/tests/chainload/chain-mbr.o: tests/chainload/chain-mbr.S
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -c $< -o $@
$(CHAIN_OUT)/chain-mbr.elf: $(BUILD)/i386/tests/chainload/chain-mbr.o boot/bios/stage1.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -T boot/bios/stage1.ld -o $@ $<
$(CHAIN_MBR): $(CHAIN_OUT)/chain-mbr.elf
	llvm-objcopy -O binary $< $@
	@test $$(stat -c %s $@) -eq 512 || { echo "$@ is not 512 bytes" >&2; rm -f $@; exit 1; }

CHAIN_EFI_MENU := $(CHAIN_OUT)/efi-menu.efi
CHAIN_EFI_OBJS := $(call objs,efi,tests/chainload/chain-app.c tests/chainload/efi-launcher.c \
    tests/chainload/efi-menu.c)
$(CHAIN_EFI_OBJS): EFI_CFLAGS += -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64
$(CHAIN_APP): $(call objs,efi,tests/chainload/chain-app.c boot/uefi/serial.c)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^
$(CHAIN_EFI_LAUNCHER): $(call objs,efi,tests/chainload/efi-launcher.c boot/uefi/chainload.c \
    boot/uefi/firmware.c boot/uefi/fs.c boot/uefi/serial.c) $(UEFI_LIB)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^

# The launcher replaces stage 2's main.c; everything else is the loader's.
CHAIN_BIOS_OBJS := $(BUILD)/i386/boot/bios/entry.o $(BUILD)/i386/boot/bios/chainload_jump.o \
    $(call objs,i386,$(filter-out boot/bios/main.c,$(BIOS_C_SRCS)) $(MM_SRCS) $(COMMON_SRCS) \
    $(RT_SRCS))
$(CHAIN_EFI_MENU): $(call objs,efi,tests/chainload/efi-menu.c boot/uefi/menu_io.c \
    boot/uefi/chainload.c boot/uefi/console.c boot/uefi/firmware.c boot/uefi/fs.c \
    boot/uefi/serial.c) $(UEFI_LIB)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^

# One launcher per partition number; explicit rules (no pattern), so that
# the dependency files -MMD writes never look like launcher objects.
define bios_launcher
$(BUILD)/i386/tests/chainload/bios-launcher-p$(1).o: tests/chainload/bios-launcher.c \
    $(BUILD)/flags/i386.txt
	@mkdir -p $$(@D)
	$$(CLANG) $$(I386_CFLAGS) -Iboot/bios -DCHAIN_PARTITION=$(1) -c $$< -o $$@
$(CHAIN_OUT)/bios-launcher-p$(1).elf: $(BUILD)/i386/tests/chainload/bios-launcher-p$(1).o \
    $(CHAIN_BIOS_OBJS) boot/bios/stage2.ld
	@mkdir -p $$(@D)
	$$(LLD) -m elf_i386 -static --gc-sections -T boot/bios/stage2.ld -o $$@ $(CHAIN_BIOS_OBJS) $$<
$(CHAIN_OUT)/bios-launcher-p$(1).bin: $(CHAIN_OUT)/bios-launcher-p$(1).elf
	llvm-objcopy -O binary $$< $$@
endef
$(foreach p,0 1,$(eval $(call bios_launcher,$(p))))

# The boot menu on BIOS, driving bios_chainload.
CHAIN_BIOS_MENU := $(CHAIN_OUT)/bios-menu.bin
$(BUILD)/i386/tests/chainload/bios-menu.o: tests/chainload/bios-menu.c $(BUILD)/flags/i386.txt
	@mkdir -p $(@D)
	$(CLANG) $(I386_CFLAGS) -Iboot/bios -c $< -o $@
$(CHAIN_OUT)/bios-menu.elf: $(BUILD)/i386/tests/chainload/bios-menu.o $(CHAIN_BIOS_OBJS) \
    boot/bios/stage2.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static --gc-sections -T boot/bios/stage2.ld -o $@ $(CHAIN_BIOS_OBJS) $<
$(CHAIN_BIOS_MENU): $(CHAIN_OUT)/bios-menu.elf
	llvm-objcopy -O binary $< $@

CHAIN_TARGETS := $(CHAIN_MBR)
ifneq ($(UEFI),0)
CHAIN_TARGETS += $(CHAIN_APP) $(CHAIN_EFI_LAUNCHER) $(CHAIN_EFI_MENU)
endif
ifneq ($(BIOS),0)
CHAIN_TARGETS += $(CHAIN_BIOS_LAUNCHERS) $(CHAIN_BIOS_MENU)
endif
ALL_TARGETS += $(CHAIN_TARGETS)

BOOT_SUITES += boot-chainload-payloads
CMD_boot-chainload-payloads := UEFI=$(UEFI) BIOS=$(BIOS) tests/boot/chainload-payloads.sh
