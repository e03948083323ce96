#!/usr/bin/env bash
# Boot cost under QEMU TCG (`make bench-boot`; a benchmark, not a test).
#
#   bench-boot.sh [--runs N] [--mem 256M] [--firmware uefi|bios]
#
# Boots, N times each and one run at a time, on the same firmware (OVMF,
# or SeaBIOS with --firmware bios):
#   floor   an image whose BOOTX64.EFI is FLOOR.EFI, an application that
#           exits QEMU at once (BIOS: whose MBR is build/bios/floor-mbr.bin,
#           a boot sector that exits at once): what firmware start-up alone
#           costs;
#   loader  MultiOS Boot with a kernel that exits QEMU on its first
#           instruction: firmware + loader;
#   demo    MultiOS Boot with the demo kernel, whose report gives the
#           loader's own time from the handoff timestamps (loader_ms).
# Each run is measured twice: wall time, and the CPU time (user + system)
# QEMU used. On a busy machine the wall time swings by seconds with the
# load; CPU time follows the emulated work and is the steadier figure.
# Prints a table and "BENCH <name> <value> <unit>" lines (medians).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

runs=5
mem=256M
firmware=uefi
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --firmware) firmware=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--mem SIZE] [--firmware uefi|bios]" >&2; exit 2 ;;
    esac
done

out=build/bench/boot
efi=build/boot/uefi/BOOTX64.EFI
floor=build/boot/uefi/FLOOR.EFI
exitk=build/tests/boot/exit-kernel.elf
kernel=build/kernel/kernel.elf
# What differs per firmware: the floor, the loader binary and its name.
case $firmware in
uefi)
    fw_name="UEFI" fw_desc="OVMF" floor_desc="FLOOR.EFI exits at once" loader_bin=$efi
    bios=()
    ;;
bios)
    out=build/bench/boot-bios
    fw_name="BIOS" fw_desc="SeaBIOS" floor_desc="MBR exits at once" loader_bin=build/bios/stage2.bin
    efi=$out/none.efi floor=build/bios/floor-mbr.bin
    bios=(--bios build/bin/mos-install)
    mkdir -p "$out" && : >"$efi" # the UEFI loader plays no part here
    ;;
*) echo "bench-boot: unknown firmware $firmware" >&2; exit 2 ;;
esac
for f in "$efi" "$floor" "$exitk" "$kernel" "$loader_bin"; do
    [[ -f "$f" ]] || { echo "bench-boot: $f missing (run make first)" >&2; exit 1; }
done
mkdir -p "$out"
scripts/mkimage.sh "$out/loader.img" --efi "$efi" --cfg boot/boot.cfg --kernel "$exitk" "${bios[@]}"
scripts/mkimage.sh "$out/demo.img" --efi "$efi" --cfg boot/boot.cfg --kernel "$kernel" "${bios[@]}"
if [[ $firmware == bios ]]; then
    cp "$out/loader.img" "$out/floor.img"
    dd if="$floor" of="$out/floor.img" conv=notrunc status=none
else
    scripts/mkimage.sh "$out/floor.img" --efi "$floor" --cfg boot/boot.cfg --no-kernel
fi

median() { sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }

# One boot; prints "WALL_MS CPU_MS". The guest must exit with status 33.
boot_ms() {
    local img=$1 log=$2 rc
    local TIMEFORMAT='%R %U %S' # bash's `time`: wall, user, system seconds
    set +e
    { time scripts/qemu-boot.sh --image "$img" --firmware "$firmware" --mem "$mem" --timeout 120 \
        --serial "$log" \
        >/dev/null 2>&1; } 2>"$log.time"
    rc=$?
    set -e
    if [[ $rc -ne 33 ]]; then
        echo "bench-boot: $img exited with status $rc (log $log)" >&2
        exit 1
    fi
    awk '{ printf "%.0f %.0f\n", $1 * 1000, ($2 + $3) * 1000 }' "$log.time"
}

declare -A wall cpu
kinds=(floor loader demo)
for k in "${kinds[@]}"; do : >"$out/$k.times"; done
: >"$out/loader_ms.txt"
for ((i = 1; i <= runs; i++)); do
    for k in "${kinds[@]}"; do
        boot_ms "$out/$k.img" "$out/$k-$i.serial" >>"$out/$k.times"
    done
    tr -d '\r' <"$out/demo-$i.serial" | sed -n 's/^MOS loader_ms=//p' >>"$out/loader_ms.txt"
done

col() { awk -v c="$2" '{ print $c }' "$out/$1.times" | median; }
for k in "${kinds[@]}"; do
    wall[$k]=$(col "$k" 1)
    cpu[$k]=$(col "$k" 2)
done
own_ms=$(median <"$out/loader_ms.txt")
over_wall=$(awk -v a="${wall[loader]}" -v b="${wall[floor]}" 'BEGIN { printf "%.0f", a - b }')
over_cpu=$(awk -v a="${cpu[loader]}" -v b="${cpu[floor]}" 'BEGIN { printf "%.0f", a - b }')
size=$(stat -c %s "$loader_bin")
p=${firmware}_

printf '\n%s boot cost, QEMU TCG, %s, %s RAM, median of %d runs each\n' "$fw_name" "$fw_desc" \
    "$mem" "$runs"
printf '  %-44s %9s %9s\n' "run" "wall ms" "cpu ms"
printf '  %-44s %9s %9s\n' "floor ($floor_desc)" "${wall[floor]}" "${cpu[floor]}"
printf '  %-44s %9s %9s\n' "MultiOS Boot + kernel exiting at once" "${wall[loader]}" "${cpu[loader]}"
printf '  %-44s %9s %9s\n' "  over the floor" "$over_wall" "$over_cpu"
printf '  %-44s %9s %9s\n' "MultiOS Boot + demo kernel (whole run)" "${wall[demo]}" "${cpu[demo]}"
printf '  %-44s %9s\n' "loader entry to kernel jump (handoff TSC)" "$own_ms"
printf '  %s: %d bytes; per-run figures in %s/*.times\n\n' "$(basename "$loader_bin")" "$size" "$out"
echo "BENCH ${p}floor_wall ${wall[floor]} ms"
echo "BENCH ${p}floor_cpu ${cpu[floor]} ms"
echo "BENCH ${p}loader_wall ${wall[loader]} ms"
echo "BENCH ${p}loader_cpu ${cpu[loader]} ms"
echo "BENCH ${p}loader_over_floor_wall $over_wall ms"
echo "BENCH ${p}loader_over_floor_cpu $over_cpu ms"
echo "BENCH ${p}demo_wall ${wall[demo]} ms"
echo "BENCH ${p}loader_own $own_ms ms"
if [[ $firmware == bios ]]; then
    echo "BENCH bios_stage2_size $size bytes"
else
    echo "BENCH uefi_bootx64_size $size bytes"
fi
