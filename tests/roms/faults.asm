; faults: #DE, #DB (single step), #BP, #OF, #BR, #UD (UD2, LOCK misuse,
; invalid encodings), #NP on a not-present gate, #GP beyond the IDT limit,
; benign + contributory combination (#UD -> #NP with EXT), #DF (#DE whose gate
; is not present), the 15-byte instruction limit, REP MOVS interrupted by
; page faults and resumed, CR2 and error codes.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "faults"
%include "lib/common.inc"

PD              equ 0x100000
PT              equ 0x101000        ; two page tables: 0..8 MiB identity
SRC             equ 0x401000
DST             equ 0x402800
HOLE            equ 0x403000        ; not present until the fault handler maps it
%define PTE(lin) (PT + ((lin) >> 12) * 4)

main32:
        ; --- #DE
        xor     ecx, ecx
        mov     eax, 5
        xor     edx, edx
        TRY
        div     ecx
        CATCH   0, -1, "DIV by zero"
        mov     eax, 0x80000000
        mov     edx, 0xFFFFFFFF
        mov     ecx, -1
        TRY
        idiv    ecx
        CATCH   0, -1, "IDIV overflow"
        mov     ax, 0x1000
        mov     bl, 0x10
        TRY
        div     bl
        CATCH   0, -1, "8-bit DIV quotient overflow"
        CHECK   dword [exc_regs + 28], 0x80001000, "EAX unchanged by the faulting DIV"

        ; --- #DB single step: the trap comes after the instruction that
        ; follows the POPF setting TF
        mov     dword [exc_hook], clear_tf
        mov     dword [exc_vector], -1
        mov     dword [exc_resume], .db_after
        pushfd
        or      dword [esp], 0x100
        popfd
        nop
.db_ret:
        nop
.db_after:
        mov     dword [exc_hook], 0
        CHECK   dword [exc_vector], 1, "single-step trap vector"
        CHECK   dword [exc_eip], .db_ret, "single-step trap EIP"
        mov     eax, [exc_regs + 8]         ; (unused) keep regs readable
        mov     eax, [exc_eflags]
        and     eax, 0x100
        CHECK   eax, 0x100, "TF set in the pushed EFLAGS"

        ; --- #BP, #OF
        TRY
        int3
        CATCH_TRAP 3, -1, "INT3"
        TRY
        db      0xCD, 0x03                  ; INT 3 as a two-byte instruction
        CATCH_TRAP 3, -1, "INT 3 (CD 03)"
        mov     al, 0x7F
        add     al, 1                       ; OF = 1
        TRY
        into
        CATCH_TRAP 4, -1, "INTO with OF set"
        mov     dword [exc_vector], -1
        xor     eax, eax                    ; OF = 0
        into
        CHECK   dword [exc_vector], -1, "INTO with OF clear does nothing"

        ; --- #BR
        mov     dword [scratch], 10
        mov     dword [scratch + 4], 20
        mov     eax, 20
        bound   eax, [scratch]
        mov     eax, 9
        TRY
        bound   eax, [scratch]
        CATCH   5, -1, "BOUND below the lower bound"
        mov     eax, 21
        TRY
        bound   eax, [scratch]
        CATCH   5, -1, "BOUND above the upper bound"

        ; --- #UD
        TRY
        ud2
        CATCH   6, -1, "UD2"
%ifndef QEMU
        ; QEMU's TCG ignores LOCK on MOV; the Intel manual requires #UD.
        TRY
        db      0xF0, 0x89, 0xD8            ; LOCK MOV eax, ebx
        CATCH   6, -1, "LOCK MOV"
%endif
        TRY
        db      0xF0, 0x01, 0xD8            ; LOCK ADD eax, ebx
        CATCH   6, -1, "LOCK ADD with a register destination"
        TRY
        db      0xF0, 0x90                  ; LOCK NOP
        CATCH   6, -1, "LOCK NOP"
        TRY
        db      0xFE, 0xF8                  ; group 4 /7
        CATCH   6, -1, "FE /7"
        TRY
        db      0x8D, 0xC1                  ; LEA with a register operand
        CATCH   6, -1, "LEA eax, ecx"
        TRY
        db      0xC4, 0xC0                  ; LES with a register operand
        CATCH   6, -1, "LES with a register operand"
        TRY
        db      0x8E, 0xC8                  ; MOV CS, AX
        CATCH   6, -1, "MOV CS, r16"
        TRY
        db      0x0F, 0x22, 0xC8            ; MOV CR1, EAX
        CATCH   6, -1, "MOV to CR1"
        TRY
        db      0x0F, 0x0B                  ; UD2 again via bytes
        CATCH   6, -1, "0F 0B"

        ; --- gates
        mov     byte [IDT_ADDR + 0x50 * 8 + 5], 0x0E    ; not present
        TRY
        int     0x50
        CATCH   11, 0x50 * 8 + 2, "INT through a not-present gate"
        sidt    [scratch]
        mov     word [scratch], 0x60 * 8 - 1            ; vector 0x60 beyond the limit
        lidt    [scratch]
        TRY
        int     0x60
        CATCH   13, 0x60 * 8 + 2, "INT beyond the IDT limit"
        mov     word [scratch], IDT_LIMIT
        lidt    [scratch]
        ; benign #UD whose gate is not present: #NP with EXT set
        mov     byte [IDT_ADDR + 6 * 8 + 5], 0x0E
        TRY
        ud2
%ifdef QEMU
        ; QEMU's TCG sets EXT only for hardware interrupts; the Intel manual
        ; sets it during delivery of an earlier exception too.
        CATCH   11, -2, "#UD through a not-present gate"
        mov     eax, [exc_err]
        and     eax, ~1
        CHECK   eax, 6 * 8 + 2, "#UD through a not-present gate (error code without EXT)"
%else
        CATCH   11, 6 * 8 + 3, "#UD through a not-present gate"
%endif
        mov     byte [IDT_ADDR + 6 * 8 + 5], GATE_INT32
        ; contributory #DE whose gate is not present: #NP during #DE -> #DF(0)
        mov     byte [IDT_ADDR + 0 * 8 + 5], 0x0E
        xor     ecx, ecx
        TRY
        div     ecx
        CATCH_NOEIP 8, 0, "#NP while delivering #DE gives #DF"
        mov     byte [IDT_ADDR + 0 * 8 + 5], GATE_INT32
        ; #GP delivered through a not-present #GP gate: #NP -> #DF
        mov     byte [IDT_ADDR + 13 * 8 + 5], 0x0E
        TRY
        int     0x50                        ; #NP(0x282) ... not present gate 0x50
        CATCH_NOEIP 11, 0x50 * 8 + 2, "#NP with the #GP gate also missing"
        mov     ax, 0x800
        TRY
        mov     ds, ax                      ; #GP(0x800) -> #NP(13*8+3) -> #DF
        CATCH_NOEIP 8, 0, "#GP with a not-present #GP gate gives #DF"
        mov     byte [IDT_ADDR + 13 * 8 + 5], GATE_INT32
        mov     byte [IDT_ADDR + 0x50 * 8 + 5], GATE_INT32

        ; --- instruction length limit
        TRY
        times 14 db 0x66
        nop                                 ; 15 bytes: allowed
        CATCH_NOEIP -1, -2, "15-byte instruction runs"
        TRY
        times 15 db 0x66
        nop                                 ; 16 bytes
        CATCH   13, 0, "16-byte instruction"
        TRY
        times 11 db 0x66
        add     dword [eax + 0x12345678], 0x11223344    ; 11 + 10 bytes
        CATCH   13, 0, "21-byte instruction with displacement and immediate"

        ; --- REP MOVS across a not-present page
        call    setup_paging
        mov     esi, SRC
        mov     ecx, 0x1800 / 4
        mov     eax, 0x01020304
.fill:  mov     [esi], eax
        add     eax, 0x01010101
        add     esi, 4
        loop    .fill
        mov     dword [exc_hook], map_hole
        mov     dword [exc_count], 0
        mov     esi, SRC
        mov     edi, DST
        mov     ecx, 0x1000 / 4
        cld
.movs:  rep movsd
        mov     dword [exc_hook], 0
        CHECK   dword [exc_count], 1, "one page fault during REP MOVSD"
        CHECK   dword [exc_vector], 14, "page fault vector"
        CHECK   dword [exc_err], 2, "page fault error code (write, not present)"
        CHECK   dword [exc_cr2], HOLE, "CR2 at the first byte of the missing page"
        CHECK   dword [exc_eip], .movs, "EIP of REP MOVSD at the fault"
        CHECK   dword [exc_regs + 24], (0x1000 - (HOLE - DST)) / 4, "ECX at the fault"
        CHECK   dword [exc_regs + 4], SRC + (HOLE - DST), "ESI at the fault"
        CHECK   dword [exc_regs + 0], HOLE, "EDI at the fault"
        CHECK   ecx, 0, "ECX after completion"
        CHECK   esi, SRC + 0x1000, "ESI after completion"
        CHECK   edi, DST + 0x1000, "EDI after completion"
        mov     esi, SRC
        mov     edi, DST
        mov     ecx, 0x1000 / 4
        repe cmpsd
        CHECK   ecx, 0, "copied data intact"
        ; backwards, faulting on the source side
        mov     dword [PTE(HOLE)], 0
        invlpg  [HOLE]
        mov     dword [exc_hook], map_hole
        mov     dword [exc_count], 0
        std
        mov     esi, HOLE + 0x7FC           ; source: HOLE+0x7FC down to HOLE-0x800
        mov     edi, 0x405FFC
        mov     ecx, 0x1000 / 4
.movs2: rep movsd
        cld
        mov     dword [exc_hook], 0
        CHECK   dword [exc_count], 1, "one page fault during backward REP MOVSD"
        CHECK   dword [exc_err], 0, "page fault error code (read, not present)"
        CHECK   dword [exc_cr2], HOLE + 0x7FC, "CR2 for the backward source fault"
        CHECK   dword [exc_eip], .movs2, "EIP of the backward REP MOVSD"
        CHECK   dword [exc_regs + 24], 0x1000 / 4, "ECX at the immediate fault"
        CHECK   ecx, 0, "ECX after the backward copy"
        CHECK   esi, HOLE - 0x804, "ESI after the backward copy"
        mov     eax, [0x405FFC]
        CHECK   eax, [HOLE + 0x7FC], "last dword copied backward"

        mov     eax, cr0
        and     eax, ~0x80000000
        mov     cr0, eax
        jmp     pass

clear_tf:
        and     dword [ebp + FR_EFLAGS], ~0x100
        ret

; Page-fault hook: map the hole and retry the instruction.
map_hole:
        cmp     dword [ebp + FR_VEC], 14
        jne     .no
        mov     dword [PTE(HOLE)], HOLE | 3
        invlpg  [HOLE]
.no:    ret

setup_paging:
        mov     edi, PT
        mov     eax, 3
        mov     ecx, 2048
.l:     stosd
        add     eax, 0x1000
        loop    .l
        mov     dword [PTE(HOLE)], 0
        mov     edi, PD
        xor     eax, eax
        mov     ecx, 1024
        rep stosd
        mov     dword [PD], PT | 3
        mov     dword [PD + 4], (PT + 0x1000) | 3
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        ret

%include "lib/romend.inc"
