#!/usr/bin/env bash
# Checks the shape of the demo kernel image that loaders rely on: an
# x86-64 EXEC ELF64 whose program headers are only PT_LOAD segments,
# page-aligned, never writable and executable at once, in the higher half,
# with the entry point inside the executable segment and no relocations.
# Prints one PASS:/FAIL: line per property.
set -uo pipefail
elf=$1
readelf=${READELF:-llvm-readelf}
fails=0
result() { # name ok(0/1) detail
    if [[ $2 -eq 0 ]]; then echo "PASS: kernel-elf $1"; else echo "FAIL: kernel-elf $1: $3"; fails=1; fi
}

hdr=$($readelf -h "$elf") || { echo "FAIL: kernel-elf readable: $elf"; exit 1; }
grep -q 'Class:.*ELF64' <<<"$hdr" && grep -q 'Type:.*EXEC' <<<"$hdr" &&
    grep -q 'Machine:.*X86-64' <<<"$hdr"
result "elf64-exec-x86_64" $? "$(grep -E 'Class|Type|Machine' <<<"$hdr" | tr -s ' ')"

entry=$(awk '/Entry point address/ {print $4}' <<<"$hdr")
# Program headers as "type offset vaddr filesz memsz flags".
phdrs=$($readelf -lW "$elf" | awk '/^  [A-Z_]+ +0x/ {
    flags = ""; for (i = 7; i < NF; i++) flags = flags $i; print $1, $2, $3, $5, $6, flags }')

nonload=$(awk '$1 != "LOAD"' <<<"$phdrs")
[[ -z "$nonload" && -n "$phdrs" ]]
result "only-pt-load" $? "${nonload:-no program headers}"

bad=""
exec_hit=1
while read -r type off vaddr filesz memsz flags; do
    [[ $type == LOAD ]] || continue
    (( (off & 0xfff) == 0 && (vaddr & 0xfff) == 0 )) || bad+=" unaligned@$vaddr"
    [[ $flags == *W* && $flags == *E* ]] && bad+=" wx@$vaddr"
    # Top 2 GiB (bash arithmetic is signed, so compare the text).
    [[ ${vaddr,,} =~ ^0xffffffff[89a-f] ]] || bad+=" low@$vaddr"
    if [[ $flags == *E* ]] && (( entry >= vaddr && entry < vaddr + memsz )); then exec_hit=0; fi
done <<<"$phdrs"
[[ -z "$bad" ]]
result "segments-aligned-wx-higher-half" $? "$bad"
result "entry-in-text" $exec_hit "entry $entry"

$readelf -rW "$elf" | grep -q 'There are no relocations'
result "no-relocations" $? "$($readelf -rW "$elf" | head -3)"
exit $fails
