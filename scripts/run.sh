#!/usr/bin/env bash
# The main job. Until a guest OS boots (see docs/ARCHITECTURE.md, "Status"),
# it builds sandpc and runs a demo on the CPU: a system-test ROM that goes
# from real mode into protected mode with paging, rings and virtual-8086
# mode, printing through the debug port, on the bare-machine runner.
# Usage: scripts/run.sh [ROM-NAME]   (default: v86; others: paging rings faults iopl)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
rom="${1:-v86}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target sandpc_romrun sandpc_test_roms
echo "== running test ROM '$rom' on sandpc =="
set +e
./build/frontends/romrun/sandpc_romrun --rom "build/tests/roms/$rom.bin"
status=$?
set -e
echo "== guest exit status: $status (0 = the ROM's checks passed) =="
exit "$status"
