; Reads QEMU's fw_cfg as firmware does (16-bit selector write to 510h, byte
; reads from 511h) and stores what it got at 0000:0600 for the test:
;   +0   signature (4 bytes, item 0)
;   +4   ID (4 bytes, item 1)
;   +8   RAM size (8 bytes, item 3)
;   +16  CPU count (2 bytes, item 5)
;   +18  first 16 bytes of the command line (item 15h)
; Exits with 0x5A.
%include "exit.inc"
    org 0x7C00
    bits 16
start:
    cli
    xor ax, ax
    mov es, ax
    cld
    mov di, 0x600                   ; fill the result area: every byte must come from fw_cfg
    mov al, 0xEE
    mov cx, 34
    rep stosb
    mov di, 0x600
    mov ax, 0x00
    mov cx, 4
    call read_item
    mov ax, 0x01
    mov cx, 4
    call read_item
    mov ax, 0x03
    mov cx, 8
    call read_item
    mov ax, 0x05
    mov cx, 2
    call read_item
    mov ax, 0x15
    mov cx, 16
    call read_item
    mov al, 0x5A
    exit_with_al

; Item AX, CX bytes to ES:DI.
read_item:
    mov dx, 0x510
    out dx, ax
    inc dx
    rep insb
    ret

    boot_signature
