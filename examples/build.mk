# Every examples/<name>.c is a small host program showing one part of the
# lib/mm API; built into build/examples/<name>. examples/demo.c is the host
# demo `make run` starts until a boot front end sets RUN_CMD/RUN_DEPS.
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_BINS := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

$(BUILD)/examples/%: $(BUILD)/rel/examples/%.o $(call objs,rel,$(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $^ -o $@

ALL_TARGETS += $(EXAMPLE_BINS)
RUN_CMD ?= $(BUILD)/examples/demo
RUN_DEPS ?= $(BUILD)/examples/demo

# Every example runs, exits 0 and prints its expected lines (examples/check.sh).
CHECK_SUITES += examples
CMD_examples := examples/check.sh $(BUILD)/examples
