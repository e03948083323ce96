#!/usr/bin/env bash
# Runs one 32-bit x86 test program (tests/i386) and passes its output and
# exit status through. When the program cannot run at all (the emulator is
# missing, or the host kernel cannot execute 32-bit code), it prints one
# FAIL: line naming what is missing and exits 1: the suite never passes
# without having run.
#
#   run.sh [--runner qemu-i386|native] PROGRAM [ARGS...]
#
# qemu-i386 (the default, Debian package qemu-user) emulates the program in
# user mode on any x86-64 kernel; `native` executes it directly.
set -uo pipefail

runner=qemu-i386
if [[ ${1:-} == --runner ]]; then
    runner=$2
    shift 2
fi
prog=${1:?usage: $0 [--runner qemu-i386|native] PROGRAM [ARGS...]}
shift
name=$(basename "$prog")

fail() {
    echo "FAIL: $name: $*"
    exit 1
}

[[ -x "$prog" ]] || fail "$prog not built (run make first)"
case $runner in
qemu-i386)
    command -v qemu-i386 >/dev/null ||
        fail "qemu-i386 not found: install the Debian package qemu-user (scripts/deps.sh test)"
    cmd=(qemu-i386 "$prog")
    ;;
native)
    cmd=("$prog")
    ;;
*) fail "unknown runner '$runner' (qemu-i386 or native)" ;;
esac

"${cmd[@]}" "$@"
rc=$?
# 126: execve refused the file (Exec format error): a kernel without IA32
# emulation, or one with it turned off (ia32_emulation=0).
if [[ $runner == native && $rc -eq 126 ]]; then
    fail "this kernel cannot execute 32-bit programs; run with I386_RUNNER=qemu-i386 (Debian qemu-user)"
fi
exit $rc
