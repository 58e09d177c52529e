/* Entry to and exit from the code under test (32-bit, non-PIE).
 * Offsets into struct RunnerGuestRegs: gpr[i] at 4*i, eflags at 32. */
        .intel_syntax noprefix

        .bss
        .balign 16
        .globl runner_guest_fx_out
runner_guest_fx_out:
        .skip 512
        .globl runner_guest_in
runner_guest_in:
        .skip 36
        .globl runner_guest_out
runner_guest_out:
        .skip 36
runner_host_esp:
        .skip 4

        .data
        .globl runner_default_mxcsr
runner_default_mxcsr:
        .long 0x1f80
runner_code_entry:
        .long 0x00100000 /* DIFF_CODE_ADDR */

        .text
        .globl runner_guest_enter
        .type runner_guest_enter, @function
runner_guest_enter:
        push ebp
        push ebx
        push esi
        push edi
        pushfd
        mov [runner_host_esp], esp
        push dword ptr [runner_guest_in + 32]
        popfd
        /* From here on only flag-preserving instructions. */
        mov eax, [runner_guest_in + 0]
        mov ecx, [runner_guest_in + 4]
        mov edx, [runner_guest_in + 8]
        mov ebx, [runner_guest_in + 12]
        mov ebp, [runner_guest_in + 20]
        mov esi, [runner_guest_in + 24]
        mov edi, [runner_guest_in + 28]
        mov esp, [runner_guest_in + 16]
        jmp dword ptr [runner_code_entry]
        .size runner_guest_enter, . - runner_guest_enter

/* The end marker jumps here with the guest's registers and flags live. */
        .globl runner_guest_exit
        .type runner_guest_exit, @function
runner_guest_exit:
        mov [runner_guest_out + 16], esp
        mov esp, [runner_host_esp]
        pushfd
        pop dword ptr [runner_guest_out + 32]
        mov [runner_guest_out + 0], eax
        mov [runner_guest_out + 4], ecx
        mov [runner_guest_out + 8], edx
        mov [runner_guest_out + 12], ebx
        mov [runner_guest_out + 20], ebp
        mov [runner_guest_out + 24], esi
        mov [runner_guest_out + 28], edi
        fxsave [runner_guest_fx_out]
        fninit
        ldmxcsr [runner_default_mxcsr]
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        xor eax, eax
        ret
        .size runner_guest_exit, . - runner_guest_exit

/* Called from a signal handler (on the alternate stack) after it recorded the
 * guest state: returns 1 from runner_guest_enter. */
        .globl runner_guest_abort
        .type runner_guest_abort, @function
runner_guest_abort:
        mov esp, [runner_host_esp]
        fninit
        ldmxcsr [runner_default_mxcsr]
        popfd
        pop edi
        pop esi
        pop ebx
        pop ebp
        mov eax, 1
        ret
        .size runner_guest_abort, . - runner_guest_abort

        .section .note.GNU-stack, "", @progbits
