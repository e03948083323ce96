#!/usr/bin/env bash
# Debian's Xen hypervisor (tests/boot/fetch-xen.sh) with Debian's kernel
# as dom0 and the busybox initramfs (tests/boot/linux-payload.sh), all
# fetched into the cache outside git, booted by the real loader through a
# boot.cfg entry, one PASS:/FAIL: line per case:
#   xen-mb1-bios, xen-mb2-bios  SeaBIOS, protocol=multiboot1 / multiboot2
#       (MB2: Xen relocates itself, tag 10). Xen's banner names our loader
#       and command line, it finds the dom0 kernel and ramdisk, dom0 runs
#       the initramfs's /init (which powers off: QEMU status 0). Xen's
#       e820 RAM map is compared with the loader's "memory map for the
#       kernel": every range Xen calls reserved lies in one the loader
#       calls reserved (or framebuffer: MB2's optional framebuffer tag gets
#       Xen one, typed reserved), and usable RAM ends at the same address;
#   xen-mb2-uefi  OVMF: Xen's Multiboot 2 path wants EFI boot services
#       left running (docs/multiboot.md, section 6), which this loader does
#       not do: it says so and stops (the timeout ends the run).
#
#   xen-cases.sh DIR MBINFO BUILD   (DIR: test kernels; MBINFO: build/bin/mbinfo)
set -euo pipefail

dir=$(realpath "${1:?usage: $0 DIR MBINFO BUILD}")
mbinfo=${2:?usage: $0 DIR MBINFO BUILD}
build=$(realpath "${3:?usage: $0 DIR MBINFO BUILD}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cases-lib.sh"

xen=$(tests/boot/fetch-xen.sh "$mbinfo" | sed -n 's/^xen=//p')
[[ -f "$xen" ]] || { echo "FAIL: xen: fetch-xen.sh gave no hypervisor"; exit 1; }
mapfile -t payload < <(tests/boot/linux-payload.sh)
[[ ${#payload[@]} -ge 2 && -f ${payload[0]} && -f ${payload[1]} ]] ||
    { echo "FAIL: xen: linux-payload.sh gave no kernel and initramfs"; exit 1; }

# image NAME PROTOCOL: the loader image booting Xen, dom0 and its initramfs.
image() {
    cat >"$work/$1.cfg" <<CFG
[Xen]
protocol=$2
kernel=/boot/xen.gz
cmdline=console=com1 com1=115200,8n1 dom0_mem=256M
module=/boot/vmlinuz console=hvc0 earlyprintk=xen
module=/boot/initrd.gz
CFG
    scripts/mkimage.sh "$work/$1.img" --efi "$build/boot/uefi/BOOTX64.EFI" --cfg "$work/$1.cfg" \
        --no-kernel --bios "$build/bin/mos-install" --size 64 --file "$xen:/boot/xen.gz" \
        --file "${payload[0]}:/boot/vmlinuz" --file "${payload[1]}:/boot/initrd.gz" >/dev/null
}

boot() { # boot NAME FIRMWARE (with QEMU's standard VGA, as GRUB would see it)
    run "$1" "$2" -m 1G -drive "file=$work/$1.img,format=raw,if=none,id=d0,snapshot=on" \
        -device virtio-blk-pci,drive=d0,bootindex=1 -device VGA
}

# e820_agrees NAME: Xen's reserved ranges inside the loader's reserved
# ranges, and the same end of usable RAM. Prints what disagrees.
e820_agrees() {
    python3 - "$work/$1.log" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read().replace("\r", "")
ours = [(int(a, 16), int(b, 16), t) for a, b, t in
        re.findall(r"\[INFO \]   \[0x([0-9a-f]+) - 0x([0-9a-f]+)\)\s+\S+ \S+\s+(\S+)", text)]
xen = [(int(a, 16), int(b, 16) + 1, t) for a, b, t in
       re.findall(r"\[([0-9a-f]{16}), ([0-9a-f]{16})\] \((\w+)\)", text.split("Xen-e820 RAM map:")[-1])]
bad = []
held = ("reserved", "framebuffer")  # both reserved (type 2) in the Multiboot map
if not ours or not xen:
    bad.append("no map (loader %d entries, Xen %d)" % (len(ours), len(xen)))
for a, b, t in xen:
    if t == "reserved" and not any(o[0] <= a and b <= o[1] and o[2] in held for o in ours):
        bad.append("Xen reserved [%#x, %#x) not reserved for the loader" % (a, b))
top = max([b for a, b, t in xen if t == "usable"] or [0])
m = re.search(r"memory map for the kernel: .* highest 0x([0-9a-f]+)", text)
if not m or int(m.group(1), 16) != top:
    bad.append("usable RAM ends at %#x for Xen, %s for the loader" % (top, m and "0x" + m.group(1)))
print("; ".join(bad))
PY
}

banner=("(XEN) Bootloader: MultiOS Boot 0.1.0"
    "(XEN) Command line: console=com1 com1=115200,8n1 dom0_mem=256M"
    "~(XEN)  Dom0 kernel: 64-bit" "~(XEN)  Init. ramdisk: "
    "MOSLINUX cmdline=console=hvc0 earlyprintk=xen" "MOSLINUX userspace-ok")
for v in 1 2; do
    name=xen-mb$v-bios
    image $name multiboot$v
    rc=$(RUN_TIMEOUT=150 boot $name bios)
    judge $name "$rc" 0 "${banner[@]}" "~kernel /boot/xen.gz: multiboot$v, 1 segments"
    why=$(e820_agrees $name)
    if [[ -n "$why" ]]; then
        echo "FAIL: $name-e820: $why"
        status=1
    else
        echo "PASS: $name-e820"
    fi
done

image xen-mb2-uefi multiboot2
rc=$(RUN_TIMEOUT=40 boot xen-mb2-uefi uefi)
judge xen-mb2-uefi "$rc" 124 "~jumping to the kernel at 0x" \
    "~ERR: Bootloader shutdown EFI x64 boot services!"
exit $status
