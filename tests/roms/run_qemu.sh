#!/bin/sh
# Runs one test ROM on QEMU and checks its exit status.
# Usage: run_qemu.sh <qemu-system-i386> <rom.bin> [expected status]
# isa-debug-exit turns a write of v to port 0xF4 into status (v<<1)|1, so a
# passing ROM (writes 0) gives 1. A triple fault with -no-reboot exits with 0.
qemu="$1"
rom="$2"
expected="${3:-1}"
timeout 20 "$qemu" -bios "$rom" -m 32 -cpu pentium3 -display none -debugcon stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -monitor none -serial none
status=$?
if [ "$status" -ne "$expected" ]; then
    echo "qemu exit status $status, expected $expected" >&2
    exit 1
fi
echo "qemu exit status $status as expected"
exit 0
