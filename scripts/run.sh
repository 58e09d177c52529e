#!/usr/bin/env bash
# The main job: builds sandpc and the default guest (Debian's i386 kernel
# with a busybox initramfs, from Debian packages, cached outside git), boots
# it headless in an isolated PC, runs a job in it (uname, /proc/cpuinfo, a
# short computation) and lets it power off.
#   scripts/run.sh            the Linux job
#   scripts/run.sh freedos    FreeDOS from ../shared/guests/freedos722.img:
#                             types PRIMES, NASM HELLO.ASM and H at its prompt
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target sandpc_runner
sandpc=./build/frontends/sandpc/sandpc

if [ "${1:-linux}" = freedos ]; then
    image="${SANDPC_FREEDOS_IMAGE:-../shared/guests/freedos722.img}"
    [ -f "$image" ] || { echo "run.sh: FreeDOS image '$image' not found" >&2; exit 2; }
    screen=$(mktemp)
    trap 'rm -f "$screen"' EXIT
    echo "== booting FreeDOS from $image and typing a job at its prompt =="
    set +e
    "$sandpc" -fda "$image" --deterministic --keys 'PRIMES /N:100 /P:CON\n' \
        --keys 'NASM HELLO.ASM -o H.COM\n' --keys 'H\n' \
        --until-text 'Hello, World!' --timeout 120 --screendump "$screen"
    status=$?
    set -e
    echo "== guest screen =="
    cat "$screen"
    echo "== sandpc exit status: $status (0 = the job's output appeared) =="
    exit "$status"
fi

bash scripts/build-linux-guest.sh --no-iso
guest="${SANDPC_CACHE:-$HOME/.cache/sandpc}/linux"
job='echo "== inside the guest =="; uname -a; echo; head -n 20 /proc/cpuinfo; echo
echo "sum of 1..100000 = $(seq 100000 | awk "{ s += \$1 } END { print s }")"
echo "primes below 50: $(seq 2 49 | while read n; do f=1; for d in $(seq 2 $((n - 1))); do
  [ $((n % d)) = 0 ] && f=0 && break; done; [ $f = 1 ] && printf "%s " $n; done)"'
echo "== booting Linux headless in sandpc (serial console below) =="
set +e
"$sandpc" -kernel "$guest/bzImage" -initrd "$guest/initramfs.cpio.gz" -nographic \
    -append "console=ttyS0 quiet panic=-1 cryptomgr.notests sandpc.cmd=$(printf '%s' "$job" | base64 -w0)" \
    --timeout 600
status=$?
set -e
echo "== sandpc exit status: $status (0 = the guest ran its job and powered off) =="
exit "$status"
