#!/usr/bin/env bash
# Boots Debian's kernel (tests/boot/linux-payload.sh) through
# boot/common/linux.c: build/tests/boot/linux-stub.elf, a 32-bit multiboot
# mini-loader, is started by QEMU after SeaBIOS (TCG) and reads the kernel,
# initrd and command line from fw_cfg. One PASS:/FAIL: line per entry mode:
#   linux-stub-64  the 64-bit entry (XLF_KERNEL_64, load address + 0x200)
#   linux-stub-32  the 32-bit entry (load address) of the same kernel
# A case passes when Linux's userspace prints both MOSLINUX markers, the
# command line arrived intact, Linux used the ACPI RSDP it was given, and
# linux-check.sh finds Linux's e820 usable ranges equal to the stub's final
# map (every byte usable for the loader is usable for Linux).
#
#   linux-stub.sh [--mem 256M] [--timeout SECONDS] [--logs DIR] [64] [32]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stub=$root/build/tests/boot/linux-stub.elf
mem=256M
timeout_s=120
logs=
modes=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    64 | 32) modes+=("$1"); shift ;;
    *) echo "linux-stub: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ ${#modes[@]} -gt 0 ]] || modes=(64 32)
[[ -f $stub ]] || { echo "linux-stub: $stub missing (make $stub)" >&2; exit 2; }
mapfile -t payload < <("$here/linux-payload.sh")
[[ ${#payload[@]} -eq 2 ]] || { echo "FAIL: linux-stub: payload build failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -n $logs ]] || logs=$tmp
mkdir -p "$logs"

run_mode() {
    local mode=$1 name=linux-stub-$1 log=$logs/linux-stub-$1.log
    local cmdline="console=ttyS0 panic=-1 mos.entry=$mode mos.quoted=\"a b\""
    printf '%s' "$cmdline" >"$tmp/cmdline"
    local extra=()
    if [[ $mode == 32 ]]; then
        : >"$tmp/entry32"
        extra=(-fw_cfg "name=opt/mos/entry32,file=$tmp/entry32")
    fi
    local start end status=0
    start=$(date +%s%N)
    timeout "$timeout_s" qemu-system-x86_64 -nodefaults -machine q35 -accel tcg -m "$mem" \
        -display none -no-reboot -net none -serial "file:$log" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$stub" \
        -fw_cfg "name=opt/mos/vmlinuz,file=${payload[0]}" \
        -fw_cfg "name=opt/mos/initrd,file=${payload[1]}" \
        -fw_cfg "name=opt/mos/cmdline,file=$tmp/cmdline" "${extra[@]}" || status=$?
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000)) text why=
    text=$(tr -d '\r' <"$log")
    if [[ $status -ne 0 ]]; then
        why="QEMU status $status (124: timeout)"
    elif grep -q '^MOSSTUB FAIL' <<<"$text"; then
        why=$(grep -m1 '^MOSSTUB FAIL' <<<"$text")
    elif ! grep -q "^MOSSTUB entry $mode-bit at " <<<"$text"; then
        why="the stub did not take the $mode-bit entry"
    elif ! grep -qxF "MOSLINUX cmdline=$cmdline" <<<"$text"; then
        why="no 'MOSLINUX cmdline=$cmdline' line"
    elif ! grep -qxF "MOSLINUX userspace-ok" <<<"$text"; then
        why="no userspace marker"
    elif ! grep -q "ACPI: RSDP 0x" <<<"$text"; then
        why="Linux found no ACPI RSDP"
    elif ! "$here/linux-check.sh" "$log" "$log" >"$tmp/check" 2>&1; then
        why="e820 check: $(tr '\n' ' ' <"$tmp/check")"
    fi
    if [[ -n $why ]]; then
        echo "FAIL: $name: $why (log $log)"
        return 1
    fi
    echo "PASS: $name ($((ms / 1000)).$((ms % 1000 / 100)) s)"
}

rc=0
for m in "${modes[@]}"; do
    run_mode "$m" || rc=1
done
exit "$rc"
