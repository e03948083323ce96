#!/usr/bin/env bash
# Boots an image whose kernel holds after its report (the demo kernel with
# mos.hold=1 on its command line), takes a screenshot of the display
# through QEMU's QMP monitor (screendump) once the kernel says it holds,
# and stops QEMU. For `make screenshot` and the screenshot test.
#
#   screendump.sh --image IMG --out FILE [--format ppm|png] [--firmware uefi|bios]
#                 [--serial LOG] [--timeout SECONDS] [--mem SIZE] [--qemu-arg ARG]...
#
# The guest gets a standard VGA card. Exit status 0 with FILE written; 1
# with a message when the kernel never held (QEMU ended or the timeout
# hit first: the serial log says why) or the screenshot failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=
out=
format=ppm
firmware=uefi
serial=
timeout_s=120
mem=256M
extra=()
usage() {
    echo "usage: $0 --image IMG --out FILE [--format ppm|png] [--firmware uefi|bios]" \
        "[--serial LOG] [--timeout S] [--mem SIZE] [--qemu-arg ARG]..." >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
    --image) image=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --firmware) firmware=$2; shift 2 ;;
    --serial) serial=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --qemu-arg) extra+=(--qemu-arg "$2"); shift 2 ;;
    *) usage ;;
    esac
done
[[ -n "$image" && -n "$out" && ($format == ppm || $format == png) ]] || usage

tmpdir=$(mktemp -d)
qemu_pid=
cleanup() {
    [[ -z "$qemu_pid" ]] || kill "$qemu_pid" 2>/dev/null || true
    rm -rf "$tmpdir"
}
trap cleanup EXIT
[[ -n "$serial" ]] || serial=$tmpdir/serial.log
sock=$tmpdir/qmp.sock
: >"$serial"
rm -f "$out"

"$here/qemu-boot.sh" --image "$image" --firmware "$firmware" --timeout "$timeout_s" \
    --mem "$mem" --serial "$serial" --qmp "$sock" --qemu-arg -vga --qemu-arg std "${extra[@]}" \
    >"$tmpdir/qemu.out" 2>&1 &
qemu_pid=$!

# The kernel's last line with mos.hold=1 (kernel/kmain.c).
while ! grep -aq 'mos.hold=1: holding' "$serial"; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        wait "$qemu_pid" && rc=0 || rc=$?
        qemu_pid=
        echo "screendump: QEMU ended (status $rc) before the kernel held (serial log: $serial)" >&2
        cat "$tmpdir/qemu.out" >&2
        exit 1
    fi
    sleep 0.2
done

fail=0
python3 "$here/qmp.py" "$sock" screendump "filename=$(realpath -m "$out")" "format=$format" \
    >/dev/null || fail=1
python3 "$here/qmp.py" "$sock" quit >/dev/null || true
wait "$qemu_pid" || true
qemu_pid=
[[ $fail -eq 0 && -s "$out" ]] || { echo "screendump: no screenshot written to $out" >&2; exit 1; }
