#!/usr/bin/env bash
# CHECK suite for tests/boot/linux-check.sh: Linux's e820 (a SeaBIOS boot
# of Debian's kernel by QEMU's own loader) against loader maps logged in
# both forms, one that matches and one real BIOS loader log that does not
# (its firmware reported a different top of RAM, and the loader keeps page
# 0 reserved). One PASS:/FAIL: line per case.
#   usage: test_linux_check.sh path/to/mos-memmap
set -uo pipefail

memmap=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
check=$here/../boot/linux-check.sh
data=$here/data/linux-check
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case NAME EXIT_CODE WANT (a line the output must hold, or a file with the
# whole expected output) -- ARGS...
case_() {
    local name=$1 want_rc=$2 want=$3
    shift 4
    "$check" --mos-memmap "$memmap" "$@" >"$tmp/out" 2>&1
    local rc=$?
    if [[ $rc -ne $want_rc ]]; then
        echo "FAIL: linux-check-$name: exit $rc, expected $want_rc"
        sed 's/^/    /' "$tmp/out" | head -20
    elif [[ -f $want ]] && ! diff -u "$want" "$tmp/out" >"$tmp/diff"; then
        echo "FAIL: linux-check-$name: output differs from $want"
        sed 's/^/    /' "$tmp/diff" | head -20
    elif [[ ! -f $want ]] && ! grep -qxF -- "$want" "$tmp/out"; then
        echo "FAIL: linux-check-$name: no line '$want' in the output"
        sed 's/^/    /' "$tmp/out" | head -20
    else
        echo "PASS: linux-check-$name"
    fi
}

linux=$data/seabios-linux.log
case_ mm-log-form 0 "PASS: Linux's e820 has exactly the loader's 2 usable ranges" -- \
    "$linux" "$data/mm-log-match.log"
case_ loader-form 0 "PASS: Linux's e820 has exactly the loader's 2 usable ranges" -- \
    "$linux" "$data/loader-form-match.log"
case_ real-bios-differs 1 "$data/bios-loader.expected" -- "$linux" "$data/bios-loader.log"
case_ no-e820 1 "FAIL: no BIOS-e820 lines in $data/mm-log-match.log" -- \
    "$data/mm-log-match.log" "$data/mm-log-match.log"
case_ no-map 1 "FAIL: no logged memory map in $linux" -- "$linux" "$linux"
case_ usage 2 "usage: $check [--mos-memmap PATH] LINUX_SERIAL_LOG LOADER_LOG" -- "$linux"
