#!/usr/bin/env bash
# Builds the Linux test payload from Debian's packages, in a cache outside
# the repository:
#   $CACHE/linux/vmlinuz        the kernel of the package linux-image-amd64
#                               depends on (extracted with dpkg-deb)
#   $CACHE/linux/initrd.gz      a newc cpio (gzip) holding busybox-static and
#                               an /init that prints the MOSLINUX markers
#                               and powers off
#   $CACHE/linux/version        the kernel package name and version
# CACHE is ${MOS_CACHE:-$HOME/.cache/multios}. Prints the two paths.
# Packages are fetched once (apt-get download) and reused; the initramfs is
# rebuilt on every run (it takes well under a second).
#
# The /init prints, on the console (ttyS0 under QEMU):
#   MOSLINUX cmdline=<contents of /proc/cmdline>
#   MOSLINUX userspace-ok
# then `poweroff -f`, which ends QEMU (run QEMU with -no-reboot). Before
# them it lowers the console's log level to emergencies (`dmesg -n 1`):
# a kernel message printed while init writes (the TSC's refined
# calibration comes about a second after boot) lands inside a marker line
# otherwise, and the suites match the markers as whole lines.
set -euo pipefail

cache=${MOS_CACHE:-$HOME/.cache/multios}/linux
mkdir -p "$cache/debs"

# One package name from `apt-cache depends`: the first "Depends:" line.
depends_of() {
    apt-cache depends "$1" 2>/dev/null | awk '/^ *Depends:/ { print $2; exit }'
}

# Downloads package $1 into the cache unless a .deb of its candidate
# version is there already; prints the .deb path.
fetch_deb() {
    local pkg=$1 ver deb
    ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
    if [[ -z "$ver" || "$ver" == "(none)" ]]; then
        echo "linux-payload: no candidate for $pkg (run apt-get update once)" >&2
        return 1
    fi
    # apt-get download names the file with ':' of an epoch written as %3a.
    deb=$(find "$cache/debs" -name "${pkg}_${ver//:/%3a}_*.deb" -print -quit)
    if [[ -z "$deb" ]]; then
        (cd "$cache/debs" && apt-get download -q "$pkg=$ver" >&2)
        deb=$(find "$cache/debs" -name "${pkg}_${ver//:/%3a}_*.deb" -print -quit)
    fi
    [[ -n "$deb" ]] || { echo "linux-payload: download of $pkg failed" >&2; return 1; }
    printf '%s\n' "$deb"
}

image_pkg=$(depends_of linux-image-amd64)
if [[ -z "$image_pkg" && $(id -u) -eq 0 ]]; then
    # A machine whose package lists were never fetched knows no packages.
    apt-get update -qq >&2
    image_pkg=$(depends_of linux-image-amd64)
fi
if [[ -z "$image_pkg" ]]; then
    echo "linux-payload: apt-cache knows no linux-image-amd64 (run apt-get update once)" >&2
    exit 1
fi
kernel_deb=$(fetch_deb "$image_pkg")
busybox_deb=$(fetch_deb busybox-static)

# The kernel: boot/vmlinuz-<release> inside the package, extracted again
# only when the package changed (unpacking the package takes ~10 s).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(dpkg-deb -f "$kernel_deb" Package Version | tr '\n' ' ')
if [[ ! -s "$cache/vmlinuz" || "$(cat "$cache/version" 2>/dev/null)" != "$version" ]]; then
    dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
    vmlinuz=$(find "$work/boot" -name 'vmlinuz-*' -print -quit)
    [[ -n "$vmlinuz" ]] || { echo "linux-payload: no vmlinuz in $kernel_deb" >&2; exit 1; }
    cp "$vmlinuz" "$cache/vmlinuz.tmp" && mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
    printf '%s\n' "$version" >"$cache/version"
fi

# The initramfs: busybox, its applet links made at run time, and /init.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys}
dpkg-deb --fsys-tarfile "$busybox_deb" | tar -x -C "$work" ./bin/busybox
mv "$work/bin/busybox" "$root/bin/busybox"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev 2>/dev/null
dmesg -n 1
echo "MOSLINUX cmdline=$(cat /proc/cmdline)"
echo "MOSLINUX userspace-ok"
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -9n >"$cache/initrd.gz.tmp"
mv "$cache/initrd.gz.tmp" "$cache/initrd.gz"

printf '%s\n%s\n' "$cache/vmlinuz" "$cache/initrd.gz"
