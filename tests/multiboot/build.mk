# Multiboot test kernels (32-bit freestanding ELF32 at 2 MiB): mb1.elf
# (ELF by p_paddr), mb1_aout.elf (header address fields) and mb2.elf. They
# check what the loader hands them with mbcheck.c, which the host suite
# unit-multiboot_info shares to judge the info builders.
MB_OUT := $(BUILD)/tests/multiboot
MB_CFLAGS := $(I386_CFLAGS) -Ikernel -Itests/multiboot
MB_KERNELS := $(MB_OUT)/mb1.elf $(MB_OUT)/mb1_aout.elf $(MB_OUT)/mb2.elf
MB_C_OBJS := $(MB_OUT)/obj/kernel.o $(MB_OUT)/obj/mbcheck.o \
             $(call objs,i386,boot/common/text.c $(RT_SRCS))

$(eval $(call flags_file,mb32,$(MB_CFLAGS)))
$(MB_OUT)/obj/%.o: tests/multiboot/%.c $(BUILD)/flags/mb32.txt
	@mkdir -p $(@D)
	$(CLANG) $(MB_CFLAGS) -c $< -o $@
$(MB_OUT)/obj/%.o: tests/multiboot/%.S tests/multiboot/start.inc
	@mkdir -p $(@D)
	$(CLANG) --target=i386-unknown-none-elf -c $< -o $@

$(MB_OUT)/%.elf: $(MB_OUT)/obj/%.o $(MB_C_OBJS) tests/multiboot/kernel.ld
	$(LLD) -m elf_i386 -static -nostdlib -z max-page-size=4096 --build-id=none --gc-sections \
	    -T tests/multiboot/kernel.ld -o $@ $< $(MB_C_OBJS)

ALL_TARGETS += $(MB_KERNELS)

# mb1 linked at 0xf0000, over the BIOS area: the real loader must refuse it.
$(MB_OUT)/mb1_low.elf: $(MB_OUT)/obj/mb1.o $(MB_C_OBJS) tests/multiboot/kernel.ld
	$(LLD) -m elf_i386 -static -nostdlib -z max-page-size=4096 --build-id=none --gc-sections \
	    --defsym=__load_base=0xf0000 -T tests/multiboot/kernel.ld -o $@ $< $(MB_C_OBJS)
ALL_TARGETS += $(MB_OUT)/mb1_low.elf

# The checker on the host, for the builder suite.
$(BUILD)/tests/unit/test_multiboot_info: $(call objs,host,tests/multiboot/mbcheck.c)
$(call objs,host,tests/unit/test_multiboot_info.c): HOST_CFLAGS += -Itests/multiboot

# The test kernels themselves under QEMU's own Multiboot 1 loader (-kernel,
# -initrd modules) and under Debian's GRUB (MB1 and MB2, SeaBIOS and OVMF).
BOOT_SUITES += multiboot-qemu multiboot-grub
CMD_multiboot-qemu := tests/multiboot/qemu-cases.sh $(MB_OUT)
CMD_multiboot-grub := tests/multiboot/grub-cases.sh $(MB_OUT)

# ... and for the builder fuzzer, which walks every result with it.
$(BUILD)/tests/fuzz/fuzz_multiboot_info: $(call objs,fuzz,tests/multiboot/mbcheck.c)
$(call objs,fuzz,tests/fuzz/fuzz_multiboot_info.c): FUZZ_CFLAGS += -Itests/multiboot

# mbinfo FILE: a kernel file's Multiboot headers and load plans, read with
# the loader's code (tests/boot/fetch-xen.sh runs it on Xen).
MBINFO := $(BUILD)/bin/mbinfo
$(MBINFO): $(call objs,rel,tests/multiboot/mbinfo.c $(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $^ -o $@
ALL_TARGETS += $(MBINFO)

# Debian's Xen (fetched into the cache, not git) decompresses with our
# inflater and both its headers parse and plan (tests/boot/fetch-xen.sh).
CHECK_SUITES += check-xen-multiboot
CMD_check-xen-multiboot := tests/boot/fetch-xen.sh $(MBINFO)

# The header parser and plans as 32-bit code, where size_t and pointers
# are 32 bits (tests/i386/replay.c over the fuzz corpus).
# Built and run like the other i386 replay suites (listed in
# tests/i386/build.mk); the harness also needs boot/common.
$(BUILD)/tests/i386/replay_multiboot: $(call objs,h32,$(COMMON_SRCS))

# The driver's sequence end to end (gzip kernel and module made with zlib).
$(BUILD)/tests/unit/test_multiboot_flow: $(call objs,host,tests/multiboot/mbcheck.c)
$(call objs,host,tests/unit/test_multiboot_flow.c): HOST_CFLAGS += -Itests/multiboot
UNIT_LIBS_multiboot_flow := -lz

# The real loader (both firmwares, one image) booting the test kernels
# through boot.cfg entries, and refusing bad ones.
BOOT_SUITES += multiboot-loader
CMD_multiboot-loader := tests/multiboot/loader-cases.sh $(MB_OUT) $(BUILD)

# Debian's Xen with a dom0 booted by the real loader on SeaBIOS as MB1 and
# MB2, and its documented refusal on OVMF.
BOOT_SUITES += multiboot-xen
CMD_multiboot-xen := tests/multiboot/xen-cases.sh $(MB_OUT) $(MBINFO) $(BUILD)

# The driver with the Multiboot back ends against the pretend firmware,
# judged by the kernels' checker (gzip module made with zlib).
$(BUILD)/tests/unit/test_multiboot_boot: $(call objs,host,tests/multiboot/mbcheck.c)
$(call objs,host,tests/unit/test_multiboot_boot.c): HOST_CFLAGS += -Itests/multiboot
UNIT_LIBS_multiboot_boot := -lz
