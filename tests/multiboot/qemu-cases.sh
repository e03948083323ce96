#!/usr/bin/env bash
# Boots with QEMU's built-in Multiboot 1 loader (-kernel, modules through
# -initrd, command line through -append), one PASS:/FAIL: line per case:
#   mb1, mb1_aout  the MB1 test kernels directly: proves them and their
#                  checker against a loader that is not ours. QEMU, like
#                  GRUB, reports the kernel and modules as available memory,
#                  so these pass strict=0, and `strict` checks that strict
#                  mode catches exactly that.
# Our own loader booting them is the multiboot-loader suite.
#
#   qemu-cases.sh DIR   (DIR holds mb1.elf and mb1_aout.elf)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"
make_modules

mods="mod0.bin first module args,mod1.txt"
for k in mb1 mb1_aout; do
    rc=$(run "$k" bios -kernel "$dir/$k.elf" -initrd "$mods" -append "strict=0 mb-test")
    judge "$k" "$rc" 33 "MB magic=0x2badb002" "MB result=PASS" "MB mods=2" \
        "MB cmdline=$dir/$k.elf strict=0 mb-test" "MB loader=qemu" \
        "MB mod0.cmdline=mod0.bin first module args" "MB mod0.size=10000" \
        "MB mod0.crc32=$crc0" "MB mod1.cmdline=mod1.txt" "MB mod1.crc32=$crc1"
done

# Strict mode (our loader's promise) fails under QEMU's loader.
rc=$(run strict bios -kernel "$dir/mb1.elf" -initrd "$mods" -append "mb-test")
judge strict "$rc" 35 "MB fail=kernel, module or info inside an available range" \
    "MB result=FAIL"
exit $status
