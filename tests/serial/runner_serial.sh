#!/bin/bash
# runner_serial.sh SANDPC ECHO_BOOT_SECTOR CASE: the `sandpc` runner carrying
# host input to COM1 of the serial_echo guest (prints READY, echoes a line
# uppercased, exits with isa-debug-exit value 40h | interrupts seen).
#   stdio: a line written into sandpc's stdin (a pipe) after READY
#   tcp:   sandpc listens on a TCP port it picks; bash connects (/dev/tcp)
#   errors: refused connections and --deterministic with a socket are
#          usage errors with a message
set -u
sandpc=$1 boot=$2 case=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT
head -c 1474560 /dev/zero > "$dir/echo.img"
dd if="$boot" of="$dir/echo.img" conv=notrunc status=none
common=(-fda "$dir/echo.img" -display none -device isa-debug-exit --timeout 60)
fail() { echo "FAIL: $*"; [ -f "$dir/err" ] && cat "$dir/err"; exit 1; }
# 0x42: echoed, and the short line came through the character timeout.
expected_status=$(( (0x42 << 1) | 1 ))

case $case in
stdio)
    coproc SANDPC { exec "$sandpc" "${common[@]}" -serial stdio 2>"$dir/err"; }
    pid=$SANDPC_PID
    read -r -t 30 ready <&"${SANDPC[0]}" || fail "no READY line"
    [ "$ready" = READY ] || fail "got '$ready' instead of READY"
    printf 'hello, pipe\n' >&"${SANDPC[1]}"
    read -r -t 30 reply <&"${SANDPC[0]}" || fail "no reply"
    wait "$pid"
    status=$?
    pid=
    [ "$reply" = "HELLO, PIPE" ] || fail "reply '$reply'"
    [ "$status" = "$expected_status" ] || fail "exit status $status, expected $expected_status"
    ;;
tcp)
    "$sandpc" "${common[@]}" -serial tcp:127.0.0.1:0,server 2>"$dir/err" >"$dir/out" &
    pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*waiting for a connection on tcp:127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/err")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || fail "no 'waiting for a connection' message"
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to port $port"
    read -r -t 30 ready <&3 || fail "no READY line"
    [ "$ready" = READY ] || fail "got '$ready' instead of READY"
    printf 'over tcp\n' >&3
    read -r -t 30 reply <&3 || fail "no reply"
    wait "$pid"
    status=$?
    pid=
    exec 3<&-
    [ "$reply" = "OVER TCP" ] || fail "reply '$reply'"
    [ "$status" = "$expected_status" ] || fail "exit status $status, expected $expected_status"
    ;;
errors)
    expect_usage() {
        local what=$1 pattern=$2
        shift 2
        "$sandpc" "${common[@]}" "$@" 2>"$dir/err" </dev/null
        local got=$?
        [ "$got" = 2 ] || fail "$what: status $got, expected 2"
        grep -q "$pattern" "$dir/err" || fail "$what: message lacks '$pattern'"
        echo "ok   $what: $(cat "$dir/err")"
    }
    # Port 1 (tcpmux) has no listener on a build machine.
    expect_usage "refused" "cannot connect" -serial tcp:127.0.0.1:1
    expect_usage "no unix socket" "cannot connect" -serial "unix:$dir/none"
    expect_usage "deterministic" "deterministic" --deterministic -serial "unix:$dir/s,server"
    expect_usage "bad spec" "nowait needs server" -serial tcp:127.0.0.1:5,nowait
    ;;
*) fail "unknown case $case" ;;
esac
echo "ok $case"
