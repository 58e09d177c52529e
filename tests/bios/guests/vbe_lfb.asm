; VBE 4F02h mode 142h (640x480x32) with the linear framebuffer, then one
; pixel copied to (20,10) in the framebuffer with INT 15h AH=87h. Status of
; 4F02h to 0000:0FF0, of 4F03h and its BX to 0FF2/0FF4.
%include "exit.inc"
org 0x7C00
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ax, 0x4F02
    mov bx, 0x4142
    int 0x10
    mov [0x0FF0], ax
    mov ax, 0x4F03
    int 0x10
    mov [0x0FF2], ax
    mov [0x0FF4], bx
    mov si, gdt
    mov cx, 2
    mov ah, 0x87
    int 0x15
    mov al, 0
    adc al, 0
    exit_with_al
align 16
gdt:
    times 16 db 0
    ; source: the pixel below
    dw 0xFFFF, pixel
    db 0, 0x93, 0, 0
    ; destination: 0xE0000000 + (10 * 640 + 20) * 4
    dw 0xFFFF, (10 * 640 + 20) * 4
    db 0, 0x93, 0, 0xE0
    times 16 db 0
pixel:
    db 0x40, 0x80, 0xFF, 0x00  ; blue, green, red, unused
boot_signature
