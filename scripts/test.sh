#!/usr/bin/env bash
# Builds sandpc and runs the test suites: the full suite on an optimised build
# (CPU, devices, BIOS, FreeDOS and Linux guests), then the unit and guest
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
echo "== Linux guest (Debian packages, cached outside git) =="
bash scripts/build-linux-guest.sh --no-iso
echo "== tests =="
ctest --test-dir build --output-on-failure -j "$jobs" -LE "slow|qemu|failing"

if [ "${1:-}" != "--no-sanitize" ]; then
  echo "== build (ASan + UBSan) =="
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSANDPC_SANITIZE=ON \
        -DSANDPC_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  echo "== tests under ASan + UBSan =="
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L "unit|guest" -LE guest-jit
fi
echo "== all tests passed =="
