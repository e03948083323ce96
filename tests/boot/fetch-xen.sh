#!/usr/bin/env bash
# Fetches Debian's Xen hypervisor (a real Multiboot 1 + 2 kernel, shipped
# gzip-compressed) into the cache outside git and reads it with the
# loader's own inflater and Multiboot parser (build/bin/mbinfo).
#
#   fetch-xen.sh [MBINFO]     (default build/bin/mbinfo)
#
# Prints the path of the decompressed-on-read hypervisor file on its last
# line (`xen=PATH`), after mbinfo's report of both headers. Exit status 0
# only when the file decompresses and both headers are accepted.
set -euo pipefail

pkg=xen-hypervisor-4.17-amd64
mbinfo=${1:-build/bin/mbinfo}
cache=${MOS_CACHE:-$HOME/.cache/multios}/xen
mkdir -p "$cache"

deb=$(ls "$cache"/${pkg}_*.deb 2>/dev/null | head -1 || true)
if [[ -z "$deb" ]]; then
    (cd "$cache" && apt-get download "$pkg" >&2) || {
        echo "fetch-xen: apt-get download $pkg failed (run apt-get update?)" >&2
        exit 1
    }
    deb=$(ls "$cache"/${pkg}_*.deb | head -1)
fi
root=$cache/root
if [[ ! -d "$root/boot" ]]; then
    rm -rf "$root"
    dpkg-deb -x "$deb" "$root"
fi
xen=$(ls "$root"/boot/xen-4.17*-amd64.gz 2>/dev/null | head -1 || true)
if [[ -z "$xen" ]]; then
    echo "fetch-xen: no /boot/xen-*.gz in $(basename "$deb")" >&2
    exit 1
fi

report=$("$mbinfo" "$xen") || {
    echo "$report"
    echo "fetch-xen: mbinfo refused $xen" >&2
    exit 1
}
echo "$report"
for want in gzip.status=BC_INFLATE_OK mb1.status=BC_MB_OK mb2.status=BC_MB_OK \
    mb1.plan=BC_MB_OK mb2.plan=BC_MB_OK; do
    grep -q "^$want" <<<"$report" || {
        echo "fetch-xen: expected $want" >&2
        exit 1
    }
done
echo "xen=$xen"
