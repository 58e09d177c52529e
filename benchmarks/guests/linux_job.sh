#!/usr/bin/env bash
# Runs the reference compute job (linux_compute_job.sh) on sandpc, QEMU TCG,
# Bochs and natively, one after the other, and prints seconds per part and
# the ratios between them. See --help.
set -uo pipefail

usage() {
    cat <<'EOF'
Usage: benchmarks/guests/linux_job.sh [options]

Boots the cached Linux guest (scripts/build-linux-guest.sh) with the
reference compute job (benchmarks/guests/linux_compute_job.sh, base64'd onto
the kernel command line as sandpc.cmd=) on each peer in turn, never two at
once, and times each part (crc32, hash, sieve, x87) by host-side timestamps
on the BENCH-BEGIN/BENCH-END lines as they arrive on the serial console.

Peers:
  sandpc   build/frontends/sandpc/sandpc -kernel -initrd -append -nographic
  qemu     qemu-system-i386 (TCG) with the same kernel, initrd and append
  bochs    Bochs booting an isolinux ISO of the same kernel and initrd whose
           append line holds the same job (built in the cache each run);
           display "term" on a pseudo-terminal, COM1 to a FIFO, clock sync=none
  native   the guest's own i386 busybox-static run directly on the host

Reported per peer: boot (start to SANDPC-GUEST-READY; Bochs also goes
through its BIOS and isolinux), each part, and total (start to exit), in
wall seconds and in CPU seconds of the peer's process tree (sampled from
/proc at each marker; this is the fairer number on a loaded machine).

Options:
  --peers LIST     comma-separated subset of sandpc,qemu,bochs,native
                   (default: all four)
  --sandpc PATH    sandpc binary (default: build/frontends/sandpc/sandpc)
  --cpu ENGINE     sandpc's CPU engine: interp or jit (default interp)
  --timeout SEC    per-peer limit in host seconds (default 2400)
  --keep DIR       keep transcripts, stamps and logs in DIR
  -h, --help       this text

Missing peers are installed through scripts/deps.sh (qemu-system-x86,
bochs, bochsbios, vgabios, bochs-term, xorriso, isolinux, syslinux-common).
Exit status: 0 when every selected peer ran the job to SANDPC-JOB-EXIT 0
with the same results as native, 1 otherwise, 2 for bad usage.
EOF
}

repo="$(cd "$(dirname "$0")/../.." && pwd)"
peers="sandpc,qemu,bochs,native"
sandpc="$repo/build/frontends/sandpc/sandpc"
cpu=interp
limit=2400
keep=""
native_runs=5
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    --peers) peers=$2; shift ;;
    --sandpc) sandpc=$2; shift ;;
    --cpu) cpu=$2; shift ;;
    --timeout) limit=$2; shift ;;
    --keep) keep=$2; shift ;;
    *) echo "linux_job: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "linux_job: $*" >&2; }
die() { echo "linux_job: error: $*" >&2; exit 2; }

guest="${SANDPC_CACHE:-$HOME/.cache/sandpc}/linux"
kernel=$guest/bzImage
initrd=$guest/initramfs.cpio.gz
[ -f "$kernel" ] && [ -f "$initrd" ] ||
    die "no Linux guest in $guest: run scripts/build-linux-guest.sh first"
job_file="$repo/benchmarks/guests/linux_compute_job.sh"
job=$(sed '/^[[:space:]]*#/d' "$job_file" | base64 -w0)
parts=$(grep -c '^b ' "$job_file")  # "b NAME" opens a part
append="console=ttyS0 panic=-1 cryptomgr.notests quiet sandpc.cmd=$job"
# The x86 boot protocol's command line holds 2047 bytes plus the NUL.
[ ${#append} -le 2000 ] || die "command line is ${#append} bytes: shorten $job_file"

if [ -n "$keep" ]; then
    mkdir -p "$keep" || die "cannot create $keep"
    dir=$(cd "$keep" && pwd)
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi

want() { case ",$peers," in *",$1,"*) return 0 ;; esac; return 1; }
extra=()
want qemu && extra+=(qemu-system-x86)
want bochs && extra+=(bochs bochsbios vgabios bochs-term xorriso isolinux syslinux-common)
bash "$repo/scripts/deps.sh" "${extra[@]}" >&2 || die "scripts/deps.sh failed"

# CPU clock ticks (user+system, including reaped children) of PID and all
# its live descendants.
tree_ticks() {
    local stat fields total=0 child
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    read -r -a fields <<<"${stat##*) }"
    total=$((fields[11] + fields[12] + fields[13] + fields[14]))
    for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        total=$((total + $(tree_ticks "$child")))
    done
    echo "$total"
}
hz=$(getconf CLK_TCK)
# CPU ticks (user+system) of this shell's reaped children so far.
children_ticks() {
    local stat fields
    stat=$(cat /proc/$$/stat)
    read -r -a fields <<<"${stat##*) }"
    echo $((fields[13] + fields[14]))
}

# run_peer NAME MODE CMD...: MODE "stdout" when CMD writes the guest's
# serial console to its stdout, "fifo" when CMD writes it to $dir/NAME.fifo
# itself. Writes $dir/NAME.serial (the console), $dir/NAME.log (the peer's
# own output) and $dir/NAME.stamps ("EVENT PART WALL CPU" relative to start).
run_peer() {
    local name=$1 mode=$2
    shift 2
    local fifo=$dir/$name.fifo serial=$dir/$name.serial log=$dir/$name.log
    local stamps=$dir/$name.stamps
    rm -f "$fifo" "$serial" "$log" "$stamps"
    mkfifo "$fifo"
    # Read-write open: never blocks, and the peer may open the FIFO late.
    exec 3<>"$fifo"
    local t0=$EPOCHREALTIME pid ticks0
    ticks0=$(children_ticks)
    rm -f "$dir/$name.end"
    {
        if [ "$mode" = stdout ]; then
            timeout --kill-after=10 "$limit" "$@" </dev/null >"$fifo" 2>"$log"
        else
            timeout --kill-after=10 "$limit" "$@" </dev/null >"$log" 2>&1
        fi
        echo "$? $EPOCHREALTIME" >"$dir/$name.end"
    } &
    pid=$!
    local line buf="" now event part alive=1 idle=0
    while :; do
        if IFS= read -r -t 1 line <&3; then
            line=${buf}${line%$'\r'}
            buf=""
            idle=0
        else
            buf+=$line
            if [ $alive = 1 ]; then
                kill -0 "$pid" 2>/dev/null || alive=0
            elif [ $((++idle)) -ge 2 ]; then
                break  # the peer is gone and the FIFO has been quiet
            fi
            continue
        fi
        printf '%s\n' "$line" >>"$serial"
        event=""
        case "$line" in
        *SANDPC-GUEST-READY*) event="ready boot" ;;
        *BENCH-BEGIN\ *) event="begin ${line##*BENCH-BEGIN }" ;;
        *BENCH-END\ *) event="end ${line##*BENCH-END }" ;;
        *SANDPC-JOB-EXIT*) event="exit ${line##*SANDPC-JOB-EXIT }" ;;
        esac
        [ -n "$event" ] || continue
        now=$EPOCHREALTIME
        echo "$event $(echo "$now - $t0" | bc) $(tree_ticks "$pid")" >>"$stamps"
        read -r event part _ <<<"$event"
        case $event in
        ready) say "  $name: guest ready after $(echo "$now - $t0" | bc | cut -c1-6) s" ;;
        begin) say "  $name: $part ..." ;;
        end) say "  $name: $part done at $(echo "$now - $t0" | bc | cut -c1-7) s" ;;
        esac
    done
    wait "$pid"
    exec 3<&-
    local status end
    read -r status end <"$dir/$name.end"
    # Reaped, the peer's CPU time is in this shell's children's times (with
    # the few short helpers run above).
    echo "total - $(echo "$end - $t0" | bc) $(($(children_ticks) - ticks0))" >>"$stamps"
    echo "$status" >"$dir/$name.status"
}

# Lines a part printed (between its markers), for comparing peers.
results() { awk '/BENCH-BEGIN/ { on = 1; next } /BENCH-END/ { on = 0 } on' "$1" 2>/dev/null; }

check_peer() {  # check_peer NAME: 0 if the job ran to exit 0
    local name=$1 status
    status=$(cat "$dir/$name.status")
    if grep -q "^exit 0 " "$dir/$name.stamps" 2>/dev/null &&
        [ "$(grep -c '^end ' "$dir/$name.stamps")" = "$parts" ]; then
        say "  $name: finished (exit status $status)"
        return 0
    fi
    say "$name FAILED (exit status $status, 124 = timed out after $limit s); last console lines:"
    tail -n 25 "$dir/$name.serial" 2>/dev/null | sed 's/^/    | /' >&2
    say "last lines of its own output${keep:+ ($dir/$name.log)}:"
    tail -n 15 "$dir/$name.log" 2>/dev/null | cat -v | sed 's/^/    | /' >&2
    return 1
}

ok=()
failed=0
run_one() {  # run_one NAME MODE CMD...
    say "$1: starting (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    run_peer "$@"
    if check_peer "$1"; then ok+=("$1"); else failed=1; fi
}

if want sandpc; then
    [ -x "$sandpc" ] || die "no sandpc binary at $sandpc (build the sandpc_runner target)"
    run_one sandpc stdout "$sandpc" -m 128 -kernel "$kernel" -initrd "$initrd" -nographic \
        -append "$append" --timeout "$limit" --cpu "$cpu"
fi

if want qemu; then
    run_one qemu stdout qemu-system-i386 -m 128 -nographic -no-reboot -kernel "$kernel" \
        -initrd "$initrd" -append "$append" -device isa-debug-exit,iobase=0xf4,iosize=0x04
fi

if want bochs; then
    bench_cache="${SANDPC_CACHE:-$HOME/.cache/sandpc}/bench"
    iso_root=$dir/iso
    mkdir -p "$bench_cache" "$iso_root/isolinux" "$iso_root/boot"
    cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso_root/isolinux/"
    cp "$kernel" "$iso_root/boot/bzImage"
    cp "$initrd" "$iso_root/boot/initrd.gz"
    printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /boot/bzImage\n  APPEND initrd=/boot/initrd.gz %s\n' \
        "$append" >"$iso_root/isolinux/isolinux.cfg"
    iso=$bench_cache/linux-job.iso
    xorriso -as mkisofs -quiet -o "$iso" -V SANDPC_BENCH -b isolinux/isolinux.bin \
        -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$iso_root" \
        2>"$dir/xorriso.log" || die "xorriso failed: $(tail -3 "$dir/xorriso.log")"
    rm -rf "$iso_root"
    cat >"$dir/bochsrc" <<EOF
megs: 128
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
clock: sync=none, time0=local
com1: enabled=1, mode=file, dev=$dir/bochs.fifo
display_library: term
speaker: enabled=0
mouse: enabled=0
log: $dir/bochs.events
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
EOF
    # Debian's Bochs has the debugger built in: "c" starts the machine. The
    # guest's ACPI power-off is a Bochs "panic", which ends the run.
    printf 'c\nquit\n' >"$dir/bochs.rc"
    run_one bochs fifo env TERM=xterm script -qfec \
        "exec bochs-bin -q -f $dir/bochsrc -rc $dir/bochs.rc" /dev/null
fi

if want native; then
    native=$dir/native
    mkdir -p "$native/bin" "$native/work"
    dpkg-deb -x "$(ls "$guest"/debs/busybox-static_*_i386.deb | head -n1)" "$native/deb" ||
        die "cannot extract busybox-static from $guest/debs"
    cp "$native/deb/bin/busybox" "$native/bin/busybox"
    for applet in $("$native/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$native/bin/$applet"
    done
    sed '/^[[:space:]]*#/d' "$job_file" >"$native/job.sh"
    # Native parts take milliseconds: the median of several runs (each
    # stamp line separately) steadies them.
    for i in $(seq "$native_runs"); do
        run_peer "native$i" stdout env -i PATH="$native/bin" "$native/bin/busybox" sh -c \
            'echo SANDPC-GUEST-READY native; sh "$1" "$2"; echo "SANDPC-JOB-EXIT $?"' \
            sh "$native/job.sh" "$native/work"
        check_peer "native$i" || { failed=1; break; }
    done
    if [ "$i" = "$native_runs" ] && check_peer "native$i" 2>/dev/null; then
        cp "$dir/native1.serial" "$dir/native.serial"
        say "  native: the table shows the median of $native_runs runs"
        ok+=(native)
    fi
fi

# Results must agree with native (or, without native, with the first peer).
ref=native
want native || ref=${ok[0]:-}
for name in "${ok[@]}"; do
    [ "$name" = "$ref" ] && continue
    if ! diff <(results "$dir/$ref.serial") <(results "$dir/$name.serial") >"$dir/$name.diff"; then
        say "$name: results differ from $ref:"
        sed 's/^/    /' "$dir/$name.diff" >&2
        failed=1
    fi
done

say "load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
[ ${#ok[@]} -gt 0 ] || exit 1

# --- table -------------------------------------------------------------------
durations() {  # durations COLUMN NAME STAMPS: "NAME ROW SECONDS" lines
    awk -v name="$2" -v col="$1" -v hz="$hz" '
        function part(x) { return x > 0 ? x : 0 }  # CPU samples are 1/hz apart
        { v = (col == 4) ? $4 / hz : $3 }
        $1 == "ready" { print name, "boot", v }
        $1 == "begin" { b[$2] = v }
        $1 == "end" { d = part(v - b[$2]); print name, $2, d; sum += d }
        $1 == "total" { print name, "parts", sum; print name, "total", v }' "$3"
}
table() {  # table COLUMN(3 = wall, 4 = cpu ticks) TITLE
    local col=$1
    for name in "${ok[@]}"; do
        if [ "$name" = native ]; then
            for i in $(seq "$native_runs"); do durations "$col" native "$dir/native$i.stamps"; done |
                awk '
                    function sort(a, m,   i, j, t) {
                        for (i = 2; i <= m; i++)
                            for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                    }
                    { v[$2] = v[$2] " " $3; if (!($2 in seen)) { seen[$2] = 1; rows[++n] = $2 } }
                    END {
                        for (k = 1; k <= n; k++) {
                            m = split(v[rows[k]], x, " ")
                            sort(x, m)
                            print "native", rows[k], x[int((m + 1) / 2)]
                        }
                    }'
        else
            durations "$col" "$name" "$dir/$name.stamps"
        fi
    done | awk -v title="$2" -v peers="${ok[*]}" '
        { t[$1 "," $2] = $3; if (!($2 in seen)) { seen[$2] = 1; rows[++n] = $2 } }
        END {
            np = split(peers, p, " ")
            have["sandpc"] = have["qemu"] = have["bochs"] = have["native"] = 0
            for (i = 1; i <= np; i++) have[p[i]] = 1
            nr = 0
            if (have["sandpc"] && have["qemu"]) { ra[++nr] = "sandpc"; rb[nr] = "qemu" }
            if (have["sandpc"] && have["bochs"]) { ra[++nr] = "sandpc"; rb[nr] = "bochs" }
            for (i = 1; i <= np; i++)
                if (have["native"] && p[i] != "native") { ra[++nr] = p[i]; rb[nr] = "native" }
            printf "%s\n%-7s", title, "part"
            for (i = 1; i <= np; i++) printf " %9s", p[i]
            for (r = 1; r <= nr; r++) printf " %14s", ra[r] "/" rb[r]
            printf "\n"
            for (k = 1; k <= n; k++) {
                row = rows[k]
                printf "%-7s", row
                for (i = 1; i <= np; i++) {
                    key = p[i] "," row
                    if (key in t) printf " %9.3f", t[key]; else printf " %9s", "-"
                }
                for (r = 1; r <= nr; r++) {
                    a = ra[r] "," row; b = rb[r] "," row
                    if ((a in t) && (b in t) && t[b] > 0) printf " %14.2f", t[a] / t[b]
                    else printf " %14s", "-"
                }
                printf "\n"
            }
        }'
}
echo
table 3 "Wall seconds (host timestamps on the serial markers)"
echo
table 4 "CPU seconds of each peer's process tree (user+system)"
exit "$failed"
