# Every tests/unit/test_<name>.c is one cmocka suite "unit-<name>", built
# under ASan+UBSan and linked with lib/mm and boot/common. A suite that
# needs a host library sets UNIT_LIBS_<name> (e.g. -lz).
UNIT_TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_TEST_SRCS))
UNIT_HELPER_SRCS := $(sort $(wildcard tests/unit/helpers/*.c))

$(BUILD)/tests/unit/%: $(BUILD)/host/tests/unit/%.o $(call objs,host,$(HOST_LIB_SRCS) $(UNIT_HELPER_SRCS))
	@mkdir -p $(@D)
	$(CLANG) $(HOST_LDFLAGS) $^ -lcmocka $(UNIT_LIBS_$(*:test_%=%)) -o $@

ALL_TARGETS += $(UNIT_TEST_BINS)
$(foreach t,$(UNIT_TEST_BINS),$(eval UNIT_SUITES += unit-$(notdir $(t:$(BUILD)/tests/unit/test_%=%))) \
    $(eval CMD_unit-$(notdir $(t:$(BUILD)/tests/unit/test_%=%)) := $(t)))

# unit-smp inspects and installs the real AP trampoline blob.
$(BUILD)/tests/unit/test_smp: $(call asm_objs,host,$(COMMON_ASM_SRCS))
UNIT_LIBS_inflate := -lz
UNIT_LIBS_part := -lz
UNIT_LIBS_pack := -llz4 -lz
