#!/usr/bin/env bash
# Boots the framebuffer console test image (tests/guest/fb_qemu.c) in QEMU
# (TCG, -vga std), waits for FB-READY on COM1, takes a screendump through
# the monitor and checks each 16-pixel text row's colours:
#   row 0  background and the INFO grey (c0c0c0) only, some of each
#   row 1  background and the WARN yellow (ffd000)
#   row 2  background and the ERROR red (ff4040)
#   below  background (000000) only
#   run-fb.sh IMAGE.elf
set -uo pipefail
image=$1
tmp=$(mktemp -d)
trap 'exec 3>&-; kill "$qpid" 2>/dev/null; rm -rf "$tmp"' EXIT
mkfifo "$tmp/mon"
timeout 60 qemu-system-x86_64 -machine pc -m 128M -vga std -display none -no-reboot \
    -kernel "$image" -serial "file:$tmp/serial" -monitor stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 <"$tmp/mon" >"$tmp/monitor.out" 2>&1 &
qpid=$!
exec 3>"$tmp/mon"
fail() {
    echo "FAIL: fb-qemu: $1"
    cat "$tmp/serial" 2>/dev/null
    exit 1
}
for _ in $(seq 300); do
    grep -q FB-READY "$tmp/serial" 2>/dev/null && break
    kill -0 "$qpid" 2>/dev/null || fail "QEMU ended before FB-READY"
    sleep 0.1
done
grep -q FB-READY "$tmp/serial" || fail "no FB-READY within 30 s"
echo "screendump $tmp/shot.ppm" >&3
for _ in $(seq 100); do
    [[ -s $tmp/shot.ppm ]] && sleep 0.2 && break
    sleep 0.1
done
echo quit >&3
wait "$qpid"
[[ $(head -c 15 "$tmp/shot.ppm" | tr '\n' ' ') == "P6 800 600 255 " ]] || fail "not an 800x600 P6 screendump"

# Distinct colours (rrggbb) of pixel rows [y0, y1).
colours() {
    od -An -v -tx1 -w3 -j $((15 + $1 * 800 * 3)) -N $((($2 - $1) * 800 * 3)) "$tmp/shot.ppm" |
        tr -d ' ' | sort -u | tr '\n' ' '
}
check_row() {
    local name=$1 y0=$2 y1=$3 want=$4 got
    got=$(colours "$y0" "$y1")
    [[ $got == "$want" ]] || fail "$name: colours '$got', want '$want'"
}
check_row "row 0 (INFO)" 0 16 "000000 c0c0c0 "
check_row "row 1 (WARN)" 16 32 "000000 ffd000 "
check_row "row 2 (ERROR)" 32 48 "000000 ff4040 "
check_row "rows below" 48 600 "000000 "
echo "PASS: fb-qemu 800x600x32, three log lines in their colours"
