#!/bin/bash
# Bad input and dead guests get a clear message and their own exit status,
# and never touch the image files.
set -u
sandpc=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
expect() {
    local want=$1 what=$2
    shift 2
    "$sandpc" -q "$@" 2>"$dir/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $what: expected status $want, got $got ($(cat "$dir/err"))"
        fail=1
    elif [[ " 2 8 10 12 " == *" $want "* ]] && [ ! -s "$dir/err" ]; then
        echo "FAIL $what: no message on stderr"
        fail=1
    else
        echo "ok   $what (status $got: $(head -c 200 "$dir/err"))"
    fi
}
# A 64 KiB firmware image with CODE at the reset vector (F000:FFF0).
rom() {
    head -c 65536 /dev/zero > "$dir/$1"
    printf "$2" | dd of="$dir/$1" bs=1 seek=65520 conv=notrunc status=none
}

head -c 1000 /dev/zero > "$dir/odd.img"
expect 2 "odd-sized floppy image" -fda "$dir/odd.img"
head -c 1474560 /dev/zero > "$dir/blank.img"
cp "$dir/blank.img" "$dir/blank.orig"
expect 12 "floppy without boot signature" -fda "$dir/blank.img"
expect 12 "no boot device at all" -boot c
cmp -s "$dir/blank.img" "$dir/blank.orig" || { echo "FAIL image was modified"; fail=1; }
head -c 20481 /dev/zero > "$dir/odd.iso"
expect 2 "CD image not a multiple of 2048 bytes" -cdrom "$dir/odd.iso"
head -c 40960 /dev/zero > "$dir/blank.iso"
expect 12 "CD without an El Torito boot record" -cdrom "$dir/blank.iso" -boot d
grep -q "CD-ROM: no El Torito boot record" "$dir/err" || { echo "FAIL no reason given for the CD"; fail=1; }
expect 2 "-hdc with -cdrom (both the secondary master)" -cdrom "$dir/blank.iso" -hdc "$dir/blank.img"
head -c 1000 /dev/zero > "$dir/bad.rom"
expect 2 "firmware image of a wrong size" -bios "$dir/bad.rom"
rom halt.rom '\xfa\xf4'                          # cli; hlt
expect 10 "halt with interrupts disabled" -bios "$dir/halt.rom"
rom triple.rom '\x0f\x01\x1e\x00\x00\xcc'        # lidt [0] (limit 0); int3
expect 8 "triple fault with -no-reboot" -bios "$dir/triple.rom" -no-reboot
rom exit.rom '\xb0\x2a\xe6\xf4\xf4'              # mov al, 42; out 0xf4, al; hlt
expect 85 "isa-debug-exit status (42 << 1) | 1" -bios "$dir/exit.rom" -device isa-debug-exit
rom spin.rom '\xeb\xfe'                          # jmp $
expect 4 "timeout on a spinning guest" -bios "$dir/spin.rom" --timeout 1
exit $fail
