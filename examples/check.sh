#!/usr/bin/env bash
# Runs every example (one per examples/<name>.c, built into BIN_DIR) and
# checks that it exits 0 and prints the lines that show it did its job:
# each expected line carries values worked out by hand from the sample maps
# in examples/example.h (128 MiB guest), so a wrong size, address or count
# fails. One PASS:/FAIL: line per example; an example with no expected lines
# here fails too, so a new example gets a check when it is added.
#
#   examples/check.sh BIN_DIR
set -uo pipefail

bin_dir=${1:?usage: $0 BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)

# name -> extended regexes, one per line; every one must match a line of the
# output. Where the numbers come from:
#   E820 sample: usable [0, 0x9fc00) aligned to [0, 0x9f000) (3072 bytes
#     trimmed) and [1 MiB, 0x7fd0000) (the overlapping reserved entry cuts
#     it): 0x7f6f000 bytes = 127.43 MiB = 32623 frames.
#   OVMF sample after ExitBootServices: conventional + boot-services ranges,
#     640 KiB + 7 MiB + 32 KiB + 87 MiB + 21 MiB + 5.81 MiB = 121.46 MiB =
#     31096 frames; loader code/data 1 + 2 MiB bootloader-reclaimable.
#   Allocations are lowest-first, so addresses follow from those ranges.
declare -A expect=(
    [bios_detection]='^9 entries in, 7 out: 1 empty dropped, 2 overlaps resolved, 0 merged, 3072 bytes trimmed$
^\[INFO \]   \[0x000000100000 - 0x000007fd0000\)  126\.81 MiB  usable$
^validate: ok$
^usable RAM: 127\.43 MiB, highest usable address 0x7fd0000$'
    [bitmap]='^  stats: 32623 usable frames, 32623 free, 0 used,
^  alloc 512 frames aligned to 2 MiB +-> 0x200000$
^  alloc 4 frames below 1 MiB +-> 0x2000$
^  free it again \(double free\) +-> MM_ERR_DOUBLE_FREE$
^  free a frame of the BIOS ROM \(not RAM\) +-> MM_ERR_NOT_USABLE$
^  frame at 2 MiB is used$'
    [boot_heap]='^  100 bytes aligned to 4096 -> offset  4096$
^a 100 KiB request does not fit: MM_ERR_OUT_OF_MEMORY$
^with a refill, 40 KiB, 30 KiB: MM_OK, MM_OK$
^  stats: size 131072, used 0, free 131072, .*, 2 regions$'
    [demo]='^sanitized: 9 entries in, 7 out \(1 empty dropped, 2 overlaps resolved, 3072 bytes trimmed\)$
^\[INFO \] memory map, 7 entries:$
^usable RAM: 127\.43 MiB, highest usable address 0x7fd0000$
^16 frames aligned to 64 KiB at 0x10000$
^freeing the 2 low frames again: MM_ERR_DOUBLE_FREE$
^heap: size 65536, used 4196, peak 36968, 3 allocations, 1 regions$
^heap: size 172032, used 167952, peak 167952, 4 allocations, 2 regions$
^pool: peak 200 blocks in 3 frames \(\+1 directory\), 4 frames released$
^bitmap: 32623 usable frames, 32581 free, 42 used$'
    [pools]='^  after 300 allocations: +blocks 300/336 in use .* 4 frames; bitmap free frames 32618$
^  a new allocation reuses a freed block: yes$
^  freeing a stack address: +MM_ERR_FOREIGN_POINTER$
^  at the end: +blocks 0/0 in use .* bitmap free frames 32623$'
    [statistics]='^\[INFO \]   \[0x000000100000 - 0x000000200000\)       1 MiB  boot-heap$
^\[INFO \]   \[0x000000200000 - 0x000000300000\)       1 MiB  kernel$
^\[INFO \]   usable +119\.46 MiB in 6 entries$
^\[INFO \] frame bitmap: [0-9]+ frames of 4096 bytes, 31096 usable, 30581 free \(119\.45 MiB\), 515 used,
^\[INFO \] boot heap: 1 MiB at 0x100000, used 80\.29 KiB, .*, 21 allocations, 0 failures,
^\[INFO \] pool: 64-byte blocks, 100 of [0-9]+ in use,
^\[INFO \] bitmap kernel stack +1 +1 +0 B +4 KiB +4 KiB$'
    [uefi_detection]='^== after ExitBootServices, sanitized \(15 descriptors -> 15 entries, 0 merged\)$
^\[INFO \]   \[0x000000900000 - 0x000006000000\)      87 MiB  usable$
^  usable +121\.46 MiB$
^  bootloader-reclaimable +3 MiB$'
)

# Prints each regex of $2 (one per line) that matches no line of $1.
unmatched() {
    local out=$1 re
    while IFS= read -r re; do
        grep -Eq -- "$re" <<<"$out" || printf '%s\n' "$re"
    done <<<"$2"
}

status=0
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    exe=$bin_dir/$name
    if [[ -z "${expect[$name]:-}" ]]; then
        echo "FAIL: example-$name: no expected output lines in examples/check.sh"
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
    missing=$(unmatched "$out" "${expect[$name]}")
    if ((rc != 0)); then
        echo "FAIL: example-$name: exit status $rc"
        printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /'
        status=1
    elif [[ -n "$missing" ]]; then
        echo "FAIL: example-$name: no line matching:"
        printf '%s\n' "$missing" | sed 's/^/    /'
        status=1
    else
        echo "PASS: example-$name"
    fi
done
exit $status
