#!/bin/bash
# expect_status.sh STATUS COMMAND... : runs COMMAND, passes if it exits with STATUS.
want=$1
shift
"$@"
got=$?
if [ "$got" != "$want" ]; then
    echo "expected exit status $want, got $got: $*" >&2
    exit 1
fi
