#!/usr/bin/env bash
# Boots the SMP test image (tests/guest/smp_qemu.c) in QEMU (TCG) with 4 CPUs
# and expects "SMP-RESULT: PASS" and the PASS exit status (33).
#   run.sh IMAGE.elf [CPUS]
set -euo pipefail
image=$1
cpus=${2:-4}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
timeout 60 qemu-system-x86_64 -machine pc -m 128M -smp "$cpus" -nographic -no-reboot \
    -kernel "$image" -serial "file:$out" -monitor none -display none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || status=$?
cat "$out"
log=$(<"$out")
if [[ $status -ne 33 ]]; then
    echo "FAIL: smp-qemu exit status $status (33 = PASS, 35 = FAIL, 124 = timeout)"
    exit 1
fi
if [[ $log != *"SMP-RESULT: PASS"* || $log != *"started=$((cpus - 1))"* ]]; then
    echo "FAIL: smp-qemu did not start all $((cpus - 1)) APs"
    exit 1
fi
echo "PASS: smp-qemu $cpus CPUs"
