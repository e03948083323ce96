#!/usr/bin/env bash
# The MEMTEST=1 build (memory test on by default) end to end: builds the
# loaders and the kernel with MEMTEST=1 into their own tree, then boots the
# default boot.cfg (no memory_test key) once per firmware and checks that
# the loader tested memory. One PASS:/FAIL: line per case.
#
#   memtest-build.sh
#
# MEMTEST_BUILD (default build-memtest) is the tree; OUT (default
# MEMTEST_BUILD/tests/boot) holds the image and the serial logs.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

tree=${MEMTEST_BUILD:-build-memtest}
out=${OUT:-$tree/tests/boot}
bios=${BIOS:-1}
mkdir -p "$out"

targets=("$tree/boot/uefi/BOOTX64.EFI" "$tree/kernel/kernel.elf")
[[ $bios != 0 ]] && targets+=("$tree/bios/stage2.bin" "$tree/bios/stage1.bin" "$tree/bin/mos-install")
# A make of its own (not the caller's jobserver): a tree with other flags.
if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -j2 MEMTEST=1 BUILD="$tree" "${targets[@]}" \
    >"$out/build.log" 2>&1; then
    echo "FAIL: memtest-build: make MEMTEST=1 failed (log: $out/build.log)"
    tail -n 20 "$out/build.log"
    exit 1
fi
echo "PASS: memtest-build"

install=()
[[ $bios != 0 ]] && install=(--bios "$tree/bin/mos-install")
scripts/mkimage.sh "$out/memtest.img" --efi "$tree/boot/uefi/BOOTX64.EFI" --cfg boot/boot.cfg \
    --kernel "$tree/kernel/kernel.elf" "${install[@]}" >/dev/null ||
    { echo "FAIL: memtest-image: cannot build the image"; exit 1; }

status=0
firmwares=(uefi)
[[ $bios != 0 ]] && firmwares+=(bios)
for fw in "${firmwares[@]}"; do
    tests/boot/boot-test.sh --name "memtest-default-$fw" --image "$out/memtest.img" \
        --firmware "$fw" --mem 64M --timeout 180 --log "$out/memtest-$fw.serial" \
        --expect boot_mode="$fw" --expect-text "memtest: tested" --expect-text ", 0 bad frames" ||
        status=1
done
exit $status
