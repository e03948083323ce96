#!/usr/bin/env bash
# Boots with QEMU's built-in Multiboot 1 loader (-kernel, modules through
# -initrd, command line through -append), one PASS:/FAIL: line per case:
#   mb1, mb1_aout  the MB1 test kernels directly: proves them and their
#                  checker against a loader that is not ours. QEMU, like
#                  GRUB, reports the kernel and modules as available memory,
#                  so these pass strict=0, and `strict` checks that strict
#                  mode catches exactly that;
#   chain-*        mbchain.elf (chain.c): our back end, built for i386,
#                  loading a test kernel (gzip or not) with two modules and
#                  entering it; the kernel checks in strict mode;
#   chain-refused  the back end refusing a kernel that overlaps the loader.
#
#   qemu-cases.sh DIR   (DIR holds mb1.elf, mb1_aout.elf, mb2.elf, mbchain.elf)
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
gzip -c "$dir/mb2.elf" >"$work/mb2.elf.gz"
chain_mods="mod0.bin mod0 args,mod1.txt"
for c in "mb2 2 $work/mb2.elf.gz" "mb1 1 $dir/mb1.elf" "mb1_aout 1 $dir/mb1_aout.elf" \
    "mb2-plain 2 $dir/mb2.elf"; do
    read -r name v kernel <<<"$c"
    rc=$(run "chain-$name" bios -kernel "$dir/mbchain.elf" -initrd "$kernel,$chain_mods" \
        -append "mb=$v console=com1 chain-test")
    judge "chain-$name" "$rc" 33 "MB result=PASS" "MB owned_in_available=0" \
        "MB loader=MultiOS Boot 0.1.0" "MB cmdline=console=com1 chain-test" "MB mods=2" \
        "MB mod0.cmdline=mod0.bin mod0 args" "MB mod0.crc32=$crc0" "MB mod1.crc32=$crc1"
done

# A kernel linked where the loader runs (mbchain.elf itself) is refused.
rc=$(run chain-refused bios -kernel "$dir/mbchain.elf" -initrd "$dir/mbchain.elf" -append "mb=1")
judge chain-refused "$rc" 35 \
    "~CHAIN fail=segment 0 [0x1000000, " "~) overlaps bootloader-reclaimable memory [0x1000000, "
exit $status
