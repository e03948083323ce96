# SMP test image (tests/smp): a multiboot ELF QEMU loads with -kernel, built
# from the i386 objects of lib/mm and boot/common plus the AP trampoline;
# suite smp-qemu boots it with 4 CPUs (tests/smp/run.sh).
SMP_TEST_ELF := $(BUILD)/tests/smp/smp_qemu.elf
SMP_TEST_OBJS := $(BUILD)/i386/tests/smp/entry.o \
                 $(call objs,i386,tests/smp/smp_qemu.c $(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS)) \
                 $(call asm_objs,i386,$(COMMON_ASM_SRCS))

$(SMP_TEST_ELF): $(SMP_TEST_OBJS) tests/smp/smp_qemu.ld
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static --gc-sections -T tests/smp/smp_qemu.ld -o $@ $(SMP_TEST_OBJS)

ALL_TARGETS += $(SMP_TEST_ELF)
BOOT_SUITES += smp-qemu
CMD_smp-qemu := bash tests/smp/run.sh $(SMP_TEST_ELF)
