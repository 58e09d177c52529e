; Master boot record of a hard-disk image on an El Torito CD (hard-disk
; emulation): one partition ending at cylinder 19, head 3, sector 17, so the
; emulated drive 80h has 20 cylinders, 4 heads, 17 sectors; the real first
; disk answers as 81h. Sector n of the image starts with 'DISK', n (low
; byte); the real disk's sector 0 has 'REAL' at offset 16. Exits with 22h,
; or with the number of the failed step.
%include "exit.inc"
%macro step 1
    mov byte [step_no], %1
%endmacro
PACKET equ 0x0600
DAP equ 0x0640
BUF equ 0x1000                  ; segment
org 0x7C00
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    step 1                      ; booted as drive 80h
    cmp dl, 0x80
    jne fail
    step 2                      ; 08h: the partition's geometry, two disks
    mov ah, 0x08
    mov dl, 0x80
    int 0x13
    jc fail
    cmp ch, 19
    jne fail
    cmp cl, 17
    jne fail
    cmp dh, 3
    jne fail
    cmp dl, 2
    jne fail
    step 3                      ; CHS 1/2/5 is sector (1*4+2)*17+4 = 106
    mov ax, BUF
    mov es, ax
    xor bx, bx
    mov ax, 0x0201
    mov cx, 0x0105
    mov dx, 0x0280
    int 0x13
    jc fail
    cmp dword [es:0], 'DISK'
    jne fail
    cmp byte [es:4], 106
    jne fail
    step 4                      ; 42h: sector 1000 (E8h low byte)
    mov byte [DAP], 0x10
    mov byte [DAP + 1], 0
    mov word [DAP + 2], 1
    mov word [DAP + 4], 0
    mov word [DAP + 6], BUF
    mov dword [DAP + 8], 1000
    mov dword [DAP + 12], 0
    mov ah, 0x42
    mov dl, 0x80
    mov si, DAP
    int 0x13
    jc fail
    cmp byte [es:4], 1000 & 0xFF
    jne fail
    step 5                      ; the image is write protected
    mov ax, 0x0301
    mov cx, 0x0001
    mov dx, 0x0080
    xor bx, bx
    int 0x13
    jnc fail
    cmp ah, 0x03
    jne fail
    step 6                      ; the real disk is 81h
    mov ax, 0x0201
    mov cx, 0x0001
    mov dx, 0x0081
    xor bx, bx
    int 0x13
    jc fail
    cmp dword [es:16], 'REAL'
    jne fail
    step 7                      ; 4B01h: hard-disk emulation of drive 80h
    mov ax, 0x4B01
    mov dl, 0x80
    mov si, PACKET
    int 0x13
    jc fail
    cmp byte [PACKET + 1], 4
    jne fail
    cmp byte [PACKET + 2], 0x80
    jne fail
    mov si, ok_text
    call print
    mov al, 0x22
    exit_with_al

fail:
    mov si, fail_text
    call print
    mov al, [step_no]
    add al, '@'
    out 0xE9, al
    mov al, [step_no]
    exit_with_al

print:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp print
.done:
    ret

ok_text db "CD-HDD-OK", 10, 0
fail_text db "CD-HDD-FAIL step ", 0
step_no db 0
    times 0x1BE - ($ - $$) db 0
    ; The one partition: active, FAT16 (<32M), CHS 0/1/1 to 19/3/17.
    db 0x80, 1, 1, 0, 0x04, 3, 17, 19
    dd 17, 20 * 4 * 17 - 17
    times 48 db 0
boot_signature
