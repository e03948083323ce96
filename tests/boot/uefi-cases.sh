#!/usr/bin/env bash
# QEMU + OVMF boot tests of the UEFI loader and the demo kernel. Builds the
# variant images it needs under OUT (default build/tests/boot/uefi), runs
# every case through tests/boot/boot-test.sh (JOBS at a time, default 2)
# and prints one PASS:/FAIL: line per case.
#
#   uefi-cases.sh [--jobs N] [--only NAME...]
#
# Needs: build/boot/uefi/BOOTX64.EFI, build/kernel/kernel.elf, boot/boot.cfg.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=tests/boot/cases-lib.sh
source tests/boot/cases-lib.sh

firmware=uefi
cases_args "$@"
out=${OUT:-build/tests/boot/uefi}

efi=build/boot/uefi/BOOTX64.EFI
kernel=build/kernel/kernel.elf
cfg=boot/boot.cfg
for f in "$efi" "$kernel" "$cfg"; do
    [[ -f "$f" ]] || { echo "FAIL: boot-uefi: $f missing (run make first)"; exit 1; }
done
mkdir -p "$out"

MiB=$((1024 * 1024))
GiB=$((1024 * MiB))

# ---- variant images -------------------------------------------------------

image() { # image NAME [mkimage.sh options]
    local name=$1
    shift
    scripts/mkimage.sh "$out/$name.img" --efi "$efi" "$@" >/dev/null ||
        { echo "FAIL: boot-uefi: cannot build image $name"; exit 1; }
}

# The kernel with its program header table cut off: the ELF header claims
# phdrs past the end of the file.
corrupt_kernel=$out/corrupt-kernel.elf
head -c 100 "$kernel" >"$corrupt_kernel"
big_kernel=$(big_kernel "$kernel")

image default --cfg "$cfg" --kernel "$kernel"
# BOOTX64.EFI with a byte of its packed loader flipped (boot/uefi/packed.h).
corrupt_efi=$out/corrupt-packed.efi
cp "$efi" "$corrupt_efi"
pack_at=$(LC_ALL=C grep -obUa 'MPK1' "$efi" | head -n 1 | cut -d: -f1)
[[ -n "$pack_at" ]] || { echo "FAIL: boot-uefi: no packed body in $efi"; exit 1; }
printf '\x5a' | dd of="$corrupt_efi" bs=1 seek=$((pack_at + 20000)) conv=notrunc status=none
scripts/mkimage.sh "$out/corrupt-packed.img" --efi "$corrupt_efi" --cfg "$cfg" --kernel "$kernel" \
    >/dev/null || { echo "FAIL: boot-uefi: cannot build image corrupt-packed"; exit 1; }
image no-temp-heap --cfg "$(cfg_with no-temp-heap temp_heap_size=0)" --kernel "$kernel"
image huge-temp-heap --cfg "$(cfg_with huge-temp-heap temp_heap_size=1T)" --kernel "$kernel"
# At 2 MiB frames the map cannot call [1 MiB, 2 MiB) usable (the legacy
# hole below 1 MiB shares its frame), so the kernel's fallback must move.
image no-temp-heap-2m --cfg "$(cfg_with no-temp-heap-2m temp_heap_size=0 bitmap_granularity=2M)" \
    --kernel "$kernel"
image huge-boot-heap --cfg "$(cfg_with huge-boot-heap heap_size=1T)" --kernel "$kernel"
image missing-kernel --cfg "$cfg" --no-kernel
image corrupt-kernel --cfg "$cfg" --kernel "$corrupt_kernel"
image big-kernel --cfg "$cfg" --kernel "$big_kernel"
image bad-cfg --cfg "$(cfg_with bad-cfg temp_heap_size=12x)" --kernel "$kernel"
image no-cfg --cfg "" --kernel "$kernel"
image cfg-64k --cfg "$(cfg_of_size cfg-64k 65536)" --kernel "$kernel"
# Menu entries (boot.cfg with [NAME] sections): the loader boots the
# default entry (the second), whose cmdline does not make the kernel fault.
printf '%s\n' timeout=0 default=2 '[Faulting]' kernel=/boot/kernel.elf cmdline=mos.fault=ud \
    '[Demo]' kernel=/boot/kernel.elf cmdline=quiet >"$out/entries.cfg"
image entries --cfg "$out/entries.cfg" --kernel "$kernel"
image memtest --cfg "$(cfg_with memtest memory_test=on)" --kernel "$kernel"
image granularity-64k --cfg "$(cfg_with granularity-64k bitmap_granularity=64K)" --kernel "$kernel"
image granularity-8k --cfg "$(cfg_with granularity-8k bitmap_granularity=8K)" --kernel "$kernel"

# ---- cases ----------------------------------------------------------------
# usable_bytes must be close to the RAM size: firmware keeps some for itself
# (and QEMU the PCI hole between 2 and 4 GiB on q35), the loader's ranges are
# carved out. The lower bounds leave room for both, the upper bound is RAM.

common=(--expect boot_mode=uefi --expect temp_heap_source=handoff)
add uefi-64m --image "$out/default.img" --mem 64M "${common[@]}" \
    --expect-range usable_bytes=$((36 * MiB)):$((64 * MiB)) \
    --expect-range temp_heap_size=$MiB:$MiB
add uefi-256m --image "$out/default.img" --mem 256M "${common[@]}" \
    --expect-range usable_bytes=$((220 * MiB)):$((256 * MiB)) \
    --expect boot_heap_size=$((16 * MiB)) --expect-range boot_heap_used=$((100 * 1024)):$((MiB))
# A small machine with the default boot.cfg: the boot heap shrinks to fit.
# Before ExitBootServices OVMF leaves no free MiB here beside the loader's
# images, so the temporary heap may fall back to the kernel's own (either
# way the kernel checks it); what needs the boot heap later gets a refill
# of its own size.
add uefi-48m --image "$out/default.img" --mem 48M --expect boot_mode=uefi \
    --expect-range usable_bytes=$((20 * MiB)):$((48 * MiB)) \
    --expect-range boot_heap_size=$((64 * 1024)):$((16 * MiB)) \
    --expect-text "boot heap: heap_size not set"
add uefi-2g --image "$out/default.img" --mem 2G "${common[@]}" \
    --expect-range usable_bytes=$((1900 * MiB)):$((2 * GiB))
add uefi-5g --image "$out/default.img" --mem 5G "${common[@]}" \
    --expect-range usable_bytes=$((4800 * MiB)):$((5 * GiB)) \
    --expect-range highest_usable=$((4 * GiB + 1)):$((8 * GiB))
# A kernel file above 4 MiB: only its first 64 KiB in the boot heap.
add uefi-big-kernel-file --image "$out/big-kernel.img" "${common[@]}" \
    --expect-range boot_heap_used=$((64 * 1024)):$((MiB))
# The largest boot.cfg the loader takes (BC_CFG_MAX_FILE).
add uefi-cfg-64k --image "$out/cfg-64k.img" "${common[@]}" --expect-text "boot.cfg: read (65536 bytes)"
add uefi-no-cfg --image "$out/no-cfg.img" "${common[@]}" \
    --expect-text "boot.cfg: not found, using the defaults"
add uefi-granularity-64k --image "$out/granularity-64k.img" "${common[@]}" \
    --expect bitmap_granularity=65536 \
    --expect-range usable_bytes=$((220 * MiB)):$((256 * MiB))
add uefi-granularity-8k --image "$out/granularity-8k.img" "${common[@]}" \
    --expect bitmap_granularity=8192 \
    --expect-range usable_bytes=$((220 * MiB)):$((256 * MiB))
add uefi-memtest --image "$out/memtest.img" --mem 64M "${common[@]}" \
    --expect-text "memtest: tested" --expect-text ", 0 bad frames"
# The kernel's fallback, both branches: 0x100000 itself when the map says
# it is usable and free (OVMF leaves it so), else the lowest such 1 MiB.
add uefi-temp-heap-0 --image "$out/no-temp-heap.img" \
    --expect temp_heap_source=fallback --expect temp_heap_size=$MiB \
    --expect temp_heap_fallback=fixed --expect temp_heap_base=0x100000 \
    --expect-text "temp_heap_size=0" --expect-text "fallback at 0x100000"
add uefi-temp-heap-huge --image "$out/huge-temp-heap.img" \
    --expect temp_heap_source=fallback --expect-text "temp heap: cannot place" \
    --expect temp_heap_fallback=fixed --expect temp_heap_base=0x100000
add uefi-temp-heap-moved --image "$out/no-temp-heap-2m.img" \
    --expect temp_heap_source=fallback --expect temp_heap_size=$MiB \
    --expect temp_heap_fallback=moved --expect-range temp_heap_base=$((2 * MiB)):$((256 * MiB)) \
    --expect-text "fallback moved: nothing usable and free at 0x100000"
# heap_size larger than all RAM: refused before ExitBootServices, so the
# message goes through ConOut (the screen; OVMF mirrors it to serial) too.
add uefi-boot-heap-huge --image "$out/huge-boot-heap.img" --expect-result HALT \
    --expect-text "boot heap: heap_size=1099511627776 bytes" \
    --expect-text "does not fit at or above 0x100000" --reject-text "leaving the firmware"
add uefi-missing-kernel --image "$out/missing-kernel.img" --expect-result HALT \
    --expect-text "kernel /boot/kernel.elf: no such file"
add uefi-corrupt-packed --image "$out/corrupt-packed.img" --expect-result HALT \
    --expect-text "the packed loader cannot start: " --reject-text "MultiOS Boot 0"
add uefi-corrupt-kernel --image "$out/corrupt-kernel.img" --expect-result HALT \
    --expect-text "kernel /boot/kernel.elf: not a valid kernel"
add uefi-entries-default --image "$out/entries.img" "${common[@]}"
add uefi-bad-cfg --image "$out/bad-cfg.img" --expect-result HALT \
    --expect-text "boot.cfg line" --expect-text "temp_heap_size"

run_cases
