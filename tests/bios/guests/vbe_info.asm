; VBE 4F00h into 0000:1000 (asking for the VBE 2.0 block) and 4F01h for
; mode 112h into 0000:1400; the status words go to 0000:0FF0 and 0FF2.
%include "exit.inc"
org 0x7C00
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov dword [0x1000], 'VBE2'
    mov di, 0x1000
    mov ax, 0x4F00
    int 0x10
    mov [0x0FF0], ax
    mov ax, 0x4F01
    mov cx, 0x0112
    mov di, 0x1400
    int 0x10
    mov [0x0FF2], ax
    xor al, al
    exit_with_al
boot_signature
