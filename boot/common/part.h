/* Partition tables: GPT (primary header, CRC-checked) and the MBR.
 *
 * Portable like fat.h: the BIOS stage 2 uses it to find the ESP holding
 * boot.cfg and the kernel; mos-install uses it to find the BIOS boot
 * partition (or the gap before the first MBR partition) for stage 2.
 * Every on-disk value is range-checked against the disk size when known. */
#ifndef BOOT_PART_H
#define BOOT_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "sector.h"

typedef bc_sector_read_fn part_read_fn;

typedef enum part_status {
    PART_OK = 0,
    PART_ERR_IO,        /* the read callback failed */
    PART_ERR_NO_MBR,    /* sector 0 lacks the 0x55AA signature */
    PART_ERR_BAD_GPT,   /* protective MBR present but the GPT is invalid */
    PART_ERR_NOT_FOUND, /* no partition of the wanted kind */
    PART_ERR_ARGUMENT,  /* NULL pointer, bad sector size, scratch too small */
} part_status;

/* The disk as the partition code sees it. `scratch` (caller storage, at
 * least one sector; larger means fewer reads of the GPT entry array) is
 * overwritten by every call. */
typedef struct part_disk {
    part_read_fn read;
    void *ctx;
    uint32_t sector_size; /* bytes: 512 .. 4096, power of two */
    uint64_t sectors;     /* total sectors, 0 = unknown */
    uint8_t *scratch;
    uint32_t scratch_size; /* bytes */
} part_disk;

typedef struct part_entry {
    uint64_t first_lba;
    uint64_t sectors;
    uint32_t index;   /* 0-based slot in the table */
    uint8_t mbr_type; /* MBR type byte; 0 for GPT entries */
} part_entry;

/* What sector 0 says about the disk. */
typedef struct part_mbr {
    bool protective;     /* a 0xEE entry: the disk is GPT */
    part_entry parts[4]; /* non-empty primary partitions, in slot order */
    uint32_t count;
    uint64_t first_start; /* lowest first_lba of parts[], UINT64_MAX if none */
} part_mbr;

/* Type GUIDs in on-disk byte order. */
extern const uint8_t part_guid_esp[16];       /* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
extern const uint8_t part_guid_bios_boot[16]; /* 21686148-6449-6E6F-744E-656564454649 */

#define PART_MBR_TYPE_GPT 0xee
#define PART_MBR_TYPE_ESP 0xef

/* Reads sector 0 and decodes its four primary entries (extended partitions
 * are listed but not followed). PART_ERR_NO_MBR without 0x55AA. */
part_status part_read_mbr(const part_disk *disk, part_mbr *out);

/* Finds the first GPT entry (primary table at LBA 1; header and entry
 * array CRCs checked, entries inside the usable range) whose type is
 * `type`. PART_ERR_BAD_GPT for any inconsistency. */
part_status part_gpt_find(const part_disk *disk, const uint8_t type[16], part_entry *out);

/* The partition holding the boot files: on a GPT disk (protective MBR)
 * the first EFI system partition; on an MBR disk the first partition of
 * type 0xEF, else the first FAT-typed one (0x01 0x04 0x06 0x0B 0x0C 0x0E). */
part_status part_find_boot_volume(const part_disk *disk, part_entry *out);

/* CRC-32 (IEEE) continued over `len` more bytes: start with crc = 0,
 * feed pieces in order. */
uint32_t part_crc32(uint32_t crc, const void *p, uint32_t len);

/* Static English text for a status. */
const char *part_strerror(part_status st);

#endif
