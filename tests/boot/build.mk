# QEMU boot tests (`make test`, `make test-boot`). tests/boot/boot-test.sh
# runs and judges one boot for either firmware; each *-cases.sh script is
# one suite printing a PASS:/FAIL: line per case.
ifneq ($(wildcard kernel/build.mk),)
BOOT_SUITES += boot-uefi
CMD_boot-uefi := tests/boot/uefi-cases.sh
endif
