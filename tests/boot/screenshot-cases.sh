#!/usr/bin/env bash
# The memory map picture as a person sees it: boots the demo kernel with
# mos.hold=1 on each firmware (OVMF and SeaBIOS, one image), takes a
# screenshot through QEMU's QMP screendump (scripts/screendump.sh) and
# checks its pixels against the map the kernel printed
# (tests/boot/check-picture.py). Then shows the check can fail: the same
# serial log with a screenshot whose row 0 is recoloured, and with one
# with no picture (only the background). One PASS:/FAIL: line per case.
#
#   screenshot-cases.sh
#
# Needs: build/boot/uefi/BOOTX64.EFI (unless UEFI=0), build/bin/mos-install
# (unless BIOS=0), build/kernel/kernel.elf; python3.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
out=${OUT:-build/tests/boot/screenshot}
mkdir -p "$out"
efi=build/boot/uefi/BOOTX64.EFI
installer=build/bin/mos-install
kernel=build/kernel/kernel.elf

firmwares=()
opts=(--cfg "$out/hold.cfg" --kernel "$kernel")
if [[ ${UEFI:-1} != 0 ]]; then
    firmwares+=(uefi)
    opts+=(--efi "$efi")
else
    opts+=(--no-efi)
fi
if [[ ${BIOS:-1} != 0 ]]; then
    firmwares+=(bios)
    opts+=(--bios "$installer")
fi
[[ -f $kernel ]] || { echo "FAIL: boot-screenshot: $kernel missing (run make first)"; exit 1; }
printf '%s\n' timeout=0 resolution=800x600 kernel=/boot/kernel.elf cmdline=mos.hold=1 \
    >"$out/hold.cfg"
scripts/mkimage.sh "$out/hold.img" "${opts[@]}" >/dev/null ||
    { echo "FAIL: boot-screenshot: cannot build the image"; exit 1; }

# shot FIRMWARE: screenshot and check; prints one PASS:/FAIL: line.
shot() {
    local fw=$1 name=$1-screenshot why
    if ! why=$(scripts/screendump.sh --image "$out/hold.img" --firmware "$fw" \
        --out "$out/$fw.ppm" --serial "$out/$fw.serial" 2>&1); then
        echo "FAIL: $name: ${why//$'\n'/; }"
        return
    fi
    if why=$(python3 tests/boot/check-picture.py "$out/$fw.serial" "$out/$fw.ppm"); then
        echo "PASS: $name (${why#ok: })"
    else
        echo "FAIL: $name: ${why//$'\n'/; } (serial log: $out/$fw.serial)"
    fi
}

# spoil SRC DST HOW: a copy of the screenshot SRC with row 0's probe pixel
# recoloured (HOW=row0) or everything the background colour (HOW=blank).
spoil() {
    python3 - "$@" <<'PY'
import re, sys
src, dst, how = sys.argv[1:4]
data = open(src, "rb").read()
m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
w, h, head = int(m.group(1)), int(m.group(2)), m.end()
px = bytearray(data[head:])
if how == "blank":
    px[:] = bytes.fromhex("101010") * (w * h)
else:
    serial = open(sys.argv[4], "rb").read().decode("latin-1")
    x, y = map(int, re.search(r"MOS mapview_row0=(\d+),(\d+),", serial).groups())
    i = 3 * (y * w + x)
    px[i:i + 3] = bytes(255 - b for b in px[i:i + 3])
open(dst, "wb").write(data[:head] + bytes(px))
PY
}

# reject NAME PPM SERIAL TEXT: the checker must fail, naming TEXT.
reject() {
    local name=$1 why
    if why=$(python3 tests/boot/check-picture.py "$3" "$2"); then
        echo "FAIL: $name: the check passed a spoilt screenshot"
    elif grep -qF -- "$4" <<<"$why"; then
        echo "PASS: $name"
    else
        echo "FAIL: $name: the check failed without naming '$4': ${why//$'\n'/; }"
    fi
}

results=()
for fw in "${firmwares[@]}"; do
    shot "$fw" >"$out/$fw.result" &
    results+=("$out/$fw.result")
done
wait
status=0
for r in "${results[@]}"; do
    cat "$r"
    grep -q '^PASS: ' "$r" || status=1
done
fw=${firmwares[0]}
if [[ -s $out/$fw.ppm ]]; then
    spoil "$out/$fw.ppm" "$out/row0.ppm" row0 "$out/$fw.serial"
    spoil "$out/$fw.ppm" "$out/blank.ppm" blank
    r1=$(reject check-rejects-recoloured-row "$out/row0.ppm" "$out/$fw.serial" "row 0")
    r2=$(reject check-rejects-no-picture "$out/blank.ppm" "$out/$fw.serial" "legend 0")
else
    r1="FAIL: check-rejects-recoloured-row: no $fw screenshot to spoil"
    r2="FAIL: check-rejects-no-picture: no $fw screenshot to spoil"
fi
printf '%s\n' "$r1" "$r2"
[[ $r1 == PASS:* && $r2 == PASS:* ]] || status=1
exit $status
