# Shared by the Multiboot boot suites (sourced): modules, CRC-32, QEMU
# runs and PASS:/FAIL: judgement. The sourcing script sets `work` (a
# temporary directory) before calling make_modules.
status=0

# Two modules: 10000 random bytes and a short text file.
make_modules() {
    head -c 10000 /dev/urandom >"$work/mod0.bin"
    printf 'second module\n' >"$work/mod1.txt"
    crc0=$(crc32 "$work/mod0.bin")
    crc1=$(crc32 "$work/mod1.txt")
}

# zlib CRC-32 of a file, as the gzip trailer carries it, printed like the
# kernel prints it (0x without leading zeros).
crc32() {
    local hex
    hex=$(gzip -c "$1" | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n')
    printf '0x%x' "$((16#$hex))"
}

# run NAME FIRMWARE QEMU-ARGS...: boots with a RUN_TIMEOUT (60) second
# timeout and isa-debug-exit, serial log in $work/NAME.log; prints QEMU's
# status.
run() {
    local name=$1 fw=$2 rc=0 fwargs=()
    shift 2
    if [[ $fw == uefi ]]; then
        cp "${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$work/$name.vars"
        fwargs=(-drive "if=pflash,format=raw,readonly=on,file=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
            -drive "if=pflash,format=raw,file=$work/$name.vars")
    fi
    (cd "$work" && timeout "${RUN_TIMEOUT:-60}" qemu-system-x86_64 -nodefaults -machine q35 -m 256M \
        -display none -no-reboot -net none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "file:$work/$name.log" "${fwargs[@]}" "$@") || rc=$?
    echo "$rc"
}

# judge NAME RC WANT-RC LINE...: PASS when QEMU gave WANT-RC and every
# LINE is a whole line of the log (~TEXT: some line contains TEXT; !TEXT:
# no line contains TEXT).
judge() {
    local name=$1 rc=$2 want=$3 line log missing=()
    shift 3
    log=$(tr -d '\r' <"$work/$name.log" 2>/dev/null || true)
    for line in "$@"; do
        if [[ $line == "~"* ]]; then
            grep -qF -- "${line:1}" <<<"$log" || missing+=("$line")
        elif [[ $line == "!"* ]]; then
            ! grep -qF -- "${line:1}" <<<"$log" || missing+=("$line")
        else
            grep -qxF -- "$line" <<<"$log" || missing+=("$line")
        fi
    done
    if [[ $rc -ne $want ]]; then
        echo "FAIL: $name: QEMU status $rc, want $want (log: $(tail -3 <<<"$log" | tr '\n' '|'))"
        status=1
    elif [[ ${#missing[@]} -ne 0 ]]; then
        echo "FAIL: $name: unmet '${missing[0]}' (log: $(tail -3 <<<"$log" | tr '\n' '|'))"
        status=1
    else
        echo "PASS: $name"
    fi
}
