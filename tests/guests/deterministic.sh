#!/bin/bash
# --deterministic: two runs give byte-identical screens and the same
# instruction count.
set -u
sandpc=$1
image=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for run in 1 2; do
    "$sandpc" -fda "$image" --deterministic --keys 'PRIMES /N:200 /P:CON\n' \
        --max-instructions 60000000 --screendump "$dir/screen$run.txt" 2>"$dir/log$run"
    status=$?
    [ "$status" = 6 ] || { echo "run $run: status $status"; cat "$dir/log$run"; exit 1; }
    grep -o 'after [0-9]* instructions' "$dir/log$run" > "$dir/count$run"
done
cmp "$dir/screen1.txt" "$dir/screen2.txt" || { echo "screens differ"; exit 1; }
cmp "$dir/count1" "$dir/count2" || { echo "instruction counts differ"; exit 1; }
grep -q 'A:\\>' "$dir/screen1.txt" || { echo "no prompt on the screen:"; cat "$dir/screen1.txt"; exit 1; }
grep -q '199' "$dir/screen1.txt" || { echo "PRIMES output missing:"; cat "$dir/screen1.txt"; exit 1; }
echo "identical: $(cat "$dir/count1"), $(wc -c < "$dir/screen1.txt") bytes of screen"
