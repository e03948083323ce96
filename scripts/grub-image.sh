#!/usr/bin/env bash
# Builds a disk image on which Debian's GRUB 2.06 boots a Multiboot2 kernel,
# or a Linux kernel and its initrd: the boot benchmark's comparison loader
# (scripts/bench-boot.sh).
#
#   grub-image.sh IMAGE --firmware uefi|bios --kernel FILE [--initrd FILE] [--work DIR]
#
# With --initrd the kernel is a bzImage booted with GRUB's `linux` and
# `initrd` (the initrd at /boot/initrd.img); without, a Multiboot2 kernel.
# The disk has scripts/mkimage.sh's layout, the one MultiOS Boot is measured
# on: GPT, a BIOS boot partition at sectors 2048..4095 and a FAT32 EFI
# system partition holding the kernel at /boot/kernel.elf.
#   uefi  grub-mkimage -O x86_64-efi (grub-efi-amd64-bin) as
#         /EFI/BOOT/BOOTX64.EFI;
#   bios  GRUB's boot.img in the MBR code area (the partition table stays)
#         and grub-mkimage -O i386-pc (grub-pc-bin) in the BIOS boot
#         partition, with the two sector pointers grub-bios-setup would
#         write (it wants a block device; this needs no root or loop).
# GRUB is built at its leanest: only the modules that reading the kernel
# and its protocol need, and an embedded configuration (`multiboot2` or
# `linux` and `initrd`, then `boot`)
# that GRUB's kernel runs before it would look for normal mode, grub.cfg
# or a menu. The comparison is with GRUB at its fastest.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
    echo "usage: $0 IMAGE --firmware uefi|bios --kernel FILE [--initrd FILE] [--work DIR]" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
img=$1
shift
firmware=
kernel=
initrd=
work=
while [[ $# -gt 0 ]]; do
    case $1 in
    --firmware) firmware=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) usage ;;
    esac
done
[[ -n "$firmware" && -f "$kernel" && ( -z "$initrd" || -f "$initrd" ) ]] || usage
[[ -n "$work" ]] || work=$(dirname "$img")/grub-$firmware
mkdir -p "$work"

GRUB_LIB=${GRUB_LIB:-/usr/lib/grub}
# The partition mkimage.sh puts the FAT file system on, in GRUB's naming
# (the disk is the machine's only one).
kernel_path='(hd0,gpt2)/boot/kernel.elf'
bios_boot_lba=2048 # mkimage.sh: partition 1, the BIOS boot partition

die() {
    echo "grub-image: $*" >&2
    exit 1
}

# needs DIR PACKAGE: GRUB's modules for one platform.
needs() {
    [[ -d "$GRUB_LIB/$1" ]] || die "$GRUB_LIB/$1 missing: install the Debian package $2" \
        "(scripts/deps.sh bench-boot)"
    command -v grub-mkimage >/dev/null ||
        die "grub-mkimage missing: install the Debian package grub-common (scripts/deps.sh bench-boot)"
}

if [[ -n "$initrd" ]]; then
    printf 'linux %s\ninitrd %s\nboot\n' "$kernel_path" "${kernel_path%/*}/initrd.img" \
        >"$work/early.cfg"
    modules=(part_gpt fat linux boot)
    files=(--file "$initrd:/boot/initrd.img" --size 128)
else
    printf 'multiboot2 %s\nboot\n' "$kernel_path" >"$work/early.cfg"
    modules=(part_gpt fat multiboot2 boot)
    files=()
fi

# u64le FILE OFFSET: the 64-bit little-endian value there.
u64le() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }
# put_u64le FILE OFFSET VALUE: writes it in place.
put_u64le() {
    local v=$3 bytes='' i
    for ((i = 0; i < 8; i++)); do
        bytes+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255)))
    done
    printf '%b' "$bytes" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

case $firmware in
uefi)
    needs x86_64-efi grub-efi-amd64-bin
    grub-mkimage -O x86_64-efi -d "$GRUB_LIB/x86_64-efi" -o "$work/BOOTX64.EFI" -p /EFI/BOOT \
        -c "$work/early.cfg" "${modules[@]}"
    "$here/mkimage.sh" "$img" --efi "$work/BOOTX64.EFI" --cfg "" --kernel "$kernel" "${files[@]}"
    ;;
bios)
    needs i386-pc grub-pc-bin
    grub-mkimage -O i386-pc -d "$GRUB_LIB/i386-pc" -o "$work/core.img" -p /boot/grub \
        -c "$work/early.cfg" biosdisk "${modules[@]}"
    core_sectors=$((($(stat -c %s "$work/core.img") + 511) / 512))
    ((core_sectors <= 2048)) || die "core.img ($core_sectors sectors) exceeds the BIOS boot partition"
    # boot.img loads the first sector of core.img (diskboot) from the LBA
    # at 0x5c; diskboot loads the rest from its block list, whose first
    # start LBA is at 0x1f4 (0x200 minus the 12-byte list entry). Both
    # ship pointing right behind sector 0 (LBAs 1 and 2): checked, so a
    # GRUB with another layout stops here instead of booting garbage.
    cp "$GRUB_LIB/i386-pc/boot.img" "$work/boot.img"
    [[ $(u64le "$work/boot.img" $((0x5c))) == 1 && $(u64le "$work/core.img" $((0x1f4))) == 2 ]] ||
        die "unexpected boot.img/core.img layout in $GRUB_LIB/i386-pc (not GRUB 2.06?)"
    put_u64le "$work/boot.img" $((0x5c)) $bios_boot_lba
    put_u64le "$work/core.img" $((0x1f4)) $((bios_boot_lba + 1))
    "$here/mkimage.sh" "$img.tmp" --no-efi --cfg "" --kernel "$kernel" "${files[@]}"
    dd if="$work/boot.img" of="$img.tmp" bs=440 count=1 conv=notrunc status=none
    dd if="$work/core.img" of="$img.tmp" bs=512 seek=$bios_boot_lba conv=notrunc status=none
    mv "$img.tmp" "$img"
    ;;
*) usage ;;
esac
