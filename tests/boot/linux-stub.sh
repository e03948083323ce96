#!/usr/bin/env bash
# Boots Debian's kernel (tests/boot/linux-payload.sh) through
# boot/common/linux.c with the linux-stub mini-loaders, which read the
# kernel, initrd and command line from fw_cfg (TCG). One PASS:/FAIL: line
# per case:
#   linux-stub-bios-64  SeaBIOS, build/tests/boot/linux-stub.elf started by
#                       QEMU's multiboot loader, 64-bit entry (load + 0x200)
#   linux-stub-bios-32  the same, 32-bit entry (load address)
#   linux-stub-uefi-64  OVMF, build/tests/boot/LINUXSTUB.EFI as the ESP's
#                       BOOTX64.EFI, 64-bit entry with efi_info
# A case passes when the stub took the expected entry, Linux's userspace
# prints both MOSLINUX markers with the command line intact, Linux used the
# ACPI RSDP it was given, linux-check.sh finds Linux's usable e820 ranges
# equal to the stub's final map, and on UEFI Linux found the EFI system
# table through efi_info and uses the runtime services (efivars registered).
#
#   linux-stub.sh [--mem 256M] [--timeout SECONDS] [--logs DIR] [CASE...]
# CASE is bios-64, bios-32 or uefi-64; default: all three (BIOS=0 or
# UEFI=0 in the environment leave that firmware out).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mem=256M
timeout_s=120
logs=
cases=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    bios-64 | bios-32 | uefi-64) cases+=("$1"); shift ;;
    *) echo "linux-stub: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [[ ${#cases[@]} -eq 0 ]]; then
    [[ ${BIOS:-1} == 0 ]] || cases+=(bios-64 bios-32)
    [[ ${UEFI:-1} == 0 ]] || cases+=(uefi-64)
fi
mapfile -t payload < <("$here/linux-payload.sh")
[[ ${#payload[@]} -eq 2 ]] || { echo "FAIL: linux-stub: payload build failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -n $logs ]] || logs=$tmp
mkdir -p "$logs"

# QEMU arguments that start the stub of case $1 (firmware and entry).
firmware_args() {
    case $1 in
    bios-*)
        args+=(-kernel "$root/build/tests/boot/linux-stub.elf")
        if [[ $1 == bios-32 ]]; then
            : >"$tmp/entry32"
            args+=(-fw_cfg "name=opt/mos/entry32,file=$tmp/entry32")
        fi
        ;;
    uefi-64)
        mkdir -p "$tmp/esp/EFI/BOOT"
        cp "$root/build/tests/boot/LINUXSTUB.EFI" "$tmp/esp/EFI/BOOT/BOOTX64.EFI"
        cp "${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$tmp/vars.fd"
        args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
            -drive "if=pflash,format=raw,unit=1,file=$tmp/vars.fd"
            -drive "if=none,id=esp,format=raw,readonly=on,file=fat:$tmp/esp"
            -device "virtio-blk-pci,drive=esp,bootindex=1")
        ;;
    esac
}

# Why the log of case $1 (command line $2) fails, or nothing.
judge() {
    local c=$1 cmdline=$2 log=$3 text
    text=$(tr -d '\r' <"$log")
    if grep -q '^MOSSTUB FAIL' <<<"$text"; then
        grep -m1 '^MOSSTUB FAIL' <<<"$text"
    elif ! grep -q "^MOSSTUB entry ${c#*-}-bit at " <<<"$text"; then
        echo "the stub did not take the ${c#*-}-bit entry"
    elif ! grep -qxF "MOSLINUX cmdline=$cmdline" <<<"$text"; then
        echo "no 'MOSLINUX cmdline=$cmdline' line"
    elif ! grep -qxF "MOSLINUX userspace-ok" <<<"$text"; then
        echo "no userspace marker"
    elif ! grep -q "ACPI: RSDP 0x" <<<"$text"; then
        echo "Linux found no ACPI RSDP"
    elif [[ $c == uefi-* ]] && ! grep -q "efi: EFI v" <<<"$text"; then
        echo "Linux did not find the EFI system table (efi_info)"
    elif [[ $c == uefi-* ]] && ! grep -q "Registered efivars operations" <<<"$text"; then
        echo "Linux has no EFI runtime services (efivars not registered)"
    elif ! "$here/linux-check.sh" "$log" "$log" >"$tmp/check" 2>&1; then
        echo "e820 check: $(tr '\n' ' ' <"$tmp/check")"
    fi
}

run_case() {
    local c=$1 log=$logs/linux-stub-$1.log
    local cmdline="console=ttyS0 panic=-1 mos.case=$c mos.quoted=\"a b\""
    printf '%s' "$cmdline" >"$tmp/cmdline"
    args=(-nodefaults -machine q35 -accel tcg -m "$mem" -display none -no-reboot -net none
        -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04
        -fw_cfg "name=opt/mos/vmlinuz,file=${payload[0]}"
        -fw_cfg "name=opt/mos/initrd,file=${payload[1]}"
        -fw_cfg "name=opt/mos/cmdline,file=$tmp/cmdline")
    firmware_args "$c"
    local start end status=0 why
    start=$(date +%s%N)
    timeout -k 5 "$timeout_s" qemu-system-x86_64 "${args[@]}" </dev/null || status=$?
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    if [[ $status -ne 0 ]]; then
        why="QEMU status $status (124: timeout)"
    else
        why=$(judge "$c" "$cmdline" "$log")
    fi
    if [[ -n $why ]]; then
        echo "FAIL: linux-stub-$c: $why (log $log)"
        return 1
    fi
    echo "PASS: linux-stub-$c ($((ms / 1000)).$((ms % 1000 / 100)) s)"
}

rc=0
for c in "${cases[@]}"; do
    run_case "$c" || rc=1
done
exit "$rc"
