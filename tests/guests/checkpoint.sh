#!/bin/bash
# Checkpoint across processes: a run stopped at N instructions with
# --save-on-exit and resumed with --restore in a new process ends at N + M
# with the same screen and instruction count as one straight run. Also:
# a checkpoint refuses another RAM size, a damaged file, another disk.
# The runs before and after a checkpoint use different CPU engines
# (interpreter and JIT), which must give the same machine.
set -u
sandpc=$1
image=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common=(-fda "$image" --deterministic)
keys=(--keys 'PRIMES /N:3000 /P:CON\n')
"$sandpc" "${common[@]}" "${keys[@]}" --max-instructions 60000000 \
    --screendump "$dir/straight.txt" 2>"$dir/straight.log"
for run in "25000000 interp jit" "41000000 jit interp"; do
    read -r n before after <<<"$run"
    "$sandpc" "${common[@]}" "${keys[@]}" --max-instructions $n --save-on-exit "$dir/ck" \
        --cpu "$before" 2>"$dir/first.log"
    [ -s "$dir/ck" ] || { echo "no checkpoint written at $n"; cat "$dir/first.log"; exit 1; }
    "$sandpc" "${common[@]}" --restore "$dir/ck" --max-instructions 60000000 --cpu "$after" \
        --screendump "$dir/resumed.txt" 2>"$dir/resumed.log"
    cmp "$dir/straight.txt" "$dir/resumed.txt" || {
        echo "screens differ after resuming at $n"; cat "$dir/resumed.log"; exit 1; }
    a=$(grep -o 'after [0-9]* instructions' "$dir/straight.log")
    b=$(grep -o 'after [0-9]* instructions' "$dir/resumed.log")
    [ "$a" = "$b" ] || { echo "counts differ at $n: $a / $b"; exit 1; }
    echo "ok   resumed at $n ($before, then $after): $b, $(stat -c %s "$dir/ck") byte checkpoint"
done
grep -q '2999,' "$dir/straight.txt" || { echo "PRIMES output missing"; cat "$dir/straight.txt"; exit 1; }
fail=0
expect_refused() {
    local what=$1
    shift
    "$sandpc" "$@" --restore "$dir/ck" --max-instructions 30000000 2>"$dir/err"
    local status=$?
    if [ "$status" = 2 ] && [ -s "$dir/err" ]; then
        echo "ok   refused $what: $(head -c 160 "$dir/err")"
    else
        echo "FAIL $what: status $status"; cat "$dir/err"; fail=1
    fi
}
expect_refused "another RAM size" "${common[@]}" -m 64
head -c 737280 /dev/zero > "$dir/other.img"
expect_refused "another floppy" -fda "$dir/other.img" --deterministic
cp "$dir/ck" "$dir/ck.orig"
size=$(stat -c %s "$dir/ck")
python3 -c "import sys; p = sys.argv[1]; d = bytearray(open(p, 'rb').read()); d[len(d) // 2] ^= 0x5A; open(p, 'wb').write(d)" "$dir/ck"
expect_refused "a damaged file" "${common[@]}"
head -c $((size / 3)) "$dir/ck.orig" > "$dir/ck"
expect_refused "a truncated file" "${common[@]}"
exit $fail
