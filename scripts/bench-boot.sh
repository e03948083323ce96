#!/usr/bin/env bash
# Boot cost under QEMU TCG (`make bench-boot`; a benchmark, not a test).
#
#   bench-boot.sh [--runs N] [--mem 256M] [--firmware uefi|bios|uefi,bios]
#                 [--icount none|bios|uefi|bios,uefi]
#
# Boots, N times each and one boot at a time, on each firmware (OVMF and
# SeaBIOS; default both):
#   floor   an image whose BOOTX64.EFI is FLOOR.EFI, an application that
#           exits QEMU at once (BIOS: whose MBR is build/bios/floor-mbr.bin,
#           a boot sector that exits at once): what firmware start-up alone
#           costs;
#   loader  MultiOS Boot with a kernel that exits QEMU on its first
#           instruction (tests/boot/exit-kernel.S): firmware + loader;
#   grub    Debian's GRUB 2.06 (scripts/grub-image.sh) with a Multiboot2
#           kernel that exits QEMU on its first instruction
#           (tests/boot/mb2-exit-kernel.S): firmware + GRUB;
#   demo    MultiOS Boot with the demo kernel, whose report gives the
#           loader's own time from the handoff timestamps (loader_ms);
#   smp4    the demo image again on a machine with 4 CPUs (-smp 4; every
#           other boot has one): the loader's time minus demo's is what
#           starting 3 APs adds (goal: at most 5 ms), also seen in the
#           loader's "build" phase, where it starts them;
#   quiet   the demo image with log_level=warn and detailed_logging=off:
#           the loader's own time without its log (the default log is
#           DEBUG, some 3.4 KB on COM1), what the log costs;
#   linux   MultiOS Boot with a protocol=linux entry: a bzImage that exits
#           QEMU wherever it is entered (tests/boot/linux-exit-kernel.S)
#           padded to 8 MiB, the size of Debian's kernel, and a 16 MiB
#           initrd: what loading a Linux kernel and its initrd costs;
#   grub_linux  GRUB 2.06 with the same two files (`linux`, `initrd`).
# All images have scripts/mkimage.sh's layout, the kernel on the FAT32 EFI
# system partition. The boots of one round go floor, loader, grub, demo, smp4,
# quiet, linux, grub_linux on each firmware in turn, so a change of machine
# load hits all alike.
# Each boot is measured twice: wall time, and the CPU time (user + system)
# QEMU used. On a busy machine the wall time swings by seconds with the
# load; CPU time follows the emulated work and is the steadier figure.
# Then, on the firmwares --icount names (default bios; an OVMF boot takes
# about a minute this way), one demo boot on QEMU's instruction counter
# (-icount shift=0, 1 ns per instruction): the loader's own time and
# profile in that clock follow the guest's work alone, not the host's load.
# Last, what TCG costs on this host (tests/boot/tcg-probe.S, booted by
# QEMU's -kernel, N times each): translating a block of code, writing a
# byte to COM1, running a million instructions, the first write into a
# 2 MiB region of guest RAM (a host huge-page fault; needs --mem of at
# least 160M); one floor, loader and grub boot per firmware with QEMU
# logging each block of guest code it translates (-d in_asm): the blocks
# and the log bytes the loader adds over the floor; and one more of each
# kept alive at the kernel's exit write (qemu-boot.sh --resident): the
# guest RAM and the buffer of translated code QEMU holds then, over the
# floor's. Priced by the probe, these say where the loader's time goes.
# Prints a table per firmware and "BENCH <name> <value> <unit>" lines
# (medians; docs/boot-time.md explains each).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

runs=5
mem=256M
firmwares=uefi,bios
icount_fws=bios
usage() {
    echo "usage: $0 [--runs N] [--mem SIZE] [--firmware uefi|bios|uefi,bios]" >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --firmware) firmwares=$2; shift 2 ;;
    --icount) icount_fws=$2; shift 2 ;;
    *) usage ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
IFS=, read -r -a fws <<<"$firmwares"
[[ ${#fws[@]} -gt 0 ]] || usage
for fw in "${fws[@]}"; do
    [[ $fw == uefi || $fw == bios ]] || { echo "bench-boot: unknown firmware $fw" >&2; usage; }
done

base=build/bench/boot
efi=build/boot/uefi/BOOTX64.EFI
exitk=build/tests/boot/exit-kernel.elf
mb2k=build/tests/boot/mb2-exit-kernel.elf
lxk=build/tests/boot/linux-exit-kernel.bin
kernel=build/kernel/kernel.elf
probe_dir=build/tests/boot
kinds=(floor loader grub demo smp4 quiet linux grub_linux)
# The Linux kind's files: the bzImage padded to Debian's kernel's size and
# an initrd, in MiB; the image size they need.
lx_kernel_mib=8
lx_initrd_mib=16
lx_image_mib=128
# The touch probe writes 2 MiB regions from 16 to 144 MiB of RAM.
touch_probe_regions=64
touch_probe_min_mib=160
# QEMU arguments of a kind beyond the image (smp4 boots demo.img).
declare -A kind_args=([smp4]="-smp 4")
# The goal for what starting 3 APs adds to the loader's time, in ms.
smp_goal_ms=5
# The goals for the loader's own time (both firmwares) and for the whole
# SeaBIOS run over the floor (wall time), in ms.
own_goal_ms=10
bios_over_goal_ms=40

need() {
    local f
    for f in "$@"; do
        [[ -f "$f" ]] || { echo "bench-boot: $f missing (run make first)" >&2; exit 1; }
    done
}

# What differs per firmware: the floor, the loader binary and its name.
declare -A fw_name fw_desc floor_desc loader_bin grub_bin
fw_name=([uefi]=UEFI [bios]=BIOS)
fw_desc=([uefi]=OVMF [bios]=SeaBIOS)
floor_desc=([uefi]="FLOOR.EFI exits at once" [bios]="MBR exits at once")
loader_bin=([uefi]=$efi [bios]=build/bios/stage2.bin)
grub_bin=([uefi]=$base/uefi/grub-uefi/BOOTX64.EFI [bios]=$base/bios/grub-bios/core.img)

# prepare FIRMWARE: the four images in $base/FIRMWARE.
prepare() {
    local fw=$1 out=$base/$1 floor loader_efi bios=()
    mkdir -p "$out"
    need "$exitk" "$mb2k" "$lxk" "$kernel" "${loader_bin[$fw]}"
    if [[ $fw == bios ]]; then
        floor=build/bios/floor-mbr.bin
        need "$floor" build/bin/mos-install
        bios=(--bios build/bin/mos-install)
        loader_efi=$out/none.efi # the UEFI loader plays no part here
        : >"$loader_efi"
    else
        floor=build/boot/uefi/FLOOR.EFI
        need "$floor"
        loader_efi=$efi
    fi
    scripts/mkimage.sh "$out/loader.img" --efi "$loader_efi" --cfg boot/boot.cfg --kernel "$exitk" \
        "${bios[@]}"
    scripts/mkimage.sh "$out/demo.img" --efi "$loader_efi" --cfg boot/boot.cfg --kernel "$kernel" \
        "${bios[@]}"
    printf 'kernel=/boot/kernel.elf\nlog_level=warn\ndetailed_logging=off\n' >"$out/quiet.cfg"
    scripts/mkimage.sh "$out/quiet.img" --efi "$loader_efi" --cfg "$out/quiet.cfg" --kernel "$kernel" \
        "${bios[@]}"
    if [[ $fw == bios ]]; then
        cp "$out/loader.img" "$out/floor.img"
        dd if="$floor" of="$out/floor.img" conv=notrunc status=none
    else
        scripts/mkimage.sh "$out/floor.img" --efi "$floor" --cfg boot/boot.cfg --no-kernel
    fi
    scripts/grub-image.sh "$out/grub.img" --firmware "$fw" --kernel "$mb2k" --work "$out/grub-$fw"
    linux_files
    printf '[Linux]\nprotocol=linux\nkernel=/boot/kernel.elf\nmodule=/boot/initrd.img\n' \
        >"$out/linux.cfg"
    scripts/mkimage.sh "$out/linux.img" --efi "$loader_efi" --cfg "$out/linux.cfg" \
        --kernel "$base/vmlinuz" --file "$base/initrd.img:/boot/initrd.img" --size "$lx_image_mib" \
        "${bios[@]}"
    scripts/grub-image.sh "$out/grub_linux.img" --firmware "$fw" --kernel "$base/vmlinuz" \
        --initrd "$base/initrd.img" --work "$out/grub-linux-$fw"
    for k in "${kinds[@]}"; do : >"$out/$k.times"; done
    : >"$out/loader_ms.txt"
    : >"$out/profile.txt"
    : >"$out/smp4_loader_ms.txt"
    : >"$out/smp4_profile.txt"
    : >"$out/quiet_loader_ms.txt"
    : >"$out/quiet_profile.txt"
    : >"$out/linux_loader_ms.txt"
    : >"$out/linux_profile.txt"
}

# linux_files: $base/vmlinuz (the exiting bzImage and padding to
# lx_kernel_mib) and $base/initrd.img (lx_initrd_mib); text, not zeros,
# so no layer below can skip reading them.
linux_files() {
    # (yes through a process substitution: its SIGPIPE is no pipeline's status)
    { cat "$lxk"; head -c $(((lx_kernel_mib << 20) - $(stat -c %s "$lxk"))) \
        < <(yes 'MultiOS Boot benchmark: the kernel'); } >"$base/vmlinuz"
    head -c $((lx_initrd_mib << 20)) < <(yes 'MultiOS Boot benchmark: the initrd') >"$base/initrd.img"
}

median() { sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }

# timed WHAT TIMEFILE ERRFILE COMMAND...: runs COMMAND under bash's `time`
# (wall, user and system seconds into TIMEFILE, its stderr into ERRFILE).
# Every kernel here exits with the PASS value (QEMU status 33); any other
# status stops the benchmark, naming WHAT.
timed() {
    local what=$1 time_file=$2 err_file=$3 rc
    local TIMEFORMAT='%R %U %S'
    shift 3
    set +e
    { time "$@" </dev/null >/dev/null 2>"$err_file"; } 2>"$time_file"
    rc=$?
    set -e
    if [[ $rc -ne 33 ]]; then
        echo "bench-boot: $what exited with status $rc" >&2
        cat "$err_file" >&2
        exit 1
    fi
}

# boot_ms IMAGE FIRMWARE LOG [QEMU-BOOT ARGS]: one boot; prints "WALL_MS
# CPU_MS".
boot_ms() {
    local img=$1 fw=$2 log=$3
    timed "$img (log $log)" "$log.time" "$log.err" scripts/qemu-boot.sh --image "$img" \
        --firmware "$fw" --mem "$mem" --timeout 300 --serial "$log" "${@:4}"
    awk '{ printf "%.0f %.0f\n", $1 * 1000, ($2 + $3) * 1000 }' "$log.time"
}

# qemu_args KIND: --qemu-arg options for KIND's extra QEMU arguments.
qemu_args() {
    local a
    for a in ${kind_args[$1]:-}; do printf '%s\n' --qemu-arg "$a"; done
}

# One round: every kind on every firmware, once.
round() {
    local i=$1 fw k out img extra
    for fw in "${fws[@]}"; do
        out=$base/$fw
        for k in "${kinds[@]}"; do
            img=$out/$k.img
            [[ $k == smp4 ]] && img=$out/demo.img
            mapfile -t extra < <(qemu_args "$k")
            boot_ms "$img" "$fw" "$out/$k-$i.serial" "${extra[@]}" >>"$out/$k.times"
        done
        for k in demo smp4 quiet; do
            local pre=${k/demo/}
            tr -d '\r' <"$out/$k-$i.serial" | sed -n 's/^MOS loader_ms=//p' \
                >>"$out/${pre:+${pre}_}loader_ms.txt"
            tr -d '\r' <"$out/$k-$i.serial" | sed -n 's/.*profile: //p' | tail -n 1 \
                >>"$out/${pre:+${pre}_}profile.txt"
        done
        # The exiting bzImage reports nothing: the loader's own jump line.
        tr -d '\r' <"$out/linux-$i.serial" | sed -n 's/.*, after \([0-9.]*\) ms in the loader$/\1/p' |
            tail -n 1 >>"$out/linux_loader_ms.txt"
        tr -d '\r' <"$out/linux-$i.serial" | sed -n 's/.*profile: //p' | tail -n 1 \
            >>"$out/linux_profile.txt"
    done
}

# icount_boot FIRMWARE: the demo boot on the instruction counter, when
# --icount names FIRMWARE; its loader_ms and profile line in icount_*.txt.
icount_boot() {
    local fw=$1 out=$base/$1
    : >"$out/icount_ms.txt"
    : >"$out/icount_profile.txt"
    [[ ,$icount_fws, == *,$fw,* ]] || return 0
    boot_ms "$out/demo.img" "$fw" "$out/demo-icount.serial" --icount 0 >/dev/null
    tr -d '\r' <"$out/demo-icount.serial" | sed -n 's/^MOS loader_ms=//p' >"$out/icount_ms.txt"
    tr -d '\r' <"$out/demo-icount.serial" | sed -n 's/.*profile: //p' | tail -n 1 \
        >"$out/icount_profile.txt"
}

# probe_ms KIND: one boot of tests/boot/tcg-probe.S built as KIND; its wall
# time in ms.
probe_ms() {
    timed "the TCG probe ($1)" "$base/probe.time" "$base/probe.err" \
        timeout -k 5 60 qemu-system-x86_64 -nodefaults -machine q35 -m "$mem" -display none \
        -no-reboot -net none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "file:$base/probe.serial" -kernel "$probe_dir/tcg-probe-$1.elf"
    awk '{ printf "%.0f\n", $1 * 1000 }' "$base/probe.time"
}

# mem_mib: --mem in MiB (QEMU's suffixes M and G; none means MiB).
mem_mib() {
    case $mem in
    *[Gg]) echo $((${mem%?} * 1024)) ;;
    *[Mm]) echo "${mem%?}" ;;
    *) echo "$mem" ;;
    esac
}

# tcg_probe: the host's TCG costs, medians of N boots of each probe minus
# the baseline's, per unit (the counts are tests/boot/build.mk's):
# "BLOCK_US BYTE_US MINSN_MS TOUCH_MS" in tcg_probe.txt (TOUCH_MS n/a when
# the machine is too small for the touch probe).
tcg_probe() {
    local k i kinds=(base blocks bytes loop)
    local -A ms=([touch]=n/a)
    (($(mem_mib) >= touch_probe_min_mib)) && kinds+=(touch)
    for k in "${kinds[@]}"; do
        need "$probe_dir/tcg-probe-$k.elf"
        ms[$k]=$(for ((i = 1; i <= runs; i++)); do probe_ms "$k"; done | median)
    done
    awk -v b="${ms[base]}" -v bl="${ms[blocks]}" -v by="${ms[bytes]}" -v lo="${ms[loop]}" \
        -v to="${ms[touch]}" -v n="$touch_probe_regions" \
        'BEGIN { printf "%.2f %.2f %.3f %s\n", (bl - b) * 1000 / 16384, (by - b) * 1000 / 32768,
                 (lo - b) / 60, to == "n/a" ? to : sprintf("%.3f", (to - b) / n) }' \
        >"$base/tcg_probe.txt"
}

# tcg_cost FIRMWARE: one floor, loader and grub boot with QEMU logging
# each block it translates; "BLOCKS LOG_BYTES GRUB_BLOCKS" in
# tcg_cost.txt: translated blocks and COM1 bytes of the loader, and GRUB's
# blocks, each minus the floor's (the exiting kernels translate a block or
# two and print nothing).
tcg_cost() {
    local fw=$1 out=$base/$1 k
    local -A blocks bytes
    for k in floor loader grub; do
        boot_ms "$out/$k.img" "$fw" "$out/$k-tcg.serial" --qemu-arg -d --qemu-arg in_asm \
            --qemu-arg -D --qemu-arg "$out/$k-tcg.in_asm" >/dev/null
        blocks[$k]=$(grep -c '^IN:' "$out/$k-tcg.in_asm" || true)
        bytes[$k]=$(stat -c %s "$out/$k-tcg.serial")
        rm -f "$out/$k-tcg.in_asm"
    done
    echo "$((blocks[loader] - blocks[floor])) $((bytes[loader] - bytes[floor]))" \
        "$((blocks[grub] - blocks[floor]))" >"$out/tcg_cost.txt"
}

# resident FIRMWARE: one floor, loader and grub boot each kept alive at
# its kernel's exit write (qemu-boot.sh --resident); "LOADER_RAM
# LOADER_CODE GRUB_RAM GRUB_CODE" in resident.txt: KiB of guest RAM and of
# TCG's code buffer QEMU holds then, each minus the floor's. With the
# host's transparent huge pages these grow 2 MiB at a time, each step one
# first write the host has to back.
resident() {
    local fw=$1 out=$base/$1 k
    local -A ram code
    for k in floor loader grub; do
        timed "$out/$k.img (resident memory)" "$out/$k-resident.time" "$out/$k-resident.err" \
            scripts/qemu-boot.sh --image "$out/$k.img" --firmware "$fw" --mem "$mem" \
            --timeout 300 --serial "$out/$k-resident.serial" --resident "$out/$k.resident"
        read -r "ram[$k]" "code[$k]" <"$out/$k.resident"
    done
    echo "$((ram[loader] - ram[floor])) $((code[loader] - code[floor]))" \
        "$((ram[grub] - ram[floor])) $((code[grub] - code[floor]))" >"$out/resident.txt"
}

# Arithmetic on medians: difference in whole ms, ratio to two decimals.
# A ratio of costs is "n/a" unless both are above zero: a cost at or below
# the floor is lost in the noise, and a ratio of it would be noise too.
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; }
minus3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# within VALUE GOAL: "met" when VALUE <= GOAL, else "not met".
within() { awk -v a="$1" -v g="$2" 'BEGIN { print (a <= g ? "met" : "not met") }'; }
# phase_median PHASES NAME: NAME's median from profile_medians' output.
phase_median() { awk -v n="$2" '$1 == n { print $2 }' <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

# The loader's per-phase profile (its "profile: NAME N.NN ms, ..." log
# line, one per demo run in FILE): "NAME MEDIAN" per phase, in order,
# spaces in NAME as "_".
profile_medians() {
    local f=$1 name
    [[ -s $f ]] || return 0
    head -n 1 "$f" | tr ',' '\n' | sed -E 's/^ *//; s/ [0-9.]+ ms$//' | while read -r name; do
        printf '%s %s\n' "${name// /_}" "$(sed -E "s/(^|.*, )$name ([0-9.]+) ms.*/\2/" "$f" | median)"
    done
}

# from_start_ms MS_FILE PROFILE_FILE: per run (line N of both files), the
# loader's time from the start of its build phase (where the APs are
# started) to the jump: loader_ms minus every earlier phase. One per line.
from_start_ms() {
    paste -d '|' "$1" "$2" | awk -F'|' '{
        pre = 0
        n = split($2, part, ", ")
        for (i = 1; i <= n; i++) {
            m = split(part[i], w, " ")
            if (w[1] != "build") pre += w[m - 1]
        }
        printf "%.3f\n", $1 - pre
    }'
}

# phases_text PHASES: profile_medians' output as one line, "NAME MS, ...".
phases_text() {
    local name value line=""
    while read -r name value; do
        [[ -z $name ]] || line+="${line:+, }${name//_/ } $value"
    done <<<"$1"
    echo "${line:-none logged}"
}

# phases_bench PREFIX PHASES: a BENCH line per phase, named PREFIX + NAME.
phases_bench() {
    local name value
    while read -r name value; do
        [[ -z $name ]] || echo "BENCH $1$name $value ms"
    done <<<"$2"
}

# linux_rows FIRMWARE: the Linux-protocol rows of report's table (wall,
# cpu and report's helpers from its scope), and their BENCH lines in
# $out/linux_bench.txt for report to print with the rest.
linux_rows() {
    local fw=$1 out=$base/$1 p=$1_ lx_wall lx_cpu glx_wall glx_cpu r_wall r_cpu own phases
    lx_wall=$(minus "${wall[linux]}" "${wall[floor]}")
    lx_cpu=$(minus "${cpu[linux]}" "${cpu[floor]}")
    glx_wall=$(minus "${wall[grub_linux]}" "${wall[floor]}")
    glx_cpu=$(minus "${cpu[grub_linux]}" "${cpu[floor]}")
    r_wall=$(ratio "$lx_wall" "$glx_wall")
    r_cpu=$(ratio "$lx_cpu" "$glx_cpu")
    own=$(median <"$out/linux_loader_ms.txt")
    phases=$(profile_medians "$out/linux_profile.txt")
    printf '  %-46s %9s %9s\n' "MultiOS Boot + Linux files ($lx_kernel_mib + $lx_initrd_mib MiB)" \
        "${wall[linux]}" "${cpu[linux]}"
    printf '  %-46s %9s %9s\n' "  over the floor" "$lx_wall" "$lx_cpu"
    printf '  %-46s %9s %9s\n' "GRUB 2.06 + the same (linux, initrd)" "${wall[grub_linux]}" \
        "${cpu[grub_linux]}"
    printf '  %-46s %9s %9s\n' "  over the floor" "$glx_wall" "$glx_cpu"
    printf '  %-46s %9s %9s\n' "MultiOS Boot / GRUB, Linux, over the floor (x)" "$r_wall" "$r_cpu"
    printf '  %-46s %9s\n' "  MultiOS Boot's own time, entry to jump" "$own"
    printf '  %-46s %s\n' "  its phases (ms, median)" "$(phases_text "$phases")"
    {
        echo "BENCH ${p}linux_wall ${wall[linux]} ms"
        echo "BENCH ${p}linux_cpu ${cpu[linux]} ms"
        echo "BENCH ${p}linux_over_floor_wall $lx_wall ms"
        echo "BENCH ${p}linux_over_floor_cpu $lx_cpu ms"
        echo "BENCH ${p}grub_linux_wall ${wall[grub_linux]} ms"
        echo "BENCH ${p}grub_linux_cpu ${cpu[grub_linux]} ms"
        echo "BENCH ${p}grub_linux_over_floor_wall $glx_wall ms"
        echo "BENCH ${p}grub_linux_over_floor_cpu $glx_cpu ms"
        echo "BENCH ${p}linux_to_grub_linux_over_floor_wall $r_wall x"
        echo "BENCH ${p}linux_to_grub_linux_over_floor_cpu $r_cpu x"
        echo "BENCH ${p}linux_loader_own $own ms"
        phases_bench "${p}linux_phase_" "$phases"
    } >"$out/linux_bench.txt"
}

report() {
    local fw=$1 out=$base/$1 p=$1_ k
    local -A wall cpu
    col() { awk -v c="$2" '{ print $c }' "$out/$1.times" | median; }
    for k in "${kinds[@]}"; do
        wall[$k]=$(col "$k" 1)
        cpu[$k]=$(col "$k" 2)
    done
    local own_ms over_wall over_cpu grub_wall grub_cpu
    own_ms=$(median <"$out/loader_ms.txt")
    over_wall=$(minus "${wall[loader]}" "${wall[floor]}")
    over_cpu=$(minus "${cpu[loader]}" "${cpu[floor]}")
    grub_wall=$(minus "${wall[grub]}" "${wall[floor]}")
    grub_cpu=$(minus "${cpu[grub]}" "${cpu[floor]}")
    local r_over_wall r_over_cpu r_wall r_cpu size grub_size
    r_over_wall=$(ratio "$over_wall" "$grub_wall")
    r_over_cpu=$(ratio "$over_cpu" "$grub_cpu")
    r_wall=$(ratio "${wall[loader]}" "${wall[grub]}")
    r_cpu=$(ratio "${cpu[loader]}" "${cpu[grub]}")
    size=$(stat -c %s "${loader_bin[$fw]}")
    grub_size=$(stat -c %s "${grub_bin[$fw]}")

    printf '\n%s boot cost, QEMU TCG, %s, %s RAM, median of %d runs each\n' "${fw_name[$fw]}" \
        "${fw_desc[$fw]}" "$mem" "$runs"
    printf '  %-46s %9s %9s\n' "run" "wall ms" "cpu ms"
    printf '  %-46s %9s %9s\n' "floor (${floor_desc[$fw]})" "${wall[floor]}" "${cpu[floor]}"
    printf '  %-46s %9s %9s\n' "MultiOS Boot + kernel exiting at once" "${wall[loader]}" "${cpu[loader]}"
    printf '  %-46s %9s %9s\n' "  over the floor" "$over_wall" "$over_cpu"
    printf '  %-46s %9s %9s\n' "GRUB 2.06 + Multiboot2 kernel exiting at once" "${wall[grub]}" \
        "${cpu[grub]}"
    printf '  %-46s %9s %9s\n' "  over the floor" "$grub_wall" "$grub_cpu"
    printf '  %-46s %9s %9s\n' "MultiOS Boot / GRUB, over the floor (x)" "$r_over_wall" "$r_over_cpu"
    printf '  %-46s %9s %9s\n' "MultiOS Boot / GRUB, whole boot (x)" "$r_wall" "$r_cpu"
    printf '  %-46s %9s %9s\n' "MultiOS Boot + demo kernel (whole run)" "${wall[demo]}" "${cpu[demo]}"
    printf '  %-46s %9s\n' "loader entry to kernel jump (handoff TSC)" "$own_ms"
    printf '  %-46s %s\n' "goal for the loader's own time" \
        "at most $own_goal_ms ms: $(within "$own_ms" "$own_goal_ms")"
    local quiet_ms log_cost
    quiet_ms=$(median <"$out/quiet_loader_ms.txt")
    log_cost=$(minus3 "$own_ms" "$quiet_ms")
    printf '  %-46s %9s\n' "the same, log_level=warn (the log left out)" "$quiet_ms"
    printf '  %-46s %9s\n' "  what the default log costs" "$log_cost"
    if [[ $fw == bios ]]; then
        printf '  %-46s %s\n' "goal for the whole run over the floor (wall)" \
            "at most $bios_over_goal_ms ms: $(within "$over_wall" "$bios_over_goal_ms")"
    fi
    local phases
    phases=$(profile_medians "$out/profile.txt")
    printf '  %-46s %s\n' "loader phases (ms, median)" "$(phases_text "$phases")"
    # Starting 3 APs: -smp 4 minus -smp 1, over the whole loader, over
    # its build phase (where they are started), and from the build phase
    # to the jump (what starting them can cost: the phases before run
    # with the APs still the firmware's, e.g. OVMF's ExitBootServices
    # takes longer with more CPUs). The goal is checked on the last.
    local own4_ms phases4 smp_added build_added from_added=n/a
    own4_ms=$(median <"$out/smp4_loader_ms.txt")
    phases4=$(profile_medians "$out/smp4_profile.txt")
    smp_added=$(minus3 "$own4_ms" "$own_ms")
    build_added=n/a
    if [[ -n $(phase_median "$phases" build) && -n $(phase_median "$phases4" build) ]]; then
        build_added=$(minus3 "$(phase_median "$phases4" build)" "$(phase_median "$phases" build)")
        from_added=$(minus3 "$(from_start_ms "$out/smp4_loader_ms.txt" "$out/smp4_profile.txt" |
            median)" "$(from_start_ms "$out/loader_ms.txt" "$out/profile.txt" | median)")
    fi
    printf '  %-46s %9s %9s\n' "the same with -smp 4 (whole run)" "${wall[smp4]}" "${cpu[smp4]}"
    printf '  %-46s %9s\n' "loader entry to kernel jump, -smp 4" "$own4_ms"
    printf '  %-46s %s\n' "loader phases, -smp 4 (ms, median)" "$(phases_text "$phases4")"
    printf '  %-46s %9s\n' "starting 3 APs: loader time added" "$smp_added"
    printf '  %-46s %9s\n' "starting 3 APs: build phase time added" "$build_added"
    printf '  %-46s %9s\n' "starting 3 APs: build phase to jump added" "$from_added"
    printf '  %-46s %s\n' "goal for starting 3 APs (build phase to jump)" \
        "at most $smp_goal_ms ms: $(within "$from_added" "$smp_goal_ms")"
    local ic_ms ic_profile
    ic_ms=$(cat "$out/icount_ms.txt")
    ic_profile=$(cat "$out/icount_profile.txt")
    if [[ -n $ic_ms ]]; then
        printf '  %-46s %9s\n' "loader entry to jump, -icount shift=0" "$ic_ms"
        printf '  %-46s %s\n' "loader phases, -icount shift=0 (ms)" "$ic_profile"
    fi
    linux_rows "$fw"
    local tcg_blocks tcg_bytes grub_blocks block_us byte_us minsn_ms touch_ms translate_ms log_ms
    read -r tcg_blocks tcg_bytes grub_blocks <"$out/tcg_cost.txt"
    read -r block_us byte_us minsn_ms touch_ms <"$base/tcg_probe.txt"
    translate_ms=$(awk -v n="$tcg_blocks" -v c="$block_us" 'BEGIN { printf "%.1f", n * c / 1000 }')
    log_ms=$(awk -v n="$tcg_bytes" -v c="$byte_us" 'BEGIN { printf "%.1f", n * c / 1000 }')
    printf '  %-46s %9s\n' "code blocks QEMU translates for the loader" "$tcg_blocks"
    printf '  %-46s %9s\n' "  the same for GRUB" "$grub_blocks"
    printf '  %-46s %9s\n' "  their translation at the probe's price (ms)" "$translate_ms"
    printf '  %-46s %9s\n' "bytes the loader logs on COM1" "$tcg_bytes"
    printf '  %-46s %9s\n' "  their output at the probe's price (ms)" "$log_ms"
    local ram_kib code_kib grub_ram_kib grub_code_kib touch_priced
    read -r ram_kib code_kib grub_ram_kib grub_code_kib <"$out/resident.txt"
    touch_priced=$(awk -v r="$ram_kib" -v c="$code_kib" -v t="$touch_ms" 'BEGIN {
        if (t == "n/a") print t; else printf "%.1f", (r + c) / 2048 * t }')
    printf '  %-46s %9s\n' "guest RAM the loader writes first (KiB)" "$ram_kib"
    printf '  %-46s %9s\n' "  the same for GRUB" "$grub_ram_kib"
    printf '  %-46s %9s\n' "QEMU code buffer its code fills (KiB)" "$code_kib"
    printf '  %-46s %9s\n' "  the same for GRUB" "$grub_code_kib"
    printf '  %-46s %9s\n' "  both, first touched, at the probe's price (ms)" "$touch_priced"
    printf '  %s: %d bytes (budget 98304); GRUB %s: %d bytes\n' "$(basename "${loader_bin[$fw]}")" \
        "$size" "$(basename "${grub_bin[$fw]}")" "$grub_size"
    printf '  per-run figures in %s/*.times\n\n' "$out"
    echo "BENCH ${p}floor_wall ${wall[floor]} ms"
    echo "BENCH ${p}floor_cpu ${cpu[floor]} ms"
    echo "BENCH ${p}loader_wall ${wall[loader]} ms"
    echo "BENCH ${p}loader_cpu ${cpu[loader]} ms"
    echo "BENCH ${p}loader_over_floor_wall $over_wall ms"
    echo "BENCH ${p}loader_over_floor_cpu $over_cpu ms"
    echo "BENCH ${p}grub_wall ${wall[grub]} ms"
    echo "BENCH ${p}grub_cpu ${cpu[grub]} ms"
    echo "BENCH ${p}grub_over_floor_wall $grub_wall ms"
    echo "BENCH ${p}grub_over_floor_cpu $grub_cpu ms"
    echo "BENCH ${p}loader_to_grub_over_floor_wall $r_over_wall x"
    echo "BENCH ${p}loader_to_grub_over_floor_cpu $r_over_cpu x"
    echo "BENCH ${p}loader_to_grub_wall $r_wall x"
    echo "BENCH ${p}loader_to_grub_cpu $r_cpu x"
    echo "BENCH ${p}demo_wall ${wall[demo]} ms"
    echo "BENCH ${p}loader_own $own_ms ms"
    echo "BENCH ${p}loader_own_goal $own_goal_ms ms"
    echo "BENCH ${p}loader_own_quiet $quiet_ms ms"
    echo "BENCH ${p}loader_log_cost $log_cost ms"
    [[ $fw != bios ]] || echo "BENCH bios_loader_over_floor_wall_goal $bios_over_goal_ms ms"
    echo "BENCH ${p}loader_translated_blocks $tcg_blocks blocks"
    echo "BENCH ${p}loader_log_bytes $tcg_bytes bytes"
    echo "BENCH ${p}grub_translated_blocks $grub_blocks blocks"
    echo "BENCH ${p}loader_translate_priced $translate_ms ms"
    echo "BENCH ${p}loader_log_priced $log_ms ms"
    echo "BENCH ${p}loader_guest_ram_touched $ram_kib KiB"
    echo "BENCH ${p}loader_code_buffer_touched $code_kib KiB"
    echo "BENCH ${p}grub_guest_ram_touched $grub_ram_kib KiB"
    echo "BENCH ${p}grub_code_buffer_touched $grub_code_kib KiB"
    echo "BENCH ${p}loader_touch_priced $touch_priced ms"
    [[ -z $ic_ms ]] || echo "BENCH ${p}loader_own_icount $ic_ms ms"
    echo "BENCH ${p}smp4_wall ${wall[smp4]} ms"
    echo "BENCH ${p}loader_own_smp4 $own4_ms ms"
    echo "BENCH ${p}smp4_aps_added $smp_added ms"
    echo "BENCH ${p}smp4_aps_added_goal $smp_goal_ms ms"
    echo "BENCH ${p}smp4_aps_added_build_phase $build_added ms"
    echo "BENCH ${p}smp4_aps_added_from_build $from_added ms"
    phases_bench "${p}phase_" "$phases"
    cat "$out/linux_bench.txt"
    if [[ $fw == bios ]]; then
        echo "BENCH bios_stage2_size $size bytes"
        echo "BENCH bios_grub_core_size $grub_size bytes"
    else
        echo "BENCH uefi_bootx64_size $size bytes"
        echo "BENCH uefi_grub_bootx64_size $grub_size bytes"
    fi
}

for fw in "${fws[@]}"; do prepare "$fw"; done
for ((i = 1; i <= runs; i++)); do round "$i"; done
for fw in "${fws[@]}"; do icount_boot "$fw"; done
tcg_probe
for fw in "${fws[@]}"; do tcg_cost "$fw"; done
for fw in "${fws[@]}"; do resident "$fw"; done
read -r block_us byte_us minsn_ms touch_ms <"$base/tcg_probe.txt"
printf '\nTCG on this host (tests/boot/tcg-probe.S, median of %d boots each)\n' "$runs"
printf '  %-46s %9s\n' "translating a block of 6 instructions (us)" "$block_us"
printf '  %-46s %9s\n' "writing a byte to COM1 (us)" "$byte_us"
printf '  %-46s %9s\n' "running 1M instructions, translated (ms)" "$minsn_ms"
printf '  %-46s %9s\n' "first write into 2 MiB of guest RAM (ms)" "$touch_ms"
printf '  %-46s %s\n' "the host's transparent huge pages" \
    "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
echo "BENCH tcg_block_translate $block_us us"
echo "BENCH tcg_com1_byte $byte_us us"
echo "BENCH tcg_run_million_insns $minsn_ms ms"
echo "BENCH tcg_first_touch_2m $touch_ms ms"
for fw in "${fws[@]}"; do report "$fw"; done
