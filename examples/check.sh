#!/usr/bin/env bash
# Runs every example (one per examples/<name>.c, built into BIN_DIR) and
# checks that it exits 0 and prints the line that shows it did its job.
# One PASS:/FAIL: line per example; an example with no expected line here
# fails too, so a new example gets a check when it is added.
#
#   examples/check.sh BIN_DIR
set -uo pipefail

bin_dir=${1:?usage: $0 BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)

# name -> extended regex one output line must match.
declare -A expect=(
    [bios_detection]='^validate: ok$'
    [bitmap]='^  frame at 2 MiB is used$'
    [boot_heap]='^with a refill, 40 KiB, 30 KiB: MM_OK, MM_OK$'
    [demo]='^\[INFO \] mm init: done$'
    [pools]='^  a new allocation reuses a freed block: yes$'
    [statistics]='^\[INFO \] pool: 64-byte blocks, 100 of [0-9]+ in use'
    [uefi_detection]='^== after ExitBootServices, sanitized \(15 descriptors -> [0-9]+ entries'
)

status=0
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    exe=$bin_dir/$name
    if [[ -z "${expect[$name]:-}" ]]; then
        echo "FAIL: example-$name: no expected output line in examples/check.sh"
        status=1
        continue
    fi
    if [[ ! -x "$exe" ]]; then
        echo "FAIL: example-$name: $exe not built"
        status=1
        continue
    fi
    out=$(timeout 30 "$exe" 2>&1)
    rc=$?
    if ((rc != 0)); then
        echo "FAIL: example-$name: exit status $rc"
        printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /'
        status=1
    elif ! grep -Eq -- "${expect[$name]}" <<<"$out"; then
        echo "FAIL: example-$name: no line matching '${expect[$name]}'"
        status=1
    else
        echo "PASS: example-$name"
    fi
done
exit $status
