# Every tests/fuzz/fuzz_<name>.c is a libFuzzer harness linked with lib/mm and
# boot/common. `make test` runs each for FUZZ_SMOKE_SECONDS from its seed
# corpus (tests/fuzz/corpus/<name>/, if any); `make fuzz` for FUZZ_SECONDS.
# A harness that needs a host library sets FUZZ_LIBS_<name> (e.g. -lz).
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_SECONDS ?= 600
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(FUZZ_SRCS))

$(BUILD)/tests/fuzz/%: $(BUILD)/fuzz/tests/fuzz/%.o $(call objs,fuzz,$(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined $^ $(FUZZ_LIBS_$(*:fuzz_%=%)) -o $@

# $(1) = harness name without fuzz_, $(2) = seconds
fuzz_cmd = mkdir -p $(BUILD)/fuzz-corpus/$(1) && $(BUILD)/tests/fuzz/fuzz_$(1) \
    -max_total_time=$(2) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz-corpus/$(1)- \
    $(BUILD)/fuzz-corpus/$(1) $(wildcard tests/fuzz/corpus/$(1))

ALL_TARGETS += $(FUZZ_BINS)
$(foreach t,$(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%),$(eval FUZZ_SUITES += fuzz-$(t)) \
    $(eval CMD_fuzz-$(t) := $(call fuzz_cmd,$(t),$(FUZZ_SMOKE_SECONDS))) \
    $(eval FUZZ_LONG += $(call fuzz_cmd,$(t),$(FUZZ_SECONDS));))

FUZZ_LIBS_inflate := -lz
FUZZ_LIBS_pack := -llz4
