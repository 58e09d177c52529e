#!/bin/bash
# linux_boot.sh CASE SANDPC GUEST_DIR   (cryptomgr.notests: the kernel's crypto
# self-tests cost 31 s of guest time at interpreter speed)
#   job:           direct boot, run a command, check its output, poweroff -> 0
#                  (on the interpreter; the other cases use the default JIT)
#   disk:          the same job from the ATA disk image (syslinux on FAT)
#   panic:         no init -> kernel panic -> reset under -no-reboot -> 16
#   deterministic: two --deterministic runs give identical serial output and
#                  instruction counts
#   checkpoint:    stopped at N instructions with --save-on-exit and resumed
#                  with --restore in a new process: serial output and final
#                  instruction count equal one straight run
#   cdrom:         the isolinux ISO boots from -cdrom through our BIOS's El
#                  Torito; the job is typed at the boot: prompt, poweroff -> 0
set -u
case=$1
sandpc=$2
guest=$3
kernel=$guest/bzImage
initrd=$guest/initramfs.cpio.gz
iso=$guest/sandpc-linux.iso
if [ "$case" = cdrom ] && [ ! -f "$iso" ]; then
    echo "no $iso: run scripts/build-linux-guest.sh (without --no-iso) first" >&2
    exit 1
fi
if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
    echo "no Linux guest in $guest: run scripts/build-linux-guest.sh first" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
job=$(printf 'uname -sm; grep -c ^processor /proc/cpuinfo; grep -o -m1 "fpu[^ ]*" /proc/cpuinfo; echo $((6 * 7))' | base64 -w0)
boot() {  # boot OUTPUT_FILE EXTRA_ARGS...
    local out=$1
    shift
    "$sandpc" -kernel "$kernel" -initrd "$initrd" -nographic --deterministic --timeout 800 \
        "$@" >"$out" 2>"$out.err"
}
check() {  # check FILE TEXT
    grep -q -- "$2" "$1" || { echo "missing '$2' in the serial output:"; tail -40 "$1"; exit 1; }
}
case $case in
job)
    # The interpreter here; the other boot paths run on the default engine (JIT).
    boot "$dir/out" -append "console=ttyS0 panic=-1 cryptomgr.notests sandpc.cmd=$job" --cpu interp
    status=$?
    cat "$dir/out.err"
    check "$dir/out" "SANDPC-GUEST-READY"
    check "$dir/out" "Linux i686"
    check "$dir/out" "^42"
    check "$dir/out" "SANDPC-JOB-EXIT 0"
    [ "$status" = 0 ] || { echo "expected status 0 (powered off), got $status"; exit 1; }
    # The firmware's SMBIOS tables and the P6 PMU/MCA registers: the kernel
    # finds them and complains about none of them.
    check "$dir/out" "DMI: sandpc sandpc PC, BIOS"
    check "$dir/out" "p6 PMU driver"
    for gone in "DMI not present" "Broken PMU hardware" "Failed to access perfctr" \
        "Unable to init MCE"; do
        if grep -F -- "$gone" "$dir/out"; then echo "the kernel still says '$gone'"; exit 1; fi
    done
    if grep -E -i "(warning|bug:|oops|call trace)" "$dir/out"; then
        echo "(kernel warnings above are reported, not failed on)"
    fi
    ;;
panic)
    boot "$dir/out" -append "console=ttyS0 panic=-1 cryptomgr.notests init=/no/such/init rdinit=/no/such/init" -no-reboot
    status=$?
    cat "$dir/out.err"
    check "$dir/out" "Kernel panic"
    [ "$status" = 16 ] || { echo "expected status 16 (guest reset), got $status"; exit 1; }
    ;;
deterministic)
    for run in 1 2; do
        boot "$dir/out$run" -append "console=ttyS0 panic=-1 cryptomgr.notests sandpc.cmd=$job"
        grep -o 'after [0-9]* instructions' "$dir/out$run.err" > "$dir/count$run"
    done
    cmp "$dir/out1" "$dir/out2" || { echo "serial output differs"; diff "$dir/out1" "$dir/out2" | head; exit 1; }
    cmp "$dir/count1" "$dir/count2" || { echo "instruction counts differ"; exit 1; }
    echo "identical: $(cat "$dir/count1"), $(wc -c < "$dir/out1") bytes of serial output"
    ;;
checkpoint)
    args=(-append "console=ttyS0 panic=-1 cryptomgr.notests quiet sandpc.cmd=$job")
    boot "$dir/straight" "${args[@]}"
    want=$(grep -o 'after [0-9]* instructions' "$dir/straight.err")
    check "$dir/straight" "SANDPC-JOB-EXIT 0"
    # During the kernel's decompression (protected mode, no paging) and
    # after it started (paging, interrupts, serial console).
    for n in 1000000000 2200000000; do
        boot "$dir/first" "${args[@]}" --max-instructions $n --save-on-exit "$dir/ck"
        boot "$dir/second" "${args[@]}" --restore "$dir/ck"
        got=$(grep -o 'after [0-9]* instructions' "$dir/second.err")
        cat "$dir/first" "$dir/second" > "$dir/joined"
        cmp "$dir/straight" "$dir/joined" || {
            echo "serial output differs when resumed at $n"; diff "$dir/straight" "$dir/joined" | head; exit 1; }
        [ "$want" = "$got" ] || { echo "resumed at $n: $got, straight: $want"; exit 1; }
        echo "ok   resumed at $n: $got, $(stat -c %s "$dir/ck") byte checkpoint"
    done
    ;;
disk)
    # The ATA disk image through our BIOS: syslinux MBR, FAT partition,
    # syslinux loads bzImage and two initrds, the second (job.gz) holding
    # /job.sh. The job goes into a copy of the image. 64 MiB: syslinux puts
    # the initrd at the top of RAM, which with 32 MiB lies where the kernel
    # decompresses (LOAD_PHYSICAL_ADDR 16 MiB + init_size).
    image=$guest/sandpc-linux-disk.img
    [ -f "$image" ] || { echo "no $image: run scripts/build-linux-guest.sh (without --no-disk)" >&2; exit 1; }
    command -v mcopy >/dev/null && command -v cpio >/dev/null ||
        { echo "needs mtools and cpio (scripts/build-linux-guest.sh installs them)" >&2; exit 1; }
    mkdir "$dir/job"
    echo "$job" | base64 -d >"$dir/job/job.sh"
    (cd "$dir/job" && echo job.sh | cpio -o -H newc --quiet --owner=0:0) | gzip -n >"$dir/job.gz"
    cp --sparse=always "$image" "$dir/disk.img"
    mcopy -o -i "$dir/disk.img@@1M" "$dir/job.gz" ::job.gz || exit 1
    "$sandpc" -m 64 -hda "$dir/disk.img" -snapshot -nographic --deterministic --timeout 800 \
        >"$dir/out" 2>"$dir/out.err"
    status=$?
    cat "$dir/out.err"
    check "$dir/out" "^SYSLINUX"
    check "$dir/out" "Loading /job.gz"
    check "$dir/out" "SANDPC-GUEST-READY"
    check "$dir/out" "Linux i686"
    check "$dir/out" "^42"
    check "$dir/out" "SANDPC-JOB-EXIT 0"
    [ "$status" = 0 ] || { echo "expected status 0 (powered off), got $status"; exit 1; }
    ;;
cdrom)
    # isolinux appends what follows the label to its APPEND line.
    "$sandpc" -cdrom "$iso" -nographic --deterministic --timeout 800 \
        --keys "linux cryptomgr.notests sandpc.cmd=$job\n" >"$dir/out" 2>"$dir/out.err"
    status=$?
    cat "$dir/out.err"
    check "$dir/out" "ISOLINUX"
    check "$dir/out" "SANDPC-GUEST-READY"
    check "$dir/out" "Linux i686"
    check "$dir/out" "^42"
    check "$dir/out" "SANDPC-JOB-EXIT 0"
    [ "$status" = 0 ] || { echo "expected status 0 (powered off), got $status"; exit 1; }
    ;;
*) echo "unknown case $case"; exit 2 ;;
esac
