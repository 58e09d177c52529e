; pmode: real mode -> 16-bit protected mode -> 32-bit protected mode -> real
; mode (unreal limit kept) -> 32-bit again; segment loads and their faults,
; limit and type checks on accesses, expand-down and conforming segments, LDT,
; LAR/LSL/VERR/VERW/ARPL.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "pmode"
%define HAS_MAIN16
%include "lib/common.inc"

MAGIC_HI        equ 0x100000        ; dword read back in unreal mode
LDT_ADDR        equ 0x5800
phase           equ scratch         ; 0: first pass, 1: after the return to real mode

SEL_LIM         equ SEL_FREE + 0x00 ; data, base 0x100000, limit 0xFFF
SEL_RO          equ SEL_FREE + 0x08 ; read-only data, flat
SEL_NP          equ SEL_FREE + 0x10 ; not-present data
SEL_EDOWN       equ SEL_FREE + 0x18 ; expand-down data, base 0x100000, limit 0xFFF, B=1
SEL_XO          equ SEL_FREE + 0x20 ; execute-only code, flat
SEL_CONF        equ SEL_FREE + 0x28 ; conforming readable code, DPL 0, flat
SEL_STK         equ SEL_FREE + 0x30 ; data, base 0, limit 0x8FFFF (stack limit tests)
SEL_NPCODE      equ SEL_FREE + 0x38 ; not-present code
SEL_LDT         equ SEL_FREE + 0x40 ; LDT with one data descriptor
SEL_CGATE       equ SEL_FREE + 0x48 ; call gate (for LAR/LSL)
SEL_IGATE       equ SEL_FREE + 0x50 ; interrupt gate type in the GDT (invalid for LAR)
SEL_DATA_R3B    equ SEL_FREE + 0x58 ; DPL 3 data, limit 0x12345

; RCHECK16 actual(16/32-bit reg), expected, code: real/16-bit mode check
%macro RFAIL 2
        mov     si, R16(%%m)
        call    rputs
        mov     al, %1
        out     0xF4, al
        hlt
%%m:    db      TEST_NAME, ": FAIL: ", %2, 10, 0
%endmacro

        bits    16
main16:
        mov     si, R16(msg_start)
        call    rputs
        ; real-mode segment arithmetic: 1000:0010 and 1001:0000 are the same byte
        mov     ax, 0x1000
        mov     es, ax
        mov     word [es:0x0010], 0x5AA5
        mov     ax, 0x1001
        mov     es, ax
        cmp     word [es:0], 0x5AA5
        je      .seg_ok
        RFAIL   1, "real mode segment arithmetic"
.seg_ok:
        ; 16-bit protected mode
        mov     bx, R16(gdtr_ram)
        o32 lgdt [cs:bx]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     SEL_CODE16:R16(pm16)
pm16:
        mov     ax, SEL_DATA16
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     ax, SEL_DATA32
        mov     fs, ax
        smsw    ax
        test    al, 1
        jnz     .pe_ok
        RFAIL   2, "CR0.PE not set in 16-bit protected mode"
.pe_ok:
        ; CS base is 0xF0000: a CS-relative read sees the ROM
        cmp     word [cs:R16(rom_sig)], 0x1234
        je      .cs_ok
        RFAIL   3, "16-bit protected mode CS base"
.cs_ok:
        ; 16-bit operand default: push ax moves SP by 2
        mov     bx, sp
        push    ax
        mov     cx, sp
        pop     ax
        sub     bx, cx
        cmp     bx, 2
        je      .push_ok
        RFAIL   4, "16-bit protected mode push size"
.push_ok:
        ; FS (4 GiB limit) reaches above 1 MiB
        mov     dword [fs:dword MAGIC_HI], 0xC0DE1234
        jmp     dword SEL_CODE32:pm32_entry

rom_sig:
        dw      0x1234
msg_start:
        db      TEST_NAME, ": real mode start", 10, 0

; Back in real mode with FS still holding a 4 GiB limit.
back16:
        mov     ax, SEL_DATA16
        mov     ds, ax
        mov     es, ax
        mov     gs, ax
        mov     ss, ax
        mov     ax, SEL_DATA32
        mov     fs, ax
        mov     eax, cr0
        and     al, ~1
        mov     cr0, eax
        jmp     0xF000:R16(real2)
real2:
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     fs, ax                      ; real-mode load: base 0, limit kept
        mov     sp, 0x7000
        mov     bx, R16(idtr_real)
        o32 lidt [cs:bx]
        mov     eax, cr0
        test    al, 1
        jz      .pe_off
        RFAIL   5, "CR0.PE still set after return to real mode"
.pe_off:
        mov     ebx, MAGIC_HI
        cmp     dword [fs:ebx], 0xC0DE1234
        je      .unreal_ok
        RFAIL   6, "unreal mode: FS limit not kept or data lost"
.unreal_ok:
        ; real-mode interrupt through the IVT
        mov     word [0x60 * 4], R16(rint60)
        mov     word [0x60 * 4 + 2], 0xF000
        xor     dx, dx
        int     0x60
        cmp     dx, 0x6060
        je      .int_ok
        RFAIL   7, "real-mode int 0x60 through the IVT"
.int_ok:
        mov     si, R16(msg_real_ok)
        call    rputs
        mov     dword [phase], 1
        jmp     enter_pm32
rint60:
        mov     dx, 0x6060
        iret
msg_real_ok:
        db      TEST_NAME, ": real mode again, unreal FS and IVT ok", 10, 0
        align   4
idtr_real:
        dw      0x3FF
        dd      0

; ------------------------------------------------------------------ 32-bit
        bits    32
main32:
        cmp     dword [phase], 1
        je      pass
        PUTS    TEST_NAME
        PUTS    ": 32-bit protected mode", 10
        CHECK   dword [MAGIC_HI], 0xC0DE1234, "write through FS in 16-bit pmode"

        ; test descriptors
        mov     eax, SEL_LIM
        mov     ebx, 0x100000
        mov     ecx, 0xFFF
        mov     dl, ACC_DATA_R0
        mov     dh, FLG_32
        call    set_desc
        mov     eax, SEL_RO
        xor     ebx, ebx
        mov     ecx, 0xFFFFFFFF
        mov     dl, 0x91
        call    set_desc
        mov     eax, SEL_NP
        mov     dl, 0x13
        call    set_desc
        mov     eax, SEL_EDOWN
        mov     ebx, 0x100000
        mov     ecx, 0xFFF
        mov     dl, 0x97
        call    set_desc
        mov     eax, SEL_XO
        xor     ebx, ebx
        mov     ecx, 0xFFFFFFFF
        mov     dl, 0x99
        call    set_desc
        mov     eax, SEL_CONF
        mov     dl, 0x9F
        call    set_desc
        mov     eax, SEL_NPCODE
        mov     dl, 0x1B
        call    set_desc
        mov     eax, SEL_STK
        mov     ecx, 0x8FFFF
        mov     dl, ACC_DATA_R0
        call    set_desc
        mov     eax, SEL_LDT
        mov     ebx, LDT_ADDR
        mov     ecx, 7
        mov     dl, 0x82
        mov     dh, 0
        call    set_desc
        mov     eax, SEL_DATA_R3B
        mov     ebx, 0
        mov     ecx, 0x12345
        mov     dl, ACC_DATA_R3
        mov     dh, FLG_32
        call    set_desc
        mov     eax, SEL_CGATE
        mov     ebx, pass
        mov     cx, SEL_CODE32
        mov     dl, GATE_CALL32
        mov     dh, 2
        call    set_gdt_gate
        mov     eax, SEL_IGATE
        mov     dl, GATE_INT32
        mov     dh, 0
        call    set_gdt_gate
        ; LDT entry 0: flat data with base 0x100000
        mov     dword [LDT_ADDR], 0x0000FFFF
        mov     dword [LDT_ADDR + 4], 0x00CF9310

        ; --- plain loads and a limited segment
        mov     ax, SEL_LIM
        mov     fs, ax
        mov     dword [0x100FFC], 0x11223344
        CHECK   dword [fs:0xFFC], 0x11223344, "read through base 0x100000 segment"
%ifndef QEMU
        ; QEMU's TCG does not check segment limits or write permission on
        ; data accesses; the Intel manual requires #GP(0) / #SS(0).
        TRY
        mov     eax, [fs:0x1000]
        CATCH   13, 0, "read beyond the limit of FS"
        TRY
        mov     eax, [fs:0xFFE]
        CATCH   13, 0, "dword read straddling the limit"
        mov     ax, SEL_RO
        mov     gs, ax
        TRY
        mov     dword [gs:scratch + 4], 1
        CATCH   13, 0, "write to a read-only data segment"
        TRY
        mov     [cs:scratch + 4], eax
        CATCH   13, 0, "write through CS"
        ; SS limit: SEL_STK ends at 0x8FFFF, the stack is just below it
        mov     ax, SEL_STK
        mov     ss, ax
        mov     ebp, 0x95000
        TRY
        mov     eax, [ebp]
        CATCH   12, 0, "SS-relative read beyond the SS limit"
        mov     ax, SEL_DATA32
        mov     ss, ax
        ; expand-down: offsets 0..0xFFF are outside
        mov     ax, SEL_EDOWN
        mov     gs, ax
        TRY
        mov     eax, [gs:0x800]
        CATCH   13, 0, "expand-down segment offset below the limit"
        TRY
        mov     eax, [gs:0xFFE]
        CATCH   13, 0, "expand-down dword read crossing the limit"
%endif
        mov     ax, SEL_RO
        mov     gs, ax
        CHECK   dword [gs:0x100FFC], 0x11223344, "read through a read-only segment"
        mov     ax, SEL_EDOWN
        mov     gs, ax
        mov     dword [0x102000], 0xAABBCCDD
        CHECK   dword [gs:0x2000], 0xAABBCCDD, "expand-down segment valid offset"
        mov     dword [gs:0x1000], 0x600DF00D
        CHECK   dword [0x101000], 0x600DF00D, "expand-down segment write at limit+1"

        ; --- null selector
        xor     eax, eax
        mov     fs, ax
        CHECK   eax, 0, "null selector load into FS"
        mov     ax, 3                       ; null with RPL 3 is still null
        mov     gs, ax
%ifndef QEMU
        ; QEMU's TCG does not fault on accesses through a null selector.
        TRY
        mov     eax, [fs:0]
        CATCH   13, 0, "access through a null FS"
        TRY
        mov     dword [gs:0x100], 0
        CATCH   13, 0, "write through null GS (RPL 3)"
%endif

        ; --- bad selectors
        mov     ax, 0x800                   ; beyond the GDT limit
        TRY
        mov     ds, ax
        CATCH   13, 0x800, "load DS beyond GDT limit"
        mov     ax, SEL_NP
        TRY
        mov     ds, ax
        CATCH   11, SEL_NP, "load DS with a not-present segment"
        mov     ax, SEL_XO
        TRY
        mov     es, ax
        CATCH   13, SEL_XO, "load ES with execute-only code"
        mov     ax, SEL_TSS
        TRY
        mov     fs, ax
        CATCH   13, SEL_TSS, "load FS with a TSS selector"
        mov     ax, SEL_DATA32 | 3          ; RPL 3 > DPL 0
        TRY
        mov     gs, ax
        CATCH   13, SEL_DATA32, "load GS with RPL > DPL"
        mov     ax, SEL_CONF                ; readable code may go in DS
        mov     ds, ax
        mov     eax, [ds:rom_sig]
        push    ss
        pop     ds
        and     eax, 0xFFFF
        CHECK   eax, 0x1234, "read through readable code in DS"
        ; SS loads
        mov     ax, SEL_RO
        TRY
        mov     ss, ax
        CATCH   13, SEL_RO, "load SS with read-only data"
        mov     ax, SEL_NP
        TRY
        mov     ss, ax
        CATCH   12, SEL_NP, "load SS with a not-present segment"
        xor     eax, eax
        TRY
        mov     ss, ax
        CATCH   13, 0, "load SS with null"
        mov     ax, SEL_DATA_R3B            ; DPL 3 stack at CPL 0
        TRY
        mov     ss, ax
        CATCH   13, SEL_DATA_R3B & 0xFFFC, "load SS with DPL 3 data at CPL 0"
        ; far jumps
        TRY
        jmp     SEL_DATA32:0
        CATCH   13, SEL_DATA32, "far jmp to a data segment"
        TRY
        jmp     SEL_NPCODE:0
        CATCH   11, SEL_NPCODE, "far jmp to a not-present code segment"
        TRY
        jmp     0x0000:0
        CATCH   13, 0, "far jmp to a null selector"

        ; --- LDT
        mov     ax, SEL_LDT
        lldt    ax
        mov     ax, 0x0004                  ; LDT entry 0
        mov     fs, ax
        CHECK   dword [fs:0xFFC], 0x11223344, "read through an LDT data segment"
        mov     ax, 0x000C                  ; LDT entry 1: beyond the LDT limit
        TRY
        mov     fs, ax
        CATCH   13, 0x000C, "load FS beyond the LDT limit"
        mov     ax, SEL_LDT
        TRY
        mov     es, ax
        CATCH   13, SEL_LDT, "load ES with an LDT descriptor"

        ; --- LAR / LSL / VERR / VERW / ARPL
        mov     ebx, SEL_DATA32
        xor     eax, eax
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "LAR flat data: ZF"
        and     eax, 0x00F0FF00
        CHECK   eax, 0x00C09300, "LAR flat data: rights"
        mov     ebx, SEL_TSS
        lar     eax, ebx
        and     eax, 0x00F0FF00
        CHECK   eax, 0x00008B00, "LAR busy TSS"
        mov     ebx, SEL_CGATE
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "LAR call gate: ZF"
        and     eax, 0x0000FF00
        CHECK   eax, 0x00008C00, "LAR call gate: rights"
        mov     ebx, SEL_IGATE
        mov     eax, 0x5555
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "LAR interrupt gate: ZF clear"
        CHECK   eax, 0x5555, "LAR failure leaves the destination"
        xor     ebx, ebx
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "LAR null: ZF clear"
        mov     ebx, 0x800
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "LAR beyond GDT limit: ZF clear"
        mov     ebx, SEL_LIM
        lsl     eax, ebx
        CHECK   eax, 0xFFF, "LSL byte-granular"
        mov     ebx, SEL_DATA32
        lsl     eax, ebx
        CHECK   eax, 0xFFFFFFFF, "LSL page-granular"
        mov     ebx, SEL_DATA_R3B
        lsl     eax, ebx
        CHECK   eax, 0x12345, "LSL DPL 3 data"
        mov     ebx, SEL_TSS
        lsl     eax, ebx
        CHECK   eax, TSS_LIMIT_FULL, "LSL TSS"
        mov     ebx, SEL_CGATE
        mov     eax, 0x7777
        lsl     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "LSL call gate: ZF clear"
        mov     ax, SEL_XO
        verr    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "VERR execute-only code"
        mov     ax, SEL_CONF
        verr    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "VERR readable code"
        mov     ax, SEL_RO
        verw    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "VERW read-only data"
        mov     ax, SEL_DATA32
        verw    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "VERW writable data"
        mov     ax, SEL_DATA32 | 3
        verw    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "VERW with RPL 3 on DPL 0 data"
        mov     ax, SEL_CODE32
        verw    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "VERW code"
        mov     eax, 0x0010
        mov     ebx, 0x0003
        arpl    ax, bx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "ARPL raising RPL: ZF"
        CHECK   eax, 0x0013, "ARPL raising RPL: result"
        arpl    ax, bx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "ARPL with RPL already >=: ZF clear"
        CHECK   eax, 0x0013, "ARPL unchanged"

        ; --- ring 3: privilege checks on segment loads, conforming code
        mov     eax, ring3_part
        call    enter_ring3
        CHECK   dword [scratch + 8], 3, "CPL kept at 3 in conforming code"

        ; --- back to real mode through 16-bit protected mode
        PUTS    TEST_NAME
        PUTS    ": returning to real mode", 10
        jmp     SEL_CODE16:R16(back16)

ring3_part:
        mov     ax, SEL_DATA32
        TRY
        mov     ds, ax
        CATCH   13, SEL_DATA32, "ring 3 loads DPL 0 data"
        mov     ax, SEL_DATA_R3B
        mov     es, ax
        mov     ax, SEL_DATA32_R3
        mov     es, ax
        mov     ax, SEL_DATA32
        verr    ax
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "VERR at CPL 3 on DPL 0 data"
        mov     ebx, SEL_DATA32
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 0, "LAR at CPL 3 on DPL 0 data"
        mov     ebx, SEL_CONF               ; conforming: visible at any CPL
        lar     eax, ebx
        setz    cl
        movzx   ecx, cl
        CHECK   ecx, 1, "LAR at CPL 3 on conforming code"
        call    SEL_CONF:conf_code
        TRY
        call    SEL_CODE32:conf_code
        CATCH   13, SEL_CODE32, "far call at CPL 3 to non-conforming DPL 0 code"
        TRY
        mov     eax, cr0
        CATCH   13, 0, "mov from CR0 at CPL 3"
        int     0x7E

conf_code:
        mov     eax, cs
        and     eax, 3
        mov     [scratch + 8], eax
        retf

%include "lib/romend.inc"
