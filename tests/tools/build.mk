# Host tool checks (shell suites printing PASS:/FAIL: lines).
ifneq ($(BIOS),0)
CHECK_SUITES += check-mos-install
CMD_check-mos-install := bash tests/tools/test_install.sh $(BUILD)/bin/mos-install \
    $(BUILD)/bios/stage1.bin $(BUILD)/bios/stage2.bin
endif
