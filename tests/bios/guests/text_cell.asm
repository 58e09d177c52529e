; Puts a bright white 'A' in the top left text cell of the mode POST set.
%include "exit.inc"
org 0x7C00
    mov ax, 0xB800
    mov es, ax
    mov word [es:0], 0x0F41
    xor al, al
    exit_with_al
boot_signature
