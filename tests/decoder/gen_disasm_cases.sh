#!/bin/sh
# Regenerates disasm_cases.txt from disasm_encodings.txt with binutils'
# objdump: each line "<16|32> <hex bytes>" becomes
# "<16|32> <hex bytes> <what objdump prints, Intel syntax>".
# Usage: gen_disasm_cases.sh [objdump] > disasm_cases.txt
set -eu
objdump="${1:-objdump}"
dir=$(dirname "$0")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -v '^#' "$dir/disasm_encodings.txt" | while read -r mode hex; do
    [ -n "$mode" ] || continue
    printf '%s' "$hex" | xxd -r -p > "$tmp"
    if [ "$mode" = 16 ]; then machine=i8086; else machine=i386; fi
    text=$("$objdump" -D -b binary -m "$machine" -M intel "$tmp" |
        awk -F'\t' '/^ +0:/ { print $3; exit }')
    printf '%s %s %s\n' "$mode" "$hex" "$text"
done
