/* Exit codes of the demo kernel through QEMU's isa-debug-exit device
 * (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
 *
 * The kernel writes one of these values to I/O port MOS_EXIT_PORT; QEMU then
 * exits with status (value << 1) | 1. On real hardware (no such device) the
 * write does nothing and the kernel halts with interrupts off.
 *
 *   value  QEMU exit status  meaning
 *   0x10   33                MOS-RESULT: PASS, every check of the handoff held
 *   0x11   35                MOS-RESULT: FAIL <reason> (a check failed, or a
 *                            CPU exception was taken; the reason is on serial)
 *
 * Any other QEMU status (0 from a reset or a normal shutdown, 1, 124 from a
 * `timeout`, ...) means the kernel never reported: a triple fault, a hang or
 * a loader that never jumped. */
#ifndef MOS_KERNEL_EXITCODES_H
#define MOS_KERNEL_EXITCODES_H

#define MOS_EXIT_PORT 0xf4

#define MOS_EXIT_PASS 0x10
#define MOS_EXIT_FAIL 0x11

/* What a shell sees as QEMU's exit status for each code. */
#define MOS_EXIT_STATUS(code) (((code) << 1) | 1)
#define MOS_EXIT_STATUS_PASS  MOS_EXIT_STATUS(MOS_EXIT_PASS) /* 33 */
#define MOS_EXIT_STATUS_FAIL  MOS_EXIT_STATUS(MOS_EXIT_FAIL) /* 35 */

#endif
