#!/usr/bin/env bash
# QEMU boot tests of the demo kernel's exception path: the command line
# word mos.fault=pf|df|ud (kernel/kmain.c) makes the kernel fault on
# purpose, and each fault must end as a clean FAIL report (QEMU status 35,
# "MOS-RESULT: FAIL exception ..."), never a triple fault, reboot or hang.
# Prints one PASS:/FAIL: line per case (tests/boot/boot-test.sh judges
# each boot).
#
#   kernel/boot-cases.sh [--firmware uefi|bios]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

firmware=uefi
while [[ $# -gt 0 ]]; do
    case $1 in
    --firmware) firmware=$2; shift 2 ;;
    *) echo "usage: $0 [--firmware uefi|bios]" >&2; exit 2 ;;
    esac
done
out=${OUT:-build/tests/kernel/boot-$firmware}
mkdir -p "$out"

kernel=build/kernel/kernel.elf
efi=build/boot/uefi/BOOTX64.EFI
installer=build/bin/mos-install
need=("$kernel" boot/boot.cfg)
if [[ $firmware == bios ]]; then
    need+=("$installer" build/bios/stage1.bin build/bios/stage2.bin)
    efi="" # BIOS boots do not need the UEFI loader (absent with make UEFI=0)
else
    need+=("$efi")
fi
for f in "${need[@]}"; do
    [[ -f "$f" ]] || { echo "FAIL: kernel-faults-$firmware: $f missing (run make first)"; exit 1; }
done

image() { # image NAME CFG
    local extra=()
    [[ $firmware == bios ]] && extra=(--bios "$installer")
    scripts/mkimage.sh "$out/$1.img" --efi "$efi" "${extra[@]}" --cfg "$2" --kernel "$kernel" \
        >/dev/null || { echo "FAIL: kernel-faults-$firmware: cannot build image $1"; exit 1; }
}

status=0

# fault_case NAME WORD MNEMONIC VECTOR: boot with cmdline=WORD added to the
# default boot.cfg, expect the kernel's exception report for VECTOR.
fault_case() {
    local cfg=$out/$1.cfg
    { cat boot/boot.cfg; echo "cmdline=$2"; } >"$cfg"
    image "$1" "$cfg"
    tests/boot/boot-test.sh --name "$1" --firmware "$firmware" --image "$out/$1.img" \
        --mem 128M --timeout 120 --log "$out/$1.serial" --expect-result FAIL \
        --expect exception_vector="$4" --expect-text "MOS-RESULT: FAIL exception $3 vector=$4" ||
        status=1
}

fault_case "kernel-$firmware-page-fault" mos.fault=pf '#PF' 14
if [[ $firmware == uefi ]]; then
    fault_case kernel-uefi-double-fault mos.fault=df '#DF' 8
    fault_case kernel-uefi-invalid-opcode mos.fault=ud '#UD' 6
fi
exit $status
