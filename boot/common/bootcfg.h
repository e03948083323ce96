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
 * Global keys (before the first `[NAME]` line):
 *   bios_memory_detect=M   e820 | e801 | 88h | none (default e820); the
 *                          BIOS loader starts its fallback chain at M,
 *                          `none` means the conservative fixed layout.
 *   resolution=WxH         framebuffer size to ask for (fbmode.h; default:
 *                          the firmware's mode on UEFI, the largest up to
 *                          1920x1080 on BIOS)
 *   timeout=S              seconds the menu counts down, 0 .. BC_CFG_TIMEOUT_MAX
 *                          (default BC_CFG_TIMEOUT_DEFAULT); 0 boots the
 *                          default entry without showing the menu.
 *   default=E              the entry booted when the countdown ends: its
 *                          name (case-insensitive) or, when E is all digits,
 *                          its 1-based number (default 1).
 *   every other key goes to a bc_cfg_sink (normally lib/mm's config:
 *   heap_size, temp_heap_size, bitmap_granularity, heap_alignment,
 *   min_heap_addr, memory_test, log_level, detailed_logging); a key the
 *   sink does not know is an "unknown key" error.
 *
 * Entries: a line `[NAME]` (1 .. BC_ENTRY_NAME_MAX-1 bytes, names unique
 * ignoring case) starts an entry; the keys after it belong to it:
 *   protocol=P             mos | linux | multiboot1 | multiboot2 | efi |
 *                          bios-chainload (default mos)
 *   kernel=PATH            absolute path on the boot volume, `/`-separated;
 *                          required except for bios-chainload
 *   cmdline=TEXT           command line (efi: the image's LoadOptions)
 *   module=PATH [ARGS]     repeatable; the text after the path (trimmed) is
 *                          the module's command line (not for efi)
 *   drive=N                bios-chainload only: BIOS drive number 0 .. 0xff
 *                          (decimal or 0x hex, default 0x81)
 *   partition=N            bios-chainload only: 1 .. 4, a primary MBR
 *                          partition (default: the whole drive's sector 0)
 * A key the entry's protocol does not use, a global key inside an entry,
 * and kernel=/cmdline= before the first entry of a file that has entries
 * are errors naming the line.
 *
 * Legacy form: a file without any `[NAME]` line is one entry of protocol
 * mos whose kernel= and cmdline= are global keys (defaults
 * BC_KERNEL_PATH_DEFAULT and empty), so every older boot.cfg boots as
 * before.
 *
 * Outcome: the parser never stops at the first problem; it collects every
 * error (line number, key, reason), sorted by line, into a bc_cfg_errors
 * and returns
 * MM_ERR_CONFIG when there was at least one. The loaders print every
 * collected error on screen and serial and then HALT (a silently ignored
 * typo in temp_heap_size would boot with the wrong memory layout). A
 * missing boot.cfg is not an error: the loaders use the defaults.
 *
 * Limits (anything beyond is an error, never an overflow): file size
 * BC_CFG_MAX_FILE bytes, line length BC_CFG_MAX_LINE bytes without the line
 * end, no NUL bytes, no invalid UTF-8, no control characters other than
 * tab. A key given twice (globally, or in one entry; module= excepted) is
 * an error naming both lines. At most BC_CFG_MAX_ENTRIES entries,
 * BC_CFG_MAX_MODULES modules per entry and BC_CFG_POOL_SIZE bytes of entry
 * strings (names, paths, command lines, each with its NUL); the line that
 * goes beyond is the error. */
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

#define BC_CFG_MAX_ENTRIES         16u
#define BC_CFG_MAX_MODULES         16u   /* per entry */
#define BC_CFG_POOL_SIZE           8192u /* bytes of entry strings, NULs included */
#define BC_ENTRY_NAME_MAX          64u   /* bytes including the NUL */
#define BC_CFG_TIMEOUT_MAX         3600u /* seconds */
#define BC_CFG_TIMEOUT_DEFAULT     5u    /* seconds */
#define BC_CHAINLOAD_DRIVE_DEFAULT 0x81u
#define BC_LEGACY_ENTRY_NAME       "MultiOS"

/* How an entry is booted (protocol=). */
typedef enum bc_protocol {
    BC_PROTO_MOS = 0,
    BC_PROTO_LINUX,
    BC_PROTO_MULTIBOOT1,
    BC_PROTO_MULTIBOOT2,
    BC_PROTO_EFI,
    BC_PROTO_BIOS_CHAINLOAD,
    BC_PROTO_COUNT
} bc_protocol;

/* Strings of entries are offsets into bc_bootcfg.pool (bc_bootcfg_str());
 * offset 0 is the empty string. Offsets, not pointers, so a bc_bootcfg
 * can be copied. */
typedef uint16_t bc_cfg_str;

typedef struct bc_boot_module {
    bc_cfg_str path; /* absolute, as kernel= */
    bc_cfg_str args; /* the rest of the line, trimmed; may be empty */
    uint32_t line;
} bc_boot_module;

typedef struct bc_boot_entry {
    uint32_t line;      /* line of `[NAME]`; 0 for the legacy entry */
    bc_cfg_str name;    /* never empty */
    bc_cfg_str kernel;  /* empty only for bios-chainload */
    bc_cfg_str cmdline; /* may be empty */
    uint8_t protocol;   /* bc_protocol */
    uint8_t drive;      /* bios-chainload: BIOS drive number */
    uint8_t partition;  /* bios-chainload: 1 .. 4, 0 = sector 0 of the drive */
    uint8_t module_count;
    bc_boot_module modules[BC_CFG_MAX_MODULES];
} bc_boot_entry;

/* A key the file set, lower-cased, and the line that set it. */
typedef struct bc_cfg_key_line {
    char key[BC_CFG_KEY_MAX];
    uint32_t line;
} bc_cfg_key_line;

/* What the front end reads out of boot.cfg besides the memory keys.
 * `kernel` and `cmdline` are those of the selected entry (after a parse:
 * the default entry; bc_bootcfg_select() changes it), so a loader that
 * boots one mos kernel reads only them. */
typedef struct bc_bootcfg {
    char kernel[BC_KERNEL_PATH_MAX]; /* NUL-terminated; starts with '/' or "" (bios-chainload) */
    char cmdline[BC_CMDLINE_MAX];    /* NUL-terminated, may be empty */
    uint32_t bios_memory_detect;     /* MOS_BIOS_DETECT_E820/_E801/_88H/_FALLBACK ("none") */
    uint32_t fb_width, fb_height;    /* resolution=, both 0 when not given */
    uint32_t timeout;                /* menu countdown in seconds; 0 = no menu */
    uint32_t default_entry;          /* 0-based index into entries */
    uint32_t selected;               /* 0-based: the entry kernel/cmdline come from */
    uint32_t entry_count;            /* 1 .. BC_CFG_MAX_ENTRIES after defaults or a parse */
    bc_boot_entry entries[BC_CFG_MAX_ENTRIES];
    uint32_t pool_used; /* bytes of pool in use */
    char pool[BC_CFG_POOL_SIZE];
    /* Known global keys given in the last parsed file (first
     * BC_CFG_MAX_KEYS), so later checks (e.g. mm_config_validate) can name
     * a line; keys inside entries are not listed. */
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
 * cmdline, bios_memory_detect MOS_BIOS_DETECT_E820, timeout
 * BC_CFG_TIMEOUT_DEFAULT, and one mos entry (BC_LEGACY_ENTRY_NAME) with
 * that kernel and cmdline, selected and default. */
void bc_bootcfg_defaults(bc_bootcfg *cfg);

/* Entry `index` (0-based) of `cfg`, or NULL when index >= entry_count. */
const bc_boot_entry *bc_bootcfg_entry(const bc_bootcfg *cfg, uint32_t index);

/* The NUL-terminated string `s` of cfg's pool; "" for an offset outside
 * the used pool. Valid as long as `cfg` is unchanged. */
const char *bc_bootcfg_str(const bc_bootcfg *cfg, bc_cfg_str s);

/* Makes entry `index` the selected one: copies its kernel (or "" when it
 * has none) and cmdline into cfg->kernel / cfg->cmdline. Returns MM_OK, or
 * MM_ERR_INVALID_ARGUMENT (cfg unchanged) for NULL or index >= entry_count. */
mm_status bc_bootcfg_select(bc_bootcfg *cfg, uint32_t index);

/* Whether an entry of `protocol` can boot under `boot_mode`
 * (MOS_BOOT_MODE_UEFI / _BIOS): NULL when it can, else the static reason
 * to show ("protocol=efi needs UEFI firmware"). Says nothing about
 * protocols the loader has not implemented yet. */
const char *bc_protocol_refusal(uint32_t protocol, uint32_t boot_mode);

/* protocol= spelling of `protocol` ("mos", ..., "bios-chainload"); "?" when
 * out of range. */
const char *bc_protocol_name(uint32_t protocol);

/* Parses `len` bytes of boot.cfg at `text` (not NUL-terminated; the
 * caller keeps ownership) into `cfg`, which must hold the defaults (or
 * earlier values) beforehand: global keys absent from the file keep them,
 * and a global key with a bad value keeps its previous value. The entries
 * are rebuilt from the file (the legacy entry when it has no `[NAME]`);
 * afterwards the default entry is selected (bc_bootcfg_select). After an
 * error the entries hold what could be read, at least one, and default_entry
 * and selected are valid indexes. Other keys go to `sink`.
 * `errs` is reset first and receives every problem.
 * Returns MM_OK when the file had no problem, MM_ERR_CONFIG when `errs`
 * holds at least one (the loader then prints them all and halts), and
 * MM_ERR_INVALID_ARGUMENT for NULL `cfg`/`errs` or NULL `text` with
 * len > 0. */
mm_status bc_bootcfg_parse(const void *text, size_t len, bc_bootcfg *cfg, bc_cfg_sink sink,
                           bc_cfg_errors *errs);

/* Line that set the global `key` (case-insensitive) in the last parse, 0
 * when the file did not set it (or only inside entries). */
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
