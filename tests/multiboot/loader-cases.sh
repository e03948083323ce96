#!/usr/bin/env bash
# The real loader (BOOTX64.EFI and the BIOS stage 2 on one image made by
# scripts/mkimage.sh) booting the Multiboot test kernels through boot.cfg
# entries, one PASS:/FAIL: line per case:
#   mb1-bios, mb2-bios, mb1_aout-bios, mb1-uefi, mb2-uefi, mb2gz-uefi,
#   mb2-uefi-6g, mb1-uefi-5g (RAM above 4 GiB), mb2-bios-sm3, mb2-uefi-sm3
#   (QEMU's SMBIOS 3 entry point)
#       the kernel (mb2gz: gzip-compressed) with two modules, one of them
#       gzip; the kernel's checker runs in strict mode (map sorted and
#       disjoint, nothing it owns inside an available range, RSDP
#       checksum, SMBIOS copy) and prints module CRC-32s and command
#       lines, compared with what boot.cfg named, and the boot device
#       (SeaBIOS only) and SMBIOS version, compared with what the loader
#       logged; the screen the header asked for: mb1 a 1024x768x32 and mb2
#       an 800x600x32 framebuffer (QEMU's VGA offers both on SeaBIOS and
#       OVMF), with the address and pitch the loader logged, inside a
#       reserved map entry, colours inside the pixel; mb1_aout EGA text
#       (the screen left as it is: 80x25 at 0xb8000);
#   bad-*  the loader stops (SeaBIOS: its isa-debug-exit code) with its
#       message: no header, bad checksum, an unsupported required tag, a
#       kernel over low firmware memory, a missing module.
#
#   loader-cases.sh DIR BUILD   (DIR holds the test kernels; BUILD the loaders)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR BUILD}")
build=$(realpath "${2:?usage: $0 DIR BUILD}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"
make_modules
gzip -c "$work/mod0.bin" >"$work/mod0.gz"

LOADER_HALT=93 # BIOS stage 2: (LOADER_FAIL_CODE << 1) | 1

# image NAME CFG-TEXT FILE:DEST...: the loader image with boot.cfg = CFG-TEXT.
image() {
    local name=$1 cfg=$2
    shift 2
    printf '%s\n' "$cfg" >"$work/$name.cfg"
    scripts/mkimage.sh "$work/$name.img" --efi "$build/boot/uefi/BOOTX64.EFI" \
        --cfg "$work/$name.cfg" --no-kernel --bios "$build/bin/mos-install" "$@" >/dev/null
}

# boot NAME FIRMWARE [QEMU-ARGS...]: runs image NAME (with QEMU's standard
# VGA: VBE on SeaBIOS, GOP on OVMF); prints QEMU's status.
boot() {
    local name=$1 fw=$2
    shift 2
    run "$name" "$fw" -drive "file=$work/$name.img,format=raw,if=none,id=d0,snapshot=on" \
        -device virtio-blk-pci,drive=d0,bootindex=1 -device VGA "$@"
}

# entry PROTOCOL KERNEL-PATH [MODULE-LINE...]: a boot.cfg entry (no
# min_heap_addr: the back end keeps the boot heap off the kernels' 2 MiB).
entry() {
    local proto=$1 kernel=$2 m
    shift 2
    printf '[%s]\nprotocol=%s\nkernel=%s\ncmdline=console=com1 loader-test\n' \
        "$proto" "$proto" "$kernel"
    for m in "$@"; do
        printf 'module=%s\n' "$m"
    done
}

# facts NAME FIRMWARE PROTOCOL: the machine facts the kernel of run NAME
# must print, from what the loader logged. SeaBIOS: the boot device, QEMU's
# first hard disk 0x80 and the boot volume's partition (the loader logs it
# 1-based, Multiboot counts from 0); OVMF: none (no BIOS drive). Multiboot
# 2: the SMBIOS entry point the loader found, with its version.
facts() {
    local log=$work/$1.log part ver
    if [[ $2 == bios ]]; then
        part=$(sed -n 's/.*boot volume: partition \([0-9]*\) .*/\1/p' "$log" | head -1)
        part=$((${part:-0} - 1))
        printf '%s\n' "MB boot_device.drive=0x80" "MB boot_device.partition=$part" \
            "MB boot_device.sub_partition=none" "~$3: boot device 0x80, partition $part"
    else
        printf '%s\n' "!MB boot_device" "!boot device 0x"
    fi
    local fb
    fb=$(sed -n "s/.*$3: \(framebuffer\|EGA text\) [0-9x]*, [0-9]* bpp, pitch \([0-9]*\) at \(0x[0-9a-f]*\).*/\2 \3/p" \
        "$log" | head -1)
    if [[ -n $fb ]]; then
        printf '%s\n' "MB fb.pitch=${fb% *}" "MB fb.addr=${fb#* }" "MB fb.map=reserved" "MB fb=ok"
    else
        echo "~$3: framebuffer " # the loader logged no screen: fails
    fi
    if [[ $3 == multiboot2 ]]; then
        ver=$(sed -n 's/.*multiboot2: SMBIOS \([0-9]*\.[0-9]*\) (.*/\1/p' "$log" | head -1)
        printf '%s\n' "~multiboot2: SMBIOS " "MB smbios=ok" "MB smbios.version=${ver:-none}"
    fi
}

mods=(--file "$work/mod0.gz:/boot/mod0.gz" --file "$work/mod1.txt:/boot/mod1.txt")
good() { # good NAME FIRMWARE PROTOCOL KERNEL-FILE [LINE...]   (QEMU_MEM: -m; QEMU_ARGS)
    local name=$1 fw=$2 proto=$3 k=$4 dest=/boot/${4##*/} f
    shift 4
    image "$name" "$(entry "$proto" "$dest" "/boot/mod0.gz first module" /boot/mod1.txt)" \
        --file "$k:$dest" "${mods[@]}"
    # shellcheck disable=SC2086 # QEMU_ARGS: words on purpose
    rc=$(boot "$name" "$fw" -m "${QEMU_MEM:-256M}" ${QEMU_ARGS:-})
    mapfile -t f < <(facts "$name" "$fw" "$proto")
    judge "$name" "$rc" 33 "MB result=PASS" "MB owned_in_available=0" "${f[@]}" \
        "MB loader=MultiOS Boot 0.1.0" "MB cmdline=$dest console=com1 loader-test" "MB mods=2" \
        "MB mod0.cmdline=/boot/mod0.gz first module" "MB mod0.size=10000" \
        "MB mod0.crc32=$crc0" "MB mod1.cmdline=/boot/mod1.txt" "MB mod1.crc32=$crc1" \
        "~memory map for the kernel: " "~jumping to the kernel at 0x" "$@"
}

# The screens the headers ask for (mb1.S, mb2.S, mb1_aout.S).
fb1=("MB fb.type=rgb" "MB fb.width=1024" "MB fb.height=768" "MB fb.bpp=32")
fb2=("MB fb.type=rgb" "MB fb.width=800" "MB fb.height=600" "MB fb.bpp=32")
text=("MB fb.type=ega_text" "MB fb.addr=0xb8000" "MB fb.width=80" "MB fb.height=25"
    "MB fb.pitch=160")
gzip -c "$dir/mb2.elf" >"$work/mb2gz.elf"
good mb1-bios bios multiboot1 "$dir/mb1.elf" "${fb1[@]}"
good mb2-bios bios multiboot2 "$dir/mb2.elf" "${fb2[@]}"
good mb1_aout-bios bios multiboot1 "$dir/mb1_aout.elf" "${text[@]}"
good mb1-uefi uefi multiboot1 "$dir/mb1.elf" "${fb1[@]}"
efi=("~MB efi64=0x" "~MB efi_mmap.bytes=" "MB acpi.new=ok")
good mb2-uefi uefi multiboot2 "$dir/mb2.elf" "${efi[@]}" "${fb2[@]}"
good mb2gz-uefi uefi multiboot2 "$work/mb2gz.elf" "${efi[@]}" "${fb2[@]}" \
    "~kernel /boot/mb2gz.elf: gzip"
# The most modules an entry may have (BC_CFG_MAX_MODULES): every one
# handed over with its command line and bytes.
max_files=() max_lines=() max_expect=()
for i in $(seq 0 15); do
    max_files+=(--file "$work/mod1.txt:/boot/m$i.txt")
    max_lines+=("/boot/m$i.txt n=$i")
    max_expect+=("MB mod$i.cmdline=/boot/m$i.txt n=$i" "MB mod$i.crc32=$crc1")
done
for max in "mb1 bios multiboot1" "mb2 uefi multiboot2"; do
    read -r k fw proto <<<"$max"
    image "$k-max-modules-$fw" "$(entry "$proto" "/boot/$k.elf" "${max_lines[@]}")" \
        --file "$dir/$k.elf:/boot/$k.elf" "${max_files[@]}"
    rc=$(boot "$k-max-modules-$fw" "$fw" -m 256M)
    judge "$k-max-modules-$fw" "$rc" 33 "MB result=PASS" "MB mods=16" "${max_expect[@]}"
done
# RAM above 4 GiB: the map reaches past it, everything handed over stays
# below (the kernel reads nothing past 4 GiB: a module or info there fails
# it). OVMF's AllocateAnyPages prefers low memory itself, so these guard
# against regressions; unit-multiboot_boot has a firmware that hands out
# the top first.
QEMU_MEM=6G good mb2-uefi-6g uefi multiboot2 "$dir/mb2.elf" "${efi[@]}" "${fb2[@]}"
QEMU_MEM=5G good mb1-uefi-5g uefi multiboot1 "$dir/mb1.elf" "${fb1[@]}"
# QEMU's SMBIOS 3 ("_SM3_") entry point instead of the 2.x "_SM_" one.
QEMU_ARGS="-machine smbios-entry-point-type=64" good mb2-bios-sm3 bios multiboot2 \
    "$dir/mb2.elf" "MB smbios.anchor=_SM3_"
QEMU_ARGS="-machine smbios-entry-point-type=64" good mb2-uefi-sm3 uefi multiboot2 \
    "$dir/mb2.elf" "${efi[@]}" "MB smbios.anchor=_SM3_"

# ---- refusals (SeaBIOS) -------------------------------------------------

# patch FILE OUT PYTHON-EXPR: OUT = FILE's bytes `b` changed by the statement.
patch() {
    python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); $3; \
open(sys.argv[2], 'wb').write(b)" "$1" "$2"
}

bad() { # bad NAME PROTOCOL KERNEL-FILE MESSAGE [MODULE-LINE]
    local name=$1 proto=$2 k=$3 msg=$4 dest=/boot/kernel.elf
    image "$name" "$(entry "$proto" "$dest" ${5:+"$5"})" --file "$k:$dest"
    rc=$(boot "$name" bios)
    judge "$name" "$rc" $LOADER_HALT "~$msg"
}

# The MB1 header's checksum word (magic, flags, checksum) off by one.
patch "$dir/mb1.elf" "$work/badsum.elf" \
    "i = b.find(bytes.fromhex('02b0ad1b')); b[i + 8] ^= 1"
# MB2's required module-alignment tag (type 6, size 8) turned into type 11.
patch "$dir/mb2.elf" "$work/badtag.elf" \
    "i = b.find(bytes.fromhex('060000000800000005000100')); b[i] = 11"

bad bad-no-header multiboot2 "$dir/mb1.elf" \
    "kernel /boot/kernel.elf: multiboot2: no header in the first 32 KiB"
bad bad-checksum multiboot1 "$work/badsum.elf" "multiboot1: header magic found, bad checksum"
bad bad-tag multiboot2 "$work/badtag.elf" "multiboot2: required tag 11 not supported"
# The segment's end depends on the compiler; its start and the clash do not.
bad bad-low multiboot1 "$dir/mb1_low.elf" \
    ") overlaps reserved memory [0x9f000, 0x100000)"
bad bad-module multiboot1 "$dir/mb1.elf" "module 0 /boot/nothere.bin: no such file on the boot volume" \
    "/boot/nothere.bin"
exit $status
