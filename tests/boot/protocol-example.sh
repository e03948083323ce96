#!/usr/bin/env bash
# The minimal kernel of docs/protocol.md section 11, as a reader would use
# it: extracts kernel.c, kernel.ld, the build commands and boot.cfg from
# the blocks after the `<!-- example: NAME -->` markers, runs those
# commands, puts the kernel, boot.cfg and a module (hello.txt, "hello\n")
# on an image with scripts/mkimage.sh and boots it once per firmware with a
# VGA card and two CPUs. The example prints "usable bytes: 0x...", the
# framebuffer's size, the module, "cpus: 2", "AP 1 answered" and "kernel
# done" on COM1 and ends the run through isa-debug-exit with 0x10 (QEMU
# status 33). One PASS:/FAIL: line per step.
#
#   [BIOS=0] protocol-example.sh [--mem 256M]
#
# Needs: build/boot/uefi/BOOTX64.EFI; for the BIOS boot (skipped with
# BIOS=0) also build/bin/mos-install and build/bios/stage{1,2}.bin.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

mem_mib=256
[[ "${1:-}" == --mem ]] && mem_mib=${2%M}
out=${OUT:-build/tests/boot/protocol-example}
doc=docs/protocol.md
efi=build/boot/uefi/BOOTX64.EFI
installer=build/bin/mos-install
MiB=$((1024 * 1024))

fail() {
    echo "FAIL: $*"
    exit 1
}

# The fenced block that follows the marker for NAME, fences excluded.
extract() {
    awk -v name="$1" '
        $0 ~ "^<!-- example: " name "[ >]" { found = 1; next }
        found == 1 && /^```/ { found = 2; next }
        found == 2 && /^```/ { exit }
        found == 2 { print }' "$doc"
}

[[ -f "$efi" ]] || fail "protocol-example-build: $efi missing (run make first)"
rm -rf "$out"
mkdir -p "$out"
for f in kernel.c kernel.ld build.sh boot.cfg; do
    extract "$f" >"$out/$f"
    [[ -s "$out/$f" ]] || fail "protocol-example-build: no '<!-- example: $f -->' block in $doc"
done
# The commands use -Iinclude relative to where they run: the repository's.
ln -s "$root/include" "$out/include"
(cd "$out" && bash -e build.sh) >"$out/build.log" 2>&1 ||
    fail "protocol-example-build: the documented commands failed (see $out/build.log)"
[[ -f "$out/kernel.elf" ]] || fail "protocol-example-build: the commands made no kernel.elf"
echo "PASS: protocol-example-build"

bios_args=()
have_bios=0
if [[ "${BIOS:-1}" != 0 ]]; then
    for f in "$installer" build/bios/stage1.bin build/bios/stage2.bin; do
        [[ -f "$f" ]] || fail "protocol-example-image: $f missing (run make first, or BIOS=0)"
    done
    bios_args=(--bios "$installer")
    have_bios=1
fi
printf 'hello\n' >"$out/hello.txt"
scripts/mkimage.sh "$out/example.img" --efi "$efi" --cfg "$out/boot.cfg" --kernel "$out/kernel.elf" \
    --file "$out/hello.txt:/boot/hello.txt" "${bios_args[@]}" >/dev/null ||
    fail "protocol-example-image: mkimage.sh failed"
# What the revision-2 part prints with the documented boot.cfg.
rev2_lines=("framebuffer: 800x600, 32 bpp" "modules: 1"
    "/boot/hello.txt: 6 bytes, arguments 'greeting=1'" "cpus: 2" "AP 1 answered")

# boot FIRMWARE: one boot, judged on the exit status and the serial text.
boot() {
    local fw=$1 name=protocol-example-$1 log=$out/$1.serial rc usable
    scripts/qemu-boot.sh --image "$out/example.img" --firmware "$fw" --mem "${mem_mib}M" \
        --timeout 60 --serial "$log" --qemu-arg -vga --qemu-arg std --qemu-arg -smp --qemu-arg 2 \
        >"$log.qemu" 2>&1
    rc=$?
    local text
    text=$(tr -d '\r' <"$log")
    [[ $rc -eq 33 ]] || { echo "FAIL: $name: QEMU exit status $rc, expected 33 (serial log: $log)"; return 1; }
    grep -qx 'kernel done' <<<"$text" || { echo "FAIL: $name: no 'kernel done' line (serial log: $log)"; return 1; }
    local line
    for line in "${rev2_lines[@]}"; do
        grep -qxF -- "$line" <<<"$text" || { echo "FAIL: $name: no '$line' line (serial log: $log)"; return 1; }
    done
    usable=$(sed -n 's/^usable bytes: \(0x[0-9a-f]*\)$/\1/p' <<<"$text" | tail -n 1)
    [[ -n "$usable" ]] || { echo "FAIL: $name: no 'usable bytes: 0x...' line (serial log: $log)"; return 1; }
    # Usable memory close to the RAM size: the firmware and loader keep some.
    ((usable > (mem_mib - 40) * MiB && usable <= mem_mib * MiB)) ||
        { echo "FAIL: $name: usable bytes $((usable)) not within 40 MiB below ${mem_mib} MiB"; return 1; }
    echo "PASS: $name (usable $((usable / 1024)) KiB)"
}

status=0
boot uefi || status=1
if ((have_bios)); then
    boot bios || status=1
fi
exit $status
