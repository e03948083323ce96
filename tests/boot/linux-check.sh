#!/usr/bin/env bash
# Checks that Linux saw every byte the loader's map calls usable: the
# usable ranges of Linux's "BIOS-e820:" lines in a serial log against the
# map the loader logged. A logged map is a run of consecutive lines holding
# "[0xSTART, 0xEND) TYPE" (the loaders' form, anything may follow) or
# "[0xSTART - 0xEND) SIZE TYPE" (lib/mm's mm_log_map); the type is the
# first all-lower-case word after the range and must be an mm type name
# (other bracketed ranges in the log are not map lines). The last such run
# is used.
#
#   linux-check.sh [--mos-memmap PATH] LINUX_SERIAL_LOG LOADER_LOG
#
# The loader's map is converted by the rule of bc_linux_e820_type()
# (boot/common/linux.h): every loader-owned type counts as usable, since
# Linux is given those ranges as RAM. Both sides are parsed and sanitized
# by mos-memmap (4 KiB frames), so e820's byte-granular ends compare with
# the loader's frame-aligned ones. Both logs may be the same file (a loader
# that logs its map on the serial line Linux later uses).
# Exit 0 and "PASS:" when the usable ranges are identical, 1 and "FAIL:"
# with a diff otherwise, 2 for bad input.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
memmap=${MOS_MEMMAP:-$here/../../build/bin/mos-memmap}
if [[ ${1:-} == --mos-memmap ]]; then
    memmap=$2
    shift 2
fi
if [[ $# -ne 2 || ! -r $1 || ! -r $2 ]]; then
    echo "usage: $0 [--mos-memmap PATH] LINUX_SERIAL_LOG LOADER_LOG" >&2
    exit 2
fi
[[ -x $memmap ]] || { echo "linux-check: $memmap missing (make build/bin/mos-memmap)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Linux's side: only the BIOS-e820 lines (the loader's own log lines in a
# shared serial log are not e820 lines and are skipped by mos-memmap).
tr -d '\r' <"$1" | grep 'BIOS-e820:' >"$tmp/e820.log" || true
if [[ ! -s $tmp/e820.log ]]; then
    echo "FAIL: no BIOS-e820 lines in $1"
    exit 1
fi
"$memmap" --plain "$tmp/e820.log" | awk '$3 == "usable" { print $1, $2 }' >"$tmp/linux.txt"

# The loader's side: the last logged map, loader-owned types as usable.
tr -d '\r' <"$2" | awk '
    match($0, /\[0x[0-9a-fA-F]+(, | - )0x[0-9a-fA-F]+\)/) {
        r = substr($0, RSTART + 1, RLENGTH - 2)
        split(r, a, /(, | - )/)
        k = split(substr($0, RSTART + RLENGTH), w, /[ \t]+/)
        t = ""
        for (i = 1; i <= k && t == ""; i++)
            if (w[i] ~ /^[a-z][a-z-]*$/) t = w[i]
        if (t ~ /^(bootloader-reclaimable|kernel|kernel-stack|temp-heap|boot-heap|page-tables|frame-bitmap|handoff|module)$/)
            t = "usable"
        if (t ~ /^(usable|reserved|acpi-reclaimable|acpi-nvs|bad|persistent|runtime-code|runtime-data|mmio|unaccepted)$/) {
            if (!inside) n = 0
            inside = 1
            line[n++] = a[1] " " a[2] " " t
            next
        }
    }
    { inside = 0 }
    END { for (i = 0; i < n; i++) print line[i] }' >"$tmp/loader.plain"
if [[ ! -s $tmp/loader.plain ]]; then
    echo "FAIL: no logged memory map in $2"
    exit 1
fi
"$memmap" --plain "$tmp/loader.plain" | awk '$3 == "usable" { print $1, $2 }' >"$tmp/loader.txt"

if diff -u --label "loader map (usable)" --label "Linux BIOS-e820 (usable)" \
    "$tmp/loader.txt" "$tmp/linux.txt"; then
    echo "PASS: Linux's e820 has exactly the loader's $(wc -l <"$tmp/linux.txt") usable ranges"
    exit 0
fi
echo "FAIL: Linux's usable e820 ranges differ from the loader's map"
exit 1
