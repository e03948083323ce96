/* The smallest bzImage, for the boot benchmark's Linux-protocol boots
 * (make bench-boot): MultiOS Boot (protocol=linux) and GRUB (`linux`,
 * `initrd`) load it as they would load Linux, and wherever they enter it
 * it exits QEMU at once with the PASS value (0x10 through isa-debug-exit,
 * QEMU status 33): the 16-bit setup entry (GRUB on BIOS), the 32-bit entry
 * at the protected-mode part's start and the 64-bit entry 0x200 after it.
 * The three entries run the same bytes, which mean the same in every
 * mode. The header (Documentation/arch/x86/boot.rst) is a protocol 2.15
 * one like Debian's kernel's: relocatable, 64-bit entry, loadable above
 * 4 GiB. The benchmark appends padding to give it a real kernel's size. */
#define SETUP_SECTS 1          /* the setup is the boot sector and one more */
/* 16 MiB: room for the padded file. Debian's kernel asks for 64 MiB,
 * which GRUB 2.06 on OVMF cannot allocate with the benchmark's 256 MiB. */
#define INIT_SIZE   0x1000000

    .code16
    .section .text, "ax"
    .globl _start
_start:
    .org 0x1f1
    .byte SETUP_SECTS
    .short 0                   /* root_flags */
    .long 0x40                 /* syssize (16-byte units): the part below */
    .short 0, 0, 0             /* ram_size, vid_mode, root_dev */
    .short 0xaa55              /* boot_flag */
    .byte 0xeb, setup - 0x202  /* jump over the header: header_end = setup */
    .ascii "HdrS"
    .short 0x020f              /* version */
    .long 0                    /* realmode_swtch */
    .short 0, 0                /* start_sys_seg, kernel_version */
    .byte 0                    /* type_of_loader */
    .byte 0x01                 /* loadflags: LOADED_HIGH */
    .short 0                   /* setup_move_size */
    .long 0x100000             /* code32_start */
    .long 0, 0, 0              /* ramdisk_image, ramdisk_size, bootsect_kludge */
    .short 0                   /* heap_end_ptr */
    .byte 0, 0                 /* ext_loader_ver, ext_loader_type */
    .long 0                    /* cmd_line_ptr */
    .long 0x7fffffff           /* initrd_addr_max */
    .long 0x200000             /* kernel_alignment */
    .byte 1                    /* relocatable_kernel */
    .byte 21                   /* min_alignment: 2 MiB */
    .short 0x3                 /* xloadflags: KERNEL_64, CAN_BE_LOADED_ABOVE_4G */
    .long 2047                 /* cmdline_size */
    .long 0                    /* hardware_subarch */
    .quad 0                    /* hardware_subarch_data */
    .long 0, 0                 /* payload_offset, payload_length */
    .quad 0                    /* setup_data */
    .quad 0x1000000            /* pref_address */
    .long INIT_SIZE            /* init_size */
    .long 0                    /* handover_offset */
setup:
    movb    $0x10, %al
    outb    %al, $0xf4
1:  hlt
    jmp     1b

    .org (SETUP_SECTS + 1) * 512
entry32:
    movb    $0x10, %al
    outb    %al, $0xf4
1:  hlt
    jmp     1b

    .org (SETUP_SECTS + 1) * 512 + 0x200
entry64:
    movb    $0x10, %al
    outb    %al, $0xf4
1:  hlt
    jmp     1b

    .org (SETUP_SECTS + 1) * 512 + 0x400
