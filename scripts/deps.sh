#!/usr/bin/env bash
# Installs the Debian packages a make target needs: `deps.sh build` for
# compiling, `deps.sh test` for tests, QEMU, firmware and images (a superset).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

build_pkgs=(make clang lld llvm libclang-rt-14-dev libcmocka-dev libc6-dev-i386 gnu-efi mtools gdisk dosfstools
    zlib1g-dev)
test_pkgs=("${build_pkgs[@]}" qemu-system-x86 ovmf seabios cpio grub-common grub-pc-bin grub-efi-amd64-bin
    xorriso python3)

case "${1:-test}" in
build) want=("${build_pkgs[@]}") ;;
test | run | all) want=("${test_pkgs[@]}") ;;
*)
    echo "usage: $0 [build|test]" >&2
    exit 2
    ;;
esac

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
