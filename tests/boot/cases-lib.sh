# Shared by the *-cases.sh boot suites (sourced, not run): case table,
# --only selection and a runner that boots JOBS cases at a time through
# tests/boot/boot-test.sh and prints their PASS:/FAIL: lines in order;
# for suites that run and judge their cases themselves (menu-cases.sh,
# chainload-payloads.sh), `selected`, `verdict` and `has`.
#
# The sourcing script sets `firmware` (its default), calls
# cases_args "$@" (--jobs N, --firmware F, --only NAME...), sets `out` (work
# directory), calls add NAME [boot-test.sh options...] for each case, then
# run_cases.

names=()
declare -A case_args
jobs=${JOBS:-2}
only=()

cases_args() {
    while [[ $# -gt 0 ]]; do
        case $1 in
        --jobs) jobs=$2; shift 2 ;;
        --firmware) firmware=$2; shift 2 ;;
        --only) shift; only=("$@"); break ;;
        *) echo "usage: $0 [--jobs N] [--firmware uefi|bios] [--only NAME...]" >&2; exit 2 ;;
        esac
    done
}

# A config file = the default boot.cfg plus extra lines; prints its path.
cfg_with() {
    local file=$out/$1.cfg
    shift
    { cat boot/boot.cfg; printf '%s\n' "$@"; } >"$file"
    echo "$file"
}

# big_kernel KERNEL: KERNEL padded to 8 MiB by a section no segment loads
# (as a debug build's DWARF) in $out/big-kernel.elf; prints the path. A
# kernel file above 4 MiB is read segment by segment, so the boot heap
# holds its first 64 KiB, not the file.
big_kernel() {
    head -c $((8 << 20)) < <(yes 'not loaded') >"$out/big-kernel.pad"
    llvm-objcopy --add-section .debug_pad="$out/big-kernel.pad" "$1" "$out/big-kernel.elf"
    echo "$out/big-kernel.elf"
}

# cfg_of_size NAME BYTES: boot/boot.cfg padded with comment lines to
# exactly BYTES bytes in $out/NAME.cfg (BYTES at least its size plus a
# line); prints the path.
cfg_of_size() {
    local file=$out/$1.cfg line='# padding to a boot.cfg of a given size'
    local left=$(($2 - $(stat -c %s boot/boot.cfg)))
    local lines=$(((left - 2) / (${#line} + 1))) i
    {
        cat boot/boot.cfg
        for ((i = 0; i < lines; i++)); do echo "$line"; done
        printf '%*s\n' $((left - lines * (${#line} + 1) - 1)) '' | tr ' ' '#'
    } >"$file"
    echo "$file"
}

add() {
    local name=$1
    shift
    names+=("$name")
    case_args[$name]=$(printf '%q ' "$@")
}

selected() {
    [[ ${#only[@]} -eq 0 ]] && return 0
    local n
    for n in "${only[@]}"; do [[ "$1" == "$n" ]] && return 0; done
    return 1
}

# verdict NAME OK(0/1) WHY: the case's PASS:/FAIL: line (a FAIL names its
# serial log, $out/NAME.serial); a FAIL sets status=1. Checks are
# `cond && cond && ok=0` lists: under set -e a failing last command of a
# list would end the script.
verdict() {
    if [[ $2 -eq 0 ]]; then
        echo "PASS: $1"
    else
        echo "FAIL: $1: $3 (serial log: $out/$1.serial)"
        status=1
    fi
}

# has FILE TEXT: the serial log holds TEXT (fixed string).
has() { grep -qF -- "$2" "$1"; }

run_cases() {
    local pids=() results=() i=0 name res status=0
    for name in "${names[@]}"; do
        selected "$name" || continue
        res=$out/$name.result
        eval "tests/boot/boot-test.sh --name $name --firmware $firmware --timeout 120 \
            --log $out/$name.serial ${case_args[$name]}" >"$res" 2>&1 &
        pids+=($!)
        results+=("$res")
        i=$((i + 1))
        if ((i % jobs == 0)); then
            wait "${pids[@]}"
            pids=()
        fi
    done
    wait
    for res in "${results[@]}"; do
        cat "$res"
        grep -q '^PASS: ' "$res" || status=1
    done
    return $status
}
