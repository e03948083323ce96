# Every tools/mos-<name>/ directory is one host tool build/bin/mos-<name>,
# linked with lib/mm and boot/common.
TOOL_DIRS := $(sort $(wildcard tools/mos-*))
TOOL_BINS := $(patsubst tools/%,$(BUILD)/bin/%,$(TOOL_DIRS))

define tool_rule
$(BUILD)/bin/$(notdir $(1)): $(call objs,rel,$(sort $(wildcard $(1)/*.c)) $(HOST_LIB_SRCS))
	@mkdir -p $$(@D)
	$(CLANG) $$^ -o $$@ $(TOOL_LIBS_$(notdir $(1)))
endef
# mos-pack compresses with liblz4 (scripts/deps.sh: liblz4-dev).
TOOL_LIBS_mos-pack := -llz4
$(foreach d,$(TOOL_DIRS),$(eval $(call tool_rule,$(d))))

ALL_TARGETS += $(TOOL_BINS)
