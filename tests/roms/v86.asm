; v86: virtual-8086 mode. Entered by IRETD with EFLAGS.VM; real-mode style
; segment arithmetic; with IOPL 3, INT n goes through the protected-mode IDT
; (DPL 3 gate) and CLI/PUSHF run directly; with IOPL 0, CLI/STI/PUSHF/POPF/
; INT n/IRET trap to the ring-0 monitor with #GP(0) (frame checked: VM set,
; V86 ES/DS/FS/GS pushed, data segments null in the handler); I/O is checked
; against the TSS bitmap at any IOPL; leaving V86 mode through an interrupt
; gate back to 32-bit ring 0.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "v86"
%include "lib/common.inc"

LOG             equ 0x7800          ; monitor log: 16 dwords per event
log_count       equ scratch
RES             equ 0x7000          ; results written by the V86 code (segment 0)
VM_FLAG         equ 0x20000

L_VEC  equ 0
L_ERR  equ 4
L_EIP  equ 8
L_CS   equ 12
L_EFL  equ 16
L_ESP  equ 20
L_SS   equ 24
L_ES   equ 28
L_DS   equ 32
L_FS   equ 36
L_GS   equ 40
L_OP   equ 44
L_HDS  equ 48

; LOGCHK event, field, expected, "what"
%macro LOGCHK 4
        CHECK   dword [LOG + (%1) * 64 + (%2)], %3, %4
%endmacro

; LOGCHK_EFL event, expected, "what": EFLAGS without the arithmetic flags
%macro LOGCHK_EFL 3
        mov     eax, [LOG + (%1) * 64 + L_EFL]
        and     eax, ~0x8D5
        CHECK   eax, %2, %3
%endmacro

main32:
        mov     eax, 0x40
        mov     ebx, [exc_stub_table + 0x40 * 4]
        mov     cx, SEL_CODE32
        mov     dl, GATE_INT32_R3
        call    set_idt_gate
        ; bitmap: 0xE9 allowed, everything else denied
        mov     ebx, 0xE9
        btr     [TSS_ADDR + TSS_IOMAP_OFF], ebx
        mov     dword [exc_hook], v86_monitor

        ; --- IOPL 3
        mov     dword [log_count], 0
        mov     eax, R16(v86_iopl3)
        mov     ebx, VM_FLAG | 0x3002
        call    enter_v86
        movzx   eax, word [RES + 0]
        CHECK   eax, 0x1234, "V86 segment arithmetic (1000:0010 = 1001:0000)"
        movzx   eax, word [RES + 2]
        and     eax, 0x3200
        CHECK   eax, 0x3000, "V86 PUSHF at IOPL 3: IOPL 3, IF cleared by CLI"
        CHECK   dword [0x50FFE], 0xCAFE, "V86 PUSH at SS:SP = 5000:1000 (linear 0x50FFE)"
        CHECK   dword [0x54000], 0xCAFE, "V86 write to 5400:0000 lands at linear 0x54000"
        CHECK   dword [log_count], 2, "IOPL 3: two events (INT 0x40, denied IN)"
        LOGCHK  0, L_VEC, 0x40, "IOPL 3 INT 0x40 through the IDT: vector"
        LOGCHK  0, L_EIP, R16(v86_iopl3.after_int), "INT 0x40: pushed IP"
        LOGCHK  0, L_CS, 0xF000, "INT 0x40: pushed CS"
        LOGCHK_EFL 0, VM_FLAG | 0x3002, "INT 0x40: pushed EFLAGS (VM, IOPL 3)"
        LOGCHK  0, L_SS, 0x5000, "INT 0x40: pushed SS"
        LOGCHK  0, L_ESP, 0x1000, "INT 0x40: pushed ESP"
        LOGCHK  0, L_ES, 0x1001, "INT 0x40: pushed ES"
        LOGCHK  0, L_DS, 0x0000, "INT 0x40: pushed DS"
        LOGCHK  0, L_FS, 0x3000, "INT 0x40: pushed FS"
        LOGCHK  0, L_GS, 0x4000, "INT 0x40: pushed GS"
        LOGCHK  0, L_HDS, 0, "INT 0x40: DS null in the handler"
        LOGCHK  1, L_VEC, 13, "IOPL 3 IN from a port denied by the bitmap: vector"
        LOGCHK  1, L_ERR, 0, "denied IN: error code"
        LOGCHK  1, L_EIP, R16(v86_iopl3.in81), "denied IN: IP"
        ; the INT 0x40 did not use the real-mode IVT
        movzx   eax, word [RES + 8]
        CHECK   eax, 0, "IVT entry not used"

        ; --- IOPL 0
        mov     dword [log_count], 0
        mov     eax, R16(v86_iopl0)
        mov     ebx, VM_FLAG | 0x0002
        call    enter_v86
        CHECK   dword [log_count], 10, "IOPL 0: ten monitor events"
%assign i 0
%rep 10
        LOGCHK  i, L_VEC, 13, "IOPL 0 event: vector 13"
        LOGCHK  i, L_ERR, 0, "IOPL 0 event: error code 0"
        LOGCHK  i, L_CS, 0xF000, "IOPL 0 event: CS"
        LOGCHK_EFL i, VM_FLAG | 0x0002, "IOPL 0 event: EFLAGS"
        LOGCHK  i, L_ES, 0x2000, "IOPL 0 event: pushed ES"
        LOGCHK  i, L_DS, 0x1000, "IOPL 0 event: pushed DS"
        LOGCHK  i, L_FS, 0x3000, "IOPL 0 event: pushed FS"
        LOGCHK  i, L_GS, 0x4000, "IOPL 0 event: pushed GS"
        LOGCHK  i, L_SS, 0x5000, "IOPL 0 event: pushed SS"
        LOGCHK  i, L_ESP, 0x1000, "IOPL 0 event: pushed ESP"
%assign i i+1
%endrep
        LOGCHK  0, L_EIP, R16(v86_iopl0.i0), "CLI trapped"
        LOGCHK  0, L_OP, 0xFA, "CLI opcode"
        LOGCHK  1, L_EIP, R16(v86_iopl0.i1), "STI trapped"
        LOGCHK  2, L_EIP, R16(v86_iopl0.i2), "PUSHF trapped"
        LOGCHK  3, L_EIP, R16(v86_iopl0.i3), "POPF trapped"
        LOGCHK  4, L_EIP, R16(v86_iopl0.i4), "INT 0x40 trapped"
        LOGCHK  5, L_EIP, R16(v86_iopl0.i5), "IRET trapped"
        LOGCHK  6, L_EIP, R16(v86_iopl0.i6), "PUSHFD trapped"
        LOGCHK  7, L_EIP, R16(v86_iopl0.i7), "POPFD trapped"
        LOGCHK  8, L_EIP, R16(v86_iopl0.i8), "IN from a denied port trapped"
        LOGCHK  9, L_EIP, R16(v86_iopl0.i9), "INT 0x7E trapped (monitor leaves V86)"
        movzx   eax, word [RES + 4]
        CHECK   eax, 0x55AA, "V86 code ran between the traps"
        jmp     pass

; enter_v86: eax = IP (CS = F000), ebx = EFLAGS. DS=1000 ES=2000 FS=3000
; GS=4000 SS:SP=5000:1000. Returns when the V86 code leaves through
; int 0x7E (IOPL 3) or the monitor sees INT 0x7E (IOPL < 3).
enter_v86:
        pushad
        mov     [ring0_esp], esp
        push    dword 0x4000
        push    dword 0x3000
        push    dword 0x1000
        push    dword 0x2000
        push    dword 0x5000
        push    dword 0x1000
        push    ebx
        push    dword 0xF000
        push    eax
        iretd

; Exception hook: log events coming from V86 mode; skip the trapping
; instruction on #GP; INT 0x7E ends the V86 run.
v86_monitor:
        test    dword [ebp + FR_EFLAGS], VM_FLAG
        jnz     .v86
        ret
.v86:   mov     edi, [log_count]
        shl     edi, 6
        add     edi, LOG
        mov     eax, [ebp + FR_VEC]
        mov     [edi + L_VEC], eax
        mov     eax, [ebp + FR_ERR]
        mov     [edi + L_ERR], eax
        mov     esi, FR_EIP
        lea     ebx, [edi + L_EIP]
.copy:  mov     eax, [ebp + esi]
        mov     [ebx], eax
        add     esi, 4
        add     ebx, 4
        cmp     esi, FR_SS3 + 4 + 16
        jb      .copy
        mov     eax, [ebp + FR_DS]
        mov     [edi + L_HDS], eax
        movzx   eax, word [ebp + FR_CS]
        shl     eax, 4
        add     eax, [ebp + FR_EIP]
        movzx   ebx, word [eax]
        movzx   ecx, bl
        mov     [edi + L_OP], ecx
        inc     dword [log_count]
        cmp     dword [ebp + FR_VEC], 13
        jne     .done
        mov     ecx, 1
        cmp     bl, 0xCD
        je      .int
        cmp     bl, 0x66
        je      .two
        cmp     bl, 0xE4
        je      .two
        cmp     bl, 0xE6
        je      .two
        jmp     .adv
.int:   cmp     bh, 0x7E
        je      svc_ring0
.two:   mov     ecx, 2
.adv:   add     [ebp + FR_EIP], ecx
.done:  ret

        bits    16
v86_iopl3:
        mov     word [0x10], 0x1234         ; DS = 1000: linear 0x10010
        mov     ax, 0x1001
        mov     es, ax
        mov     bx, [es:0]
        xor     ax, ax
        mov     ds, ax
        mov     [RES + 0], bx
        mov     word [RES + 8], 0
        mov     word [0x40 * 4], R16(ivt_40)     ; must not be used
        mov     word [0x40 * 4 + 2], 0xF000
        mov     si, R16(msg_v86)
.pr:    mov     al, [cs:si]
        test    al, al
        jz      .prd
        out     0xE9, al                    ; allowed by the bitmap
        inc     si
        jmp     .pr
.prd:   cli
        pushf
        pop     ax
        mov     [RES + 2], ax
        push    word 0xCAFE                 ; SS:SP = 5000:0FFE -> linear 0x50FFE
        pop     ax
        mov     ax, 0x5400
        mov     es, ax
        mov     word [es:0], 0xCAFE         ; 5400:0000 = linear 0x54000
        mov     ax, 0x1001
        mov     es, ax
        int     0x40
.after_int:
.in81:  in      al, 0x81
        int     0x7E

ivt_40:
        mov     word [cs:0], 0              ; would fault: not expected to run
        iret

msg_v86:
        db      TEST_NAME, ": output from virtual-8086 mode", 10, 0

v86_iopl0:
.i0:    cli
.i1:    sti
.i2:    pushf
.i3:    popf
.i4:    int     0x40
.i5:    iret
.i6:    pushfd
.i7:    popfd
        mov     al, '.'
        out     0xE9, al                    ; allowed by the bitmap at IOPL 0
        mov     al, 10
        out     0xE9, al
        xor     ax, ax
        mov     ds, ax
        mov     word [RES + 4], 0x55AA
        mov     ax, 0x1000
        mov     ds, ax
.i8:    in      al, 0x81
.i9:    int     0x7E

        bits    32
%include "lib/romend.inc"
