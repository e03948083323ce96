#!/usr/bin/env bash
# QEMU + SeaBIOS boot tests of the BIOS loader (stage 1 + stage 2) and the
# demo kernel, mirroring uefi-cases.sh, plus one test booting the same image
# under OVMF and SeaBIOS and comparing the two reports. Builds its images
# under OUT (default build/tests/boot/bios); one PASS:/FAIL: line per case.
#
#   bios-cases.sh [--jobs N] [--only NAME...]
#
# Needs: build/bios/stage{1,2}.bin, build/bin/mos-install,
# build/kernel/kernel.elf, boot/boot.cfg, and for the comparison
# build/bin/mos-tschz (the host TSC reference) and
# build/boot/uefi/BOOTX64.EFI.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=tests/boot/cases-lib.sh
source tests/boot/cases-lib.sh

firmware=bios
cases_args "$@"
out=${OUT:-build/tests/boot/bios}

installer=build/bin/mos-install
kernel=build/kernel/kernel.elf
efi=build/boot/uefi/BOOTX64.EFI
# MOS_UEFI=0 (make UEFI=0): the UEFI loader is not part of this build, even
# if an older build left one behind; the comparison boot is skipped.
uefi_built=${MOS_UEFI:-1}
[[ $uefi_built == 0 ]] && efi=""
for f in "$installer" build/bios/stage1.bin build/bios/stage2.bin "$kernel" boot/boot.cfg; do
    [[ -f "$f" ]] || { echo "FAIL: boot-bios: $f missing (run make first)"; exit 1; }
done
mkdir -p "$out"
# The BIOS cases do not need the UEFI loader; only the comparison does.
have_efi=1
[[ -f "$efi" ]] || { have_efi=0; efi=$out/no-uefi-loader.efi; : >"$efi"; }

MiB=$((1024 * 1024))
GiB=$((1024 * MiB))

# ---- variant images -------------------------------------------------------

image() { # image NAME [mkimage.sh options]
    local name=$1
    shift
    scripts/mkimage.sh "$out/$name.img" --efi "$efi" --bios "$installer" "$@" >/dev/null ||
        { echo "FAIL: boot-bios: cannot build image $name"; exit 1; }
}

# Same disk contents as build/multios.img, but on a plain MBR disk: one FAT
# partition from sector 2048, stage 2 in the gap after the MBR.
mbr_image() {
    local img=$out/mbr-disk.img part=$out/mbr-part.img size_mib=40
    local sectors=$(((size_mib - 1) * 2048))
    rm -f "$img" "$part"
    truncate -s ${size_mib}M "$img"
    truncate -s $((sectors * 512)) "$part"
    mformat -i "$part" -F -c 1 ::
    mmd -i "$part" ::/boot
    mcopy -i "$part" boot/boot.cfg ::/boot.cfg
    mcopy -i "$part" "$kernel" ::/boot/kernel.elf
    dd if="$part" of="$img" bs=512 seek=2048 conv=notrunc status=none
    rm -f "$part"
    # Slot 0: type 0x0C (FAT32 LBA), first sector 2048, `sectors` long.
    printf "\\x00\\x00\\x00\\x00\\x0c\\x00\\x00\\x00\\x00\\x08\\x00\\x00$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' \
        $((sectors & 255)) $((sectors >> 8 & 255)) $((sectors >> 16 & 255)) $((sectors >> 24)))" |
        dd of="$img" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
    "$installer" "$img" >/dev/null || { echo "FAIL: boot-bios: cannot install on the MBR disk"; exit 1; }
}

corrupt_kernel=$out/corrupt-kernel.elf
head -c 100 "$kernel" >"$corrupt_kernel"
big_kernel=$(big_kernel "$kernel")

image default --cfg boot/boot.cfg --kernel "$kernel"
for m in e801 88h none; do
    image "detect-$m" --cfg "$(cfg_with "detect-$m" "bios_memory_detect=$m")" --kernel "$kernel"
done
image no-temp-heap --cfg "$(cfg_with no-temp-heap temp_heap_size=0)" --kernel "$kernel"
image huge-temp-heap --cfg "$(cfg_with huge-temp-heap temp_heap_size=3G)" --kernel "$kernel"
image huge-boot-heap --cfg "$(cfg_with huge-boot-heap heap_size=3G)" --kernel "$kernel"
image missing-kernel --cfg boot/boot.cfg --no-kernel
image corrupt-kernel --cfg boot/boot.cfg --kernel "$corrupt_kernel"
image big-kernel --cfg boot/boot.cfg --kernel "$big_kernel"
image bad-cfg --cfg "$(cfg_with bad-cfg temp_heap_size=12x)" --kernel "$kernel"
image bad-detect --cfg "$(cfg_with bad-detect bios_memory_detect=e821)" --kernel "$kernel"
image no-cfg --cfg "" --kernel "$kernel"
# The largest boot.cfg the loader takes (BC_CFG_MAX_FILE), and one byte more.
image cfg-64k --cfg "$(cfg_of_size cfg-64k 65536)" --kernel "$kernel"
image cfg-too-big --cfg "$(cfg_of_size cfg-too-big 65537)" --kernel "$kernel"
# Menu entries (boot.cfg with [NAME] sections): the loader boots the
# default entry (the second), whose cmdline does not make the kernel fault.
printf '%s\n' timeout=0 default=2 '[Faulting]' kernel=/boot/kernel.elf cmdline=mos.fault=ud \
    '[Demo]' kernel=/boot/kernel.elf cmdline=quiet >"$out/entries.cfg"
image entries --cfg "$out/entries.cfg" --kernel "$kernel"
image memtest --cfg "$(cfg_with memtest memory_test=on)" --kernel "$kernel"
image gran-64k --cfg "$(cfg_with gran-64k bitmap_granularity=64K)" --kernel "$kernel"
image gran-8k --cfg "$(cfg_with gran-8k bitmap_granularity=8K)" --kernel "$kernel"
mbr_image
# Stage 1's own refusals: stage 2's signature overwritten, and stage 2's
# LBA patched to lie past the end of the disk (a BIOS read error).
cp "$out/default.img" "$out/stage2-corrupt.img"
printf 'XXXX' | dd of="$out/stage2-corrupt.img" bs=1 seek=$((2048 * 512 + 4)) conv=notrunc status=none
# A byte of stage 2's compressed body flipped: the head's CRC check stops it.
cp "$out/default.img" "$out/stage2-body-corrupt.img"
s2_size=$(stat -c %s build/bios/stage2.bin)
printf '\x5a' | dd of="$out/stage2-body-corrupt.img" bs=1 seek=$((2048 * 512 + s2_size - 4096)) \
    conv=notrunc status=none
cp "$out/default.img" "$out/stage2-unreadable.img"
printf '\xff\xff\xff\x00' | dd of="$out/stage2-unreadable.img" bs=1 seek=11 conv=notrunc status=none

# ---- cases ----------------------------------------------------------------
# Usable bytes: RAM minus what SeaBIOS reserves (EBDA, ROMs, ACPI tables at
# the top of low RAM), the PCI hole on q35, and what the loader carves for
# the kernel (boot heap 16 MiB, temp heap 1 MiB, kernel, tables).

e820=(--expect boot_mode=bios --expect bios_memory_detect=e820 --expect temp_heap_source=handoff)
add bios-64m --image "$out/default.img" --mem 64M "${e820[@]}" \
    --expect-range usable_bytes=$((36 * MiB)):$((64 * MiB)) \
    --expect-range temp_heap_size=$MiB:$MiB
add bios-256m --image "$out/default.img" --mem 256M "${e820[@]}" \
    --expect-range usable_bytes=$((220 * MiB)):$((256 * MiB)) \
    --expect boot_heap_size=$((16 * MiB)) --expect-range boot_heap_used=$((100 * 1024)):$((MiB))
# A small machine with the default boot.cfg: the boot heap shrinks to fit.
add bios-16m --image "$out/default.img" --mem 16M "${e820[@]}" \
    --expect-range usable_bytes=$((4 * MiB)):$((16 * MiB)) \
    --expect-range boot_heap_size=$((256 * 1024)):$((15 * MiB)) \
    --expect-text "boot heap: heap_size not set and the default 16384 KiB does not fit"
add bios-2g --image "$out/default.img" --mem 2G "${e820[@]}" \
    --expect-range usable_bytes=$((1900 * MiB)):$((2 * GiB))
add bios-5g --image "$out/default.img" --mem 5G "${e820[@]}" \
    --expect-range usable_bytes=$((4800 * MiB)):$((5 * GiB)) \
    --expect-range highest_usable=$((4 * GiB + 1)):$((8 * GiB))
# Forced fallbacks on 256 MiB: each map is correct but knows less.
# E801 sees RAM below 4 GiB up to the firmware's tables; AH=88h at most
# 64 MiB above 1 MiB; `none` the fixed conservative 32 MiB layout.
add bios-e801 --image "$out/detect-e801.img" --mem 256M --expect bios_memory_detect=e801 \
    --expect temp_heap_source=handoff --expect-range usable_bytes=$((200 * MiB)):$((256 * MiB)) \
    --expect-range highest_usable=$((200 * MiB)):$((256 * MiB))
add bios-88h --image "$out/detect-88h.img" --mem 256M --expect bios_memory_detect=88h \
    --expect temp_heap_source=handoff --expect-range usable_bytes=$((30 * MiB)):$((64 * MiB)) \
    --expect-range highest_usable=$((32 * MiB)):$((65 * MiB))
add bios-none --image "$out/detect-none.img" --mem 256M --expect bios_memory_detect=fallback \
    --expect temp_heap_source=handoff --expect-range usable_bytes=$((8 * MiB)):$((32 * MiB)) \
    --expect highest_usable=0x2000000 --expect-text "detected with fallback"
# A kernel file above 4 MiB: only its first 64 KiB in the boot heap.
add bios-big-kernel-file --image "$out/big-kernel.img" "${e820[@]}" \
    --expect-range boot_heap_used=$((64 * 1024)):$((MiB)) \
    --expect-text "/boot/kernel.elf: 65536 bytes in"
# A boot.cfg of the largest size fits the loader's low buffers beside the
# memory map's; one byte more is refused by name.
add bios-cfg-64k --image "$out/cfg-64k.img" "${e820[@]}" --expect-text "boot.cfg: read (65536 bytes)"
add bios-cfg-too-big --image "$out/cfg-too-big.img" --expect-result HALT \
    --expect-text "boot.cfg: 65537 bytes, more than the 65536 allowed"
add bios-no-cfg --image "$out/no-cfg.img" "${e820[@]}" \
    --expect-text "boot.cfg: not found, using the defaults"
add bios-granularity-64k --image "$out/gran-64k.img" "${e820[@]}" --expect bitmap_granularity=65536 \
    --expect-range usable_bytes=$((200 * MiB)):$((256 * MiB))
add bios-granularity-8k --image "$out/gran-8k.img" "${e820[@]}" --expect bitmap_granularity=8192 \
    --expect-range usable_bytes=$((200 * MiB)):$((256 * MiB))
add bios-memory-test --image "$out/memtest.img" --mem 64M "${e820[@]}" \
    --expect-text "memtest: tested" --expect-text "0 bad frames"
add bios-mbr-disk --image "$out/mbr-disk.img" "${e820[@]}" \
    --expect-text "boot volume: partition 1 at LBA 2048"
# The kernel's fallback, moved branch: stage 2 places its own ranges
# (scratch, kernel, stack, boot heap, tables) from 0x100000 up, so that
# 1 MiB is taken and the kernel must use the lowest usable, free 1 MiB above.
moved=(--expect temp_heap_source=fallback --expect temp_heap_fallback=moved
    --expect-range temp_heap_base=$((MiB + 1)):$((256 * MiB))
    --expect-text "fallback moved: nothing usable and free at 0x100000")
add bios-temp-heap-0 --image "$out/no-temp-heap.img" --expect boot_mode=bios \
    --expect temp_heap_size=$MiB --expect-text "temp_heap_size=0" "${moved[@]}"
add bios-temp-heap-huge --image "$out/huge-temp-heap.img" --mem 256M --expect boot_mode=bios \
    --expect-text "temp heap: cannot place" "${moved[@]}"
# A boot heap larger than the machine: stage 2 stops with the message.
add bios-boot-heap-huge --image "$out/huge-boot-heap.img" --mem 256M --expect-result HALT \
    --expect-text "boot heap: heap_size=3221225472 bytes (align 4096) does not fit at or above 0x100000"
add bios-missing-kernel --image "$out/missing-kernel.img" --expect-result HALT \
    --expect-text "kernel /boot/kernel.elf: no such file"
add bios-corrupt-kernel --image "$out/corrupt-kernel.img" --expect-result HALT \
    --expect-text "kernel /boot/kernel.elf: not a valid kernel"
add bios-entries-default --image "$out/entries.img" "${e820[@]}"
add bios-bad-cfg --image "$out/bad-cfg.img" --expect-result HALT \
    --expect-text "boot.cfg line" --expect-text "temp_heap_size"
add bios-bad-detect --image "$out/bad-detect.img" --expect-result HALT \
    --expect-text "boot.cfg line" --expect-text "bios_memory_detect"
add bios-stage2-corrupt --image "$out/stage2-corrupt.img" --expect-result HALT \
    --expect-text "MOS: stage 2 missing, run mos-install"
add bios-stage2-body-corrupt --image "$out/stage2-body-corrupt.img" --expect-result HALT \
    --expect-text "stage 2 is corrupt, boot stopped: "
add bios-stage2-unreadable --image "$out/stage2-unreadable.img" --expect-result HALT \
    --expect-text "MOS: disk read error 0x"
# The comparison's UEFI half: the very same image file as bios-256m.
((have_efi)) && add xfw-uefi-256m --image "$out/default.img" --mem 256M --firmware uefi \
    --expect boot_mode=uefi --expect temp_heap_source=handoff

run_cases
status=$?

# ---- same image, both firmwares -------------------------------------------
# What must agree: handoff revision, loader name and version, direct-map
# offset, frame size, temporary and boot heap sizes, TSC frequency (1%),
# and usable memory within what the firmwares keep differently (OVMF holds
# runtime services and its own reserved pages; SeaBIOS the EBDA and ROMs).
compare() {
    local b=$out/bios-256m.serial u=$out/xfw-uefi-256m.serial key bv uv
    val() { tr -d '\r' <"$1" | sed -n "s/^MOS $2=//p" | tail -n 1; }
    for key in handoff_revision loader_name loader_version hhdm_offset bitmap_granularity temp_heap_size \
        boot_heap_size; do
        bv=$(val "$b" $key)
        uv=$(val "$u" $key)
        [[ -n "$bv" && "$bv" == "$uv" ]] || { echo "FAIL: bios-vs-uefi-same-image: $key bios='$bv' uefi='$uv'"; return 1; }
    done
    bv=$(val "$b" usable_bytes)
    uv=$(val "$u" usable_bytes)
    [[ "$bv" =~ ^[0-9]+$ && "$uv" =~ ^[0-9]+$ ]] || { echo "FAIL: bios-vs-uefi-same-image: usable_bytes bios='$bv' uefi='$uv'"; return 1; }
    local diff=$((bv > uv ? bv - uv : uv - bv)) tol=$((16 * MiB))
    ((diff <= tol)) || { echo "FAIL: bios-vs-uefi-same-image: usable_bytes differ by $diff (> $tol)"; return 1; }
    # One host, one TSC: both calibrations (the PM timer across the boot,
    # or a fallback) must agree to 0.5%, and each must be within 0.5% of
    # the host's TSC measured against its clock (mos-tschz): QEMU TCG's
    # guest TSC is the host's.
    local bt ut ref
    bt=$(val "$b" tsc_frequency_hz)
    ut=$(val "$u" tsc_frequency_hz)
    [[ "$bt" =~ ^[1-9][0-9]*$ && "$ut" =~ ^[1-9][0-9]*$ ]] || { echo "FAIL: bios-vs-uefi-same-image: tsc_frequency_hz bios='$bt' uefi='$ut'"; return 1; }
    local tdiff=$((bt > ut ? bt - ut : ut - bt))
    ((tdiff * 200 <= ut)) || { echo "FAIL: bios-vs-uefi-same-image: tsc_frequency_hz bios $bt, uefi $ut differ by more than 0.5%"; return 1; }
    ref=$(build/bin/mos-tschz 300) || { echo "FAIL: bios-vs-uefi-same-image: no host TSC reference (build/bin/mos-tschz)"; return 1; }
    local fwv name
    for name in bios uefi; do
        [[ $name == bios ]] && fwv=$bt || fwv=$ut
        tdiff=$((fwv > ref ? fwv - ref : ref - fwv))
        ((tdiff * 200 <= ref)) || { echo "FAIL: bios-vs-uefi-same-image: tsc_frequency_hz $name $fwv is more than 0.5% from the host's $ref"; return 1; }
    done
    echo "PASS: bios-vs-uefi-same-image (usable bios $bv, uefi $uv, diff $((diff / 1024)) KiB; TSC bios $bt, uefi $ut, host $ref Hz)"
}
if selected bios-256m && selected xfw-uefi-256m; then
    if ((have_efi)); then
        compare || status=1
    elif [[ $uefi_built != 0 ]]; then
        echo "FAIL: bios-vs-uefi-same-image: build/boot/uefi/BOOTX64.EFI was not built"
        status=1
    fi
fi

# ---- qemu-boot.sh --resident (make bench-boot) ----------------------------
# The loader booting bench-boot's exiting kernel (its first instruction
# writes the exit port, a byte): the write recorded instead of ending QEMU,
# the status isa-debug-exit would give, the loader's jump logged before it,
# and QEMU's resident guest RAM and code buffer (KiB) as the record: some
# of the machine's 256 MiB, at least the 2 MiB the firmware starts in.
resident_case() {
    local name=qemu-boot-resident rec=$out/qemu-boot-resident.txt rc ram= code= ok=1
    local log=$out/$name.serial exitk=build/tests/boot/exit-kernel.elf
    [[ -f $exitk ]] || { verdict "$name" 1 "$exitk missing (run make first)"; return 0; }
    image exit-kernel --cfg boot/boot.cfg --kernel "$exitk"
    rm -f "$rec"
    scripts/qemu-boot.sh --image "$out/exit-kernel.img" --firmware bios --mem 256M --timeout 120 \
        --serial "$log" --resident "$rec" 2>"$out/$name.err"
    rc=$?
    [[ -f $rec ]] && read -r ram code <"$rec"
    [[ $rc -eq 33 && $ram =~ ^[0-9]+$ && $code =~ ^[0-9]+$ ]] &&
        ((ram >= 2048 && ram <= 262144 && code > 0)) && has "$log" "jumping to the kernel" && ok=0
    verdict "$name" "$ok" "status $rc (33 expected), record '$ram $code', or no jump logged"
    ((ok == 0)) && echo "  guest RAM $ram KiB, code buffer $code KiB"
    return 0
}
selected qemu-boot-resident && resident_case
exit $status
