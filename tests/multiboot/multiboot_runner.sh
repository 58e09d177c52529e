#!/bin/bash
# multiboot_runner.sh SANDPC DIR: the Multiboot test kernels in DIR through
# the runner: -kernel/-append/-initrd with two modules (one with arguments),
# checked output and isa-debug-exit status 33; broken kernels exit with 2
# and say why.
set -u
sandpc=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'first module\n' >"$tmp/one.txt"
printf 'second' >"$tmp/two.txt"
"$sandpc" -m 32 -kernel "$dir/mbtest.elf" -append "console=none answer=42" \
    -initrd "$tmp/one.txt x=1 y,$tmp/two.txt" -debugcon "file:$tmp/out" \
    -device isa-debug-exit -nographic --deterministic --timeout 60 2>"$tmp/err"
status=$?
cat "$tmp/out" "$tmp/err"
[ "$status" = 33 ] || fail "expected status 33 (kernel checks passed), got $status"
for want in "MULTIBOOT-OK" "mem_lower=0000027f mem_upper=00007bc0 ram_top=02000000" \
    "cmdline=console=none answer=42" "loader=sandpc" \
    "module $tmp/one.txt x=1 y: first module" "module $tmp/two.txt: second"; do
    grep -qxF -- "$want" "$tmp/out" || fail "missing line '$want'"
done

refused() {  # refused KERNEL TEXT: status 2 and TEXT on stderr
    "$sandpc" -m 32 -kernel "$1" -nographic --timeout 10 2>"$tmp/err" >/dev/null
    status=$?
    cat "$tmp/err"
    [ "$status" = 2 ] || fail "$1: expected status 2, got $status"
    grep -qF -- "$2" "$tmp/err" || fail "$1: no '$2' in the error"
}
refused "$dir/mbtest-badsum.elf" "has checksum"
refused "$dir/mbtest-outside.elf" "beyond the end of usable RAM"
printf 'not a kernel' >"$tmp/junk"
refused "$tmp/junk" "no multiboot header"
echo "ok"
