#!/usr/bin/env bash
# QEMU boot tests of the MultiOS protocol's revision-2 features in the real
# loaders, on both firmwares (OVMF and SeaBIOS boot the same image):
# modules (sizes, CRC-32s and command lines the kernel reports, compared to
# what this script computes; an empty one; one over 1 MiB), a missing
# module, framebuffer modes (two offered, one not: WARN and the closest)
# and CPUs (-smp 1, 2, 4: every AP parked, halting between polls, then
# woken by the kernel; -smp 4 without the hypervisor bit: spinning; a
# machine without ACPI tables, so no MADT: one CPU and a WARN). One
# PASS:/FAIL: line per case.
#
#   rev2-cases.sh [--jobs N] [--only NAME...]
#
# Needs: build/boot/uefi/BOOTX64.EFI (unless UEFI=0), build/bios/stage{1,2}.bin and
# build/bin/mos-install (unless BIOS=0), build/kernel/kernel.elf, boot/boot.cfg.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=tests/boot/cases-lib.sh
source tests/boot/cases-lib.sh

firmware=uefi
cases_args "$@"
out=${OUT:-build/tests/boot/rev2}

efi=build/boot/uefi/BOOTX64.EFI
installer=build/bin/mos-install
kernel=build/kernel/kernel.elf
firmwares=()
[[ ${UEFI:-1} != 0 ]] && firmwares+=(uefi)
[[ ${BIOS:-1} != 0 ]] && firmwares+=(bios)
for f in "$kernel" boot/boot.cfg; do
    [[ -f "$f" ]] || { echo "FAIL: boot-rev2: $f missing (run make first)"; exit 1; }
done
[[ ${UEFI:-1} == 0 || -f $efi ]] || { echo "FAIL: boot-rev2: $efi missing"; exit 1; }
[[ ${BIOS:-1} == 0 || -f $installer ]] || { echo "FAIL: boot-rev2: $installer missing"; exit 1; }
mkdir -p "$out"

# ---- images ---------------------------------------------------------------

# image NAME CFG [FILE:/PATH]...: the kernel, CFG and the files, bootable
# on both firmwares.
image() {
    local name=$1 cfg=$2 img=$out/$1.img
    shift 2
    local opts=(--cfg "$cfg" --kernel "$kernel")
    [[ ${UEFI:-1} == 0 ]] && opts+=(--no-efi) || opts+=(--efi "$efi")
    [[ ${BIOS:-1} != 0 ]] && opts+=(--bios "$installer")
    scripts/mkimage.sh "$img" "${opts[@]}" >/dev/null ||
        { echo "FAIL: boot-rev2: cannot build image $name"; exit 1; }
    local spec dir
    for spec in "$@"; do
        dir=$(dirname "${spec#*:}")
        mdir -i "$img@@$((4096 * 512))" "::$dir" >/dev/null 2>&1 || mmd -i "$img@@$((4096 * 512))" "::$dir"
        mcopy -i "$img@@$((4096 * 512))" "${spec%%:*}" "::${spec#*:}" ||
            { echo "FAIL: boot-rev2: cannot copy ${spec%%:*} into $name"; exit 1; }
    done
}

# zlib's CRC-32 of a file, as the kernel prints it: gzip's trailer holds
# it (little-endian) before the length.
crc32_of() {
    gzip -c <"$1" | tail -c8 | head -c4 | od -An -tx4 --endian=little | tr -d ' \n' |
        sed 's/^/0x/'
}

# Three modules in file order: over 1 MiB with arguments, empty, small.
big=$out/big.bin empty=$out/empty.bin small=$out/small.txt
head -c $((1536 * 1024 + 123)) /dev/urandom >"$big"
: >"$empty"
printf 'MultiOS module %s\n' "$(date +%s%N)" >"$small"
# entry_cfg NAME LINE...: a one-entry boot.cfg (module= lives in entries).
entry_cfg() {
    local file=$out/$1.cfg
    shift
    printf '%s\n' timeout=0 '[Rev2]' kernel=/boot/kernel.elf "$@" >"$file"
    echo "$file"
}
mods_cfg=$(entry_cfg modules 'module=/boot/big.bin size=big  two words' 'module=/boot/empty.bin' \
    'module=/modules/small.txt x=1')
image modules "$mods_cfg" "$big:/boot/big.bin" "$empty:/boot/empty.bin" \
    "$small:/modules/small.txt"
image missing-module "$(entry_cfg missing-module 'module=/boot/big.bin' 'module=/boot/absent.bin')" \
    "$big:/boot/big.bin"
# The most modules an entry may have (BC_CFG_MAX_MODULES), each of its own
# size (1,000 to 8,755 bytes: 2 or 3 pages of loader memory each).
max_lines=() max_files=() max_expect=()
for i in $(seq 0 15); do
    f=$out/max-$i.bin
    head -c $((1000 + i * 517)) /dev/urandom >"$f"
    max_lines+=("module=/mods/m$i.bin n=$i")
    max_files+=("$f:/mods/m$i.bin")
    max_expect+=(--expect "module${i}_size=$(stat -c %s "$f")" --expect "module${i}_crc32=$(crc32_of "$f")"
        --expect "module${i}_cmdline=n=$i")
done
image max-modules "$(entry_cfg max-modules "${max_lines[@]}")" "${max_files[@]}"

# Framebuffer modes: two the firmwares offer, one they do not.
for res in 800x600 1024x768 1000x700; do
    printf "%s\n" timeout=0 "resolution=$res" "[Rev2]" kernel=/boot/kernel.elf >"$out/fb-$res.cfg"
    image "fb-$res" "$out/fb-$res.cfg"
done

image smp "$(entry_cfg smp)"

# ---- cases ----------------------------------------------------------------

vga=(--qemu-arg -vga --qemu-arg std)

for fw in "${firmwares[@]}"; do
    add "$fw-modules" --firmware "$fw" --image "$out/modules.img" --expect modules=3 \
        --expect module0_size="$(stat -c %s "$big")" --expect module0_crc32="$(crc32_of "$big")" \
        --expect module0_path=/boot/big.bin --expect "module0_cmdline=size=big  two words" \
        --expect module1_size=0 --expect module1_crc32=0x00000000 \
        --expect module1_path=/boot/empty.bin --expect module1_cmdline= \
        --expect module2_size="$(stat -c %s "$small")" \
        --expect module2_crc32="$(crc32_of "$small")" --expect module2_path=/modules/small.txt \
        --expect module2_cmdline=x=1
    for res in 800x600 1024x768; do
        add "$fw-fb-$res" --firmware "$fw" "${vga[@]}" --image "$out/fb-$res.img" --expect fb_width=${res%x*} \
            --expect fb_height=${res#*x} --expect fb_bpp=32 --reject-text "is not offered"
    done
    add "$fw-fb-fallback" --firmware "$fw" "${vga[@]}" --image "$out/fb-1000x700.img" --expect fb_width=1024 \
        --expect fb_height=768 --expect-text "WARN ] resolution=1000x700 is not offered: using 1024x768"
    # Under QEMU (CPUID's hypervisor bit) parked APs halt between polls.
    for n in 1 2 4; do
        park=()
        ((n > 1)) && park=(--expect-text "CPUs: parked APs halt between polls")
        add "$fw-smp$n" --firmware "$fw" --image "$out/smp.img" --qemu-arg -smp --qemu-arg "$n" \
            --expect cpus=$n --expect cpus_started=$((n - 1)) --expect aps_started=$((n - 1)) \
            --expect cpus_failed=0 "${park[@]}"
    done
    # Without the hypervisor bit, as on bare metal, they spin with pause.
    add "$fw-smp4-spin" --firmware "$fw" --image "$out/smp.img" --qemu-arg -smp --qemu-arg 4 \
        --qemu-arg -cpu --qemu-arg qemu64,-hypervisor --expect cpus=4 --expect cpus_started=3 \
        --expect aps_started=3 --expect cpus_failed=0 \
        --expect-text "CPUs: parked APs poll in a pause loop"
    add "$fw-max-modules" --firmware "$fw" --image "$out/max-modules.img" --expect modules=16 \
        "${max_expect[@]}"
    add "$fw-missing-module" --firmware "$fw" --image "$out/missing-module.img" \
        --expect-result HALT \
        --expect-text "module 2 (boot.cfg line" --expect-text "/boot/absent.bin: no such file"
done

# No MADT: one CPU and a WARN, even with two CPUs there. OVMF on q35 with
# acpi=off hands over no ACPI tables; SeaBIOS on q35 then builds its own,
# MADT included, so its machine is the i440FX one (pc), whose ACPI power
# management device acpi=off leaves out, and SeaBIOS with it every table.
declare -A no_acpi_machine=([uefi]=q35,acpi=off [bios]=pc,acpi=off)
for fw in "${firmwares[@]}"; do
    add "$fw-no-madt" --firmware "$fw" --image "$out/smp.img" \
        --machine "${no_acpi_machine[$fw]}" --qemu-arg -smp --qemu-arg 2 \
        --expect cpus=1 --expect cpus_started=0 --expect aps_started=0 --expect cpus_failed=0 \
        --expect smp_flags=0x2 --expect acpi_rsdp_valid=absent \
        --expect-text "WARN ] CPUs: no ACPI RSDP: starting none but this one"
done

run_cases
