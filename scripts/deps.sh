#!/usr/bin/env bash
# Installs the Debian 12 packages a make target needs, on top of a minimal
# system (debootstrap minbase: coreutils, grep, sed, mawk, diffutils, apt).
#
#   deps.sh [build|run|test|fuzz|bench|bench-boot|format|screenshot]   (default: test)
#   deps.sh --list TARGET                                    prints the list
#
# As root it runs apt-get; otherwise it prints the exact command and fails.
# Each list below names, per package, the commands or files the project
# takes from it, so a new external command gets its package here.
set -euo pipefail

# `make`: every output in build/, including the unit tests, fuzzers, i386
# replay programs and the disk image.
build_pkgs=(
    make
    clang                # clang (host, i386, x86-64 ELF, Windows/PE targets)
    lld                  # ld.lld, lld-link (BOOTX64.EFI)
    llvm                 # llvm-ar, llvm-objcopy, llvm-readelf
    libclang-rt-14-dev   # ASan, UBSan, libFuzzer runtimes (x86-64 and i386)
    libcmocka-dev        # unit tests
    libc6-dev-i386       # -m32 host programs (tests/i386): 32-bit libc
    lib32gcc-12-dev      # -m32 host programs: 32-bit libgcc, libgcc_s
    gnu-efi              # UEFI headers (/usr/include/efi)
    mtools               # mformat, mmd, mcopy (images; unit-fat)
    gdisk                # sgdisk (images; unit-part, check-mos-install)
    zlib1g-dev           # unit-inflate, fuzz-inflate: zlib as the reference
    liblz4-dev           # mos-pack (the packed loaders), unit-pack: liblz4 as the reference
)
# What every QEMU boot needs.
qemu_pkgs=(
    "${build_pkgs[@]}"
    qemu-system-x86      # qemu-system-x86_64
    ovmf                 # /usr/share/OVMF/OVMF_{CODE,VARS}_4M.fd
    seabios              # /usr/share/seabios/bios-256k.bin
)
# `make run`: boots the image under QEMU, in a window when there is a display.
run_pkgs=(
    "${qemu_pkgs[@]}"
    qemu-system-gui      # QEMU's GTK/SDL window back ends (qemu-boot.sh --window)
)
# `make screenshot`: the held demo kernel's screen through QMP.
screenshot_pkgs=(
    "${qemu_pkgs[@]}"
    python3              # scripts/qmp.py
)
# `make test`: QEMU, plus user-mode QEMU for the i386 suites
# (tests/i386/build.mk), which run emulated on every host.
test_pkgs=(
    "${qemu_pkgs[@]}"
    qemu-user            # qemu-i386
    cpio                 # the Linux test initramfs (tests/boot/linux-payload.sh)
    grub-common          # grub-mkrescue (multiboot-grub)
    grub-pc-bin          # /usr/lib/grub/i386-pc
    grub-efi-amd64-bin   # /usr/lib/grub/x86_64-efi
    xorriso              # grub-mkrescue's ISO writer
    python3              # multiboot tests: patch test kernels, compare e820 maps;
                         # the screenshot test (QMP, PPM pixels: scripts/qmp.py)
    qemu-system-gui      # boot-window: `make run`'s QEMU window (gtk)
    xvfb                 # boot-window: Xvfb, the X display that window opens on;
                         # its -fbdir screen file is the capture (XWD)
)
# `make fuzz`: the fuzzers only.
fuzz_pkgs=("${build_pkgs[@]}")
# `make bench-boot`: the boot benchmark, GRUB 2.06 beside MultiOS Boot.
bench_boot_pkgs=(
    "${qemu_pkgs[@]}"
    grub-common          # grub-mkimage, grub-mkstandalone
    grub-pc-bin          # /usr/lib/grub/i386-pc (BIOS GRUB)
    grub-efi-amd64-bin   # /usr/lib/grub/x86_64-efi (UEFI GRUB)
)
# `make bench`: library benchmarks and the boot benchmark.
bench_pkgs=("${bench_boot_pkgs[@]}")
# `make format`.
format_pkgs=(clang-format git)

usage() {
    echo "usage: $0 [--list] [build|run|test|fuzz|bench|bench-boot|format|screenshot]" >&2
    exit 2
}

list=0
if [[ ${1:-} == --list ]]; then
    list=1
    shift
fi
[[ $# -le 1 ]] || usage
case "${1:-test}" in
build) want=("${build_pkgs[@]}") ;;
run) want=("${run_pkgs[@]}") ;;
test) want=("${test_pkgs[@]}") ;;
fuzz) want=("${fuzz_pkgs[@]}") ;;
bench) want=("${bench_pkgs[@]}") ;;
bench-boot) want=("${bench_boot_pkgs[@]}") ;;
format) want=("${format_pkgs[@]}") ;;
screenshot) want=("${screenshot_pkgs[@]}") ;;
*) usage ;;
esac
if [[ $list -eq 1 ]]; then
    printf '%s\n' "${want[@]}"
    exit 0
fi

missing=()
for p in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
    echo "MultiOS Boot needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root with:" >&2
    echo "  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
$cmd -qq >&2
