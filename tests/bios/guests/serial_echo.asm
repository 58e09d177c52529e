; COM1 echo, interrupt driven with the 16550 FIFO on (trigger level 14):
; programs 115200 8N1, prints "READY\n", then echoes every byte it receives
; with a-z uppercased; after echoing '\n' it exits with AL = 40h | seen,
; where seen bit 0 = a receive-data-available interrupt (IIR 04h) came and
; bit 1 = a character timeout interrupt (IIR 0Ch) came. A line shorter than
; the trigger level can only arrive through the timeout. Exit 1: IRQ 4 came
; with nothing pending in IIR.
%include "exit.inc"
COM1 equ 0x3F8
    org 0x7C00
    bits 16
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x0C * 4], com1_irq
    mov word [0x0C * 4 + 2], 0
    mov byte [done], 0
    mov byte [seen], 0
    mov dx, COM1 + 3
    mov al, 0x80                ; DLAB
    out dx, al
    mov dx, COM1
    mov al, 1                   ; divisor 1: 115200 baud
    out dx, al
    inc dx
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03                ; 8N1
    out dx, al
    mov dx, COM1 + 2
    mov al, 0xC7                ; FIFOs on and cleared, trigger 14
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x0B                ; DTR, RTS, OUT2 (IRQ enable)
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x01                ; receive data / timeout interrupts
    out dx, al
    in al, 0x21
    and al, 0xEF                ; unmask IRQ 4
    out 0x21, al
    mov si, ready
.print:
    lodsb
    test al, al
    jz .idle
    call send
    jmp .print
.idle:
    sti
    hlt
    cli
    cmp byte [done], 0
    je .idle
    mov al, [seen]
    or al, 0x40
    exit_with_al

com1_irq:
    push ax
    push dx
    mov dx, COM1 + 2
    in al, dx
    test al, 1
    jz .cause
    mov al, 1                   ; spurious: IRQ 4 without a cause
    exit_with_al
.cause:
    and al, 0x0F
    cmp al, 0x04
    jne .not_rda
    or byte [seen], 1
.not_rda:
    cmp al, 0x0C
    jne .drain
    or byte [seen], 2
.drain:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz .next
    mov dx, COM1
    in al, dx
    cmp al, 'a'
    jb .echo
    cmp al, 'z'
    ja .echo
    sub al, 0x20
.echo:
    call send
    cmp al, 10
    jne .drain
    mov byte [done], 1
    jmp .drain
.next:                          ; until IIR says nothing is pending
    mov dx, COM1 + 2
    in al, dx
    test al, 1
    jz .cause
    mov al, 0x20
    out 0x20, al
    pop dx
    pop ax
    iret

; AL to COM1 once the transmitter holding register is empty.
send:
    push dx
    push ax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret

ready: db "READY", 10, 0
done: db 0
seen: db 0
    boot_signature
