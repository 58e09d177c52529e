; Boot sector of a 1.44 MB floppy image on an El Torito CD (floppy
; emulation). The emulated image is drive 00h and the real A: answers as 01h
; until 4B00h ends the emulation. Sector n of the image starts with 'FLOP', n
; (low byte); the real floppy's boot sector has 'REAL' at offset 16. Exits
; with 21h, or with the number of the failed step.
%include "exit.inc"
%macro step 1
    mov byte [step_no], %1
%endmacro
PACKET equ 0x0600
BUF equ 0x1000                  ; segment
org 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    step 1                      ; booted as drive 00h
    test dl, dl
    jnz fail
    step 2                      ; 08h: 1.44 MB geometry
    mov ah, 0x08
    xor dl, dl
    int 0x13
    jc fail
    cmp ch, 79
    jne fail
    cmp cl, 18
    jne fail
    cmp dh, 1
    jne fail
    cmp bl, 4
    jne fail
    cmp dl, 2                   ; the image and the real A:
    jne fail
    step 3                      ; INT 11h: two floppy drives
    int 0x11
    and ax, 0x00C1
    cmp ax, 0x0041
    jne fail
    step 4                      ; CHS 0/1/1 is sector 18
    mov cx, 0x0001
    mov dh, 1
    call read_image
    jc fail
    cmp byte [es:4], 18
    jne fail
    step 5                      ; CHS 1/0/1 is sector 36
    mov cx, 0x0101
    xor dh, dh
    call read_image
    jc fail
    cmp byte [es:4], 36
    jne fail
    step 6                      ; the image is write protected
    mov ax, 0x0301
    mov cx, 0x0001
    xor dx, dx
    xor bx, bx
    int 0x13
    jnc fail
    cmp ah, 0x03
    jne fail
    step 7                      ; the real A: is drive 01h
    mov dl, 1
    call read_boot_sector
    jc fail
    cmp dword [es:16], 'REAL'
    jne fail
    step 8                      ; 4B01h: 1.44 MB emulation of drive 00h
    mov ax, 0x4B01
    xor dl, dl
    mov si, PACKET
    int 0x13
    jc fail
    cmp byte [PACKET + 1], 2
    jne fail
    cmp byte [PACKET + 2], 0
    jne fail
    step 9                      ; 4B00h ends the emulation: 00h is A: again
    mov ax, 0x4B00
    xor dl, dl
    mov si, PACKET + 0x20
    int 0x13
    jc fail
    xor dl, dl
    call read_boot_sector
    jc fail
    cmp dword [es:16], 'REAL'
    jne fail
    mov si, ok_text
    call print
    mov al, 0x21
    exit_with_al

fail:
    mov si, fail_text
    call print
    mov al, [step_no]
    add al, '@'
    out 0xE9, al
    mov al, [step_no]
    exit_with_al

; Reads CHS (CX, DH) of drive 00h into BUF:0 and checks its 'FLOP' mark
; (ES = BUF afterwards).
read_image:
    xor dl, dl
    mov ax, BUF
    mov es, ax
    xor bx, bx
    mov ax, 0x0201
    int 0x13
    jc .done
    cmp dword [es:0], 'FLOP'
    je .done
    stc
.done:
    ret

; Reads sector 1 of drive DL into BUF:0 (ES = BUF afterwards).
read_boot_sector:
    mov ax, BUF
    mov es, ax
    xor bx, bx
    mov cx, 0x0001
    xor dh, dh
    mov ax, 0x0201
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

ok_text db "CD-FLOPPY-OK", 10, 0
fail_text db "CD-FLOPPY-FAIL step ", 0
step_no db 0
boot_signature
