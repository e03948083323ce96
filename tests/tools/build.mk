# Host tool suites: mos-memmap against sample dmesg excerpts and plain maps
# (tests/tools/data/, expected outputs verified by hand), and a libFuzzer
# harness for its line parser, which lives in tools/mos-memmap/ and so
# needs its own link rule (tests/fuzz/ harnesses link lib/mm only).
CHECK_SUITES += tool-memmap
CMD_tool-memmap := bash tests/tools/test_memmap.sh $(BUILD)/bin/mos-memmap
# tests/boot/linux-check.sh (Linux's e820 against the loader's logged map)
# on captured logs in tests/tools/data/linux-check/.
CHECK_SUITES += tool-linux-check
CMD_tool-linux-check := bash tests/tools/test_linux_check.sh $(BUILD)/bin/mos-memmap

MEMMAP_PARSE_FUZZ := $(BUILD)/tests/tools/fuzz_memmap_parse
$(MEMMAP_PARSE_FUZZ): $(call objs,fuzz,tests/tools/fuzz_memmap_parse.c tools/mos-memmap/parse.c \
                                       $(HOST_LIB_SRCS))
	@mkdir -p $(@D)
	$(CLANG) -fsanitize=fuzzer,address,undefined $^ -o $@

# $(1) = seconds
memmap_parse_fuzz_cmd = mkdir -p $(BUILD)/fuzz-corpus/memmap_parse && $(MEMMAP_PARSE_FUZZ) \
    -max_total_time=$(1) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz-corpus/memmap_parse- \
    $(BUILD)/fuzz-corpus/memmap_parse tests/fuzz/corpus/memmap_parse

ALL_TARGETS += $(MEMMAP_PARSE_FUZZ)
FUZZ_SUITES += fuzz-memmap_parse
CMD_fuzz-memmap_parse := $(call memmap_parse_fuzz_cmd,$(FUZZ_SMOKE_SECONDS))
FUZZ_LONG += $(call memmap_parse_fuzz_cmd,$(FUZZ_SECONDS));
