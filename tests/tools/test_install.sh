#!/usr/bin/env bash
# mos-install on throwaway images: installs where it should, refuses what it
# must, and never changes the partition table. One PASS:/FAIL: line per case.
# usage: test_install.sh MOS_INSTALL STAGE1 STAGE2
set -uo pipefail
tool=$1 s1=$2 s2=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0

pass() { echo "PASS: $1"; }
failc() { echo "FAIL: $1${2:+ ($2)}"; fails=$((fails + 1)); }
run() { "$tool" "$@" --stage1 "$s1" --stage2 "$s2" >"$dir/out" 2>&1; }

# Bytes [off, off+len) of file $1 as hex.
bytes() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }
u16() { od -An -tu2 -j "$2" -N 2 "$1" | tr -d ' '; }
u64() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }

s2_sectors=$((($(stat -c %s "$s2") + 511) / 512))

# Little-endian 32-bit value as printf escapes.
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# Writes MBR partition slot 0 of image $1: type $3 from sector $2 to the end,
# and the 0x55AA signature (what fdisk would write; no CHS values).
mbr_part() {
    local total=$(($(stat -c %s "$1") / 512))
    printf "\\x00\\x00\\x00\\x00\\x$3\\x00\\x00\\x00$(le32 "$2")$(le32 $((total - $2)))" |
        dd of="$1" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$1" bs=1 seek=510 conv=notrunc status=none
}

# Stage 2 at LBA $2 of image $1 equals the stage 2 file, and stage 1's
# header points there.
installed_at() {
    [[ "$(u64 "$1" 11)" == "$2" && "$(u16 "$1" 19)" == "$s2_sectors" ]] || return 1
    cmp -s -n "$(stat -c %s "$s2")" <(tail -c +$(($2 * 512 + 1)) "$1") "$s2" || return 1
    local n=$(($(stat -c %s "$s1") - 21)) # stage 1 outside its patched header
    [[ "$(bytes "$1" 0 11)" == "$(bytes "$s1" 0 11)" && "$(bytes "$1" 21 $n)" == "$(bytes "$s1" 21 $n)" ]]
}

# --- GPT image with a BIOS boot partition, like build/multios.img
gpt=$dir/gpt.img
truncate -s 16M "$gpt"
sgdisk -n1:2048:4095 -t1:EF02 -n2:4096:0 -t2:EF00 "$gpt" >/dev/null
printf '\x12\x34\x56\x78' | dd of="$gpt" bs=1 seek=440 conv=notrunc status=none
tail_before=$(bytes "$gpt" 440 72)
gpt_before=$(bytes "$gpt" 512 $((33 * 512)))
backup_before=$(tail -c $((33 * 512)) "$gpt" | md5sum)
if run "$gpt" && installed_at "$gpt" 2048; then pass "gpt-installs-into-bios-boot-partition"; else failc "gpt-installs-into-bios-boot-partition" "$(cat "$dir/out")"; fi
if [[ "$(bytes "$gpt" 440 72)" == "$tail_before" && "$(bytes "$gpt" 512 $((33 * 512)))" == "$gpt_before" &&
    "$(tail -c $((33 * 512)) "$gpt" | md5sum)" == "$backup_before" ]]; then
    pass "gpt-table-and-disk-signature-untouched"
else
    failc "gpt-table-and-disk-signature-untouched"
fi
if sgdisk -v "$gpt" 2>&1 | grep -q "No problems found"; then pass "gpt-still-valid-for-sgdisk"; else failc "gpt-still-valid-for-sgdisk"; fi
if run "$gpt" && installed_at "$gpt" 2048; then pass "gpt-reinstall-idempotent"; else failc "gpt-reinstall-idempotent"; fi

# --- MBR disk: first partition at 2048, stage 2 goes to LBA 1
mbr=$dir/mbr.img
truncate -s 8M "$mbr"
mbr_part "$mbr" 2048 0c
tail_before=$(bytes "$mbr" 440 72)
if run "$mbr" && installed_at "$mbr" 1 && [[ "$(bytes "$mbr" 440 72)" == "$tail_before" ]]; then
    pass "mbr-installs-into-gap"
else
    failc "mbr-installs-into-gap" "$(cat "$dir/out")"
fi

# --- Refusals: exit status non-zero, a clear message, the file unchanged
refuses() { # name image expected-message-regex
    local sum
    sum=$(md5sum <"$2")
    if run "$2"; then
        failc "$1" "accepted"
    elif ! grep -Eq "$3" "$dir/out"; then
        failc "$1" "message: $(cat "$dir/out")"
    elif [[ "$(md5sum <"$2")" != "$sum" ]]; then
        failc "$1" "image modified"
    else
        pass "$1"
    fi
}

small=$dir/small-gap.img # first partition leaves one sector less than stage 2 needs
truncate -s 8M "$small"
mbr_part "$small" "$s2_sectors" 0c
refuses "mbr-gap-too-small" "$small" "no room"

noboot=$dir/noboot.img # GPT with only an ESP
truncate -s 8M "$noboot"
sgdisk -n1:2048:0 -t1:EF00 "$noboot" >/dev/null
refuses "gpt-without-bios-boot-partition" "$noboot" "BIOS boot partition"

smallbb=$dir/small-bb.img # BIOS boot partition smaller than stage 2
truncate -s 8M "$smallbb"
sgdisk -n1:2048:$((2048 + s2_sectors - 2)) -t1:EF02 -n2:4096:0 -t2:EF00 "$smallbb" >/dev/null
refuses "bios-boot-partition-too-small" "$smallbb" "no room"

noprot=$dir/noprot.img # GPT whose protective MBR was wiped
cp "$gpt" "$noprot"
dd if=/dev/zero of="$noprot" bs=1 seek=446 count=64 conv=notrunc status=none
refuses "gpt-without-protective-mbr" "$noprot" "protective MBR"

badgpt=$dir/badgpt.img # protective MBR, corrupted GPT header
cp "$gpt" "$badgpt"
printf 'X' | dd of="$badgpt" bs=1 seek=$((512 + 40)) conv=notrunc status=none
refuses "corrupt-gpt" "$badgpt" "invalid GPT"

garbage=$dir/garbage.img
head -c 1048576 /dev/urandom >"$garbage"
printf '\x00\x00' | dd of="$garbage" bs=1 seek=510 conv=notrunc status=none
refuses "garbage-file" "$garbage" "no MBR signature"

tiny=$dir/tiny.img
printf 'abc' >"$tiny"
refuses "tiny-file" "$tiny" "too small"

empty_mbr=$dir/empty.img # signature but no partitions
truncate -s 1M "$empty_mbr"
printf '\x55\xaa' | dd of="$empty_mbr" bs=1 seek=510 conv=notrunc status=none
refuses "mbr-without-partitions" "$empty_mbr" "without partitions"

big=$dir/big-stage2.bin # stage 2 over the 112 KiB stage 1 loads
head -c 120000 /dev/zero >"$big"
if "$tool" "$gpt" --stage1 "$s1" --stage2 "$big" >"$dir/out" 2>&1; then failc "stage2-too-large" "accepted"; elif grep -q "larger than" "$dir/out"; then pass "stage2-too-large"; else failc "stage2-too-large" "$(cat "$dir/out")"; fi

if "$tool" "$dir/missing.img" --stage1 "$s1" --stage2 "$s2" >"$dir/out" 2>&1; then failc "missing-image" "accepted"; elif grep -q "cannot open" "$dir/out"; then pass "missing-image"; else failc "missing-image"; fi

exit $((fails != 0))
