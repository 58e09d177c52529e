; DOS-style x87 error reporting (CR0.NE = 0): an unmasked zero-divide makes
; the next FWAIT assert FERR#, which the PC routes to IRQ 13 (INT 75h). The
; handler writes port F0h (IGNNE#), clears the exception, acknowledges both
; PICs and counts; the FWAIT then completes. Exit codes: 0x5A ok, 1 the
; handler never ran, 2 CR0.NE was set, 3 the status word lost ZE too early.
%include "exit.inc"
    org 0x7C00
    bits 16
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x75 * 4], irq13
    mov word [0x75 * 4 + 2], 0
    mov byte [count], 0
    mov eax, cr0
    test eax, 0x20              ; NE must be clear at reset
    mov al, 2
    jnz .done
    in al, 0xA1                 ; unmask IRQ 13 on the slave (bit 5)
    and al, 0xDF
    out 0xA1, al
    in al, 0x21                 ; and the cascade on the master
    and al, 0xFB
    out 0x21, al
    sti
    fninit
    fnstcw [cw]
    and word [cw], 0xFFFB       ; unmask ZE
    fldcw [cw]
    fld1
    fldz
    fdivp st1, st0              ; 1 / 0: ZE pending, no interrupt yet
    fnstsw ax
    test al, 0x04
    mov al, 3
    jz .done
    fwait                       ; FERR# -> IRQ 13 -> handler -> FWAIT completes
    cmp byte [count], 1
    mov al, 1
    jne .done
    mov al, 0x5A
.done:
    exit_with_al

irq13:
    push ax
    xor al, al
    out 0xF0, al                ; IGNNE#: let the FPU go on
    fnclex
    inc byte [count]
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

cw: dw 0
count: db 0
    boot_signature
