#!/usr/bin/env bash
# Boots with Debian's GRUB (an ISO made by grub-mkrescue, BIOS and EFI
# images both on it) under SeaBIOS and OVMF, one PASS:/FAIL: line per case:
#   grub-mb1-*, grub-mb2-*    the test kernels under the reference loader
#                             our back end copies, judged by the same
#                             checker; GRUB reports the kernel and modules
#                             as available memory, hence strict=0.
#                             QEMU's VGA is there, so GRUB honours the
#                             kernels' video requests and the checker
#                             judges GRUB's framebuffer fields too.
# Our own loader booting them is the multiboot-loader suite.
#
#   grub-cases.sh DIR   (DIR holds mb1.elf and mb2.elf)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"
make_modules

# iso NAME LINES...: $work/NAME.iso whose one menu entry runs LINES, with
# the test kernels and both modules in /boot.
iso() {
    local name=$1 tree=$work/iso-$1 line
    shift
    mkdir -p "$tree/boot/grub"
    cp "$dir/mb1.elf" "$dir/mb2.elf" "$work/mod0.bin" "$work/mod1.txt" "$tree/boot/"
    {
        printf 'set timeout=0\nserial --unit=0 --speed=115200\nterminal_output serial\n'
        printf 'menuentry %s {\n' "$name"
        for line in "$@"; do printf '  %s\n' "$line"; done
        printf '  boot\n}\n'
    } >"$tree/boot/grub/grub.cfg"
    grub-mkrescue -o "$work/$name.iso" "$tree" >/dev/null 2>&1
}

iso mb1 "multiboot /boot/mb1.elf strict=0 grub-test" "module /boot/mod0.bin mod0 args" \
    "module /boot/mod1.txt"
iso mb2 "multiboot2 /boot/mb2.elf strict=0 grub-test" "module2 /boot/mod0.bin mod0 args" \
    "module2 /boot/mod1.txt"
common=("MB result=PASS" "MB mods=2" "MB mod0.cmdline=mod0 args" "MB mod0.size=10000"
    "MB mod0.crc32=$crc0" "MB mod1.size=14" "MB mod1.crc32=$crc1")
for fw in bios uefi; do
    rc=$(run "grub-mb1-$fw" "$fw" -cdrom "$work/mb1.iso" -device VGA)
    judge "grub-mb1-$fw" "$rc" 33 "${common[@]}" "MB magic=0x2badb002" \
        "MB cmdline=strict=0 grub-test"
    extra=()
    [[ $fw == uefi ]] && extra=("MB acpi.new=ok")
    rc=$(run "grub-mb2-$fw" "$fw" -cdrom "$work/mb2.iso" -device VGA)
    judge "grub-mb2-$fw" "$rc" 33 "${common[@]}" "MB magic=0x36d76289" \
        "MB cmdline=strict=0 grub-test" "MB acpi.old=ok" "${extra[@]}"
done
exit $status
