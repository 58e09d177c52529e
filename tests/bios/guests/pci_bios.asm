; PCI BIOS (INT 1Ah AH=B1h) calls from a table; after each, EAX, EBX, ECX,
; EDX and FLAGS (18 bytes) go to the next record from 0000:0500, which the
; test checks. Then record 21 holds what the guest itself reads through
; CF8h/CFCh, and record 22 (EAX) the CF8h address register it set before a
; BIOS call.
%include "exit.inc"
    org 0x7C00
    bits 16

%macro record 0
    pushf
    mov [bp + 0], eax
    mov [bp + 4], ebx
    mov [bp + 8], ecx
    mov [bp + 12], edx
    pop word [bp + 16]
    add bp, 18
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov bp, 0x0500
    mov di, calls
.next:
    cmp di, calls_end
    je .ports
    push di
    mov ax, [di]
    mov bx, [di + 2]
    mov ecx, [di + 4]
    mov edx, [di + 8]
    mov si, [di + 12]
    mov di, [di + 14]
    int 0x1A
    record
    pop di
    add di, 16
    jmp .next
.ports:
    mov dx, 0xCF8
    mov eax, 0x80000860
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    record
    mov dx, 0xCF8
    mov eax, 0x80000008
    out dx, eax
    mov ax, 0xB108
    xor bx, bx
    xor di, di
    int 0x1A
    mov dx, 0xCF8
    in eax, dx
    record
    xor al, al
    exit_with_al

; AX, BX, ECX, EDX, SI, DI
%macro call_pci 6
    dw %1, %2
    dd %3, %4
    dw %5, %6
%endmacro
calls:
    call_pci 0xB101, 0, 0, 0, 0, 0                  ; 0 installation check
    call_pci 0xB102, 0, 0x1237, 0x8086, 0, 0        ; 1 i440FX
    call_pci 0xB102, 0, 0x7000, 0x8086, 0, 0        ; 2 PIIX3 ISA bridge
    call_pci 0xB102, 0, 0x7010, 0x8086, 0, 0        ; 3 PIIX3 IDE (function 1)
    call_pci 0xB102, 0, 0x1237, 0x8086, 1, 0        ; 4 no second i440FX
    call_pci 0xB102, 0, 0x1237, 0xFFFF, 0, 0        ; 5 bad vendor ID
    call_pci 0xB103, 0, 0x060100, 0, 0, 0           ; 6 ISA bridge class
    call_pci 0xB103, 0, 0x060000, 0, 0, 0           ; 7 host bridge class
    call_pci 0xB103, 0, 0x0C0300, 0, 0, 0           ; 8 no USB controller
    call_pci 0xB10A, 0x0000, 0, 0, 0, 0x00          ; 9 dword 0 of 00:00.0
    call_pci 0xB109, 0x0008, 0, 0, 0, 0x02          ; 10 device ID of 00:01.0
    call_pci 0xB108, 0x0008, 0, 0, 0, 0x0E          ; 11 header type of 00:01.0
    call_pci 0xB109, 0x0008, 0, 0, 0, 0x01          ; 12 odd word register
    call_pci 0xB10A, 0x0008, 0, 0, 0, 0x62          ; 13 unaligned dword register
    call_pci 0xB10D, 0x0008, 0x0B0A0905, 0, 0, 0x60 ; 14 PIRQ routes A-D
    call_pci 0xB10C, 0x0008, 0x8080, 0, 0, 0x60     ; 15 A and B unrouted
    call_pci 0xB10B, 0x0008, 0x0E, 0, 0, 0x61       ; 16 B to IRQ 14
    call_pci 0xB108, 0x0008, 0, 0, 0, 0x61          ; 17 B read back
    call_pci 0xB10A, 0x0008, 0, 0, 0, 0x60          ; 18 A-D read back
    call_pci 0xB10C, 0x0008, 0, 0, 0, 0x63          ; 19 odd word write
    call_pci 0xB1FF, 0, 0, 0, 0, 0                  ; 20 no such function
calls_end:
    boot_signature
