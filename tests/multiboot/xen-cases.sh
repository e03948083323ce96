#!/usr/bin/env bash
# Debian's Xen hypervisor (fetched by tests/boot/fetch-xen.sh into the
# cache outside git) booted by our back end through mbchain.elf, one
# PASS:/FAIL: line per case. Without a dom0 kernel Xen stops early, but
# only after it has read our information: its banner names our loader and
# our command line, then it panics "dom0 kernel not specified" and resets
# (QEMU status 0 under -no-reboot).
#   xen-mb1-bios, xen-mb2-bios  QEMU's Multiboot loader starts mbchain.elf,
#                               which inflates xen.gz and boots it as
#                               Multiboot 1 / 2 (relocated: MB2 tag 10);
#   xen-mb2-uefi                GRUB on OVMF starts mbchain.elf: Xen refuses
#                               a 32-bit entry with EFI boot services gone,
#                               the limitation docs/multiboot.md describes.
#
#   xen-cases.sh DIR MBINFO   (DIR holds mbchain.elf; MBINFO is build/bin/mbinfo)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR MBINFO}")
mbinfo=${2:?usage: $0 DIR MBINFO}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"

xen=$(tests/boot/fetch-xen.sh "$mbinfo" | sed -n 's/^xen=//p')
[[ -f "$xen" ]] || { echo "FAIL: xen: fetch-xen.sh gave no hypervisor"; exit 1; }
cp "$xen" "$work/xen.gz"

# Xen drops the first word of the command line (the image's path) unless
# the loader is GRUB 2, as bc_mb_cmdline() composes it.
args="/boot/xen.gz console=com1 com1=115200,8n1"
banner=("(XEN) Bootloader: MultiOS Boot 0.1.0" "(XEN) Command line: console=com1 com1=115200,8n1"
    "~dom0 kernel not specified")
rc=$(run xen-mb1-bios bios -m 512M -kernel "$dir/mbchain.elf" -initrd xen.gz -append "mb=1 $args")
judge xen-mb1-bios "$rc" 0 "${banner[@]}" "(XEN) Xen image load base address: 0"
rc=$(run xen-mb2-bios bios -m 512M -kernel "$dir/mbchain.elf" -initrd xen.gz -append "mb=2 $args")
judge xen-mb2-bios "$rc" 0 "${banner[@]}" "~(XEN) Xen image load base address: 0x"

tree=$work/iso
mkdir -p "$tree/boot/grub"
cp "$dir/mbchain.elf" "$work/xen.gz" "$tree/boot/"
cat >"$tree/boot/grub/grub.cfg" <<CFG
set timeout=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry xen {
  multiboot2 /boot/mbchain.elf mb=2 $args
  module2 --nounzip /boot/xen.gz
  boot
}
CFG
grub-mkrescue -o "$work/xen.iso" "$tree" >/dev/null 2>&1
# Xen halts after its message: the timeout (status 124) ends the run.
rc=$(RUN_TIMEOUT=25 run xen-mb2-uefi uefi -m 512M -cdrom "$work/xen.iso")
judge xen-mb2-uefi "$rc" 124 "~CHAIN info=" "~ERR: Bootloader shutdown EFI x64 boot services!"
exit $status
