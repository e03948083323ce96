#!/usr/bin/env bash
# Reference boot of the Linux test payload with QEMU's own Linux loader
# (-kernel/-initrd/-append, SeaBIOS, TCG): proves the payload of
# linux-payload.sh before a MultiOS loader boots it.
#
#   linux-reference.sh [--serial FILE] [--mem 256M] [--timeout SECONDS] [--cmdline TEXT]
#
# Passes (exit 0) when the serial log shows both MOSLINUX markers, the
# cmdline marker repeating the command line given, and Linux's BIOS-e820
# lines. Prints the boot time. The guest ends the run with `poweroff -f`;
# isa-debug-exit is attached as in every boot test, though Linux does not
# use it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
serial=
mem=256M
timeout_s=120
cmdline="console=ttyS0 panic=-1 mos.test=reference"
while [[ $# -gt 0 ]]; do
    case $1 in
    --serial) serial=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    *) echo "linux-reference: unknown argument $1" >&2; exit 2 ;;
    esac
done

mapfile -t payload < <("$here/linux-payload.sh")
[[ ${#payload[@]} -eq 2 ]] || { echo "linux-reference: payload build failed" >&2; exit 1; }
[[ -n "$serial" ]] || serial=$(mktemp)

start=$(date +%s%N)
status=0
timeout "$timeout_s" qemu-system-x86_64 -nodefaults -machine q35 -accel tcg -m "$mem" \
    -display none -no-reboot -net none -serial "file:$serial" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "${payload[0]}" -initrd "${payload[1]}" -append "$cmdline" || status=$?
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
printf 'linux-reference: QEMU status %d after %d.%03d s (serial log %s)\n' "$status" \
    $((ms / 1000)) $((ms % 1000)) "$serial"

log=$(tr -d '\r' <"$serial")
fail=0
grep -qxF "MOSLINUX cmdline=$cmdline" <<<"$log" || { echo "FAIL: no cmdline marker"; fail=1; }
grep -qxF "MOSLINUX userspace-ok" <<<"$log" || { echo "FAIL: no userspace marker"; fail=1; }
grep -q 'BIOS-e820: \[mem ' <<<"$log" || { echo "FAIL: no BIOS-e820 lines"; fail=1; }
[[ $status -eq 0 ]] || { echo "FAIL: QEMU status $status (124: timeout)"; fail=1; }
[[ $fail -eq 0 ]] && echo "PASS: reference boot"
exit "$fail"
