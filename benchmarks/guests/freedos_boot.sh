#!/usr/bin/env bash
# Boot-time benchmark: FreeDOS from its floppy until AUTOEXEC.BAT runs, on
# sandpc and on qemu-system-i386 (TCG), both ending the run through
# isa-debug-exit. A copy of the image gets an AUTOEXEC.BAT that writes the
# exit port with DEBUG; the original is never touched.
# Usage: benchmarks/guests/freedos_boot.sh SANDPC_BINARY [IMAGE] [RUNS]
set -euo pipefail
sandpc=$1
image=${2:-$(dirname "$0")/../../../shared/guests/freedos722.img}
runs=${3:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/patch_autoexec.py" "$image" "$dir/boot.img" \
    $'@ECHO OFF\r\nECHO o f4 0 > X\r\nDEBUG < X\r\n'

time_runs() {  # prints the median wall time of RUNS runs of "$@"
    local times=()
    for _ in $(seq "$runs"); do
        cp "$dir/boot.img" "$dir/run.img"
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

s=$(time_runs "$sandpc" -fda "$dir/run.img" --writable -device isa-debug-exit --deterministic --timeout 60)
echo "sandpc:           ${s} s (median of $runs)"
if command -v qemu-system-i386 >/dev/null; then
    q=$(time_runs timeout 120 qemu-system-i386 -fda "$dir/run.img" -display none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot)
    echo "qemu-system-i386: ${q} s (median of $runs, TCG)"
    echo "ratio qemu/sandpc: $(echo "scale=2; $q / $s" | bc)"
else
    echo "qemu-system-i386 not installed (apt-get install qemu-system-x86) : no comparison"
fi
