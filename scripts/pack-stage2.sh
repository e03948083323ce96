#!/usr/bin/env bash
# Packs stage 2 (boot/bios/unpack.h): the flat image of ELF up to
# __payload_start stays as it is, the rest (the body) becomes a packed
# body (boot/common/pack.h, written by MOS_PACK), and the header field at
# STAGE2_OFF_PACKED gets its length. Refuses an output stage 1 cannot load.
#
#   pack-stage2.sh STAGE2_ELF OUT_BIN MOS_PACK
set -euo pipefail
elf=$1
out=$2
mos_pack=$3
layout=$(dirname "$0")/../boot/bios/bios_layout.h

define() { awk -v n="$1" '$1 == "#define" && $2 == n { print $3 }' "$layout"; }
base=$(($(define STAGE2_ADDR)))
off_packed=$(($(define STAGE2_OFF_PACKED)))
max=$(($(define STAGE2_MAX_BYTES)))

symbol() { llvm-nm "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
payload=$(($(symbol __payload_start) - base))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

llvm-objcopy -O binary "$elf" "$tmp/flat"
head -c "$payload" "$tmp/flat" >"$tmp/head"
tail -c +$((payload + 1)) "$tmp/flat" >"$tmp/body"
"$mos_pack" "$tmp/body" "$tmp/body.pack" >/dev/null
packed=$(stat -c %s "$tmp/body.pack")
le32() { printf "\\\\x%02x\\\\x%02x\\\\x%02x\\\\x%02x" $(($1 & 255)) $(($1 >> 8 & 255)) \
    $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
printf "$(le32 "$packed")" | dd of="$tmp/head" bs=1 seek="$off_packed" conv=notrunc status=none
cat "$tmp/head" "$tmp/body.pack" >"$tmp/out"
size=$(stat -c %s "$tmp/out")
if ((size > max)); then
    echo "pack-stage2: $size bytes packed, stage 1 loads at most $max" >&2
    exit 1
fi
mv "$tmp/out" "$out"
echo "pack-stage2: $(stat -c %s "$tmp/flat") bytes -> $size ($payload head + $packed packed body)"
