#!/bin/bash
# Guest disk writes made through the runner's temporary overlay travel in the
# checkpoint: FreeDOS writes A:\T.TXT, the run stops with --save-on-exit, and
# a new process resumed with --restore reads the file back, while the floppy
# image itself stays byte-identical. A damaged overlay chunk, another floppy
# and --writable are refused.
set -u
sandpc=$1
original=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
image="$dir/fd.img"
cp "$original" "$image"
before=$(sha256sum <"$image")
common=(-fda "$image" --deterministic)
"$sandpc" "${common[@]}" --keys 'ECHO HELLO > A:\T.TXT\n' --max-instructions 30000000 \
    --save-on-exit "$dir/ck" 2>"$dir/first.log"
[ -s "$dir/ck" ] || { echo "no checkpoint written"; cat "$dir/first.log"; exit 1; }
# Prints the bytes a checkpoint's DOVL chunks carry (independent of sandpc's
# reader, after docs/snapshot-format.md), or fails if there is none.
overlay_bytes() {
    python3 - "$1" <<'PY'
import sys, zlib
d = open(sys.argv[1], 'rb').read()
at, out, found = 16, b'', False
while at < len(d):
    kind, length = d[at:at + 4], int.from_bytes(d[at + 8:at + 16], 'little')
    name_len = int.from_bytes(d[at + 16:at + 20], 'little')
    payload = d[at + 24 + name_len:at + 24 + name_len + length]
    at += 24 + name_len + length + 4
    if kind != b'DOVL':
        continue
    found = True
    pos = 24 + 8 * int.from_bytes(payload[16:24], 'little')
    while pos < len(payload):
        packed = int.from_bytes(payload[pos + 4:pos + 8], 'little')
        out += zlib.decompress(payload[pos + 12:pos + 12 + packed])
        pos += 12 + packed
sys.stdout.buffer.write(out)
sys.exit(0 if found else 1)
PY
}
overlay_bytes "$dir/ck" >"$dir/ck.bytes" || { echo "checkpoint carries no overlay chunk"; exit 1; }
# (DOS's ECHO keeps the space before the '>').
python3 -c "import re, sys; sys.exit(not re.search(rb'HELLO *\r\n', open(sys.argv[1], 'rb').read()))" \
    "$dir/ck.bytes" || { echo "the overlay chunk lacks T.TXT's data"; exit 1; }
echo "ok   checkpoint of $(stat -c %s "$dir/ck") bytes carries the floppy's overlay" \
    "($(stat -c %s "$dir/ck.bytes") bytes of clusters)"
# The restored process saves again: its overlay must hold the replayed writes
# (the guest only reads after the restore, and DOS may serve TYPE from its
# buffers in RAM, so this is what shows the clusters reached the new overlay).
"$sandpc" "${common[@]}" --restore "$dir/ck" --keys 'TYPE A:\T.TXT\n' \
    --max-instructions 45000000 --screendump "$dir/resumed.txt" --save-on-exit "$dir/ck2" \
    2>"$dir/resumed.log"
overlay_bytes "$dir/ck2" >"$dir/ck2.bytes" || {
    echo "the restored machine's overlay lost the guest's writes"; exit 1; }
cmp -s "$dir/ck.bytes" "$dir/ck2.bytes" || {
    echo "the restored machine's overlay differs from the saved one"; exit 1; }
echo "ok   the restored machine's overlay holds the same clusters"
# The command line shows "ECHO HELLO", so only TYPE prints a line that is HELLO.
grep -qx 'HELLO *' "$dir/resumed.txt" || {
    echo "TYPE did not show HELLO after the restore"; cat "$dir/resumed.txt" "$dir/resumed.log"
    exit 1; }
echo "ok   TYPE A:\\T.TXT shows HELLO after the restore"
# Without the checkpoint's overlay the file does not exist on the image.
"$sandpc" "${common[@]}" --keys 'TYPE A:\T.TXT\n' --max-instructions 30000000 \
    --screendump "$dir/plain.txt" 2>/dev/null
if grep -qx 'HELLO *' "$dir/plain.txt"; then echo "FAIL the image itself holds T.TXT"; exit 1; fi
after=$(sha256sum <"$image")
[ "$before" = "$after" ] || { echo "FAIL the floppy image changed"; exit 1; }
cmp -s "$image" "$original" || { echo "FAIL the floppy image differs from the original"; exit 1; }
echo "ok   the floppy image is unchanged (sha256 ${after%% *})"
fail=0
expect_refused() {
    local what=$1 pattern=$2
    shift 2
    "$sandpc" "$@" --restore "$dir/ck" --max-instructions 30000000 2>"$dir/err"
    local status=$?
    if [ "$status" = 2 ] && grep -q "$pattern" "$dir/err"; then
        echo "ok   refused $what: $(head -c 200 "$dir/err")"
    else
        echo "FAIL $what: status $status"; cat "$dir/err"; fail=1
    fi
}
expect_refused "--writable" "without --writable" "${common[@]}" --writable
head -c 737280 /dev/zero >"$dir/other.img"
expect_refused "another floppy" "different content" -fda "$dir/other.img" --deterministic
python3 - "$dir/ck" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
at = d.index(b'DOVL')
name_len = int.from_bytes(d[at + 16:at + 20], 'little')
length = int.from_bytes(d[at + 8:at + 16], 'little')
d[at + 24 + name_len + length - 5] ^= 0x5A  # inside the last compressed block
open(p, 'wb').write(d)
PY
expect_refused "a damaged overlay chunk" "drive overlay 'overlay0'.*corrupted" "${common[@]}"
[ "$(sha256sum <"$image")" = "$before" ] || { echo "FAIL the floppy image changed"; fail=1; }
exit $fail
