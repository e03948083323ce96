#!/usr/bin/env bash
# Boots Debian's kernel (tests/boot/linux-payload.sh) through the real
# loaders: an image from scripts/mkimage.sh whose boot.cfg has one
# protocol=linux entry (kernel /boot/vmlinuz, module /boot/initrd.gz),
# started by SeaBIOS (stage 1 + stage 2) or OVMF (BOOTX64.EFI). One
# PASS:/FAIL: line per case:
#   bios-256M bios-1G uefi-256M uefi-1G
#       Linux reaches userspace (both MOSLINUX markers), /proc/cmdline is
#       the entry's cmdline, the loader took the 64-bit entry, Linux's
#       usable e820 ranges equal the map the loader logged for the kernel
#       (linux-check.sh), on UEFI Linux found the EFI system table, and
#       Linux's framebuffer driver (built into Debian's kernel: efifb on
#       UEFI, vesafb on BIOS) reports the mode, line length and address
#       the loader put in screen_info; the -1G cases set resolution=1024x768
#       and get that mode, the others the firmware's choice. Linux's
#       "RAMDISK: [mem A-B]" is the initrd the loader logged (A its
#       address, B + 1 its end rounded up to 4 KiB).
#   bios-bigrd uefi-bigrd
#       the same with a second module of 40 MiB of zeros (skipped by
#       Linux's initramfs reader), more than the loader's 16 MiB boot heap:
#       the loader's initrd is both modules (the first padded to 4 bytes)
#       and Linux finds it where the loader put it.
#   bad-truncated-bios  the bzImage cut short: the loader halts naming it
#   bad-elf-bios, bad-elf-uefi
#                       an ELF (the demo kernel) as kernel=: refused as such
#   bad-module-bios     a module= path that is not on the volume: the
#                       loader halts naming the file and its boot.cfg line
#
#   linux-cases.sh [--timeout SECONDS] [--logs DIR] [CASE...]
# Default: all cases (BIOS=0 or UEFI=0 in the environment leave that
# firmware out). Serial logs go to DIR (default build/tests/boot/linux);
# a failing case also prints the end of its log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
timeout_s=240
logs=
cases=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --timeout) timeout_s=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    -*) echo "linux-cases: unknown argument $1" >&2; exit 2 ;;
    *) cases+=("$1"); shift ;;
    esac
done
if [[ ${#cases[@]} -eq 0 ]]; then
    [[ ${BIOS:-1} == 0 ]] ||
        cases+=(bios-256M bios-1G bios-32bit bios-bigrd bad-truncated-bios bad-elf-bios
            bad-module-bios)
    [[ ${UEFI:-1} == 0 ]] || cases+=(uefi-256M uefi-1G uefi-32bit uefi-bigrd bad-elf-uefi)
fi
for f in build/bin/mos-install build/bios/stage1.bin build/bios/stage2.bin \
    build/boot/uefi/BOOTX64.EFI build/kernel/kernel.elf build/bin/mos-memmap; do
    [[ -f $f ]] || { echo "FAIL: boot-linux: $f missing (run make first)"; exit 1; }
done
mapfile -t payload < <("$here/linux-payload.sh")
[[ ${#payload[@]} -eq 2 ]] || { echo "FAIL: boot-linux: payload build failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -n $logs ]] || logs=${BUILD:-build}/tests/boot/linux
mkdir -p "$logs"

# The image of case $1 with kernel file $2 and boot.cfg $3 (and the
# 40 MiB module /boot/zeros.cpio when $4 is "zeros").
make_image() {
    local img=$tmp/$1.img extra=(--size 48)
    if [[ ${4:-} == zeros ]]; then
        [[ -f $tmp/zeros.cpio ]] || head -c $((40 << 20)) /dev/zero >"$tmp/zeros.cpio"
        extra=(--size 112 --file "$tmp/zeros.cpio:/boot/zeros.cpio")
    fi
    scripts/mkimage.sh "$img" --bios build/bin/mos-install --no-kernel --cfg "$3" \
        --file "$2:/boot/vmlinuz" --file "${payload[1]}:/boot/initrd.gz" "${extra[@]}" \
        >/dev/null || return 1
    echo "$img"
}

# boot.cfg of one linux entry with command line $1 and the module paths
# in $2 (separated by spaces), after the global resolution=$3 when $3 is
# given.
write_cfg() {
    local m
    [[ -z ${3:-} ]] || printf 'resolution=%s\n' "$3"
    printf '[Linux]\nprotocol=linux\nkernel=/boot/vmlinuz\ncmdline=%s\n' "$1"
    for m in $2; do
        printf 'module=%s\n' "$m"
    done
}

# Why Linux's framebuffer in log $2 (firmware $1, resolution $3 or empty)
# is not the one the loader described in screen_info, or nothing.
judge_screen() {
    local drv=vesafb kind=VESA text=$2 si w h bpp pitch addr
    [[ $1 == uefi ]] && drv=efifb kind=EFI
    si=$(sed -n "s/.*linux: screen_info: $kind \([0-9]*\)x\([0-9]*\), \([0-9]*\) bpp, pitch \([0-9]*\) at \(0x[0-9a-f]*\).*/\1 \2 \3 \4 \5/p" <<<"$text" | head -1)
    if [[ -z $si ]]; then
        echo "the loader logged no $kind screen_info"
        return
    fi
    read -r w h bpp pitch addr <<<"$si"
    if [[ -n ${3:-} && ${w}x$h != "$3" ]]; then
        echo "screen_info is ${w}x$h, resolution= asked for $3"
    elif ! grep -q "$drv: mode is ${w}x${h}x$bpp, linelength=$pitch," <<<"$text"; then
        echo "Linux's $drv did not report mode ${w}x${h}x$bpp, linelength=$pitch"
    elif ! grep -q "$drv: framebuffer at $addr," <<<"$text"; then
        echo "Linux's $drv did not report the framebuffer at $addr"
    fi
}

# Why Linux's "RAMDISK: [mem A-B]" in text $1 is not the initrd the loader
# logged (of $2 bytes when $2 is given), or nothing.
judge_ramdisk() {
    local addr size start end
    read -r addr size < <(sed -n 's/.*linux: kernel at .*, initrd at \(0x[0-9a-f]*\) (\([0-9]*\) bytes.*/\1 \2/p' <<<"$1" | head -1)
    read -r start end < <(sed -n 's/.*RAMDISK: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/p' <<<"$1" | head -1)
    if [[ -z $addr ]]; then
        echo "the loader logged no initrd"
    elif [[ -n ${2:-} && $size -ne $2 ]]; then
        echo "the loader's initrd is $size bytes, the modules make $2"
    elif [[ -z $start ]]; then
        echo "Linux reported no RAMDISK"
    elif ((start != addr || end + 1 != (addr + size + 4095) / 4096 * 4096)); then
        echo "Linux's RAMDISK [$start, $end] is not the loader's initrd at $addr ($size bytes)"
    fi
}

# A copy of bzImage $1 at $2 with xloadflags' XLF_KERNEL_64 (bit 0 of
# setup header offset 0x236) cleared; fails unless $1 has the "HdrS"
# signature and the bit.
clear_kernel_64() {
    local flags
    [[ $(dd if="$1" bs=1 skip=$((0x202)) count=4 status=none) == HdrS ]] || return 1
    flags=$(od -An -tu1 -j $((0x236)) -N1 "$1" | tr -d ' ')
    ((flags & 1)) || return 1
    cp "$1" "$2" &&
        printf "\\$(printf %03o $((flags & ~1)))" |
        dd of="$2" bs=1 seek=$((0x236)) conv=notrunc status=none
}

# Why the log $2 of good case $1 (command line $3, resolution $4, initrd
# of $5 bytes when given) fails, or nothing.
judge_good() {
    local c=$1 log=$2 cmdline=$3 res=${4:-} rd_size=${5:-} text bits=64 screen ramdisk
    [[ $c == *-32bit ]] && bits=32
    text=$(tr -d '\r' <"$log")
    if grep -q 'ERROR' <<<"$text"; then
        grep -m1 'ERROR' <<<"$text"
    elif ! grep -q "linux: $bits-bit entry at " <<<"$text"; then
        echo "the loader did not take Linux's $bits-bit entry"
    elif ! grep -qxF "MOSLINUX cmdline=$cmdline" <<<"$text"; then
        echo "no 'MOSLINUX cmdline=$cmdline' line"
    elif ! grep -qxF "MOSLINUX userspace-ok" <<<"$text"; then
        echo "Linux did not reach userspace"
    elif [[ $c == uefi-* ]] && ! grep -q "efi: EFI v" <<<"$text"; then
        echo "Linux did not find the EFI system table (efi_info)"
    elif ! grep -q "memory map for the kernel" <<<"$text"; then
        echo "the loader logged no map for the kernel"
    elif ! "$here/linux-check.sh" "$log" "$log" >"$tmp/check" 2>&1; then
        echo "e820 check: $(tr '\n' ' ' <"$tmp/check")"
    elif ramdisk=$(judge_ramdisk "$text" "$rd_size") && [[ -n $ramdisk ]]; then
        echo "initrd: $ramdisk"
    else
        screen=$(judge_screen "${c%%-*}" "$text" "$res")
        [[ -z $screen ]] || echo "screen: $screen"
    fi
}

# Why the log $1 of a bad case fails: the loader must halt with a line
# matching $2 and Linux must not run.
judge_bad() {
    local log=$1 want=$2 text
    text=$(tr -d '\r' <"$log")
    if grep -q 'MOSLINUX\|Linux version' <<<"$text"; then
        echo "Linux ran"
    elif ! grep -q "ERROR.*$want" <<<"$text"; then
        echo "no error line matching '$want' ($(grep -m1 ERROR <<<"$text"))"
    fi
}

run_case() {
    local c=$1 log=$logs/linux-$1.log fw=${1##*-} mem=256M kernel=${payload[0]}
    local module=/boot/initrd.gz want= res= extra= rd_size= cmdline="console=ttyS0 panic=-1 mos.case=$1 mos.quoted=\"a b\""
    case $c in
    *-256M) fw=${c%-*} mem=${c#*-} ;;
    *-1G) fw=${c%-*} mem=${c#*-} res=1024x768 ;;
    *-bigrd) fw=${c%-*} module="/boot/initrd.gz /boot/zeros.cpio" extra=zeros
        rd_size=$((($(stat -c %s "${payload[1]}") + 3) / 4 * 4 + (40 << 20))) ;;
    *-32bit) fw=${c%-*} kernel=$tmp/vmlinuz-32bit
        clear_kernel_64 "${payload[0]}" "$kernel" ||
            { echo "FAIL: linux-$c: ${payload[0]} has no XLF_KERNEL_64 to clear"; return 1; } ;;
    bad-truncated-*) head -c 1048576 "${payload[0]}" >"$tmp/truncated"; kernel=$tmp/truncated
        want='kernel /boot/vmlinuz: .*truncated\|kernel /boot/vmlinuz: .*past the end' ;;
    bad-elf-*) kernel=build/kernel/kernel.elf want='kernel /boot/vmlinuz: .*ELF' ;;
    bad-module-*) module=/boot/missing.gz want='line 5.* /boot/missing.gz: no such file' ;;
    *) echo "FAIL: linux-$c: unknown case"; return 1 ;;
    esac
    write_cfg "$cmdline" "$module" "$res" >"$tmp/$c.cfg"
    local img status=0 why start end
    img=$(make_image "$c" "$kernel" "$tmp/$c.cfg" "$extra") || { echo "FAIL: linux-$c: image"; return 1; }
    start=$(date +%s)
    scripts/qemu-boot.sh --image "$img" --firmware "$fw" --mem "$mem" --timeout "$timeout_s" \
        --serial "$log" --qemu-arg -vga --qemu-arg std || status=$?
    end=$(date +%s)
    if [[ -n $want ]]; then
        why=$(judge_bad "$log" "$want")
    elif [[ $status -ne 0 ]]; then
        why="QEMU status $status (124: timeout)"
    else
        why=$(judge_good "$c" "$log" "$cmdline" "$res" "$rd_size")
    fi
    rm -f "$img"
    if [[ -n $why ]]; then
        echo "FAIL: linux-$c: $why (log $log)"
        # The end of the log, for a run whose files are gone afterwards (CI).
        tr -d '\r' <"$log" | tail -n 25 | sed 's/^/    | /'
        return 1
    fi
    echo "PASS: linux-$c ($((end - start)) s)"
}

rc=0
for c in "${cases[@]}"; do
    run_case "$c" || rc=1
done
exit "$rc"
