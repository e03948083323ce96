/* linux-stub entry and the two jumps into Linux (boot.rst "32-bit boot
 * protocol" and "64-bit boot protocol"). QEMU's multiboot loader enters
 * _start in 32-bit protected mode, paging off, EAX = magic, EBX = info. */
    .section .multiboot, "a"
    .align 4
    .long 0x1badb002            /* multiboot 1 magic */
    .long 0x00000003            /* page-aligned modules, memory map wanted */
    .long -(0x1badb002 + 0x00000003)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov $__bss_start, %edi      /* zero .bss (stack included) */
    mov $__bss_end, %ecx
    sub %edi, %ecx
    mov %eax, %edx
    xor %eax, %eax
    rep stosb
    mov $stub_stack_top, %esp
    push %ebx
    push %edx
    call stub_main
1:  hlt
    jmp 1b

/* void stub_enter32(uint32_t entry, uint32_t boot_params, const void *gdtr)
 * GDT: 0x10 flat 32-bit code, 0x18 flat data. */
    .globl stub_enter32
stub_enter32:
    mov 4(%esp), %eax
    mov %eax, stub_target
    mov 8(%esp), %esi
    mov 12(%esp), %edx
    lgdt (%edx)
    ljmp $0x10, $2f
2:  mov $0x18, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    xor %ebp, %ebp
    xor %edi, %edi
    xor %ebx, %ebx
    jmp *stub_target

/* void stub_enter64(uint32_t entry, uint32_t boot_params, uint32_t cr3,
 *                   const void *gdtr)
 * GDT: 0x10 64-bit code, 0x18 flat data; CR3 identity-maps what Linux
 * needs (entry and boot_params below 4 GiB here). */
    .globl stub_enter64
stub_enter64:
    mov 4(%esp), %eax
    mov %eax, stub_target
    mov 8(%esp), %esi
    mov 12(%esp), %edx
    mov 16(%esp), %ecx
    lgdt (%ecx)
    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov %edx, %cr3
    mov $0xc0000080, %ecx       /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax        /* paging on: compatibility mode */
    mov %eax, %cr0
    ljmp $0x10, $3f
    .code64
3:  mov $0x18, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov %esi, %esi              /* upper halves are undefined after the switch */
    mov stub_target, %eax
    jmp *%rax

    .data
    .align 8
stub_target:
    .quad 0
