# Chainload test payloads, started by the real loaders' chainload back ends
# in tests/boot/menu-cases.sh (suite boot-menu) and on their own in
# tests/boot/chainload-payloads.sh:
#   chain-mbr.bin   BIOS boot sector: prints DL and SI, exits QEMU
#   chain-app.efi   EFI application: prints its LoadOptions, returns
CHAIN_OUT := $(BUILD)/tests/chainload
CHAIN_MBR := $(CHAIN_OUT)/chain-mbr.bin
CHAIN_APP := $(CHAIN_OUT)/chain-app.efi

$(BUILD)/i386/tests/chainload/chain-mbr.o: tests/chainload/chain-mbr.S
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -c $< -o $@
$(CHAIN_OUT)/chain-mbr.elf: $(BUILD)/i386/tests/chainload/chain-mbr.o boot/bios/stage1.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -T boot/bios/stage1.ld -o $@ $<
$(CHAIN_MBR): $(CHAIN_OUT)/chain-mbr.elf
	llvm-objcopy -O binary $< $@
	@test $$(stat -c %s $@) -eq 512 || { echo "$@ is not 512 bytes" >&2; rm -f $@; exit 1; }

$(call objs,efi,tests/chainload/chain-app.c): EFI_CFLAGS += -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64
$(CHAIN_APP): $(call objs,efi,tests/chainload/chain-app.c boot/uefi/serial.c boot/common/uart.c)
	@mkdir -p $(@D)
	$(LLD_LINK) $(UEFI_LDFLAGS) /out:$@ $^

CHAIN_TARGETS := $(CHAIN_MBR)
ifneq ($(UEFI),0)
CHAIN_TARGETS += $(CHAIN_APP)
endif
ALL_TARGETS += $(CHAIN_TARGETS)

BOOT_SUITES += boot-chainload-payloads
CMD_boot-chainload-payloads := UEFI=$(UEFI) BIOS=$(BIOS) tests/boot/chainload-payloads.sh

# The boot menu and chainloading in the real loaders (one image for both
# firmwares: the default entry after the countdown, keys on COM1, failing
# entries back to the menu, EFI and BIOS chainloads).
ifneq ($(BIOS)$(UEFI),00)
BOOT_SUITES += boot-menu
CMD_boot-menu := UEFI=$(UEFI) BIOS=$(BIOS) tests/boot/menu-cases.sh
endif
