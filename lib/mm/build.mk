# lib/mm: compiled unchanged for the host (tests, tools), the 64-bit kernel,
# the UEFI loader and the 32-bit BIOS stage 2.
# MM_SRCS, COMMON_SRCS, RT_SRCS and HOST_LIB_SRCS are set in mk/common.mk so
# that every fragment sees them whatever the include order.

# Proof that the library builds freestanding for every target and needs no
# runtime beyond lib/rt (no __udivdi3 & co. on i386): each set goes through
# a static link (undefined symbols are errors) into a throwaway ELF.
FREESTANDING_CHECK := $(BUILD)/check/freestanding.ok
$(FREESTANDING_CHECK): $(call objs,i386,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS)) \
                       $(call objs,k64,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS)) \
                       $(call objs,efi,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS))
	@mkdir -p $(@D)
	$(LLD) -m elf_i386 -static -e 0 -o $(@D)/mm-i386.elf $(call objs,i386,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS))
	$(LLD) -m elf_x86_64 -static -e 0 -o $(@D)/mm-k64.elf $(call objs,k64,$(MM_SRCS) $(COMMON_SRCS) $(RT_SRCS))
	@touch $@

ALL_TARGETS += $(FREESTANDING_CHECK)
