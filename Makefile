# MultiOS Boot. `make run` boots the demo kernel in QEMU, `make test` runs
# every test. Both install missing Debian packages first (scripts/deps.sh).
include mk/common.mk
include $(sort $(wildcard lib/*/build.mk boot/*/build.mk kernel/build.mk tools/build.mk \
                          tests/*/build.mk bench/build.mk examples/build.mk))

.DEFAULT_GOAL := all
.PHONY: FORCE all deps-build deps-run deps-test deps-fuzz deps-bench deps-bench-boot deps-format deps-screenshot test test-unit test-check test-fuzz test-boot fuzz bench run clean format

all: deps-build $(ALL_TARGETS)

# deps-<target>: the Debian packages <target> needs (scripts/deps.sh lists them).
deps-build deps-run deps-test deps-fuzz deps-bench deps-bench-boot deps-format deps-screenshot:
	@bash scripts/deps.sh $(@:deps-%=%)

# One line per suite, "name<TAB>command", for scripts/run-tests.sh.
$(BUILD)/suites-%.txt: FORCE
	@mkdir -p $(@D)
	@: > $@
	@$(foreach s,$(SUITES_$*),printf '%s\t%s\n' '$(s)' '$(CMD_$(s))' >> $@;)

SUITES_unit = $(UNIT_SUITES)
SUITES_check = $(CHECK_SUITES)
SUITES_fuzz = $(FUZZ_SUITES)
SUITES_boot = $(BOOT_SUITES)
SUITES_all = $(UNIT_SUITES) $(CHECK_SUITES) $(FUZZ_SUITES) $(BOOT_SUITES)

test-unit: deps-test $(ALL_TARGETS) $(BUILD)/suites-unit.txt
	@bash scripts/run-tests.sh $(BUILD)/suites-unit.txt
test-check: deps-test $(ALL_TARGETS) $(BUILD)/suites-check.txt
	@bash scripts/run-tests.sh $(BUILD)/suites-check.txt
test-fuzz: deps-test $(ALL_TARGETS) $(BUILD)/suites-fuzz.txt
	@bash scripts/run-tests.sh $(BUILD)/suites-fuzz.txt
test-boot: deps-test $(ALL_TARGETS) $(BUILD)/suites-boot.txt
	@bash scripts/run-tests.sh $(BUILD)/suites-boot.txt
test: deps-test $(ALL_TARGETS) $(BUILD)/suites-all.txt
	@bash scripts/run-tests.sh $(BUILD)/suites-all.txt

# suite-NAME: one suite of any kind (e.g. make suite-boot-bios).
suite-%: deps-test $(ALL_TARGETS) FORCE
	@printf '%s\t%s\n' '$*' '$(CMD_$*)' > $(BUILD)/suite-$*.txt
	@test -n '$(CMD_$*)' || { echo "no suite $*" >&2; exit 1; }
	@bash scripts/run-tests.sh $(BUILD)/suite-$*.txt

fuzz: deps-fuzz $(ALL_TARGETS)
	@set -e; $(FUZZ_LONG)

bench: deps-bench $(ALL_TARGETS)
	@set -e; $(BENCHES)

format: deps-format
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# `make run`: the boot front end sets RUN_CMD/RUN_DEPS; until one does, the
# host demo of lib/mm (examples/) runs instead.
run: deps-run $(RUN_DEPS)
	@$(RUN_CMD)
