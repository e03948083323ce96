#!/usr/bin/env bash
# The DEBUG=1 build (allocation tracking) end to end: builds the loaders and
# the kernel with DEBUG=1 into their own tree (only what is needed: no host
# tools), checks both loaders still fit what the layout allows (112 KiB: the
# tracker does not fit the release budget of 96 KiB), boots the UEFI
# loader once and checks that the loader's and the kernel's allocation
# profiles are in the serial log with plausible numbers. One PASS:/FAIL:
# line per case.
#
#   debug-cases.sh
#
# DEBUG_BUILD (default build-debug) is the tree; OUT (default
# DEBUG_BUILD/tests/boot) holds the image and the serial log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

dbg=${DEBUG_BUILD:-build-debug}
out=${OUT:-$dbg/tests/boot}
efi=$dbg/boot/uefi/BOOTX64.EFI
kernel=$dbg/kernel/kernel.elf
stage2=$dbg/bios/stage2.bin
mkdir -p "$out"

# ---- build ----------------------------------------------------------------
# A make of its own (not the caller's jobserver): the DEBUG=1 objects
# cannot come from the same make run as the normal ones.
targets=("$efi" "$kernel")
bios=${BIOS:-1}
[[ $bios != 0 ]] && targets+=("$stage2" "$dbg/bios/stage1.bin" "$dbg/bin/mos-install")
start=$EPOCHREALTIME
if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -j2 DEBUG=1 BUILD="$dbg" "${targets[@]}" \
    >"$out/build.log" 2>&1; then
    echo "FAIL: debug-build: make DEBUG=1 failed (log: $out/build.log)"
    tail -n 20 "$out/build.log"
    exit 1
fi
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "PASS: debug-build (${secs} s)"

status=0
# DEBUG=1 carries the allocation tracker: it must fit what stage 1 loads
# (112 KiB), not the release budget (96 KiB, the size-* suites).
tests/boot/check-size.sh "$efi" 114688 || status=1
stage2_args=()
if [[ $bios != 0 ]]; then
    tests/boot/check-size.sh "$stage2" 114688 || status=1
    stage2_args=(--bios "$dbg/bin/mos-install")
fi

# ---- the profiles -------------------------------------------------------------
# Rows are "[INFO ] KIND   SITE (24 columns) ALLOCS FREES LIVE PEAK TOTAL",
# counts 8 columns wide, byte sizes 11 ("512 B", "1.50 MiB": cut, never
# rounded up, so their order is kept).

# Prints "allocs frees live peak total" (bytes as integers) of the first
# row of KIND and SITE in $clean.
row() {
    printf '%s\n' "$clean" | awk -v kind="$1" -v site="$2" '
        function bytes(t,   n, u) {
            n = split(t, f, " ")
            u = index("B  KiBMiBGiBTiB", f[2])
            return f[1] * 1024 ^ ((u - 1) / 3)
        }
        /^\[INFO \] / {
            line = substr($0, 9)
            k = substr(line, 1, 6); s = substr(line, 8, 24)
            sub(/ +$/, "", k); sub(/ +$/, "", s)
            if (k != kind || s != site) next
            printf "%d %d %.0f %.0f %.0f\n", substr(line, 33, 8), substr(line, 42, 8),
                bytes(substr(line, 51, 11)), bytes(substr(line, 63, 11)),
                bytes(substr(line, 75, 11))
            exit
        }'
}

# expect KIND SITE MIN_ALLOCS: the row exists, allocs >= MIN_ALLOCS, total
# bytes >= allocs, and live = total - freed bytes never exceeds the peak.
expect() {
    local r
    r=$(row "$1" "$2")
    if [[ -z "$r" ]]; then
        fails+=("no row '$1 $2'")
        return
    fi
    read -r allocs frees live peak total <<<"$r"
    ((allocs >= $3)) || fails+=("'$2': $allocs allocations, expected >= $3")
    ((total >= allocs && live <= peak && peak <= total)) ||
        fails+=("'$2': implausible bytes: live $live, peak $peak, total $total")
    ((frees == 0 || live == 0)) || fails+=("'$2': $frees frees but $live bytes still live")
}

kernel_bytes=$(stat -c %s "$kernel")
scripts/mkimage.sh "$out/debug.img" --efi "$efi" --cfg boot/boot.cfg --kernel "$kernel" \
    ${stage2_args[@]+"${stage2_args[@]}"} >/dev/null ||
    { echo "FAIL: debug-image: cannot build the image"; exit 1; }

# profile FIRMWARE: one boot, then both profiles checked.
profile() {
    local fw=$1 log=$out/debug-$1.serial
    tests/boot/boot-test.sh --name "debug-$fw" --image "$out/debug.img" --firmware "$fw" \
        --timeout 120 --log "$log" --expect boot_mode="$fw" \
        --expect-text "allocation profile: " --expect-range track_entries=1:16 || return 1
    clean=$(tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g')
    fails=()
    # Two profiles: the loader's before the jump, the kernel's before its MOS lines.
    n=$(printf '%s\n' "$clean" | grep -c '^\[INFO \] allocation profile: ')
    [[ $n -eq 2 ]] || fails+=("$n allocation profiles, expected 2 (loader and kernel)")
    # The loader: its placed ranges (kind "other") and the boot heap's
    # allocations (kind "heap", site "kernel"): the kernel file lives there.
    expect other "boot heap" 1
    expect other kernel 1
    expect other "kernel stack" 1
    expect other "frame bitmap" 1
    expect other "page tables" 1
    expect other handoff 1
    expect heap kernel 1
    # Its buffer is the file rounded up to 4 KiB (BC_FILE_ROOM, room the
    # front end may read into); sizes are printed cut to two decimals of
    # KiB: allow that 1%.
    read -r _ _ _ _ kf_total <<<"$(row heap kernel)"
    local kf_room=$(((kernel_bytes + 4095) / 4096 * 4096))
    ((${kf_total:-0} * 100 >= kf_room * 99 && ${kf_total:-0} <= kf_room)) ||
        fails+=("'kernel file': ${kf_total:-?} bytes, file is $kernel_bytes bytes, its buffer $kf_room")
    # The kernel: the heap tests, frames and the pool, all given back.
    expect heap kasprintf 1
    expect heap "kvec (vector growth)" 1
    expect bitmap "frames: single" 1
    expect pool "pool: 48-byte blocks" 1
    if [[ ${#fails[@]} -eq 0 ]]; then
        echo "PASS: debug-profile-$fw"
    else
        echo "FAIL: debug-profile-$fw: ${fails[*]} (serial log: $log)"
        return 1
    fi
}

profile uefi || status=1
if [[ $bios != 0 ]]; then
    profile bios || status=1
fi
exit $status
