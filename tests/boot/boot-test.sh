#!/usr/bin/env bash
# One QEMU boot test case, for either firmware. Boots IMAGE, captures COM1
# into a log and judges the run; prints exactly one line, "PASS: NAME" or
# "FAIL: NAME: why", and exits 0 or 1.
#
#   boot-test.sh --name NAME --image IMG [--firmware uefi|bios] [--mem 256M]
#                [--timeout SECONDS] [--log FILE]
#                [--expect-result PASS|FAIL|HALT]
#                [--expect KEY=VALUE]...       exact value of a "MOS KEY=VALUE" line
#                [--expect-range KEY=LO:HI]... LO <= value <= HI (integers, 0x.. ok)
#                [--expect-text TEXT]...       TEXT appears in the serial log
#                [--reject-text TEXT]...       TEXT does not appear in it
#                [--qemu-arg ARG]...           passed to QEMU (scripts/qemu-boot.sh)
#                [--machine TYPE[,OPTS]]       instead of q35 (qemu-boot.sh --machine)
#
# Results (the exit codes are the kernel's, kernel/exitcodes.h, and the
# loaders' "clean halt"):
#   PASS  QEMU status 33 and a line "MOS-RESULT: PASS"
#   FAIL  QEMU status 35 and a line "MOS-RESULT: FAIL ..."
#   HALT  the loader refused to boot and no MOS-RESULT line: QEMU status 0
#         on UEFI (the loader powered the machine off), 93 on BIOS (stage 2
#         wrote its loader-failed code 0x2e to isa-debug-exit); use
#         --expect-text for the message it must have printed
# A timeout (status 124) is always a failure: the timeout is only a safety net.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

name=
image=
firmware=uefi
mem=256M
timeout_s=60
log=
result=PASS
expects=()
ranges=()
texts=()
rejects=()
qemu_args=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --name) name=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --firmware) firmware=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --expect-result) result=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --expect-range) ranges+=("$2"); shift 2 ;;
    --expect-text) texts+=("$2"); shift 2 ;;
    --reject-text) rejects+=("$2"); shift 2 ;;
    --qemu-arg) qemu_args+=(--qemu-arg "$2"); shift 2 ;;
    --machine) qemu_args+=(--machine "$2"); shift 2 ;;
    *)
        echo "FAIL: ${name:-boot-test}: unknown argument $1"
        exit 1
        ;;
    esac
done
[[ -n "$name" ]] || name=$(basename "${image%.img}")
[[ -n "$log" ]] || log="${image%.img}-$name.serial"

# A failure names what qemu-boot.sh said went wrong before the guest ran
# (e.g. QEMU or a firmware not installed), if anything.
fail() {
    local host
    host=$(grep -m 1 '^qemu-boot: ' "$log.qemu" 2>/dev/null)
    echo "FAIL: $name: $*${host:+: $host} (serial log: $log)"
    exit 1
}

[[ -f "$image" ]] || fail "image $image missing"
mkdir -p "$(dirname "$log")"
: >"$log"
start=$EPOCHREALTIME
"$root/scripts/qemu-boot.sh" --image "$image" --firmware "$firmware" --mem "$mem" \
    --timeout "$timeout_s" --serial "$log" "${qemu_args[@]}" >"$log.qemu" 2>&1
rc=$?
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
# Serial logs have CRLF line ends and terminal escapes from the firmware.
clean=$(tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g')

value_of() {
    printf '%s\n' "$clean" | sed -n "s/^MOS $1=//p" | tail -n 1
}

case $result in
PASS) [[ $rc -eq 33 ]] || fail "QEMU exit status $rc, expected 33 (kernel PASS)"
    grep -q '^MOS-RESULT: PASS' <<<"$clean" || fail "no 'MOS-RESULT: PASS' line" ;;
FAIL) [[ $rc -eq 35 ]] || fail "QEMU exit status $rc, expected 35 (kernel FAIL)"
    grep -q '^MOS-RESULT: FAIL' <<<"$clean" || fail "no 'MOS-RESULT: FAIL' line" ;;
HALT) [[ $rc -ne 124 ]] || fail "timed out after ${timeout_s}s instead of halting"
    # UEFI loader: powers off (status 0). BIOS stage 2: writes its
    # loader-failed code 0x2e to isa-debug-exit (boot/bios/bios_layout.h).
    halt_rc=0
    [[ $firmware == bios ]] && halt_rc=$(((0x2e << 1) | 1))
    [[ $rc -eq $halt_rc ]] || fail "QEMU exit status $rc, expected $halt_rc (loader stopped)"
    grep -q '^MOS-RESULT:' <<<"$clean" && fail "the kernel ran, the loader should have refused" ;;
*) fail "bad --expect-result $result" ;;
esac

for kv in "${expects[@]}"; do
    key=${kv%%=*}
    want=${kv#*=}
    got=$(value_of "$key")
    [[ "$got" == "$want" ]] || fail "$key=$got, expected $want"
done
for kv in "${ranges[@]}"; do
    key=${kv%%=*}
    bounds=${kv#*=}
    lo=${bounds%%:*}
    hi=${bounds#*:}
    got=$(value_of "$key")
    [[ "$got" =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] || fail "$key='$got' is not a number"
    ((got >= lo && got <= hi)) || fail "$key=$got outside [$lo, $hi]"
done
for t in "${texts[@]}"; do
    grep -qF -- "$t" <<<"$clean" || fail "serial log lacks '$t'"
done
for t in "${rejects[@]}"; do
    grep -qF -- "$t" <<<"$clean" && fail "serial log has '$t'"
done
echo "PASS: $name (${secs} s)"
