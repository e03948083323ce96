# Every examples/<name>.c is a small host program showing one part of the
# lib/mm API; built into build/examples/<name>.
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

$(BUILD)/examples/%: $(BUILD)/rel/examples/%.o $(call objs,rel,$(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $^ -o $@

ALL_TARGETS += $(EXAMPLE_BINS)
