#!/usr/bin/env bash
# Boots the Multiboot 1 and 2 test kernels with Debian's GRUB (an ISO made
# by grub-mkrescue, BIOS and EFI images both on it) under SeaBIOS and OVMF,
# one PASS:/FAIL: line per case: the reference loader our back end copies,
# judged by the same checker. GRUB reports the kernel and modules as
# available memory, hence strict=0.
#
#   grub-cases.sh DIR   (DIR holds mb1.elf and mb2.elf)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"
make_modules

# iso VERSION: $work/mbVERSION.iso booting mbVERSION.elf with both modules.
iso() {
    local v=$1 tree=$work/iso$1 cmd=multiboot mod=module
    [[ $v == 2 ]] && cmd=multiboot2 mod=module2
    mkdir -p "$tree/boot/grub"
    cp "$dir/mb$v.elf" "$work/mod0.bin" "$work/mod1.txt" "$tree/boot/"
    cat >"$tree/boot/grub/grub.cfg" <<CFG
set timeout=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry mb$v {
  $cmd /boot/mb$v.elf strict=0 grub-test
  $mod /boot/mod0.bin mod0 args
  $mod /boot/mod1.txt
  boot
}
CFG
    grub-mkrescue -o "$work/mb$v.iso" "$tree" >/dev/null 2>&1
}

iso 1
iso 2
common=("MB result=PASS" "MB mods=2" "MB mod0.cmdline=mod0 args" "MB mod0.size=10000"
    "MB mod0.crc32=$crc0" "MB mod1.size=14" "MB mod1.crc32=$crc1")
for fw in bios uefi; do
    rc=$(run "grub-mb1-$fw" "$fw" -cdrom "$work/mb1.iso")
    judge "grub-mb1-$fw" "$rc" 33 "${common[@]}" "MB magic=0x2badb002" \
        "MB cmdline=strict=0 grub-test"
    extra=()
    [[ $fw == uefi ]] && extra=("MB acpi.new=ok")
    rc=$(run "grub-mb2-$fw" "$fw" -cdrom "$work/mb2.iso")
    judge "grub-mb2-$fw" "$rc" 33 "${common[@]}" "MB magic=0x36d76289" \
        "MB cmdline=strict=0 grub-test" "MB acpi.old=ok" "${extra[@]}"
done
exit $status
