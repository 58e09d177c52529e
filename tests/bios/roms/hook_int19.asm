; A 1 KiB legacy option ROM, as a boot ROM is written: its init (called by
; POST at segment:0003h) prints "ROM-INIT" to port E9h (or "ROM-BADSTACK"
; when not called on the BIOS's stack 0000:7BFCh) and hooks INT 19h; the
; hook prints "ROM-INT19" and writes 21h to isa-debug-exit. The checksum
; byte at the end is set at build time (fix_checksum.py).
    bits 16
    org 0
    db 0x55, 0xAA, 2            ; signature, length in 512-byte units
    jmp short init              ; offset 3: the init entry
init:
    push ds
    push ax
    push si
    mov si, init_msg
    mov ax, ss
    test ax, ax
    jnz .bad_stack
    cmp sp, 0x7BFC - 6          ; the far call's return, then our pushes
    je .print
.bad_stack:
    mov si, bad_stack_msg
.print:
    call print
    xor ax, ax
    mov ds, ax
    cli
    mov word [0x19 * 4], int19
    mov [0x19 * 4 + 2], cs
    pop si
    pop ax
    pop ds
    retf

int19:
    mov si, boot_msg
    call print
    mov al, 0x21
    out 0xF4, al
    cli
    hlt

; Prints the zero-terminated string at CS:SI to port E9h.
print:
    cs lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp print
.done:
    ret

init_msg db "ROM-INIT", 10, 0
bad_stack_msg db "ROM-BADSTACK", 10, 0
boot_msg db "ROM-INT19", 10, 0

    times 1023 - ($ - $$) db 0
    db 0                        ; checksum
