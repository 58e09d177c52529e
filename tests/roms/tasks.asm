; tasks: hardware task switches. JMP to a TSS (busy bits, state saved into
; the old TSS and loaded from the new one, CR0.TS), CALL to a TSS (NT and back
; link, IRET back), #GP on switching to a busy task, an exception (#GP with
; its error code) handled by a separate task through a task gate, #TS for a
; TSS whose limit is too small.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "tasks"
%include "lib/common.inc"

TSS_A           equ 0x6000
TSS_B           equ 0x6100
TSS_C           equ 0x6200
SEL_TA          equ SEL_FREE + 0x00
SEL_TB          equ SEL_FREE + 0x08
SEL_TC          equ SEL_FREE + 0x10
SEL_TBAD        equ SEL_FREE + 0x18 ; TSS descriptor with limit 0x50

T_LINK equ 0x00
T_CR3  equ 0x1C
T_EIP  equ 0x20
T_EFL  equ 0x24
T_EAX  equ 0x28
T_ECX  equ 0x2C
T_EDX  equ 0x30
T_EBX  equ 0x34
T_ESP  equ 0x38
T_EBP  equ 0x3C
T_ESI  equ 0x40
T_EDI  equ 0x44
T_ES   equ 0x48
T_CS   equ 0x4C
T_SS   equ 0x50
T_DS   equ 0x54
T_FS   equ 0x58
T_GS   equ 0x5C
T_LDT  equ 0x60
T_IOB  equ 0x66

%define TYPE_OF(sel) byte [GDT_ADDR + (sel) + 5]

; results recorded by the other tasks
r_a             equ scratch             ; 8 dwords
r_b             equ scratch + 32        ; 4 dwords
r_c             equ VARS_END            ; 4 dwords

main32:
        mov     edi, TSS_A
        mov     eax, task_a
        mov     ebx, 0x58000
        call    init_task
        mov     dword [TSS_A + T_EAX], 0x1111AAAA
        mov     dword [TSS_A + T_EBX], 0x2222BBBB
        mov     dword [TSS_A + T_ESI], 0x3333CCCC
        mov     dword [TSS_A + T_EFL], 0x00000897   ; OF SF AF PF CF set
        mov     edi, TSS_B
        mov     eax, task_b
        mov     ebx, 0x57000
        call    init_task
        mov     edi, TSS_C
        mov     eax, task_c
        mov     ebx, 0x56000
        call    init_task
        mov     eax, SEL_TA
        mov     ebx, TSS_A
        mov     ecx, 0x67
        mov     dl, ACC_TSS32
        mov     dh, 0
        call    set_desc
        mov     eax, SEL_TB
        mov     ebx, TSS_B
        call    set_desc
        mov     eax, SEL_TC
        mov     ebx, TSS_C
        call    set_desc
        mov     eax, SEL_TBAD
        mov     ebx, TSS_C
        mov     ecx, 0x50
        call    set_desc

        ; --- JMP to task A and back
        clts
        mov     eax, 0xA5A5A5A5
        mov     ebx, 0x0B0B0B0B
        mov     ecx, 0x0C0C0C0C
        mov     edx, 0x0D0D0D0D
        mov     esi, 0x51515151
        mov     edi, 0xD1D1D1D1
        mov     ebp, 0xB9B9B9B9
        mov     [scratch + 60], esp
        jmp     SEL_TA:0
.back_a:
        CHECK   ebx, 0x0B0B0B0B, "EBX restored from the main TSS"
        CHECK   ecx, 0x0C0C0C0C, "ECX restored"
        CHECK   edx, 0x0D0D0D0D, "EDX restored"
        CHECK   esi, 0x51515151, "ESI restored"
        CHECK   edi, 0xD1D1D1D1, "EDI restored"
        CHECK   ebp, 0xB9B9B9B9, "EBP restored"
        CHECK   eax, 0xA5A5A5A5, "EAX restored"
        mov     eax, esp
        CHECK   eax, [scratch + 60], "ESP restored"
        CHECK   dword [r_a + 0], 0x1111AAAA, "task A: EAX loaded from its TSS"
        CHECK   dword [r_a + 4], 0x2222BBBB, "task A: EBX loaded"
        CHECK   dword [r_a + 8], 0x3333CCCC, "task A: ESI loaded"
        CHECK   dword [r_a + 12], 0x00000897, "task A: EFLAGS loaded"
        CHECK   dword [r_a + 16], .back_a, "main TSS: saved EIP after the JMP"
        CHECK   dword [r_a + 20], 0xA5A5A5A5, "main TSS: saved EAX"
        CHECK   dword [r_a + 24], 0x8B89, "task A: own TSS busy, main TSS available"
        CHECK   dword [r_a + 28], 0x0008, "task A: CR0.TS set by the switch, NT clear"
        movzx   eax, TYPE_OF(SEL_TA)
        CHECK   eax, 0x89, "task A available again after JMP back"
        movzx   eax, TYPE_OF(SEL_TSS)
        CHECK   eax, 0x8B, "main TSS busy again"
        mov     eax, [TSS_A + T_EIP]
        CHECK   eax, task_a.resume, "task A: EIP saved in its TSS"

        ; --- busy task
        TRY
        jmp     SEL_TSS:0
        CATCH   13, SEL_TSS, "JMP to the busy current task"
        TRY
        call    SEL_TSS:0
        CATCH   13, SEL_TSS, "CALL to the busy current task"
        TRY
        jmp     SEL_TBAD:0
        CATCH   10, SEL_TBAD, "JMP to a TSS with limit < 0x67"

        ; --- CALL to task B, IRET back
        pushfd
        and     dword [esp], ~0x4000
        popfd
        call    SEL_TB:0
.back_b:
        pushfd
        pop     eax
        and     eax, 0x4000
        CHECK   eax, 0, "NT clear in the caller after IRET"
        CHECK   dword [r_b + 0], SEL_TSS, "task B: back link is the main TSS"
        CHECK   dword [r_b + 4], 0x4000, "task B: NT set"
        CHECK   dword [r_b + 8], 0x8B8B, "task B: both TSSs busy"
        movzx   eax, TYPE_OF(SEL_TB)
        CHECK   eax, 0x89, "task B available after its IRET"
        CHECK   dword [r_b + 12], 2, "task B: two busy-task faults"

        ; --- #GP handled by task C through a task gate
        mov     eax, 13
        mov     ebx, 0
        mov     cx, SEL_TC
        mov     dl, GATE_TASK
        call    set_idt_gate
        mov     dword [r_c], 0
        mov     ax, 0x800
.gp:    mov     ds, ax
.gp_resume:
        push    ss
        pop     ds
        CHECK   dword [r_c + 0], 0x800, "task C: error code on its stack"
        CHECK   dword [r_c + 4], SEL_TSS, "task C: back link"
        CHECK   dword [r_c + 8], 0x4000, "task C: NT set"
        CHECK   dword [r_c + 12], .gp, "main TSS: saved EIP is the faulting MOV"
        movzx   eax, TYPE_OF(SEL_TC)
        CHECK   eax, 0x89, "task C available after its IRET"
        ; the gate works a second time (task C resumes after its IRET)
        mov     dword [r_c], 0
        mov     ax, 0x808
.gp2:   mov     es, ax
.gp2_resume:
        CHECK   dword [r_c + 0], 0x808, "task C again: error code"
        CHECK   dword [r_c + 12], .gp2, "task C again: faulting EIP"
        mov     eax, 13
        mov     ebx, [exc_stub_table + 13 * 4]
        mov     cx, SEL_CODE32
        mov     dl, GATE_INT32
        call    set_idt_gate
        jmp     pass

; init_task: edi = TSS, eax = EIP, ebx = ESP. Flat ring-0 segments.
init_task:
        pushad
        push    eax
        push    edi
        mov     ecx, 0x68 / 4
        xor     eax, eax
        rep stosd
        pop     edi
        pop     eax
        mov     [edi + T_EIP], eax
        mov     [edi + T_ESP], ebx
        mov     dword [edi + T_EFL], 2
        mov     eax, cr3
        mov     [edi + T_CR3], eax
        mov     dword [edi + T_CS], SEL_CODE32
        mov     eax, SEL_DATA32
        mov     [edi + T_SS], eax
        mov     [edi + T_DS], eax
        mov     [edi + T_ES], eax
        mov     [edi + T_FS], eax
        mov     [edi + T_GS], eax
        mov     word [edi + T_IOB], 0x68
        popad
        ret

task_a:
        mov     [r_a + 0], eax
        mov     [r_a + 4], ebx
        mov     [r_a + 8], esi
        pushfd
        pop     eax
        and     eax, 0x8D7
        mov     [r_a + 12], eax
        mov     eax, [TSS_ADDR + T_EIP]
        mov     [r_a + 16], eax
        mov     eax, [TSS_ADDR + T_EAX]
        mov     [r_a + 20], eax
        movzx   eax, TYPE_OF(SEL_TA)
        shl     eax, 8
        mov     al, TYPE_OF(SEL_TSS)
        mov     [r_a + 24], eax
        mov     eax, cr0
        and     eax, 8
        pushfd
        pop     ebx
        and     ebx, 0x4000
        or      eax, ebx
        mov     [r_a + 28], eax
        jmp     SEL_TSS:0
.resume:
        jmp     $

task_b:
        movzx   eax, word [TSS_B + T_LINK]
        mov     [r_b + 0], eax
        pushfd
        pop     eax
        and     eax, 0x4000
        mov     [r_b + 4], eax
        movzx   eax, TYPE_OF(SEL_TB)
        shl     eax, 8
        mov     al, TYPE_OF(SEL_TSS)
        mov     [r_b + 8], eax
        mov     dword [r_b + 12], 0
        mov     dword [exc_resume], .f1
        jmp     SEL_TSS:0                   ; busy (caller)
.f1:    cmp     dword [exc_vector], 13
        jne     .f2
        cmp     dword [exc_err], SEL_TSS
        jne     .f2
        inc     dword [r_b + 12]
.f2:    mov     dword [exc_resume], .f3
        jmp     SEL_TB:0                    ; busy (itself)
.f3:    cmp     dword [exc_vector], 13
        jne     .f4
        cmp     dword [exc_err], SEL_TB
        jne     .f4
        inc     dword [r_b + 12]
.f4:    iretd

; Exception task for #GP: records the error code and its link, makes the
; main task resume after the faulting instruction, returns with IRET.
task_c:
        pop     eax                         ; error code
        mov     [r_c + 0], eax
        movzx   eax, word [TSS_C + T_LINK]
        mov     [r_c + 4], eax
        pushfd
        pop     eax
        and     eax, 0x4000
        mov     [r_c + 8], eax
        mov     eax, [TSS_ADDR + T_EIP]
        mov     [r_c + 12], eax
        mov     ebx, main32.gp_resume
        cmp     eax, main32.gp
        je      .set
        mov     ebx, main32.gp2_resume
.set:   mov     [TSS_ADDR + T_EIP], ebx
        iretd
        jmp     task_c

%include "lib/romend.inc"
