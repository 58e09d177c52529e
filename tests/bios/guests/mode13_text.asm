; Mode 13h: 'A' by teletype in colour 15 on row 1, then the window scrolled
; up one line; exits with the cursor column.
%include "exit.inc"
org 0x7C00
    mov ax, 0x0013
    int 0x10
    mov ah, 0x02
    xor bh, bh
    mov dx, 0x0100
    int 0x10
    mov ax, 0x0E41
    mov bx, 0x000F
    int 0x10
    mov ax, 0x0601
    xor bh, bh
    xor cx, cx
    mov dx, 0x1827
    int 0x10
    xor ax, ax
    mov ds, ax
    mov al, [0x450]
    exit_with_al
boot_signature
