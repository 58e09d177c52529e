; INT 10h AX=1130h for BH=06h (8x16), 03h (8x8) and 01h (INT 43h); the
; results go to 0000:0600.
%include "exit.inc"
org 0x7C00
    xor ax, ax
    mov ds, ax
    mov ax, 0x1130
    mov bh, 6
    int 0x10
    mov [0x600], bp
    mov [0x602], es
    mov [0x604], cx
    mov [0x606], dl
    mov ax, 0x1130
    mov bh, 3
    int 0x10
    mov [0x608], bp
    mov [0x60A], es
    mov ax, 0x1130
    mov bh, 1
    int 0x10
    mov [0x60C], bp
    mov [0x60E], es
    xor al, al
    exit_with_al
boot_signature
