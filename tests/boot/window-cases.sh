#!/usr/bin/env bash
# `make run`'s QEMU window as a person sees it. Per firmware (OVMF and
# SeaBIOS, in parallel): a virtual X server of its own (Xvfb, on a free
# display number, 1280x1024), `make run`'s own command (RUN_CMD from
# boot/uefi/build.mk: scripts/qemu-boot.sh --window) run with DISPLAY set
# to it, and once the held kernel's last serial line is out the X screen
# read back (the XWD file Xvfb -fbdir keeps) and the QEMU window's
# picture, wherever it sits on the screen, checked against the map the
# kernel printed (tests/boot/check-picture.py --locate). Then QEMU is
# ended the two ways a person ends it: under OVMF told to quit over QMP,
# as closing the window does; under SeaBIOS (or when it is the only
# firmware built) with SIGINT to RUN_CMD's process group, as Ctrl-C in the
# terminal does. Either way every process of RUN_CMD must be gone within
# 5 s and it must end with its PASS summary. Last, the same check on a
# screen with no QEMU window must fail. One PASS:/FAIL: line per case.
#
#   RUN_CMD="scripts/qemu-boot.sh ... --window HOLD_IMAGE" window-cases.sh
#
# RUN_CMD's words are used as they are, with --firmware, --timeout and
# --qmp added after them (qemu-boot.sh takes an option's last value).
# Needs: the images RUN_CMD names (make), Xvfb (Debian's xvfb), QEMU's
# window back ends (qemu-system-gui), python3. UEFI=0 / BIOS=0 drop a
# firmware.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
out=${OUT:-build/tests/boot/window}
mkdir -p "$out"
screen=1280x1024x24
limit=60 # seconds for QEMU (qemu-boot.sh's timeout) and for the kernel to hold

firmwares=()
[[ ${UEFI:-1} != 0 ]] && firmwares+=(uefi)
[[ ${BIOS:-1} != 0 ]] && firmwares+=(bios)
if [[ -z ${RUN_CMD:-} ]]; then
    echo "FAIL: boot-window: RUN_CMD not set (run it as make suite-boot-window)"
    exit 1
fi
if ! command -v Xvfb >/dev/null; then
    echo "FAIL: boot-window: Xvfb not found: install the Debian package xvfb (scripts/deps.sh test)"
    exit 1
fi

# What one case started, ended on every exit path of its subshell. RUN_CMD
# runs in a session of its own (this script has no job control, so setsid
# does not fork: its pid is the group's), and qemu-boot.sh keeps QEMU in
# that group: TERM to the group reaches all of it.
xvfb_pid=
run_pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [[ -z $run_pid ]] || kill -TERM -- "-$run_pid" 2>/dev/null
    [[ -z $xvfb_pid ]] || kill "$xvfb_pid" 2>/dev/null
    wait
}
guard() {
    trap cleanup EXIT
    trap 'exit 1' INT TERM
}

# start_x NAME DIR: Xvfb on the first free display number, its screen kept
# as DIR/Xvfb_screen0; sets xvfb_pid and display. When it is not up within
# 10 s, prints case NAME's FAIL: line and returns 1.
start_x() {
    local name=$1 dir=$2 n
    : >"$dir/display"
    Xvfb -displayfd 3 -screen 0 "$screen" -fbdir "$dir" -nolisten tcp \
        3>"$dir/display" >"$dir/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for ((n = 0; n < 100; n++)); do
        # -displayfd writes the number, then a newline, once it accepts clients.
        if [[ $(wc -l <"$dir/display") -ge 1 ]]; then
            display=:$(head -n1 "$dir/display")
            return 0
        fi
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: $name: Xvfb did not start: $(tail -n1 "$dir/xvfb.log")"
    return 1
}

# grab DIR SERIAL: copies the X screen to DIR/screen.xwd and checks the
# picture on it against SERIAL, retried for up to 5 s while QEMU's window
# may still be appearing or repainting. Prints the checker's last words;
# its status.
grab() {
    local dir=$1 serial=$2 n why
    for ((n = 0; n < 15; n++)); do
        cp "$dir/Xvfb_screen0" "$dir/screen.xwd" &&
            why=$(python3 tests/boot/check-picture.py --locate "$serial" "$dir/screen.xwd" 2>&1) &&
            { echo "$why"; return 0; }
        sleep 0.3
    done
    echo "$why"
    return 1
}

# held LOG: the kernel's last line with mos.hold=1 (kernel/kmain.c) is in LOG.
held() {
    tr -d '\r' <"$1" | grep -q '^mos.hold=1: holding'
}

# window FW HOW: `make run`'s command on FW with a window on its own
# Xvfb, ended with HOW: quit (QMP) or interrupt (SIGINT to its group).
window() {
    local fw=$1 how=$2 dir=$out/$1 name=$1-window why rc n
    guard
    rm -rf "$dir"
    mkdir -p "$dir"
    : >"$dir/run.out"
    start_x "$name" "$dir" || return
    # shellcheck disable=SC2086 # RUN_CMD: words on purpose
    env -u WAYLAND_DISPLAY DISPLAY="$display" setsid $RUN_CMD --firmware "$fw" \
        --timeout "$limit" --qmp "$dir/qmp.sock" </dev/null >"$dir/run.out" 2>"$dir/run.err" &
    run_pid=$!
    for ((n = 0; n < 5 * limit; n++)); do
        held "$dir/run.out" && break
        kill -0 "$run_pid" 2>/dev/null || break
        sleep 0.2
    done
    if ! held "$dir/run.out"; then
        why=$(tail -qn2 "$dir/run.err" "$dir/run.out")
        echo "FAIL: $name: the kernel never held: ${why//$'\n'/; }"
        return
    fi
    if grep -q 'running without a window' "$dir/run.err"; then
        echo "FAIL: $name: no window: $(grep -m1 'without a window' "$dir/run.err")"
        return
    fi
    if ! why=$(grab "$dir" "$dir/run.out"); then
        echo "FAIL: $name: ${why//$'\n'/; } (screen: $dir/screen.xwd, serial: $dir/run.out)"
        return
    fi
    if [[ $how == quit ]]; then
        python3 scripts/qmp.py "$dir/qmp.sock" quit >/dev/null
    else
        kill -INT -- "-$run_pid"
    fi
    for ((n = 0; n < 50; n++)); do
        kill -0 -- "-$run_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 -- "-$run_pid" 2>/dev/null; then
        echo "FAIL: $name: the picture matched, but 5 s after $how QEMU or its script still ran"
        return
    fi
    wait "$run_pid" && rc=0 || rc=$?
    run_pid=
    if [[ $rc -ne 0 ]] || ! grep -q '^qemu-boot: the kernel reported PASS' "$dir/run.out"; then
        echo "FAIL: $name: the picture matched, but after $how make run's command said" \
            "'$(tail -n1 "$dir/run.out")' (status $rc)"
        return
    fi
    echo "PASS: $name (${why#ok: }; ended by $how: $(tail -n1 "$dir/run.out"))"
}

# no_window SERIAL: an X screen with no QEMU window on it must fail the
# check, naming the missing picture.
no_window() {
    local dir=$out/no-window name=check-rejects-no-window why
    guard
    rm -rf "$dir"
    mkdir -p "$dir"
    start_x "$name" "$dir" || return
    cp "$dir/Xvfb_screen0" "$dir/screen.xwd"
    if why=$(python3 tests/boot/check-picture.py --locate "$1" "$dir/screen.xwd" 2>&1); then
        echo "FAIL: $name: the check passed a screen with no window"
    elif grep -q 'no picture' <<<"$why"; then
        echo "PASS: $name"
    else
        echo "FAIL: $name: the check failed without naming the missing picture: ${why//$'\n'/; }"
    fi
}

cases=()
trap '[[ ${#cases[@]} -eq 0 ]] || kill "${cases[@]}" 2>/dev/null' EXIT
trap 'exit 1' INT TERM
for fw in "${firmwares[@]}"; do
    how=quit
    [[ $fw == bios || ${#firmwares[@]} -eq 1 ]] && how=interrupt
    window "$fw" "$how" >"$out/$fw.result" &
    cases+=($!)
done
wait
cases=()
status=0
for fw in "${firmwares[@]}"; do
    cat "$out/$fw.result"
    grep -q '^PASS: ' "$out/$fw.result" || status=1
done
serial=$out/${firmwares[0]}/run.out
if held "$serial"; then
    r=$(no_window "$serial")
else
    r="FAIL: check-rejects-no-window: no serial log of a held kernel in $serial"
fi
echo "$r"
[[ $r == PASS:* ]] || status=1
exit $status
