; El Torito no-emulation boot image (one 2048-byte CD sector, loaded at
; 0000:7C00 with DL = the CD drive). Checks the CD's INT 13h services, leaves
; the 4B01h packet at 0000:0600, the 48h result at 0000:0620 and three data
; sectors (read with 42h) at 1000:0000 for the host to compare, prints the
; outcome on port E9h and exits with 20h, or with the number of the failed step.
%include "exit.inc"
%macro step 1
    mov byte [step_no], %1
%endmacro
PACKET equ 0x0600
PARAMS equ 0x0620
DAP equ 0x0660
org 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    mov [drive], dl
    step 1                      ; booted with DL = E0h
    cmp dl, 0xE0
    jne fail
    step 2                      ; 41h: EDD 3.0, fixed disk access subset
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    jc fail
    cmp bx, 0xAA55
    jne fail
    cmp ah, 0x30
    jne fail
    test cl, 1
    jz fail
    step 3                      ; 4B01h: no emulation, drive E0h
    mov ax, 0x4B01
    mov dl, [drive]
    mov si, PACKET
    int 0x13
    jc fail
    cmp byte [PACKET], 0x13
    jne fail
    cmp byte [PACKET + 1], 0
    jne fail
    cmp byte [PACKET + 2], 0xE0
    jne fail
    step 4                      ; 48h: 2048-byte sectors
    mov word [PARAMS], 0x1E
    mov ah, 0x48
    mov dl, [drive]
    mov si, PARAMS
    int 0x13
    jc fail
    cmp word [PARAMS + 24], 2048
    jne fail
    step 5                      ; 42h: three sectors after the boot image
    mov eax, [PACKET + 4]
    inc eax
    mov cx, 3
    mov bx, 0x1000
    call read_cd
    jc fail
    cmp word [DAP + 2], 3
    jne fail
    step 6                      ; each starts with 'DATA', n and ends with A0h+n
    mov ax, 0x1000
    mov es, ax
    xor di, di
    xor cl, cl
.sector:
    cmp dword [es:di], 'DATA'
    jne fail
    cmp [es:di + 4], cl
    jne fail
    mov al, 0xA0
    add al, cl
    cmp [es:di + 2047], al
    jne fail
    add di, 2048
    inc cl
    cmp cl, 3
    jne .sector
    xor ax, ax
    mov es, ax
    step 7                      ; 42h across the end: 2 of 4 sectors, error 04h
    mov eax, [PARAMS + 16]
    sub eax, 2
    mov cx, 4
    mov bx, 0x2000
    call read_cd
    jnc fail
    cmp ah, 0x04
    jne fail
    cmp word [DAP + 2], 2
    jne fail
    step 8                      ; 43h: write protected, nothing written
    mov ah, 0x43
    mov word [DAP + 2], 1
    mov dl, [drive]
    mov si, DAP
    int 0x13
    jnc fail
    cmp ah, 0x03
    jne fail
    cmp word [DAP + 2], 0
    jne fail
    step 9                      ; 02h (CHS) is not a CD function: 01h
    mov ax, 0x0201
    mov cx, 0x0001
    xor dh, dh
    mov dl, [drive]
    mov bx, 0x3000
    int 0x13
    jnc fail
    cmp ah, 0x01
    jne fail
    step 10                     ; 01h returns that status
    mov ah, 0x01
    mov dl, [drive]
    int 0x13
    jnc fail
    cmp ah, 0x01
    jne fail
    step 11                     ; 00h reset succeeds, 15h: removable
    mov ah, 0x00
    mov dl, [drive]
    int 0x13
    jc fail
    mov ah, 0x15
    mov dl, [drive]
    int 0x13
    jc fail
    cmp ah, 0x02
    jne fail
    mov si, ok_text
    call print
    mov al, 0x20
    exit_with_al

fail:
    mov si, fail_text
    call print
    mov al, [step_no]
    add al, '@'
    out 0xE9, al
    mov al, [step_no]
    exit_with_al

; Reads CX sectors at LBA EAX into BX:0000 with 42h (DAP at DAP).
read_cd:
    mov byte [DAP], 0x10
    mov byte [DAP + 1], 0
    mov [DAP + 2], cx
    mov word [DAP + 4], 0
    mov [DAP + 6], bx
    mov [DAP + 8], eax
    mov dword [DAP + 12], 0
    mov ah, 0x42
    mov dl, [drive]
    mov si, DAP
    int 0x13
    ret

print:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp print
.done:
    ret

ok_text db "CD-NOEMUL-OK", 10, 0
fail_text db "CD-NOEMUL-FAIL step ", 0
drive db 0
step_no db 0
    times 2048 - ($ - $$) db 0
