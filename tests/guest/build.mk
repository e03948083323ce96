# Bare QEMU test images (tests/guest): multiboot ELFs QEMU loads with
# -kernel, built from the i386 objects of lib/mm and boot/common.
#   smp-qemu  (smp_qemu.c) ACPI + AP start with 4 CPUs      run-smp.sh
#   fb-qemu   (fb_qemu.c)  fbcon on the Bochs VGA framebuffer run-fb.sh
GUEST_LIB_OBJS := $(BUILD)/i386/tests/guest/entry.o \
                  $(call objs,i386,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS))

SMP_TEST_ELF := $(BUILD)/tests/guest/smp_qemu.elf
SMP_TEST_OBJS := $(call objs,i386,tests/guest/smp_qemu.c) $(BUILD)/i386/tests/guest/ap_landing.o \
                 $(call asm_objs,i386,$(COMMON_ASM_SRCS)) $(GUEST_LIB_OBJS)
FB_TEST_ELF := $(BUILD)/tests/guest/fb_qemu.elf
FB_TEST_OBJS := $(call objs,i386,tests/guest/fb_qemu.c) $(GUEST_LIB_OBJS)

$(SMP_TEST_ELF): $(SMP_TEST_OBJS) tests/guest/guest.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static --gc-sections -T tests/guest/guest.ld -o $@ $(SMP_TEST_OBJS)

$(FB_TEST_ELF): $(FB_TEST_OBJS) tests/guest/guest.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static --gc-sections -T tests/guest/guest.ld -o $@ $(FB_TEST_OBJS)

ALL_TARGETS += $(SMP_TEST_ELF) $(FB_TEST_ELF)
BOOT_SUITES += smp-qemu fb-qemu
CMD_smp-qemu := bash tests/guest/run-smp.sh $(SMP_TEST_ELF)
CMD_fb-qemu := bash tests/guest/run-fb.sh $(FB_TEST_ELF)
