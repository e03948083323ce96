#!/usr/bin/env bash
# QEMU boot tests of the demo kernel's exception path: the command line
# word mos.fault=pf|df|ud (kernel/kmain.c) makes the kernel fault on
# purpose, and each fault must end as a clean FAIL report (QEMU status 35,
# "MOS-RESULT: FAIL exception ..."), never a triple fault, reboot or hang.
# Prints one PASS:/FAIL: line per case (tests/boot/cases-lib.sh).
#
#   kernel/boot-cases.sh [--firmware uefi|bios] [--jobs N] [--only NAME...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
source tests/boot/cases-lib.sh

firmware=uefi
cases_args "$@"
out=${OUT:-build/tests/kernel/boot-$firmware}
mkdir -p "$out"

kernel=build/kernel/kernel.elf
efi=build/boot/uefi/BOOTX64.EFI
installer=build/bin/mos-install
need=("$kernel" "$efi" boot/boot.cfg)
[[ $firmware == bios ]] && need+=("$installer" build/bios/stage1.bin build/bios/stage2.bin)
for f in "${need[@]}"; do
    [[ -f "$f" ]] || { echo "FAIL: kernel-faults-$firmware: $f missing (run make first)"; exit 1; }
done

image() { # image NAME CFG
    local extra=()
    [[ $firmware == bios ]] && extra=(--bios "$installer")
    scripts/mkimage.sh "$out/$1.img" --efi "$efi" "${extra[@]}" --cfg "$2" --kernel "$kernel" \
        >/dev/null || { echo "FAIL: kernel-faults-$firmware: cannot build image $1"; exit 1; }
}

# fault_case NAME WORD MNEMONIC VECTOR: boot with cmdline=WORD, expect the
# kernel's exception report for VECTOR.
fault_case() {
    image "$1" "$(cfg_with "$1" "cmdline=$2")"
    add "$1" --image "$out/$1.img" --mem 128M --expect-result FAIL \
        --expect exception_vector="$4" --expect-text "MOS-RESULT: FAIL exception $3 vector=$4"
}

fault_case "kernel-$firmware-page-fault" mos.fault=pf '#PF' 14
if [[ $firmware == uefi ]]; then
    fault_case kernel-uefi-double-fault mos.fault=df '#DF' 8
    fault_case kernel-uefi-invalid-opcode mos.fault=ud '#UD' 6
fi
run_cases
