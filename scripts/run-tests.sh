#!/usr/bin/env bash
# Runs test suites listed one per line as "name<TAB>command" in file $1,
# counts cases and ends with the line "N passed, N failed".
#
# Counting, per suite output:
#   - cmocka summaries "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)";
#   - otherwise lines starting "PASS: " / "FAIL: " (one case each);
#   - otherwise the whole suite is one case, judged by its exit code.
# A suite that exits non-zero without reporting a failure counts one more
# failure, so a crash is never silent.
set -uo pipefail

list=$1
logdir=$(dirname "$list")/test-logs
mkdir -p "$logdir"
total_pass=0
total_fail=0
failed_suites=()

while IFS=$'\t' read -r name cmd; do
    [[ -z "$name" ]] && continue
    log="$logdir/$name.log"
    echo "=== $name"
    bash -c "$cmd" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    if [[ $p -eq 0 && $f -eq 0 ]]; then
        p=$(grep -c '^PASS: ' "$log")
        f=$(grep -c '^FAIL: ' "$log")
        if [[ $p -eq 0 && $f -eq 0 ]]; then
            if [[ $rc -eq 0 ]]; then p=1; else f=1; fi
        fi
    fi
    if [[ $rc -ne 0 && $f -eq 0 ]]; then
        echo "FAIL: $name exited with status $rc"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    [[ $f -ne 0 ]] && failed_suites+=("$name")
    echo "--- $name: $p passed, $f failed (exit $rc)"
done <"$list"

if [[ ${#failed_suites[@]} -ne 0 ]]; then
    echo "failed suites: ${failed_suites[*]} (logs in $logdir)"
fi
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 && $((total_pass + total_fail)) -gt 0 ]]
