#!/usr/bin/env bash
# Boot cost under QEMU TCG (`make bench-boot`; a benchmark, not a test).
#
#   bench-boot.sh [--runs N] [--mem 256M]
#
# Boots, N times each and one run at a time, on the same OVMF:
#   floor   an image whose BOOTX64.EFI is FLOOR.EFI, an application that
#           exits QEMU at once: what firmware start-up alone costs;
#   loader  MultiOS Boot with a kernel that exits QEMU on its first
#           instruction: firmware + loader;
#   demo    MultiOS Boot with the demo kernel, whose report gives the
#           loader's own time from the handoff timestamps (loader_ms).
# Prints a table and "BENCH <name> <value> <unit>" lines (medians).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

runs=5
mem=256M
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--mem SIZE]" >&2; exit 2 ;;
    esac
done

out=build/bench/boot
efi=build/boot/uefi/BOOTX64.EFI
floor=build/boot/uefi/FLOOR.EFI
exitk=build/tests/boot/exit-kernel.elf
kernel=build/kernel/kernel.elf
for f in "$efi" "$floor" "$exitk" "$kernel"; do
    [[ -f "$f" ]] || { echo "bench-boot: $f missing (run make first)" >&2; exit 1; }
done
mkdir -p "$out"
scripts/mkimage.sh "$out/floor.img" --efi "$floor" --cfg boot/boot.cfg --no-kernel
scripts/mkimage.sh "$out/loader.img" --efi "$efi" --cfg boot/boot.cfg --kernel "$exitk"
scripts/mkimage.sh "$out/demo.img" --efi "$efi" --cfg boot/boot.cfg --kernel "$kernel"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One boot; prints its wall time in ms. The guest must exit with status 33.
boot_ms() {
    local img=$1 log=$2 t0 rc
    t0=$EPOCHREALTIME
    set +e
    scripts/qemu-boot.sh --image "$img" --mem "$mem" --timeout 120 --serial "$log" >/dev/null 2>&1
    rc=$?
    set -e
    if [[ $rc -ne 33 ]]; then
        echo "bench-boot: $img exited with status $rc (log $log)" >&2
        exit 1
    fi
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

declare -A times
: >"$out/loader_ms.txt"
for ((i = 1; i <= runs; i++)); do
    for kind in floor loader demo; do
        times[$kind]+="$(boot_ms "$out/$kind.img" "$out/$kind-$i.serial") "
    done
    tr -d '\r' <"$out/demo-$i.serial" | sed -n 's/^MOS loader_ms=//p' >>"$out/loader_ms.txt"
done

floor_ms=$(tr ' ' '\n' <<<"${times[floor]}" | grep . | median)
loader_ms=$(tr ' ' '\n' <<<"${times[loader]}" | grep . | median)
demo_ms=$(tr ' ' '\n' <<<"${times[demo]}" | grep . | median)
own_ms=$(median <"$out/loader_ms.txt")
over=$(awk -v a="$loader_ms" -v b="$floor_ms" 'BEGIN { printf "%.3f", a - b }')
size=$(stat -c %s "$efi")

printf '\nUEFI boot cost, QEMU TCG, OVMF, %s RAM, median of %d runs each\n' "$mem" "$runs"
printf '  %-44s %10s\n' "run" "ms"
printf '  %-44s %10s\n' "floor (FLOOR.EFI exits at once)" "$floor_ms"
printf '  %-44s %10s\n' "MultiOS Boot + kernel exiting at once" "$loader_ms"
printf '  %-44s %10s\n' "  over the floor" "$over"
printf '  %-44s %10s\n' "MultiOS Boot + demo kernel (whole run)" "$demo_ms"
printf '  %-44s %10s\n' "loader entry to kernel jump (handoff TSC)" "$own_ms"
printf '  all runs (ms): floor %s| loader %s| demo %s\n' "${times[floor]}" "${times[loader]}" "${times[demo]}"
printf '  BOOTX64.EFI: %d bytes\n\n' "$size"
echo "BENCH uefi_floor_run $floor_ms ms"
echo "BENCH uefi_loader_run $loader_ms ms"
echo "BENCH uefi_loader_over_floor $over ms"
echo "BENCH uefi_demo_run $demo_ms ms"
echo "BENCH uefi_loader_own $own_ms ms"
echo "BENCH uefi_bootx64_size $size bytes"
