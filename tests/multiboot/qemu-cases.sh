#!/usr/bin/env bash
# Boots the Multiboot 1 test kernels with QEMU's built-in Multiboot loader
# (-kernel, modules through -initrd, command line through -append), one
# PASS:/FAIL: line per case. Proves the kernels and their checker against a
# loader that is not ours; QEMU, like GRUB, reports the kernel and modules
# as available memory, so those cases pass strict=0 and one case checks
# that strict mode catches exactly that.
#
#   qemu-cases.sh DIR   (DIR holds mb1.elf and mb1_aout.elf)
set -euo pipefail

dir=${1:?usage: $0 DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

head -c 10000 /dev/urandom >"$work/mod0.bin"
printf 'second module\n' >"$work/mod1.txt"

# zlib CRC-32 of a file, as the gzip trailer carries it (0x%08x form
# without leading zeros, as the kernel prints it).
crc32() {
    local hex
    hex=$(gzip -c "$1" | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n')
    printf '0x%x' "$((16#$hex))"
}

# boot NAME KERNEL APPEND: serial log in $work/NAME.log, QEMU status in rc.
boot() {
    local rc=0
    (cd "$work" && timeout 30 qemu-system-x86_64 -nodefaults -machine q35 -m 128M \
        -display none -no-reboot -net none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "file:$work/$1.log" -kernel "$2" \
        -initrd "mod0.bin first module args,mod1.txt" -append "$3") || rc=$?
    echo "$rc"
}

# expect NAME LINE...: every LINE must appear in the log.
expect() {
    local name=$1 line missing=()
    shift
    for line in "$@"; do
        grep -qxF -- "$line" <<<"$(tr -d '\r' <"$work/$name.log")" || missing+=("$line")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "PASS: $name"
    else
        echo "FAIL: $name: missing '${missing[0]}' (log: $(tr -d '\r' <"$work/$name.log" | tail -3 | tr '\n' '|'))"
        status=1
    fi
}

crc0=$(crc32 "$work/mod0.bin")
crc1=$(crc32 "$work/mod1.txt")
for k in mb1 mb1_aout; do
    rc=$(boot "$k" "$(realpath "$dir/$k.elf")" "strict=0 console=com1 mb-test")
    if [[ $rc -ne 33 ]]; then
        echo "FAIL: $k: QEMU status $rc, want 33 (PASS)"
        status=1
        continue
    fi
    expect "$k" "MB magic=0x2badb002" "MB result=PASS" "MB mods=2" \
        "MB cmdline=$(realpath "$dir/$k.elf") strict=0 console=com1 mb-test" \
        "MB mod0.cmdline=mod0.bin first module args" "MB mod0.size=10000" "MB mod0.crc32=$crc0" \
        "MB mod1.cmdline=mod1.txt" "MB mod1.crc32=$crc1" "MB loader=qemu"
done

# Strict mode (our loader's promise) fails under QEMU's loader.
rc=$(boot strict "$(realpath "$dir/mb1.elf")" "console=com1")
if [[ $rc -ne 35 ]]; then
    echo "FAIL: strict: QEMU status $rc, want 35 (FAIL)"
    status=1
else
    expect strict "MB fail=kernel, module or info inside an available range" "MB result=FAIL"
fi
exit $status
