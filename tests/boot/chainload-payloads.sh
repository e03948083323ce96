#!/usr/bin/env bash
# The chainload test payloads (tests/chainload/) on their own, each booted
# once in QEMU straight by the firmware (PASS:/FAIL: line per case); the
# loaders' chainloading is tests/boot/menu-cases.sh:
#   mbr-direct         SeaBIOS boots chain-mbr.bin as the disk: DL=0x80
#   efi-app-direct     OVMF starts chain-app.efi as \EFI\BOOT\BOOTX64.EFI:
#                      it reports its LoadOptions (the app returns to the
#                      firmware, which keeps running: stopped once seen)
# UEFI=0 / BIOS=0 skip that firmware's cases. Usage: chainload-payloads.sh
# [--only NAME...]
set -euo pipefail
# shellcheck source=tests/boot/cases-lib.sh
source "$(dirname "$0")/cases-lib.sh"

build=${BUILD:-build}
out=$build/tests/chainload/run
chain=$build/tests/chainload
only=()
[[ ${1:-} == --only ]] && { shift; only=("$@"); }
mkdir -p "$out"
status=0
# isa-debug-exit value 0x31 of the payloads: QEMU status 0x63.
PAYLOAD_EXIT=99

run_qemu() { # NAME FIRMWARE IMAGE [qemu-boot.sh options]: sets rc
    local name=$1 fw=$2 img=$3
    shift 3
    rm -f "$out/$name.serial"
    set +e
    scripts/qemu-boot.sh --firmware "$fw" --mem 128M --timeout 60 --image "$img" \
        --serial "$out/$name.serial" "$@" >/dev/null 2>&1
    rc=$?
    set -e
    touch "$out/$name.serial"
}

case_mbr_direct() {
    local name=mbr-direct ok=1
    cp "$chain/chain-mbr.bin" "$out/mbr.img"
    truncate -s 1M "$out/mbr.img"
    run_qemu $name bios "$out/mbr.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] && has "$out/$name.serial" "chainload-mbr: DL=0x80 SI=0x" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT and a DL=0x80 line"
}

# The application returns to OVMF, which then goes on with other boot
# options: the run is stopped (its own process group) once the line shows.
case_efi_app_direct() {
    local name=efi-app-direct log=$out/efi-app-direct.serial seen=1 pid i
    scripts/mkimage.sh "$out/app.img" --efi "$chain/chain-app.efi" --cfg "" --no-kernel >/dev/null
    rm -f "$log"
    setsid scripts/qemu-boot.sh --firmware uefi --mem 128M --timeout 60 --image "$out/app.img" \
        --serial "$log" >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 120; i++)); do
        if [[ -f $log ]] && has "$log" "chain-app: LoadOptions ("; then
            seen=0
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    touch "$log"
    verdict $name $seen "no \"chain-app: LoadOptions (\" line"
}

if [[ ${BIOS:-1} != 0 ]]; then
    selected mbr-direct && case_mbr_direct
fi
if [[ ${UEFI:-1} != 0 ]]; then
    selected efi-app-direct && case_efi_app_direct
fi
exit $status
