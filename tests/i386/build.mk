# lib/mm also runs as 32-bit code (BIOS stage 2), where size_t and pointers
# are 32 bits: overflow checks near SIZE_MAX and pointer arithmetic behave
# differently there. These check suites rebuild fuzz harnesses with -m32
# (UBSan) and replay their corpus plus pseudo-random inputs through
# tests/i386/replay.c. Needs Debian libc6-dev-i386.
I386_REPLAY := alloc
H32_CFLAGS := $(COMMON) -m32 -g -O1 -fsanitize=undefined -fno-sanitize-recover=all

$(BUILD)/h32/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(H32_CFLAGS) -c $< -o $@

$(BUILD)/tests/i386/replay_%: $(BUILD)/h32/tests/fuzz/fuzz_%.o $(BUILD)/h32/tests/i386/replay.o \
                              $(call objs,h32,$(MM_SRCS))
	@mkdir -p $(@D)
	$(CLANG) -m32 -fsanitize=undefined $^ -o $@

ALL_TARGETS += $(I386_REPLAY:%=$(BUILD)/tests/i386/replay_%)
$(foreach h,$(I386_REPLAY),$(eval CHECK_SUITES += i386-replay-$(h)) \
    $(eval CMD_i386-replay-$(h) := $(BUILD)/tests/i386/replay_$(h) tests/fuzz/corpus/$(h)))
