; A Multiboot v1 test kernel: an ELF executable written out by hand (nasm -f
; bin), so the build needs no linker. Two PT_LOAD segments: the code at
; 1 MiB and a data segment with a .bss tail at 0x20000, below 1 MiB.
;
; It checks what the loader promises (magic, protected mode without paging,
; IF = 0, info flags, the low segment's data and zeroed tail, page-aligned
; modules, a usable memory map that matches mem_upper and whose last RAM
; dword is writable) and prints the info fields to port 0xE9:
;   mem_lower=XXXXXXXX mem_upper=XXXXXXXX ram_top=XXXXXXXX
;   cmdline=<text>
;   loader=<text>
;   module <string>: <contents>
;   MULTIBOOT-OK  or  MULTIBOOT-FAIL <what>
; then writes to isa-debug-exit: 0x10 (status 33) on success, 1 (status 3)
; on failure.
;
; Broken variants for the loader's error paths: -DBAD_CHECKSUM assembles a
; header with a wrong checksum, -DLOW_PADDR=ADDR loads the low segment at
; ADDR instead.

%define KERNEL 0x100000
%define LOW 0x20000
%define LOW_MEMSZ 0x2000            ; data, then zeroed bss with the stack
%define MB_MAGIC 0x1BADB002
%define MB_FLAGS 0x00000003         ; page-aligned modules, memory info
%define DEBUGCON 0xE9
%define DEBUG_EXIT 0xF4
%ifndef LOW_PADDR
%define LOW_PADDR LOW
%endif

BITS 32
ORG KERNEL

section .text
elf_header:
    db 0x7F, 'ELF', 1, 1, 1, 0
    times 8 db 0
    dw 2                            ; ET_EXEC
    dw 3                            ; EM_386
    dd 1                            ; EV_CURRENT
    dd entry
    dd program_headers - elf_header
    dd 0                            ; no section headers
    dd 0
    dw 52                           ; e_ehsize
    dw 32                           ; e_phentsize
    dw 2                            ; e_phnum
    dw 40, 0, 0                     ; e_shentsize, e_shnum, e_shstrndx
program_headers:
    ; PT_LOAD: the whole text part of the file at 1 MiB.
    dd 1, 0, KERNEL, KERNEL, TEXT_SIZE, TEXT_SIZE, 5, 0x1000
    ; PT_LOAD: the low data, then bss up to LOW_MEMSZ.
    dd 1, TEXT_SIZE, LOW, LOW_PADDR, LOW_FILESZ, LOW_MEMSZ, 6, 0x1000

    align 4, db 0
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
%ifdef BAD_CHECKSUM
    dd -(MB_MAGIC + MB_FLAGS) + 1
%else
    dd -(MB_MAGIC + MB_FLAGS)
%endif

entry:
    mov esp, LOW + LOW_MEMSZ
    cmp eax, 0x2BADB002
    jne fail_magic
    mov ebp, ebx
    mov eax, cr0
    test eax, 1
    jz fail_mode
    test eax, 0x80000000
    jnz fail_mode
    pushfd
    pop eax
    test eax, 0x200 | 0x20000       ; IF, VM
    jnz fail_mode

    ; The low segment: its data, and its tail zeroed.
    cmp dword [low_data], 'LOWD'
    jne fail_low
    cmp dword [low_data + 4], 'ATA!'
    jne fail_low
    mov edi, low_bss
    mov ecx, 256
.bss:
    cmp dword [edi], 0
    jne fail_low
    add edi, 4
    loop .bss

    ; Info flags: mem (0), cmdline (2), mods (3), mmap (6), loader name (9).
    mov eax, [ebp]
    and eax, 0x24D
    cmp eax, 0x24D
    jne fail_flags

    mov esi, s_mem_lower
    call puts
    mov eax, [ebp + 4]
    call puthex
    mov esi, s_mem_upper
    call puts
    mov eax, [ebp + 8]
    call puthex

    ; Memory map: the highest end of a non-reserved entry below 4 GiB, and
    ; the usable entry at 1 MiB, whose size must be mem_upper KiB.
    mov esi, [ebp + 48]             ; mmap_addr
    mov ecx, [ebp + 44]             ; mmap_length
    add ecx, esi
    xor edx, edx                    ; highest end
    xor edi, edi                    ; end of usable RAM from 1 MiB
.mmap:
    cmp esi, ecx
    jae .mmap_done
    cmp dword [esi + 8], 0          ; base above 4 GiB: ignore
    jne .next
    cmp dword [esi + 20], 2         ; reserved
    je .next
    mov eax, [esi + 4]
    add eax, [esi + 12]
    jc .next
    cmp eax, edx
    jbe .not_higher
    mov edx, eax
.not_higher:
    cmp dword [esi + 4], 0x100000
    jne .next
    cmp dword [esi + 20], 1
    jne .next
    mov edi, eax
.next:
    add esi, [esi]
    add esi, 4
    jmp .mmap
.mmap_done:
    test edi, edi
    jz fail_mmap
    mov eax, edi
    sub eax, 0x100000
    shr eax, 10
    cmp eax, [ebp + 8]
    jne fail_mmap
    mov dword [edi - 4], 0x5A5AA5A5  ; the last usable dword is RAM
    cmp dword [edi - 4], 0x5A5AA5A5
    jne fail_mmap
    mov esi, s_ram_top
    call puts
    mov eax, edx
    call puthex
    call newline

    mov esi, s_cmdline
    call puts
    mov esi, [ebp + 16]
    call puts
    call newline
    mov esi, s_loader
    call puts
    mov esi, [ebp + 64]
    call puts
    call newline

    ; Modules: page aligned; print each string and contents.
    mov ebx, [ebp + 24]
    mov ecx, [ebp + 20]
.module:
    jecxz .modules_done
    test dword [ebx], 0xFFF
    jnz fail_module
    mov esi, s_module
    call puts
    mov esi, [ebx + 8]
    call puts
    mov esi, s_colon
    call puts
    mov esi, [ebx]
.byte:
    cmp esi, [ebx + 4]
    jae .module_end
    mov al, [esi]
    cmp al, 10                      ; contents on one line
    je .skip
    out DEBUGCON, al
.skip:
    inc esi
    jmp .byte
.module_end:
    call newline
    add ebx, 16
    dec ecx
    jmp .module
.modules_done:
    mov esi, s_ok
    call puts
    call newline
    mov al, 0x10
    out DEBUG_EXIT, al
    jmp halt

fail_magic:  mov esi, s_fail_magic
             jmp fail
fail_mode:   mov esi, s_fail_mode
             jmp fail
fail_low:    mov esi, s_fail_low
             jmp fail
fail_flags:  mov esi, s_fail_flags
             jmp fail
fail_mmap:   mov esi, s_fail_mmap
             jmp fail
fail_module: mov esi, s_fail_module
fail:
    push esi
    mov esi, s_fail
    call puts
    pop esi
    call puts
    call newline
    mov al, 1
    out DEBUG_EXIT, al
halt:
    cli
    hlt
    jmp halt

; Prints the NUL-terminated string at ESI.
puts:
    push eax
.loop:
    lodsb
    test al, al
    jz .done
    out DEBUGCON, al
    jmp .loop
.done:
    pop eax
    ret

; Prints EAX as 8 hex digits.
puthex:
    push ecx
    push eax
    mov ecx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    out DEBUGCON, al
    pop eax
    loop .digit
    pop eax
    pop ecx
    ret

newline:
    push eax
    mov al, 10
    out DEBUGCON, al
    pop eax
    ret

s_mem_lower:   db 'mem_lower=', 0
s_mem_upper:   db ' mem_upper=', 0
s_ram_top:     db ' ram_top=', 0
s_cmdline:     db 'cmdline=', 0
s_loader:      db 'loader=', 0
s_module:      db 'module ', 0
s_colon:       db ': ', 0
s_ok:          db 'MULTIBOOT-OK', 0
s_fail:        db 'MULTIBOOT-FAIL ', 0
s_fail_magic:  db 'magic', 0
s_fail_mode:   db 'cpu mode', 0
s_fail_low:    db 'low segment', 0
s_fail_flags:  db 'info flags', 0
s_fail_mmap:   db 'memory map', 0
s_fail_module: db 'module alignment', 0

    align 16, db 0
TEXT_SIZE equ $ - $$

section .low vstart=LOW follows=.text
low_data:
    db 'LOWDATA!'
    times 64 db 0x11
LOW_FILESZ equ $ - low_data
low_bss equ LOW + LOW_FILESZ
