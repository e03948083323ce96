#!/usr/bin/env bash
# CHECK suite for build/bin/mos-memmap: sample inputs in tests/tools/data/
# against expected outputs (verified by hand), plus properties that hold for
# any input. One PASS:/FAIL: line per case.
#   usage: test_memmap.sh path/to/mos-memmap
set -uo pipefail

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$(cd "$(dirname "$0")/data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$data" || exit 1

pass() { echo "PASS: memmap-$1"; }
fail() { echo "FAIL: memmap-$1: $2"; }

# expect NAME EXIT_CODE EXPECTED_STDOUT_FILE [EXPECTED_STDERR_FILE] -- ARGS...
# EXPECTED files are relative to tests/tools/data; '-' means "not checked".
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [[ $rc -ne $want_rc ]]; then
        fail "$name" "exit $rc, expected $want_rc; stderr: $(head -c 300 "$tmp/err")"
    elif [[ $want_out != - ]] && ! diff -u "$want_out" "$tmp/out" >"$tmp/diff"; then
        fail "$name" "stdout differs from $want_out:"
        sed 's/^/    /' "$tmp/diff" | head -40
    elif [[ $want_err != - ]] && ! diff -u "$want_err" "$tmp/err" >"$tmp/diff"; then
        fail "$name" "stderr differs from $want_err:"
        sed 's/^/    /' "$tmp/diff" | head -40
    else
        pass "$name"
    fi
}

# Report, plain and check output of every sample, by hand-verified files.
expect seabios-report 0 expected/seabios-new.report - -- seabios-new.dmesg
expect seabios-plain 0 expected/seabios-new.plain - -- --plain seabios-new.dmesg
expect seabios-stdin 0 expected/seabios-new.plain - -- --plain - <seabios-new.dmesg
expect seabios-check 1 expected/seabios-new.check - -- --check seabios-new.dmesg
expect old-e820-report 0 expected/old-e820.report - -- old-e820.dmesg
expect e820-types-crlf 0 expected/e820-types.report /dev/null -- e820-types.dmesg
expect ovmf-efi-report 0 expected/ovmf-efi.report expected/ovmf-efi.err -- ovmf-efi.dmesg
expect ovmf-q35-real-report 0 expected/ovmf-q35-real.report /dev/null -- ovmf-q35-real.dmesg
expect old-efi-plain 0 expected/old-efi.plain - -- --plain old-efi.dmesg
expect plain-report 0 expected/plain.report - -- plain.txt
expect broken-check 1 expected/broken.check - -- --check broken.dmesg
expect broken-plain 0 expected/broken.plain - -- --plain broken.dmesg
# An inclusive end of 0xffffffffffffffff (newer kernels) means [base, 2^64):
# reported as one wrap clipped at 2^64 - 1, never as bytes trimmed from a
# reserved range; a usable one loses the rest of its last frame as trimmed.
expect top-of-memory-report 0 expected/top-of-memory.report /dev/null -- top-of-memory.dmesg
expect top-of-memory-check 1 expected/top-of-memory.check - -- --check top-of-memory.dmesg
expect top-usable-efi-report 0 expected/top-usable-efi.report /dev/null -- top-usable-efi.dmesg
expect frame-8k-plain 0 expected/seabios-new.plain8k - -- --plain --frame-size 8192 seabios-new.dmesg

# Bad input: a clear message and exit 2, never a crash.
expect malformed 2 /dev/null expected/malformed.err -- malformed.dmesg
expect no-map 2 /dev/null expected/no-map.err -- no-map.txt
expect missing-file 2 /dev/null - -- does-not-exist.dmesg
expect bad-option 2 /dev/null - -- --frobnicate seabios-new.dmesg
expect bad-frame-size 2 /dev/null - -- --frame-size 3000 seabios-new.dmesg

# A sanitized map read back is sanitized: --check passes, --plain is stable.
"$bin" --plain broken.dmesg >"$tmp/round1.txt"
expect round-trip-check 0 - - -- --check "$tmp/round1.txt"
expect round-trip-plain 0 "$tmp/round1.txt" - -- --plain "$tmp/round1.txt"

# No fixed entry cap: 5,000 alternating entries survive one by one.
awk 'BEGIN { for (i = 0; i < 5000; i++)
    printf "0x%x 0x%x %s\n", i * 8192, i * 8192 + 8192, (i % 2 ? "reserved" : "usable") }' \
    >"$tmp/many.txt"
"$bin" --plain "$tmp/many.txt" >"$tmp/many.out" 2>&1
if [[ $(wc -l <"$tmp/many.out") -eq 5000 &&
      $(tail -n 1 "$tmp/many.out") == "0x000000000270e000 0x0000000002710000 reserved" ]]; then
    pass many-entries
else
    fail many-entries "expected 5000 entries, got $(wc -l <"$tmp/many.out")"
fi

# Arbitrary bytes (the tool's own binary) are bad input or no map, never a crash.
"$bin" "$bin" >/dev/null 2>&1
rc=$?
if [[ $rc -eq 0 || $rc -eq 2 ]]; then pass binary-junk; else fail binary-junk "exit $rc"; fi

# --svg: the same report on stdout, and one bar per sanitized entry, in map
# order, titled with the entry's type and labelled with its base.
svg_case() {
    local name=$1 input=$2
    "$bin" --plain "$input" >"$tmp/$name.plain"
    "$bin" --svg "$tmp/$name.svg" "$input" >"$tmp/$name.out" 2>/dev/null
    local rc=$?
    "$bin" "$input" >"$tmp/$name.want" 2>/dev/null
    local want_types got_types want_bases got_bases
    want_types=$(awk '{ print $3 }' "$tmp/$name.plain")
    got_types=$(sed -n 's/.*class="bar".*<title>\(.*\)<\/title>.*/\1/p' "$tmp/$name.svg")
    want_bases=$(awk '{ print substr($1, 7) }' "$tmp/$name.plain")
    got_bases=$(sed -n 's/.*preserve">0x\([0-9a-f]\{12\}\) .*/\1/p' "$tmp/$name.svg")
    if [[ $rc -ne 0 ]]; then
        fail "$name" "exit $rc"
    elif ! cmp -s "$tmp/$name.out" "$tmp/$name.want"; then
        fail "$name" "stdout changed by --svg"
    elif [[ $(head -c 4 "$tmp/$name.svg") != "<svg" || $(tail -n 1 "$tmp/$name.svg") != "</svg>" ]]; then
        fail "$name" "not an <svg> document"
    elif [[ $got_types != "$want_types" ]]; then
        fail "$name" "bar types differ from the map: $(echo $got_types)"
    elif [[ $got_bases != "$want_bases" ]]; then
        fail "$name" "labels differ from the map bases: $(echo $got_bases)"
    else
        pass "$name"
    fi
}
svg_case svg-seabios seabios-new.dmesg
svg_case svg-ovmf-q35 ovmf-q35-real.dmesg
expect svg-unwritable 2 - - -- --svg "$tmp/no/such/dir.svg" seabios-new.dmesg
# The title (the input's name) is XML-escaped.
cp seabios-new.dmesg "$tmp/a&b<c>.dmesg"
"$bin" --svg "$tmp/esc.svg" "$tmp/a&b<c>.dmesg" >/dev/null 2>&1
if grep -q 'a&amp;b&lt;c&gt;.dmesg: 7 entries</text>' "$tmp/esc.svg" && ! grep -q 'a&b' "$tmp/esc.svg"; then
    pass svg-escaped-title
else
    fail svg-escaped-title "title not escaped: $(grep -m1 entries "$tmp/esc.svg")"
fi
