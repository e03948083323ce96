#!/usr/bin/env bash
# Builds a MultiOS Boot disk image without root or loop devices.
#
#   mkimage.sh IMAGE [--efi FILE|--no-efi] [--cfg FILE] [--kernel FILE|--no-kernel]
#              [--size MIB] [--bios MOS_INSTALL] [--file SRC:DEST]...
#
# Layout (GPT, 512-byte sectors):
#   partition 1  sectors 2048..4095   BIOS boot (EF02), 1 MiB, raw stage 2
#   partition 2  sectors 4096..end-34 EFI system partition (EF00), FAT32:
#                  EFI/BOOT/BOOTX64.EFI   the UEFI loader (--efi), omitted if ""
#                                         or --no-efi (a BIOS-only image)
#                  boot.cfg               configuration (--cfg), omitted if ""
#                  boot/kernel.elf        the kernel (--kernel)
#                  DEST                   each --file SRC:DEST (DEST absolute,
#                                         '/'-separated; directories made)
# --bios runs the BIOS installer (build/bin/mos-install, which takes the
# stage 1 and stage 2 files next to it) on the image: stage 1 into the MBR
# code area, stage 2 into partition 1. The result boots on both firmwares.
set -euo pipefail

usage() {
    echo "usage: $0 IMAGE [--efi FILE|--no-efi] [--cfg FILE] [--kernel FILE|--no-kernel] [--size MIB]" \
        "[--bios MOS_INSTALL] [--file SRC:DEST]..." >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
img=$1
shift
efi=build/boot/uefi/BOOTX64.EFI
cfg=boot/boot.cfg
kernel=build/kernel/kernel.elf
size_mib=48
installer=
extra=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --efi) efi=$2; shift 2 ;;
    --no-efi) efi=""; shift ;;
    --cfg) cfg=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --no-kernel) kernel=""; shift ;;
    --size) size_mib=$2; shift 2 ;;
    --bios) installer=$2; shift 2 ;;
    --file) extra+=("$2"); shift 2 ;;
    *) usage ;;
    esac
done

for spec in "${extra[@]}"; do
    [[ $spec == *:/* ]] || { echo "mkimage: --file $spec: want SRC:/DEST" >&2; exit 1; }
done
for f in "$efi" "$cfg" "$kernel" "${extra[@]%%:*}"; do
    if [[ -n "$f" && ! -f "$f" ]]; then
        echo "mkimage: $f: no such file" >&2
        exit 1
    fi
done

esp_first=4096
total_sectors=$((size_mib * 2048))
# The backup GPT takes the last 33 sectors.
esp_last=$((total_sectors - 34))
esp_offset=$((esp_first * 512))

tmp="$img.tmp.$$"
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
truncate -s "${size_mib}M" "$tmp"
sgdisk --clear \
    --new=1:2048:4095 --typecode=1:EF02 --change-name=1:"BIOS boot" \
    --new=2:${esp_first}:${esp_last} --typecode=2:EF00 --change-name=2:"EFI system" \
    "$tmp" >/dev/null

# FAT32 needs at least 65525 clusters: 1 sector per cluster keeps that true
# from 33 MiB up.
esp_sectors=$((esp_last - esp_first + 1))
mformat -i "$tmp@@$esp_offset" -F -c 1 -T $esp_sectors -v MULTIOS ::
mmd -i "$tmp@@$esp_offset" ::/boot
if [[ -n "$efi" ]]; then
    mmd -i "$tmp@@$esp_offset" ::/EFI ::/EFI/BOOT
    mcopy -i "$tmp@@$esp_offset" "$efi" ::/EFI/BOOT/BOOTX64.EFI
fi
[[ -n "$cfg" ]] && mcopy -i "$tmp@@$esp_offset" "$cfg" ::/boot.cfg
[[ -n "$kernel" ]] && mcopy -i "$tmp@@$esp_offset" "$kernel" ::/boot/kernel.elf
for spec in "${extra[@]}"; do
    dest=${spec#*:}
    dir=
    IFS=/ read -ra parts <<<"${dest%/*}"
    for part in "${parts[@]}"; do
        [[ -n $part ]] || continue
        dir=$dir/$part
        mdir -i "$tmp@@$esp_offset" "::$dir" >/dev/null 2>&1 || mmd -i "$tmp@@$esp_offset" "::$dir"
    done
    mcopy -i "$tmp@@$esp_offset" "${spec%%:*}" "::$dest"
done
[[ -n "$installer" ]] && "$installer" "$tmp" >/dev/null
mv "$tmp" "$img"
trap - EXIT
