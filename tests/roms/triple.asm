; triple: a triple fault. With an IDT limit of 0, INT3 cannot be delivered
; (#GP), neither can the #GP nor the resulting #DF: the CPU shuts down.
; Expected: machine shutdown/reset reported by the host (sandpc_romrun prints
; "triple fault"; QEMU with -no-reboot exits with status 0). Nothing is
; printed after "triple: loading an empty IDT and raising INT3"; if execution
; continues the ROM prints a FAIL line and exits with code 99 (QEMU status
; 199). The ROM's own text never contains the words "triple fault", so the
; romrun test's PASS_REGULAR_EXPRESSION can only match the host's report.
%define TEST_NAME "triple"
%include "lib/common.inc"

main32:
        PUTS    TEST_NAME
        PUTS    ": loading an empty IDT and raising INT3", 10
        mov     word [scratch], 0
        mov     dword [scratch + 2], IDT_ADDR
        lidt    [scratch]
        int3
        FAIL    EXIT_OTHER, "execution continued after the shutdown"

%include "lib/romend.inc"
