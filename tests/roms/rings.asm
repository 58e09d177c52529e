; rings: privilege levels. IRET to ring 3, INT from ring 3 through a DPL 3
; interrupt gate (stack switch via TSS.esp0, pushed frame), INT through a
; DPL 0 gate (#GP(vector*8+2)), call gate from ring 3 to ring 0 with copied
; parameters and far return to the outer ring (data segments nulled), IOPL
; sensitive instructions, privileged instructions at CPL 3, SYSENTER/SYSEXIT.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "rings"
%include "lib/common.inc"

SEL_CGATE3      equ SEL_FREE + 0x00 ; call gate DPL 3, 3 dword parameters
SEL_CGATE0      equ SEL_FREE + 0x08 ; call gate DPL 0
SEL_SYS_CS      equ SEL_FREE + 0x20 ; SYSENTER_CS: code0, data0, code3, data3
VEC_USER        equ 0x40            ; DPL 3 interrupt gate
VEC_KERNEL      equ 0x41            ; DPL 0 interrupt gate
SYSENTER_STACK  equ 0x50000

v_esp3          equ scratch + 0
v_cg            equ scratch + 4     ; 7 dwords recorded by the call gate target
v_sys           equ scratch + 36    ; 4 dwords recorded at the SYSENTER target

main32:
        mov     eax, VEC_USER
        mov     ebx, [exc_stub_table + VEC_USER * 4]
        mov     cx, SEL_CODE32
        mov     dl, GATE_INT32_R3
        call    set_idt_gate
        mov     eax, SEL_CGATE3
        mov     ebx, cg_target
        mov     dl, GATE_CALL32 | 0x60
        mov     dh, 3
        call    set_gdt_gate
        mov     eax, SEL_CGATE0
        mov     dl, GATE_CALL32
        mov     dh, 0
        call    set_gdt_gate
        mov     eax, SEL_SYS_CS
        xor     ebx, ebx
        mov     ecx, 0xFFFFFFFF
        mov     dl, ACC_CODE_R0
        mov     dh, FLG_32
        call    set_desc
        add     eax, 8
        mov     dl, ACC_DATA_R0
        call    set_desc
        add     eax, 8
        mov     dl, ACC_CODE_R3
        call    set_desc
        add     eax, 8
        mov     dl, ACC_DATA_R3
        call    set_desc

        ; --- ring 3 with IOPL 0
        mov     eax, ring3_iopl0
        call    enter_ring3
        ; the call gate target recorded its view
        CHECK   dword [v_cg + 0], 0, "CPL in the call gate target"
        CHECK   dword [v_cg + 4], STACK0_INT_TOP - 28, "inner ESP after call gate"
        CHECK   dword [v_cg + 8], SEL_CODE32_R3, "pushed outer CS"
        CHECK   dword [v_cg + 12], 0x33333333, "copied parameter 3 (last pushed)"
        CHECK   dword [v_cg + 16], 0x22222222, "copied parameter 2"
        CHECK   dword [v_cg + 20], 0x11111111, "copied parameter 1"
        CHECK   dword [v_cg + 24], SEL_DATA32_R3, "pushed outer SS"

        ; --- ring 3 with IOPL 3
        mov     dword [ring3_eflags], 0x3002
        mov     eax, ring3_iopl3
        call    enter_ring3
        mov     dword [ring3_eflags], 0x0002

        ; --- SYSENTER / SYSEXIT
        mov     ecx, 0x174
        xor     edx, edx
        xor     eax, eax
        wrmsr
        TRY
        sysenter
        CATCH   13, 0, "SYSENTER with SYSENTER_CS = 0"
        mov     eax, SEL_SYS_CS
        wrmsr
        mov     ecx, 0x175
        mov     eax, SYSENTER_STACK
        wrmsr
        mov     ecx, 0x176
        mov     eax, sysenter_target
        wrmsr
        mov     ecx, 0x174
        rdmsr
        CHECK   eax, SEL_SYS_CS, "RDMSR SYSENTER_CS"
        mov     [ring0_esp], esp
        mov     ecx, STACK3_TOP - 16
        mov     edx, ring3_sys
        sysexit
after_sys:
        mov     esp, [ring0_esp]
        CHECK   dword [v_sys + 0], SEL_SYS_CS, "CS after SYSENTER"
        CHECK   dword [v_sys + 4], SEL_SYS_CS + 8, "SS after SYSENTER"
        CHECK   dword [v_sys + 8], SYSENTER_STACK, "ESP after SYSENTER"
        CHECK   dword [v_sys + 12], 0, "IF after SYSENTER"
        jmp     pass

sysenter_target:
        mov     [v_sys + 0], cs
        mov     [v_sys + 4], ss
        mov     [v_sys + 8], esp
        pushfd
        pop     eax
        and     eax, 0x200
        mov     [v_sys + 12], eax
        mov     ax, SEL_DATA32
        mov     ss, ax
        jmp     after_sys

; Call gate target at CPL 0: record CPL and the inner stack, load ES with a
; DPL 0 selector (nulled by the return to ring 3) and return popping 3
; parameters on both stacks.
cg_target:
        mov     eax, cs
        and     eax, 3
        mov     [v_cg + 0], eax
        mov     [v_cg + 4], esp
        mov     eax, [esp + 4]
        mov     [v_cg + 8], eax
        mov     eax, [esp + 8]
        mov     [v_cg + 12], eax
        mov     eax, [esp + 12]
        mov     [v_cg + 16], eax
        mov     eax, [esp + 16]
        mov     [v_cg + 20], eax
        mov     eax, [esp + 24]
        mov     [v_cg + 24], eax
        mov     ax, SEL_DATA32
        mov     es, ax
        retf    12

ring3_iopl0:
        mov     eax, cs
        CHECK   eax, SEL_CODE32_R3, "CS after IRET to ring 3"
        mov     eax, ss
        CHECK   eax, SEL_DATA32_R3, "SS after IRET to ring 3"
        mov     eax, esp
        CHECK   eax, STACK3_TOP, "ESP after IRET to ring 3"
        ; interrupt gate with DPL 3: stack switch to TSS.esp0
        mov     [v_esp3], esp
        push    dword 0x47
        popfd
        TRY
        int     VEC_USER
        CATCH_TRAP VEC_USER, -1, "INT through a DPL 3 gate"
        CHECK   dword [exc_cs], SEL_CODE32_R3, "pushed CS"
        CHECK   dword [exc_ss], SEL_DATA32_R3, "pushed SS"
        mov     eax, [v_esp3]
        CHECK   dword [exc_esp], eax, "pushed ESP"
        CHECK   dword [exc_eflags], 0x47, "pushed EFLAGS (CF PF ZF)"
        mov     eax, [exc_frame_esp]
        add     eax, FR_SS3 + 4
        CHECK   eax, STACK0_INT_TOP, "handler stack from TSS.esp0"
        ; DPL 0 gate
        TRY
        int     VEC_KERNEL
        CATCH   13, VEC_KERNEL * 8 + 2, "INT through a DPL 0 gate from ring 3"
        TRY
        int3
        CATCH   13, 3 * 8 + 2, "INT3 through a DPL 0 gate from ring 3"
        ; call gate with parameters
        mov     [v_esp3], esp
        push    dword 0x11111111
        push    dword 0x22222222
        push    dword 0x33333333
        call    SEL_CGATE3:0
        mov     eax, esp
        CHECK   eax, [v_esp3], "ESP after RETF 12 to ring 3"
        mov     eax, cs
        CHECK   eax, SEL_CODE32_R3, "CS after RETF to ring 3"
        mov     eax, es
        CHECK   eax, 0, "ES with DPL 0 nulled by RETF to ring 3"
        mov     ax, SEL_DATA32_R3
        mov     es, ax
        TRY
        call    SEL_CGATE0:0
        CATCH   13, SEL_CGATE0, "call through a DPL 0 call gate from ring 3"
        ; IOPL 0 < CPL 3
        TRY
        cli
        CATCH   13, 0, "CLI with IOPL < CPL"
        TRY
        sti
        CATCH   13, 0, "STI with IOPL < CPL"
        TRY
        in      al, 0x80
        CATCH   13, 0, "IN with IOPL < CPL and the port denied"
        TRY
        out     0x80, al
        CATCH   13, 0, "OUT with IOPL < CPL and the port denied"
        TRY
        insb
        CATCH   13, 0, "INSB with IOPL < CPL"
        ; POPF at CPL 3 cannot change IOPL or IF: no fault, bits kept
        pushfd
        or      dword [esp], 0x3200
        popfd
        pushfd
        pop     eax
        and     eax, 0x3200
        CHECK   eax, 0, "POPF at CPL 3 leaves IOPL and IF"
        ; privileged instructions
%macro PRIV 2
        TRY
        %1
        CATCH   13, 0, %2
%endmacro
        PRIV    {mov cr0, eax}, "MOV to CR0 at CPL 3"
        PRIV    {mov eax, cr3}, "MOV from CR3 at CPL 3"
        PRIV    {mov eax, dr7}, "MOV from DR7 at CPL 3"
        PRIV    hlt, "HLT at CPL 3"
        PRIV    {lgdt [scratch]}, "LGDT at CPL 3"
        PRIV    {lidt [scratch]}, "LIDT at CPL 3"
        PRIV    {lldt ax}, "LLDT at CPL 3"
        PRIV    {ltr ax}, "LTR at CPL 3"
        PRIV    {lmsw ax}, "LMSW at CPL 3"
        PRIV    clts, "CLTS at CPL 3"
        PRIV    {invlpg [0]}, "INVLPG at CPL 3"
        PRIV    invd, "INVD at CPL 3"
        PRIV    wbinvd, "WBINVD at CPL 3"
        PRIV    rdmsr, "RDMSR at CPL 3"
        PRIV    wrmsr, "WRMSR at CPL 3"
        PRIV    sysexit, "SYSEXIT at CPL 3"
        ; unprivileged ones still work
        sgdt    [scratch + 32]
        CHECK   dword [scratch + 34], GDT_ADDR, "SGDT at CPL 3"
        smsw    ax
        and     eax, 1
        CHECK   eax, 1, "SMSW at CPL 3"
        str     ax
        and     eax, 0xFFFF
        CHECK   eax, SEL_TSS, "STR at CPL 3"
        int     0x7E

ring3_iopl3:
        pushfd
        pop     eax
        and     eax, 0x3000
        CHECK   eax, 0x3000, "IOPL 3 in ring 3"
        cli                                 ; allowed now
        mov     al, 'i'
        in      al, 0x80                    ; allowed by IOPL, bitmap not consulted
        PRIV    hlt, "HLT at CPL 3 with IOPL 3"
        ; POPF at CPL 3 with IOPL 3 may change IF but not IOPL
        pushfd
        and     dword [esp], ~0x3000
        popfd
        pushfd
        pop     eax
        and     eax, 0x3000
        CHECK   eax, 0x3000, "POPF at CPL 3 cannot lower IOPL"
        int     0x7E

ring3_sys:
        mov     eax, cs
        CHECK   eax, SEL_SYS_CS + 16 + 3, "CS after SYSEXIT"
        mov     eax, ss
        CHECK   eax, SEL_SYS_CS + 24 + 3, "SS after SYSEXIT"
        mov     eax, esp
        CHECK   eax, STACK3_TOP - 16, "ESP after SYSEXIT"
        mov     ax, SEL_SYS_CS + 24 + 3
        mov     ds, ax
        mov     es, ax
        sysenter

%include "lib/romend.inc"
