# lib/mm also runs as 32-bit code (BIOS stage 2), where size_t and pointers
# are 32 bits: overflow checks near SIZE_MAX and pointer arithmetic behave
# differently there. These check suites rebuild fuzz harnesses with -m32
# (UBSan) and replay their corpus plus pseudo-random inputs through
# tests/i386/replay.c. Building needs Debian libc6-dev-i386 and
# lib32gcc-12-dev.
#
# The programs run under QEMU user-mode emulation (tests/i386/run.sh,
# Debian qemu-user): many kernels cannot execute 32-bit programs (no IA32
# emulation), and the emulator behaves the same on every host.
# I386_RUNNER=native runs them directly, on a kernel that can.
I386_REPLAY := alloc multiboot
I386_RUNNER ?= qemu-i386
# _FILE_OFFSET_BITS=64: the 64-bit directory offsets of the host file system
# (ext4 hashes) do not fit the 32-bit getdents the emulator passes on; the
# 64-bit interface lists directories on every host.
H32_CFLAGS := $(COMMON) -m32 -D_FILE_OFFSET_BITS=64 -g -O1 -fsanitize=undefined \
              -fno-sanitize-recover=all
$(eval $(call flags_file,h32,$(H32_CFLAGS)))

$(BUILD)/h32/%.o: %.c $(BUILD)/flags/h32.txt
	@mkdir -p $(@D)
	$(CLANG) $(H32_CFLAGS) -c $< -o $@

$(BUILD)/tests/i386/replay_%: $(BUILD)/h32/tests/fuzz/fuzz_%.o $(BUILD)/h32/tests/i386/replay.o \
                              $(call objs,h32,$(MM_SRCS))
	@mkdir -p $(@D)
	$(CLANG) -m32 -fsanitize=undefined $^ -o $@

# mm_div_u64's 32-bit form against libgcc's divide (tests/i386/div.c).
$(BUILD)/tests/i386/div: $(BUILD)/h32/tests/i386/div.o
	@mkdir -p $(@D)
	$(CLANG) -m32 -fsanitize=undefined $^ -o $@

ALL_TARGETS += $(I386_REPLAY:%=$(BUILD)/tests/i386/replay_%) $(BUILD)/tests/i386/div
CHECK_SUITES += i386-div
CMD_i386-div := tests/i386/run.sh --runner $(I386_RUNNER) $(BUILD)/tests/i386/div
$(foreach h,$(I386_REPLAY),$(eval CHECK_SUITES += i386-replay-$(h)) \
    $(eval CMD_i386-replay-$(h) := tests/i386/run.sh --runner $(I386_RUNNER) \
        $(BUILD)/tests/i386/replay_$(h) tests/fuzz/corpus/$(h)))
