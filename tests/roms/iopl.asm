; iopl: the I/O permission bitmap at CPL 3 with IOPL 0. Ports allowed and
; denied by the bitmap, word/dword accesses whose bits span allowed and denied
; ports and bitmap bytes, string I/O, the terminating byte past port 0xFFFF,
; the TSS limit cutting the bitmap (the CPU reads two bitmap bytes), the
; bitmap base beyond the TSS limit, IOPL 3 and CPL 0 ignoring the bitmap.
; Expected: exit status 1 on QEMU (0 written to port 0xF4), last line PASS.
%define TEST_NAME "iopl"
%include "lib/common.inc"

IOMAP           equ TSS_ADDR + TSS_IOMAP_OFF

; ALLOW port: clear the port's bit in the bitmap (register bit offset:
; addresses the whole bit string)
%macro ALLOW 1
        push    ebx
        mov     ebx, %1
        btr     [IOMAP], ebx
        pop     ebx
%endmacro

%macro SET_TSS_LIMIT 1
        mov     eax, SEL_TSS
        mov     ebx, TSS_ADDR
        mov     ecx, %1
        mov     dl, ACC_TSS32
        mov     dh, 0
        call    set_desc
        mov     ax, SEL_TSS
        ltr     ax
%endmacro

main32:
        ALLOW   0xE9
        ALLOW   0x80
        ALLOW   0x84
        ALLOW   0x85
        ALLOW   0x86
        ALLOW   0x87
        mov     eax, 0x3F8
.a:     ALLOW   eax
        inc     eax
        cmp     eax, 0x400
        jb      .a
        ALLOW   0xFFFE
        ALLOW   0xFFFF
        mov     eax, ring3_bitmap
        call    enter_ring3

        ; CPL 0 ignores the bitmap
        mov     dword [exc_vector], -1
        in      al, 0x81
        CHECK   dword [exc_vector], -1, "no fault at CPL 0 for a denied port"

        ; the CPU reads two bitmap bytes: with the TSS limit ending on the
        ; byte of port 0x80, even that allowed port faults
        SET_TSS_LIMIT TSS_IOMAP_OFF + 0x11
        mov     eax, ring3_limit_ok
        call    enter_ring3
        SET_TSS_LIMIT TSS_IOMAP_OFF + 0x10
        mov     eax, ring3_limit_cut
        call    enter_ring3
        SET_TSS_LIMIT TSS_LIMIT_FULL

        ; bitmap base beyond the TSS limit: no bitmap, everything denied
        mov     word [TSS_ADDR + 0x66], TSS_LIMIT_FULL + 1
        mov     eax, ring3_nomap
        call    enter_ring3
        mov     word [TSS_ADDR + 0x66], 0xFFFF
        mov     eax, ring3_nomap
        call    enter_ring3
        mov     word [TSS_ADDR + 0x66], TSS_IOMAP_OFF

        ; IOPL 3: the bitmap is not consulted
        mov     dword [ring3_eflags], 0x3002
        mov     eax, ring3_iopl3
        call    enter_ring3
        jmp     pass

ring3_bitmap:
        PUTS    TEST_NAME
        PUTS    ": printing from ring 3 through an allowed port", 10
        in      al, 0x80
        out     0x80, al
        in      eax, 0x84
        in      ax, 0x86
        mov     dx, 0x3F8
        in      eax, dx
        mov     dx, 0x3FC
        in      eax, dx
        mov     dx, 0xFFFE
        in      ax, dx
        in      al, dx
        inc     dx
        in      al, dx
        CHECK   dword [exc_count], 0, "allowed ports: no faults"
        TRY
        in      al, 0x81
        CATCH   13, 0, "IN from a denied port"
        TRY
        out     0x81, al
        CATCH   13, 0, "OUT to a denied port"
        TRY
        in      ax, 0x80
        CATCH   13, 0, "word IN: 0x80 allowed, 0x81 denied"
        TRY
        in      ax, 0x7F
        CATCH   13, 0, "word IN: 0x7F denied, 0x80 allowed"
        TRY
        in      eax, 0x85
        CATCH   13, 0, "dword IN 0x85..0x88, 0x88 denied"
        TRY
        in      eax, 0x83
        CATCH   13, 0, "dword IN 0x83..0x86, 0x83 denied"
        mov     dx, 0x3FD
        TRY
        in      eax, dx
        CATCH   13, 0, "dword IN 0x3FD..0x400 across a bitmap byte, 0x400 denied"
        mov     dx, 0x3F7
        TRY
        in      ax, dx
        CATCH   13, 0, "word IN 0x3F7..0x3F8 across a bitmap byte, 0x3F7 denied"
        mov     dx, 0xFFFE
        TRY
        in      eax, dx
        CATCH   13, 0, "dword IN at 0xFFFE reaches the terminating byte"
        mov     dx, 0xFFFF
        TRY
        in      ax, dx
        CATCH   13, 0, "word IN at 0xFFFF reaches the terminating byte"
        mov     dx, 0x80
        mov     edi, scratch
        insb
        CHECK   edi, scratch + 1, "INSB from an allowed port"
        mov     dx, 0x81
        TRY
        insb
        CATCH   13, 0, "INSB from a denied port"
        CHECK   edi, scratch + 1, "EDI unchanged by the faulting INSB"
        mov     dx, 0x82
        mov     esi, scratch
        TRY
        outsb
        CATCH   13, 0, "OUTSB to a denied port"
        TRY
        cli
        CATCH   13, 0, "CLI still faults with IOPL 0"
        int     0x7E

ring3_limit_ok:
        mov     dword [exc_vector], -1
        in      al, 0x80
        CHECK   dword [exc_vector], -1, "port 0x80 with both bitmap bytes inside the limit"
        int     0x7E

ring3_limit_cut:
        TRY
        in      al, 0x80
        CATCH   13, 0, "port 0x80 with its second bitmap byte beyond the TSS limit"
        int     0x7E

ring3_nomap:
        TRY
        in      al, 0x80
        CATCH   13, 0, "IN with the bitmap base beyond the TSS limit"
        TRY
        out     0xE9, al
        CATCH   13, 0, "OUT with the bitmap base beyond the TSS limit"
        int     0x7E

ring3_iopl3:
        mov     dword [exc_vector], -1
        in      al, 0x81
        mov     dx, 0xFFFE
        in      eax, dx
        mov     dx, 0x81
        mov     edi, scratch
        insb
        CHECK   dword [exc_vector], -1, "IOPL 3 ignores the bitmap"
        int     0x7E

%include "lib/romend.inc"
