# Every bench/bench_<name>.c is an optimized host program linked with lib/mm
# and boot/common; `make bench` runs them all. Each prints a human table and
# one line "BENCH <name> <value> <unit>" per result.
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
# Spelled out: this fragment is included before lib/mm/build.mk, so
# HOST_LIB_SRCS is still empty when the rule below is read.
BENCH_LIB_SRCS := $(sort $(wildcard lib/mm/*.c boot/common/*.c))

$(BUILD)/bench/%: $(BUILD)/rel/bench/%.o $(call objs,rel,$(BENCH_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $^ -o $@

ALL_TARGETS += $(BENCH_BINS)
BENCHES += $(addsuffix ;,$(BENCH_BINS))
