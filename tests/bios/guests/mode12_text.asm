; Mode 12h: 'A' by teletype in colour 14, pixel (100,101) set to colour 5
; and read back; exits with the colour read.
%include "exit.inc"
org 0x7C00
    mov ax, 0x0012
    int 0x10
    mov ax, 0x0E41
    mov bx, 0x000E
    int 0x10
    mov ax, 0x0C05
    xor bx, bx
    mov cx, 100
    mov dx, 101
    int 0x10
    mov ax, 0x0D00
    xor bx, bx
    mov cx, 100
    mov dx, 101
    int 0x10
    exit_with_al
boot_signature
