/* boot.cfg: the loader's configuration file, parsed the same way by the
 * UEFI loader and the BIOS stage 2 (docs/protocol.md, section "boot.cfg").
 *
 * Format: UTF-8 text (a leading byte order mark is skipped), one
 * `key=value` per line. `#` starts a comment line
 * (only as the first non-blank character: a `#` inside a value is part of
 * the value, so `cmdline=a#b` works). Blank lines are ignored, LF or CRLF
 * line ends, spaces and tabs around key and value are trimmed; inner
 * spaces of a value are kept. Keys, and the words of bios_memory_detect,
 * are case-insensitive (like lib/mm's config keys); paths are not.
 *
 * Keys handled here:
 *   kernel=PATH            absolute path on the boot volume, `/`-separated
 *                          (default BC_KERNEL_PATH_DEFAULT)
 *   cmdline=TEXT           kernel command line (default empty)
 *   bios_memory_detect=M   e820 | e801 | 88h | none (default e820); the
 *                          BIOS loader starts its fallback chain at M,
 *                          `none` means the conservative fixed layout.
 *   protocol=P             mos | multiboot1 | multiboot2 (default mos): how
 *                          the kernel is booted (docs/multiboot.md).
 *   module=PATH [ARGS]     a Multiboot module, once per module, in order;
 *                          PATH as for kernel=, ARGS (after the first
 *                          blanks) its command line. Only after a
 *                          protocol=multiboot1/multiboot2 line.
 * Every other key is handed to a bc_cfg_sink (normally lib/mm's config:
 * heap_size, temp_heap_size, bitmap_granularity, heap_alignment,
 * min_heap_addr, memory_test, log_level, detailed_logging); a key the sink
 * does not know is an "unknown key" error.
 *
 * Outcome: the parser never stops at the first problem; it collects every
 * error (line number, key, reason) into a bc_cfg_errors and returns
 * MM_ERR_CONFIG when there was at least one. The loaders print every
 * collected error on screen and serial and then HALT (a silently ignored
 * typo in temp_heap_size would boot with the wrong memory layout). A
 * missing boot.cfg is not an error: the loaders use the defaults.
 *
 * Limits (anything beyond is an error, never an overflow): file size
 * BC_CFG_MAX_FILE bytes, line length BC_CFG_MAX_LINE bytes without the line
 * end, no NUL bytes, no invalid UTF-8, no control characters other than
 * tab. A key given twice is an error naming both lines. */
#ifndef BC_BOOTCFG_H
#define BC_BOOTCFG_H

#include "mm/base.h"
#include "text.h"

#define BC_CFG_MAX_FILE        (64u * 1024u) /* bytes */
#define BC_CFG_MAX_LINE        1024u         /* bytes, without CR/LF */
#define BC_KERNEL_PATH_MAX     256u          /* bytes including the NUL */
#define BC_CMDLINE_MAX         1024u         /* bytes including the NUL */
#define BC_CFG_KEY_MAX         32u           /* bytes including the NUL */
#define BC_CFG_MSG_MAX         96u           /* bytes including the NUL */
#define BC_CFG_MAX_ERRORS      8u            /* errors kept; more are counted */
#define BC_KERNEL_PATH_DEFAULT "/boot/kernel.elf"

#define BC_CFG_MAX_KEYS 32u /* distinct keys remembered per file */

#define BC_PROTOCOL_MOS        0u /* the MultiOS handoff (include/mos/handoff.h) */
#define BC_PROTOCOL_MULTIBOOT1 1u
#define BC_PROTOCOL_MULTIBOOT2 2u
#define BC_CFG_MAX_MODULES     16u   /* module= lines */
#define BC_CFG_MODULE_BYTES    4096u /* all of them stored together */

/* A key the file set, lower-cased, and the line that set it. */
typedef struct bc_cfg_key_line {
    char key[BC_CFG_KEY_MAX];
    uint32_t line;
} bc_cfg_key_line;

/* What the front end reads out of boot.cfg besides the memory keys. */
typedef struct bc_bootcfg {
    char kernel[BC_KERNEL_PATH_MAX]; /* NUL-terminated, starts with '/' */
    char cmdline[BC_CMDLINE_MAX];    /* NUL-terminated, may be empty */
    uint32_t bios_memory_detect;     /* MOS_BIOS_DETECT_E820/_E801/_88H/_FALLBACK ("none") */
    uint32_t protocol;               /* BC_PROTOCOL_* */
    uint32_t module_count;           /* module= lines kept, in file order */
    uint32_t module_bytes;           /* bytes of modules[] in use */
    /* Per module "PATH\0ARGS\0" back to back; read with bc_bootcfg_module. */
    char modules[BC_CFG_MODULE_BYTES];
    /* Known keys given in the last parsed file (first BC_CFG_MAX_KEYS),
     * so later checks (e.g. mm_config_validate) can name a line. */
    bc_cfg_key_line keys[BC_CFG_MAX_KEYS];
    uint32_t key_count;
} bc_bootcfg;

/* One problem found in the file. */
typedef struct bc_cfg_error {
    uint32_t line;            /* 1-based line number; 0 = the file as a whole */
    char key[BC_CFG_KEY_MAX]; /* the key as written (cut to fit), "" if none */
    char msg[BC_CFG_MSG_MAX]; /* what is wrong, e.g. "not a number: 12x" */
} bc_cfg_error;

/* Every problem of one parse: the first BC_CFG_MAX_ERRORS in file order,
 * `count` of them valid; `dropped` counts the ones that did not fit. */
typedef struct bc_cfg_errors {
    bc_cfg_error items[BC_CFG_MAX_ERRORS];
    uint32_t count;
    uint32_t dropped;
} bc_cfg_errors;

/* Receiver of the keys the parser does not handle itself. `set` applies
 * `value` for `key` (both NUL-terminated, trimmed) and returns:
 *   MM_OK            accepted;
 *   MM_ERR_NOT_FOUND the key is unknown (the parser reports "unknown key");
 *   anything else    a bad value: *why (may be left NULL) points to a
 *                    static reason such as "not a power of two".
 * A sink with set == NULL accepts no extra key. */
typedef struct bc_cfg_sink {
    mm_status (*set)(void *ctx, const char *key, const char *value, const char **why);
    void *ctx;
} bc_cfg_sink;

/* ---- lib/mm configuration (bootcfg_mm.c) ---- */
struct mm_config;
struct mm_logger;

/* A sink that applies keys with lib/mm's mm_config_set() to `mem`, which
 * the caller initialized with mm_config_defaults(); a bad value reports
 * mm_config's reason ("must be a power of two"). `mem` must outlive the
 * parse. */
bc_cfg_sink bc_cfg_sink_mm(struct mm_config *mem);

/* Checks `mem` with mm_config_validate() (rules between keys, e.g.
 * heap_size a multiple of bitmap_granularity) after a parse into `cfg`.
 * On failure appends one error to `errs` (which must come from
 * bc_bootcfg_parse or be zeroed) naming the key, the line that set it
 * (0 and " (default value)" when the file did not) and the reason.
 * Returns MM_OK, MM_ERR_CONFIG, or MM_ERR_INVALID_ARGUMENT for NULLs.
 * The usual sequence in a loader:
 *     mm_config_defaults(&mem); bc_bootcfg_defaults(&cfg);
 *     st = file ? bc_bootcfg_parse(text, len, &cfg, bc_cfg_sink_mm(&mem), &errs)
 *               : (errs = (bc_cfg_errors){0}, MM_OK);
 *     if (st == MM_OK) st = bc_bootcfg_validate_mm(&cfg, &mem, &errs);
 *     if (st != MM_OK) { bc_cfg_errors_log(&errs, &log); halt(); } */
mm_status bc_bootcfg_validate_mm(const bc_bootcfg *cfg, const struct mm_config *mem,
                                 bc_cfg_errors *errs);

/* The boot.cfg flow both loaders share, after they read the file:
 * defaults into `cfg` and `mem`, parse `len` bytes at `text` (NULL = no
 * file: the defaults, logged as such, still validated), then
 * bc_bootcfg_validate_mm. On success logs the size read and sets
 * log->level from the config (mm_config_log_level); on failure lists
 * every problem on `log` with bc_cfg_errors_log and leaves log->level
 * alone. Returns MM_OK or the first failure (MM_ERR_CONFIG, ...): the
 * caller halts then. */
mm_status bc_bootcfg_load(const void *text, size_t len, bc_bootcfg *cfg, struct mm_config *mem,
                          struct mm_logger *log);

/* Logs every error of `errs` at MM_LOG_ERROR, one bc_cfg_error_format()
 * line each, then "boot.cfg: N more problems not shown" when some were
 * dropped. */
void bc_cfg_errors_log(const bc_cfg_errors *errs, const struct mm_logger *log);

/* Fills `cfg` with the defaults: kernel BC_KERNEL_PATH_DEFAULT, empty
 * cmdline, bios_memory_detect MOS_BIOS_DETECT_E820. */
void bc_bootcfg_defaults(bc_bootcfg *cfg);

/* Parses `len` bytes of boot.cfg at `text` (not NUL-terminated; the
 * caller keeps ownership) into `cfg`, which must hold the defaults (or
 * earlier values) beforehand: keys absent from the file keep them, and a
 * key with a bad value keeps its previous value. Other keys go to `sink`.
 * `errs` is reset first and receives every problem.
 * Returns MM_OK when the file had no problem, MM_ERR_CONFIG when `errs`
 * holds at least one (the loader then prints them all and halts), and
 * MM_ERR_INVALID_ARGUMENT for NULL `cfg`/`errs` or NULL `text` with
 * len > 0. */
mm_status bc_bootcfg_parse(const void *text, size_t len, bc_bootcfg *cfg, bc_cfg_sink sink,
                           bc_cfg_errors *errs);

/* Module `index` (< cfg->module_count) of the last parse: *path and *args
 * point into cfg (NUL-terminated; args "" when none). Returns false, with
 * both untouched, for an index out of range or a NULL argument. */
bool bc_bootcfg_module(const bc_bootcfg *cfg, uint32_t index, const char **path, const char **args);

/* Line that set `key` (case-insensitive) in the last parse, 0 when the
 * file did not set it. */
uint32_t bc_bootcfg_key_line(const bc_bootcfg *cfg, const char *key);

/* Writes one error as "boot.cfg line 7: temp_heap_size: not a number"
 * (or "boot.cfg: ..." for line 0, no "key: " part when the key is empty)
 * into `buf` of `size` bytes, cut and always NUL-terminated when size > 0.
 * Returns the number of characters written, without the NUL. */
size_t bc_cfg_error_format(const bc_cfg_error *err, char *buf, size_t size);

/* Appends an error at `line` (0 = the file as a whole) for the first
 * `key_len` bytes of `key` (stopping at a NUL; cut to fit) and returns the
 * builder of its message, which the caller fills. When `errs` is full the
 * error is only counted in `dropped` and the builder writes nowhere. */
bc_text bc_cfg_errors_add(bc_cfg_errors *errs, uint32_t line, const char *key, size_t key_len);

#endif
