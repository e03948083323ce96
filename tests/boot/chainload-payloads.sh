#!/usr/bin/env bash
# The chainload test payloads (tests/chainload/) and the loaders' chainload
# back ends, each booted once in QEMU (PASS:/FAIL: line per case):
#   mbr-direct         SeaBIOS boots chain-mbr.bin as the disk: DL=0x80
#   efi-app-direct     OVMF starts chain-app.efi as \EFI\BOOT\BOOTX64.EFI:
#                      it reports its LoadOptions (the app returns to the
#                      firmware, which keeps running: stopped once seen)
#   efi-chainload      efi-launcher.efi runs boot/uefi/chainload.c: a non-PE
#                      file is refused by LoadImage, chain-app.efi gets the
#                      UCS-2 LoadOptions and comes back with EFI_SUCCESS
#   bios-chainload-disk       bios-launcher-p0 (boot/bios/chainload.c) boots
#                             drive 0x81's sector 0: DL=0x81
#   bios-chainload-partition  bios-launcher-p1 boots partition 1 of drive
#                             0x81: DL=0x81, DS:SI at its entry (0x07be)
# Both launchers first ask for the empty slot 3 and must get a reason back.
#   bios-menu-countdown  bios-menu.bin (boot/bios/menu_io.c + the menu): no
#                        key, the countdown 4 .. 1 s, the default entry boots
#   bios-menu-serial     "1" Enter on COM1 picks the entry that fails, the
#                        menu comes back with its error, "2" Enter boots
#   efi-menu-countdown, efi-menu-serial  the same with efi-menu.efi
#                        (boot/uefi/menu_io.c) and efi entries: a non-PE
#                        file refused by LoadImage, chain-app.efi with the
#                        entry's cmdline; keys reach it through OVMF's
#                        serial console
# UEFI=0 / BIOS=0 skip that firmware's cases. Usage: chainload-payloads.sh
# [--only NAME...]
set -euo pipefail

build=${BUILD:-build}
out=$build/tests/chainload/run
chain=$build/tests/chainload
only=()
[[ ${1:-} == --only ]] && { shift; only=("$@"); }
mkdir -p "$out"
status=0
# isa-debug-exit value 0x31 of the payloads and launchers: QEMU status 0x63.
PAYLOAD_EXIT=99

selected() {
    [[ ${#only[@]} -eq 0 ]] && return 0
    local n
    for n in "${only[@]}"; do [[ "$1" == "$n" ]] && return 0; done
    return 1
}

# Checks are `cond && cond && ok=0` lists: under set -e a failing last
# command of a list would end the script.
verdict() { # NAME OK(0/1) WHY
    if [[ $2 -eq 0 ]]; then
        echo "PASS: $1"
    else
        echo "FAIL: $1: $3 (serial log: $out/$1.serial)"
        status=1
    fi
}

# has FILE TEXT: the serial log holds TEXT (fixed string).
has() { grep -qF -- "$2" "$1"; }

# The FAT image of scripts/mkimage.sh with BOOTX64.EFI = $2 and extra files
# "SRC:DEST" after it.
efi_image() {
    local img=$1 efi=$2 spec
    shift 2
    scripts/mkimage.sh "$img" --efi "$efi" --cfg "" --no-kernel >/dev/null
    mmd -i "$img@@$((4096 * 512))" ::/chain
    for spec in "$@"; do
        mcopy -i "$img@@$((4096 * 512))" "${spec%%:*}" "::${spec#*:}"
    done
}

# The payload disk for drive 0x81 (1 MiB: SeaBIOS skips tiny disks):
#   LBA 0  chain-mbr.bin with partition 1 (slot 0) = LBA 8 .. 15
#   LBA 8  chain-mbr.bin again, as partition 1's boot record
payload_disk() {
    local img=$1
    cp "$chain/chain-mbr.bin" "$img"
    truncate -s 1M "$img"
    dd if="$chain/chain-mbr.bin" of="$img" bs=512 seek=8 conv=notrunc status=none
    printf '\x80\x00\x00\x00\x0c\x00\x00\x00\x08\x00\x00\x00\x08\x00\x00\x00' |
        dd of="$img" bs=1 seek=446 conv=notrunc status=none
}

run_qemu() { # NAME FIRMWARE IMAGE [qemu-boot.sh options]: sets rc
    local name=$1 fw=$2 img=$3
    shift 3
    rm -f "$out/$name.serial"
    set +e
    scripts/qemu-boot.sh --firmware "$fw" --mem 128M --timeout 60 --image "$img" \
        --serial "$out/$name.serial" "$@" >/dev/null 2>&1
    rc=$?
    set -e
    touch "$out/$name.serial"
}

case_mbr_direct() {
    local name=mbr-direct ok=1
    cp "$chain/chain-mbr.bin" "$out/mbr.img"
    truncate -s 1M "$out/mbr.img"
    run_qemu $name bios "$out/mbr.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] && has "$out/$name.serial" "chainload-mbr: DL=0x80 SI=0x" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT and a DL=0x80 line"
}

# The application returns to OVMF, which then goes on with other boot
# options: the run is stopped (its own process group) once the line shows.
case_efi_app_direct() {
    local name=efi-app-direct log=$out/efi-app-direct.serial seen=1 pid i
    efi_image "$out/app.img" "$chain/chain-app.efi"
    rm -f "$log"
    setsid scripts/qemu-boot.sh --firmware uefi --mem 128M --timeout 60 --image "$out/app.img" \
        --serial "$log" >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < 120; i++)); do
        if [[ -f $log ]] && has "$log" "chain-app: LoadOptions ("; then
            seen=0
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    touch "$log"
    verdict $name $seen "no \"chain-app: LoadOptions (\" line"
}

case_efi_chainload() {
    local name=efi-chainload log=$out/efi-chainload.serial ok=1
    efi_image "$out/launcher.img" "$chain/efi-launcher.efi" \
        "$chain/chain-app.efi:/chain/app.efi" "$chain/chain-mbr.bin:/chain/notpe.bin"
    run_qemu $name uefi "$out/launcher.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] &&
        has "$log" 'chain-app: LoadOptions (40 bytes) "launcher says hi <U+00FC><U+20AC>"' &&
        grep -qE '^efi-launcher: /chain/notpe.bin: returned ".+" after LoadImage' "$log" &&
        has "$log" 'efi-launcher: /chain/app.efi: returned "success" after StartImage' && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT and the launcher's and app's lines"
}

case_bios_chainload() { # NAME LAUNCHER WANT_SI
    local name=$1 log=$out/$1.serial ok=1
    scripts/mkimage.sh "$out/$name.img" --no-efi --cfg "" --no-kernel >/dev/null
    "$build/bin/mos-install" "$out/$name.img" --stage1 "$build/bios/stage1.bin" \
        --stage2 "$chain/$2" >/dev/null
    payload_disk "$out/payload.img"
    run_qemu "$name" bios "$out/$name.img" --disk2 "$out/payload.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] &&
        has "$log" "bios-launcher: partition 3 refused: partition slot is empty" &&
        has "$log" "chainload-mbr: DL=0x81 SI=0x$3" && ok=0
    verdict "$name" $ok "exit status $rc, want $PAYLOAD_EXIT, the refusal and DL=0x81 SI=0x$3"
}

bios_menu_image() {
    [[ -f $out/menu.img ]] && return 0
    scripts/mkimage.sh "$out/menu.img" --no-efi --cfg "" --no-kernel >/dev/null
    "$build/bin/mos-install" "$out/menu.img" --stage1 "$build/bios/stage1.bin" \
        --stage2 "$chain/bios-menu.bin" >/dev/null
}

case_bios_menu_countdown() {
    local name=bios-menu-countdown log=$out/bios-menu-countdown.serial ok=1
    rm -f "$out/menu.img"
    bios_menu_image
    payload_disk "$out/payload.img"
    run_qemu $name bios "$out/menu.img" --disk2 "$out/payload.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] && has "$log" "> 2. Disk 0x81 (default)" &&
        has "$log" "Booting Disk 0x81 in 4 s" && has "$log" "Booting Disk 0x81 in 1 s" &&
        has "$log" "chainload-mbr: DL=0x81 SI=0x0000" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT after a countdown from 4 s"
}

# wait_for FILE TEXT: up to 30 s for TEXT to show in FILE.
wait_for() {
    local i
    for ((i = 0; i < 120; i++)); do
        [[ -f $1 ]] && has "$1" "$2" && return 0
        sleep 0.25
    done
    return 1
}

# Keys go in through a FIFO once the menu shows what they answer.
case_bios_menu_serial() {
    local name=bios-menu-serial log=$out/bios-menu-serial.serial fifo=$out/menu-input ok=1 pid
    bios_menu_image
    payload_disk "$out/payload.img"
    rm -f "$fifo" "$log"
    mkfifo "$fifo"
    scripts/qemu-boot.sh --firmware bios --mem 128M --timeout 60 --image "$out/menu.img" \
        --disk2 "$out/payload.img" --serial "$log" --serial-input "$fifo" >/dev/null 2>&1 &
    pid=$!
    exec 7>"$fifo"
    wait_for "$log" "in 4 s" && printf '1\r' >&7
    wait_for "$log" "Error: " && printf '2\r' >&7
    set +e
    wait $pid
    rc=$?
    set -e
    exec 7>&-
    rm -f "$fifo"
    touch "$log"
    [[ $rc -eq $PAYLOAD_EXIT ]] && ! has "$log" "in 1 s" &&
        has "$log" "bios-menu: booting Empty slot" &&
        has "$log" "Error: partition slot is empty" &&
        has "$log" "bios-menu: booting Disk 0x81" &&
        has "$log" "chainload-mbr: DL=0x81 SI=0x0000" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT: entry 1 refused, back to the menu, entry 2"
}

efi_menu_image() {
    [[ -f $out/efi-menu.img ]] && return 0
    efi_image "$out/efi-menu.img" "$chain/efi-menu.efi" \
        "$chain/chain-app.efi:/chain/app.efi" "$chain/chain-mbr.bin:/chain/notpe.bin"
}

case_efi_menu_countdown() {
    local name=efi-menu-countdown log=$out/efi-menu-countdown.serial ok=1
    rm -f "$out/efi-menu.img"
    efi_menu_image
    run_qemu $name uefi "$out/efi-menu.img"
    [[ $rc -eq $PAYLOAD_EXIT ]] && has "$log" "> 2. Chain app (default)" &&
        has "$log" "Booting Chain app in 4 s" && has "$log" "Booting Chain app in 1 s" &&
        has "$log" 'chain-app: LoadOptions (28 bytes) "from the menu"' && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT after a countdown from 4 s"
}

case_efi_menu_serial() {
    local name=efi-menu-serial log=$out/efi-menu-serial.serial fifo=$out/menu-input ok=1 pid
    efi_menu_image
    rm -f "$fifo" "$log"
    mkfifo "$fifo"
    scripts/qemu-boot.sh --firmware uefi --mem 128M --timeout 60 --image "$out/efi-menu.img" \
        --serial "$log" --serial-input "$fifo" >/dev/null 2>&1 &
    pid=$!
    exec 7>"$fifo"
    wait_for "$log" "in 4 s" && printf '1\r' >&7
    wait_for "$log" "Error: " && printf '2\r' >&7
    set +e
    wait $pid
    rc=$?
    set -e
    exec 7>&-
    rm -f "$fifo"
    touch "$log"
    [[ $rc -eq $PAYLOAD_EXIT ]] && ! has "$log" "in 1 s" &&
        has "$log" "efi-menu: booting Not an app" &&
        grep -qE "Error: /chain/notpe.bin: LoadImage: .+" "$log" &&
        has "$log" "efi-menu: booting Chain app" &&
        has "$log" 'chain-app: LoadOptions (28 bytes) "from the menu"' && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT: entry 1 refused, back to the menu, entry 2"
}

if [[ ${BIOS:-1} != 0 ]]; then
    selected bios-menu-countdown && case_bios_menu_countdown
    selected bios-menu-serial && case_bios_menu_serial
    selected mbr-direct && case_mbr_direct
    selected bios-chainload-disk && case_bios_chainload bios-chainload-disk bios-launcher-p0.bin 0000
    selected bios-chainload-partition &&
        case_bios_chainload bios-chainload-partition bios-launcher-p1.bin 07be
fi
if [[ ${UEFI:-1} != 0 ]]; then
    selected efi-app-direct && case_efi_app_direct
    selected efi-chainload && case_efi_chainload
    selected efi-menu-countdown && case_efi_menu_countdown
    selected efi-menu-serial && case_efi_menu_serial
fi
exit $status
