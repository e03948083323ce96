#!/usr/bin/env bash
# Boots a disk image in QEMU (TCG) the way `make run`, the boot tests and
# the boot benchmark all do.
#
#   qemu-boot.sh --image IMG [--firmware uefi|bios] [--mem 256M] [--timeout SECONDS]
#                [--serial FILE [--serial-input FILE]] [--cpu MODEL] [--disk2 IMG]
#                [--qemu-arg ARG]... [--summary] [--icount SHIFT]
#                [--machine TYPE[,OPTS]] [--qmp SOCKET] [--window HOLD_IMAGE]
#                [--resident FILE]
#
# Serial (COM1) goes to stdout, or to FILE with --serial. The guest ends the
# run through isa-debug-exit (port 0xf4): guest value v -> exit status
# (v << 1) | 1. Other statuses: 0 = the guest shut down (the loader's clean
# halt), 124 = the timeout hit (a hang), 127 = QEMU or the firmware is not
# installed (the message names the package), anything else = QEMU failed.
# UEFI uses OVMF from Debian's `ovmf` package with a private copy of the
# variable store per run, and the disk is opened with snapshot=on (writes go
# to a temporary overlay), so parallel runs can share one image file.
# --serial-input makes COM1 read what is written to FILE (a FIFO the caller
# feeds) instead of nothing; needs --serial.
# --disk2 adds a second disk (snapshot=on too) after the boot disk: BIOS
# drive 0x81 under SeaBIOS.
# --icount SHIFT runs the guest on QEMU's instruction counter (-icount
# shift=SHIFT: 2^SHIFT ns per instruction): its clocks, the TSC and the PM
# timer, then follow the guest's work, not the host's load.
# --qemu-arg adds one QEMU argument (e.g. -vga std, -smp 4, -no-acpi).
# --machine replaces the default machine q35 (e.g. pc,acpi=off: no ACPI
# tables at all under SeaBIOS).
# --qmp opens QEMU's QMP monitor on the unix socket SOCKET (scripts/qmp.py
# talks to it: a screenshot, quit).
# --window shows the guest's display in a QEMU window when there is a
# display (DISPLAY or WAYLAND_DISPLAY set) and QEMU has a window back end
# (Debian's qemu-system-gui), booting HOLD_IMAGE instead of IMG: the same
# with mos.hold=1, so the kernel's picture stays until the window is
# closed (or the timeout). Otherwise it says why and boots IMG without a
# window. Either way the guest gets a standard VGA card (a framebuffer).
# Ctrl-C ends QEMU (and the window) as well: QEMU stays in the caller's
# process group.
# --resident FILE (make bench-boot): the guest's write to port 0xf4 does
# not end QEMU; when it comes, the memory QEMU holds for the guest is
# written to FILE as "GUEST_RAM_KIB CODE_KIB" (resident KiB of the guest's
# RAM and of TCG's buffer of translated code, from /proc/PID/smaps), QEMU
# is stopped and the status is the one isa-debug-exit would have given.
# The write must be a byte (outb), as the bench's floor programs and
# exiting kernels make it, and they halt after it.
# --summary (for `make run`) ends with one line saying what the status
# means and exits 0 only when the kernel reported PASS.
# An option given twice takes its last value (--qemu-arg adds each).
set -euo pipefail

image=
firmware=uefi
mem=256M
timeout_s=60
serial=
cpu=
icount=
summary=0
disk2=
serial_input=/dev/null
extra=()
machine=q35
qmp=
window=0
hold_image=
resident=
while [[ $# -gt 0 ]]; do
    case $1 in
    --image) image=$2; shift 2 ;;
    --firmware) firmware=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --serial) serial=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --icount) icount=$2; shift 2 ;;
    --qemu-arg) extra+=("$2"); shift 2 ;;
    --disk2) disk2=$2; shift 2 ;;
    --serial-input) serial_input=$2; shift 2 ;;
    --summary) summary=1; shift ;;
    --machine) machine=$2; shift 2 ;;
    --qmp) qmp=$2; shift 2 ;;
    --window) window=1; hold_image=$2; shift 2 ;;
    --resident) resident=$2; shift 2 ;;
    *)
        echo "qemu-boot: unknown argument $1" >&2
        exit 2
        ;;
    esac
done
if [[ -z "$image" || ! -f "$image" ]]; then
    echo "qemu-boot: --image FILE required (got '${image}')" >&2
    exit 2
fi

OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
SEABIOS=${SEABIOS:-/usr/share/seabios/bios-256k.bin}

# missing WHAT PACKAGE: what this host lacks, named, and status 127 (no
# boot happened), so no caller mistakes it for a guest's failure.
missing() {
    echo "qemu-boot: $1 not found: install the Debian package $2 (scripts/deps.sh run)" >&2
    exit 127
}
command -v qemu-system-x86_64 >/dev/null || missing qemu-system-x86_64 qemu-system-x86
case $firmware in
uefi) for f in "$OVMF_CODE" "$OVMF_VARS"; do [[ -f "$f" ]] || missing "$f" ovmf; done ;;
bios) [[ -f "$SEABIOS" ]] || missing "$SEABIOS" seabios ;;
esac

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

# window_display: QEMU's -display value for --window: gtk or sdl when
# there is a display to open a window on and QEMU has that back end.
window_display() {
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
        echo "qemu-boot: --window: no DISPLAY or WAYLAND_DISPLAY, running without a window" >&2
        echo none
        return
    fi
    local have
    have=$(qemu-system-x86_64 -display help 2>/dev/null)
    for d in gtk sdl; do
        grep -qx "$d" <<<"$have" && { echo "$d"; return; }
    done
    echo "qemu-boot: --window: this QEMU has no window back end (Debian package" \
        "qemu-system-gui), running without a window" >&2
    echo none
}
display=none
if [[ $window -eq 1 ]]; then
    display=$(window_display)
    extra=(-vga std "${extra[@]}")
    if [[ $display != none ]]; then
        [[ -f "$hold_image" ]] || { echo "qemu-boot: --window: no image $hold_image" >&2; exit 2; }
        image=$hold_image
    fi
fi

args=(-nodefaults -machine "$machine" -m "$mem" -display "$display" -no-reboot -net none)
if [[ -n "$resident" ]]; then
    args+=(-chardev "file,id=exitport,path=$tmpdir/exit" -device isa-debugcon,iobase=0xf4,chardev=exitport)
else
    args+=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
fi
args+=(-drive "file=$image,format=raw,if=none,id=disk0,snapshot=on"
    -device virtio-blk-pci,drive=disk0,bootindex=1)
[[ -n "$cpu" ]] && args+=(-cpu "$cpu")
[[ -n "$icount" ]] && args+=(-icount "shift=$icount")
[[ -n "$qmp" ]] && args+=(-qmp "unix:$qmp,server=on,wait=off")
args+=("${extra[@]}")
[[ -n "$disk2" ]] && args+=(-drive "file=$disk2,format=raw,if=none,id=disk1,snapshot=on"
    -device virtio-blk-pci,drive=disk1,bootindex=2)
if [[ -n "$serial" && "$serial_input" != /dev/null ]]; then
    args+=(-serial stdio) # stdin and stdout redirected below
elif [[ -n "$serial" ]]; then
    args+=(-serial "file:$serial")
else
    args+=(-serial stdio)
fi

case $firmware in
uefi)
    cp "$OVMF_VARS" "$tmpdir/vars.fd"
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
        -drive "if=pflash,format=raw,unit=1,file=$tmpdir/vars.fd")
    ;;
bios)
    # SeaBIOS (Debian's `seabios` package), the legacy BIOS path.
    args+=(-bios "$SEABIOS")
    ;;
*)
    echo "qemu-boot: unknown firmware '$firmware'" >&2
    exit 2
    ;;
esac

# mem_kib: --mem in KiB (QEMU's suffixes M and G; none means MiB).
mem_kib() {
    case $mem in
    *[Gg]) echo $((${mem%?} * 1048576)) ;;
    *[Mm]) echo $((${mem%?} * 1024)) ;;
    *) echo $((mem * 1024)) ;;
    esac
}

# smaps_resident PID: "GUEST_RAM_KIB CODE_KIB": resident KiB of the guest
# RAM mapping (the one of --mem's size) and of TCG's code buffer (the
# largest writable and executable mapping).
smaps_resident() {
    awk -v ram_kib="$(mem_kib)" '
        /^[0-9a-f]+-[0-9a-f]+ / { perms = $2 }
        /^Size:/ { size = $2 }
        /^Rss:/ {
            if (size == ram_kib && ram == "") ram = $2
            if (perms == "rwxp" && size > code_size) { code_size = size; code = $2 }
        }
        END { printf "%d %d\n", ram, code }' "/proc/$1/smaps"
}

# resident_run: QEMU in the background until the guest writes port 0xf4,
# then what it holds into $resident and QEMU stopped. Returns the status
# isa-debug-exit would have given, QEMU's own if it ended first, 124 at
# the timeout.
resident_run() {
    local pid tenths=0 rc value
    qemu-system-x86_64 "${args[@]}" </dev/null &
    pid=$!
    while [[ ! -s $tmpdir/exit ]] && kill -0 "$pid" 2>/dev/null && ((tenths < timeout_s * 10)); do
        sleep 0.1
        tenths=$((tenths + 1))
    done
    if [[ -s $tmpdir/exit ]]; then
        smaps_resident "$pid" >"$resident"
        value=$(od -An -tu1 -N1 "$tmpdir/exit" | tr -d ' ')
        rc=$(((value << 1) | 1))
    elif kill -0 "$pid" 2>/dev/null; then
        rc=124
    fi
    kill "$pid" 2>/dev/null
    wait "$pid"
    local qemu_rc=$?
    return "${rc:-$qemu_rc}"
}

set +e
if [[ -n "$resident" ]]; then
    resident_run
    rc=$?
elif [[ -n "$serial" && "$serial_input" != /dev/null ]]; then
    timeout -k 5 "$timeout_s" qemu-system-x86_64 "${args[@]}" <"$serial_input" >"$serial"
    rc=$?
elif [[ $display != none && -z "$serial" ]]; then
    # The held kernel never exits QEMU: closing the window, Ctrl-C or the
    # timeout does, so the summary reads the result from a copy of serial.
    # --foreground: timeout's own process group would keep QEMU from the
    # terminal's Ctrl-C, its window open after `make run` ended; tee -i
    # copies on until QEMU has ended, so the summary still comes.
    timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 "${args[@]}" </dev/null |
        tee -i "$tmpdir/serial.log"
    rc=${PIPESTATUS[0]}
else
    timeout -k 5 "$timeout_s" qemu-system-x86_64 "${args[@]}" </dev/null
    rc=$?
fi
set -e
[[ $summary -eq 1 ]] || exit "$rc"
if [[ $rc -ne 33 && -f "$tmpdir/serial.log" ]] &&
    tr -d '\r' <"$tmpdir/serial.log" | grep -q '^MOS-RESULT: PASS'; then
    if [[ $rc -eq 124 ]]; then
        echo "qemu-boot: the kernel reported PASS (window closed after the ${timeout_s} s timeout)"
    else
        echo "qemu-boot: the kernel reported PASS (window closed or Ctrl-C)"
    fi
    exit 0
fi
case $rc in
33) echo "qemu-boot: the kernel reported PASS"; exit 0 ;;
35) echo "qemu-boot: the kernel reported FAIL (see its MOS-RESULT line above)" ;;
0) echo "qemu-boot: the machine powered off before the kernel reported (the loader's message is above)" ;;
124) echo "qemu-boot: no result within ${timeout_s} s, QEMU stopped" ;;
*)
    echo "qemu-boot: QEMU exited with status $rc"
    [[ $display == none ]] || echo "qemu-boot: it was to open a $display window on" \
        "${DISPLAY:-$WAYLAND_DISPLAY}; with neither DISPLAY nor WAYLAND_DISPLAY set" \
        "it runs without one"
    ;;
esac
exit 1
