#!/usr/bin/env bash
# The main job: builds sandpc, boots FreeDOS from its floppy image headless,
# types a job at the DOS prompt (list primes, assemble HELLO.ASM with NASM,
# run the result) and shows the screen the guest left. The image is read
# from ../shared/guests beside the repository and never modified: the
# guest's writes go to a temporary overlay.
# Usage: scripts/run.sh [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
image="${1:-${SANDPC_FREEDOS_IMAGE:-../shared/guests/freedos722.img}}"
if [ ! -f "$image" ]; then
    echo "run.sh: FreeDOS image '$image' not found (pass its path as the first argument)" >&2
    exit 2
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target sandpc_runner
screen=$(mktemp)
trap 'rm -f "$screen"' EXIT
echo "== booting FreeDOS from $image and running a job in it =="
set +e
./build/frontends/sandpc/sandpc -fda "$image" --deterministic \
    --keys 'PRIMES /N:100 /P:CON\n' \
    --keys 'NASM HELLO.ASM -o H.COM\n' \
    --keys 'H\n' \
    --until-text 'Hello, World!' --timeout 120 --screendump "$screen"
status=$?
set -e
echo "== guest screen =="
cat "$screen"
echo "== sandpc exit status: $status (0 = the job's output appeared) =="
exit "$status"
