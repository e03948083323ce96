#!/usr/bin/env bash
# The boot menu and chainloading in the real loaders (BOOTX64.EFI, BIOS
# stage 2), on one disk image both firmwares boot, with this boot.cfg:
#   timeout=3, default=2
#   1 Missing kernel  kernel=/boot/missing.elf           fails before exit
#   2 MultiOS         the demo kernel                     (default)
#   3 Chain app       protocol=efi /chain/app.efi, cmdline "from the menu <U+00FC><U+20AC>"
#   4 Not an app      protocol=efi /chain/notpe.bin      refused by LoadImage
#   5 Disk 0x81       protocol=bios-chainload drive=0x81
#   6 Partition 1     ... partition=1
#   7 Empty slot      ... partition=3                    no such partition
# Drive 0x81 (BIOS) is a second disk whose MBR and partition 1's boot record
# are tests/chainload's payload (it prints DL and SI, exits QEMU).
# Cases (PASS:/FAIL: line each):
#   {bios,uefi}-menu-timeout  no key: the countdown from 3 s, the default
#                             entry boots the kernel (MOS-RESULT: PASS)
#   bios-menu-pick            "5" Enter on COM1 during the countdown: drive
#                             0x81's MBR runs with DL=0x81
#   bios-menu-retry           1, 3, 7 fail in turn (missing kernel, efi
#                             refused on BIOS, empty slot), each back to the
#                             menu with its message; then 6: partition 1's
#                             boot record with DL=0x81, DS:SI at its entry
#   uefi-menu-retry           1, 5, 4 fail (missing kernel, bios-chainload
#                             refused on UEFI, LoadImage refusal), 3 runs
#                             the app with its LoadOptions and it returns:
#                             back to the menu; then 2 boots the kernel
#   {bios,uefi}-no-menu-halt  timeout=0 and a failing default: the message
#                             and the loader's clean halt, no menu
#   bios-menu-screen          with a VGA (-vga std): the log and the menu on
#                             the text screen at 0xB8000, read over QMP
#                             during the countdown
#   bios-menu-no-screen       without one (-nodefaults): nothing written
#                             there (the memory reads back what is written,
#                             so only the BIOS data area tells)
# UEFI=0 / BIOS=0 skip that firmware's cases. Usage: menu-cases.sh [--only NAME...]
set -euo pipefail
# shellcheck source=tests/boot/cases-lib.sh
source "$(dirname "$0")/cases-lib.sh"

build=${BUILD:-build}
out=$build/tests/boot/menu
chain=$build/tests/chainload
efi=$build/boot/uefi/BOOTX64.EFI
kernel=$build/kernel/kernel.elf
installer=$build/bin/mos-install
only=()
[[ ${1:-} == --only ]] && { shift; only=("$@"); }
mkdir -p "$out"
status=0
KERNEL_PASS=33   # kernel/exitcodes.h PASS through isa-debug-exit
PAYLOAD_EXIT=99  # chain-mbr.S's 0x31
BIOS_HALT=93     # stage 2's loader-failed code 0x2e
UEFI_HALT=0      # the UEFI loader powers off

# wait_for FILE TEXT PID: up to 60 s for TEXT to show in FILE while PID runs.
wait_for() {
    local i
    for ((i = 0; i < 240; i++)); do
        [[ -f $1 ]] && has "$1" "$2" && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.25
    done
    return 1
}

# ---- the disks ----------------------------------------------------------------

cfg_entries() { # TIMEOUT DEFAULT
    printf '%s\n' "timeout=$1" "default=$2" \
        '[Missing kernel]' kernel=/boot/missing.elf \
        '[MultiOS]' kernel=/boot/kernel.elf \
        '[Chain app]' protocol=efi kernel=/chain/app.efi $'cmdline=from the menu \xc3\xbc\xe2\x82\xac' \
        '[Not an app]' protocol=efi kernel=/chain/notpe.bin \
        '[Disk 0x81]' protocol=bios-chainload drive=0x81 \
        '[Partition 1]' protocol=bios-chainload drive=0x81 partition=1 \
        '[Empty slot]' protocol=bios-chainload drive=0x81 partition=3
}

image() { # NAME TIMEOUT DEFAULT
    local efi_opt=(--efi "$efi") bios_opt=() files=(--file "$chain/chain-mbr.bin:/chain/notpe.bin")
    [[ ${UEFI:-1} == 0 ]] && efi_opt=(--no-efi)
    [[ ${BIOS:-1} != 0 ]] && bios_opt=(--bios "$installer")
    # UEFI=0 builds no chain-app.efi; the BIOS loader refuses entry 3 unread.
    [[ ${UEFI:-1} != 0 ]] && files+=(--file "$chain/chain-app.efi:/chain/app.efi")
    cfg_entries "$2" "$3" >"$out/$1.cfg"
    scripts/mkimage.sh "$out/$1.img" "${efi_opt[@]}" --cfg "$out/$1.cfg" --kernel "$kernel" \
        "${bios_opt[@]}" "${files[@]}" >/dev/null
}

# Drive 0x81 (1 MiB: SeaBIOS skips tiny disks):
#   LBA 0  chain-mbr.bin with partition 1 (slot 0) = LBA 8 .. 15
#   LBA 8  chain-mbr.bin again, as partition 1's boot record
payload_disk() {
    local img=$out/payload.img
    cp "$chain/chain-mbr.bin" "$img"
    truncate -s 1M "$img"
    dd if="$chain/chain-mbr.bin" of="$img" bs=512 seek=8 conv=notrunc status=none
    printf '\x80\x00\x00\x00\x0c\x00\x00\x00\x08\x00\x00\x00\x08\x00\x00\x00' |
        dd of="$img" bs=1 seek=446 conv=notrunc status=none
}

# ---- running ------------------------------------------------------------------

# boot NAME FIRMWARE IMAGE [WAIT KEYS]...: boots IMAGE with drive 0x81 and
# COM1's input from a FIFO; each KEYS goes in once WAIT shows on serial.
# Sets rc (QEMU's status).
boot() {
    local name=$1 fw=$2 img=$3 log=$out/$1.serial fifo=$out/$1.input pid
    shift 3
    rm -f "$fifo" "$log"
    mkfifo "$fifo"
    scripts/qemu-boot.sh --firmware "$fw" --mem 128M --timeout 150 --image "$img" \
        --disk2 "$out/payload.img" --serial "$log" --serial-input "$fifo" >/dev/null 2>&1 &
    pid=$!
    exec 7>"$fifo"
    while [[ $# -ge 2 ]]; do
        wait_for "$log" "$1" $pid && printf '%s' "$2" >&7
        shift 2
    done
    set +e
    wait $pid
    rc=$?
    set -e
    exec 7>&-
    rm -f "$fifo"
    touch "$log"
}

# screen_text SOCKET: the 80x25 text screen at 0xB8000 of the QEMU behind
# SOCKET (QMP), a line per row, characters outside ASCII as blanks.
screen_text() {
    scripts/qmp.py "$1" human-monitor-command "command-line=xp /2000hx 0xb8000" | python3 -c '
import json, sys
words = [w for line in json.load(sys.stdin).splitlines() for w in line.split(":", 1)[1].split()]
chars = "".join(chr(int(w, 16) & 0xff) if 32 <= (int(w, 16) & 0xff) < 127 else " " for w in words)
for row in range(25):
    print(chars[row * 80:(row + 1) * 80].rstrip())'
}

# ---- cases --------------------------------------------------------------------

case_timeout() { # FIRMWARE
    local name=$1-menu-timeout log=$out/$1-menu-timeout.serial ok=1
    boot "$name" "$1" "$out/menu.img"
    [[ $rc -eq $KERNEL_PASS ]] && has "$log" "> 2. MultiOS (default)" &&
        has "$log" "Booting MultiOS in 3 s" && has "$log" "Booting MultiOS in 1 s" &&
        has "$log" "booting entry MultiOS (protocol=mos)" && has "$log" "MOS-RESULT: PASS" && ok=0
    verdict "$name" $ok "exit status $rc, want $KERNEL_PASS after a countdown from 3 s"
}

case_bios_pick() {
    local name=bios-menu-pick log=$out/bios-menu-pick.serial ok=1
    boot $name bios "$out/menu.img" "in 3 s" $'5\r'
    [[ $rc -eq $PAYLOAD_EXIT ]] && ! has "$log" "in 1 s" &&
        has "$log" "booting entry Disk 0x81 (protocol=bios-chainload)" &&
        has "$log" "chainload-mbr: DL=0x81 SI=0x0000" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT: entry 5 chosen on COM1"
}

MISSING="Error: kernel /boot/missing.elf: no such file on the boot volume"

case_bios_retry() {
    local name=bios-menu-retry log=$out/bios-menu-retry.serial ok=1
    boot $name bios "$out/menu.img" "in 3 s" $'1\r' "$MISSING" $'3\r' \
        "Error: entry Chain app: protocol=efi needs UEFI firmware" $'7\r' \
        "Error: drive 0x81 partition 3: partition slot is empty" $'6\r'
    [[ $rc -eq $PAYLOAD_EXIT ]] && has "$log" "$MISSING" &&
        has "$log" "booting entry Partition 1 (protocol=bios-chainload)" &&
        has "$log" "chainload-mbr: DL=0x81 SI=0x07be" && ok=0
    verdict $name $ok "exit status $rc, want $PAYLOAD_EXIT: three failures back to the menu, then partition 1"
}

case_uefi_retry() {
    local name=uefi-menu-retry log=$out/uefi-menu-retry.serial ok=1
    boot $name uefi "$out/menu.img" "in 3 s" $'1\r' "$MISSING" $'5\r' \
        "Error: entry Disk 0x81: protocol=bios-chainload needs BIOS firmware" $'4\r' \
        "Error: /chain/notpe.bin: LoadImage: " $'3\r' \
        "Error: /chain/app.efi: StartImage: success" $'2\r'
    [[ $rc -eq $KERNEL_PASS ]] &&
        has "$log" 'chain-app: LoadOptions (34 bytes) "from the menu <U+00FC><U+20AC>"' &&
        has "$log" "booting entry MultiOS (protocol=mos)" && has "$log" "MOS-RESULT: PASS" && ok=0
    verdict $name $ok "exit status $rc, want $KERNEL_PASS: failures and the app's return back to the menu, then the kernel"
}

# The text screen during the countdown (QEMU stopped then): SCREEN is 1
# when a VGA is attached (the menu must be on it), 0 when none is (no
# text may be).
case_screen() { # NAME SCREEN [QEMU-BOOT ARGS]
    local name=$1 want=$2 log=$out/$1.serial sock=$out/$1.qmp text=$out/$1.screen pid ok=1
    shift 2
    rm -f "$log" "$sock" "$text"
    scripts/qemu-boot.sh --firmware bios --mem 128M --timeout 150 --image "$out/menu.img" \
        --serial "$log" --qmp "$sock" "$@" >/dev/null 2>&1 &
    pid=$!
    wait_for "$log" "Booting MultiOS in 2 s" $pid && screen_text "$sock" >"$text" 2>&1
    scripts/qmp.py "$sock" quit >/dev/null 2>&1 || true
    wait $pid || true
    touch "$text"
    if [[ $want -eq 1 ]]; then
        has "$text" "MultiOS Boot: choose an entry" && has "$text" "> 2. MultiOS (default)" &&
            has "$text" "Booting MultiOS in" && has "$text" "[INFO ] ACPI RSDP" && ok=0
        verdict "$name" $ok "the menu and the log not on the text screen (read back: $text)"
    else
        has "$log" "Booting MultiOS in 2 s" && ! has "$text" "MultiOS" && ! has "$text" "[INFO ]" &&
            ! grep -q '[^ ]' "$text" && ok=0
        verdict "$name" $ok "text written at 0xB8000 without a VGA, or no countdown (read back: $text)"
    fi
}

# timeout=0: no menu, the failing default entry stops the boot.
case_no_menu() { # FIRMWARE DEFAULT WANT_RC TEXT
    local name=$1-no-menu-halt log=$out/$1-no-menu-halt.serial ok=1
    boot "$name" "$1" "$out/no-menu-$1.img"
    [[ $rc -eq $3 ]] && has "$log" "$4" && ! has "$log" "choose an entry" && ok=0
    verdict "$name" $ok "exit status $rc, want $3 with \"$4\" and no menu"
}

payload_disk
image menu 3 2
if [[ ${BIOS:-1} != 0 ]]; then
    image no-menu-bios 0 7
    selected bios-menu-timeout && case_timeout bios
    selected bios-menu-pick && case_bios_pick
    selected bios-menu-retry && case_bios_retry
    selected bios-no-menu-halt &&
        case_no_menu bios 7 $BIOS_HALT "drive 0x81 partition 3: partition slot is empty"
    selected bios-menu-screen && case_screen bios-menu-screen 1 --qemu-arg -vga --qemu-arg std
    selected bios-menu-no-screen && case_screen bios-menu-no-screen 0
fi
if [[ ${UEFI:-1} != 0 ]]; then
    image no-menu-uefi 0 3
    selected uefi-menu-timeout && case_timeout uefi
    selected uefi-menu-retry && case_uefi_retry
    selected uefi-no-menu-halt && case_no_menu uefi 3 $UEFI_HALT \
        "/chain/app.efi: StartImage: success"
fi
exit $status
