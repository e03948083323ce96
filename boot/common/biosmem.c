#include "biosmem.h"

#include "mos/handoff.h"

#define LOW_DEFAULT 0x9f000u /* conventional memory ends here when INT 12h does not say */
#define ONE_MIB     0x100000u
#define SIXTEEN_MIB 0x1000000u

const char *bm_method_name(uint32_t method)
{
    switch (method) {
    case MOS_BIOS_DETECT_E820:
        return "e820";
    case MOS_BIOS_DETECT_E801:
        return "e801";
    case MOS_BIOS_DETECT_88H:
        return "88h";
    case MOS_BIOS_DETECT_FALLBACK:
        return "fallback";
    }
    return "?";
}

/* Keeps one reply of `len` bytes from `buf` (length checked by caller). */
static void e820_keep(bm_e820 *out, const uint8_t *buf, uint32_t len)
{
    uint8_t *dst = out->raw + out->count * 24;
    mm_memcpy(dst, buf, 20);
    if (len >= 24) {
        mm_memcpy(dst + 20, buf + 20, 4);
        out->entry_size = 24;
    } else {
        mm_store_le32(dst + 20, MM_E820_ATTR_ENABLED);
    }
    out->count++;
}

/* 20-byte records when no reply had extended attributes. */
static void e820_pack(bm_e820 *out)
{
    if (out->entry_size == 24)
        return;
    for (uint32_t i = 1; i < out->count; i++)
        mm_memmove(out->raw + i * 20, out->raw + i * 24, 20); /* the first ones overlap */
}

/* A reply after the first without "SMAP": see bm_e820_collect(). */
static mm_status e820_discard(const bm_bios *b, bm_e820 *out)
{
    mm_log(b->log, MM_LOG_WARN,
           "E820: reply %u lost the SMAP signature; discarding the %u entries read so far",
           out->calls, out->count);
    out->bad_signature = true;
    out->count = 0;
    return MM_ERR_NOT_FOUND;
}

mm_status bm_e820_collect(const bm_bios *b, bm_e820 *out)
{
    if (!b || !b->call || !out)
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(out, 0, sizeof *out);
    out->entry_size = 20;
    uint32_t cont = 0;
    uint8_t buf[24];
    for (;;) {
        if (out->calls == BM_E820_MAX_CALLS || out->count == BM_E820_MAX_ENTRIES) {
            out->truncated = true;
            mm_log(b->log, MM_LOG_WARN,
                   "E820: list cut after %u entries (%u calls): memory past them is not used",
                   out->count, out->calls);
            break;
        }
        /* Pre-set "enabled" so a BIOS that writes only 20 bytes of a
         * 24-byte request leaves a valid attribute word. */
        mm_memset(buf, 0, sizeof buf);
        mm_store_le32(buf + 20, MM_E820_ATTR_ENABLED);
        bm_regs r = {.eax = 0xe820, .ebx = cont, .ecx = 24, .edx = BM_SMAP};
        b->call(b->ctx, 0x15, &r, buf);
        out->calls++;
        /* CF on the first call: unsupported; later: the list has ended
         * (some BIOSes end that way instead of EBX = 0). */
        if (r.carry)
            break;
        if (r.eax != BM_SMAP) {
            if (out->calls > 1)
                return e820_discard(b, out);
            break; /* no signature at all: E820 unsupported */
        }
        uint32_t len = r.ecx > 24 ? 24 : r.ecx;
        if (len < 20 || mm_load_le64(buf + 8) == 0)
            out->dropped++;
        else
            e820_keep(out, buf, len);
        cont = r.ebx;
        if (cont == 0)
            break;
    }
    e820_pack(out);
    return out->count ? MM_OK : MM_ERR_NOT_FOUND;
}

/* Conventional memory below the EBDA, from INT 12h (KiB in AX). */
static uint64_t low_memory(const bm_bios *b, bm_report *rep)
{
    bm_regs r = {0};
    b->call(b->ctx, 0x12, &r, NULL);
    uint32_t kib = r.eax & 0xffff;
    if (r.carry || kib < 64 || kib > 640)
        return LOW_DEFAULT;
    rep->low_kib = kib;
    return (uint64_t)kib * 1024;
}

/* Low conventional memory usable, the rest below 1 MiB reserved. */
static mm_status add_low(mm_map *m, uint64_t low)
{
    mm_status st = mm_map_add(m, 0, low, MM_TYPE_USABLE, 0, 0);
    if (st == MM_OK)
        st = mm_map_add(m, low, ONE_MIB - low, MM_TYPE_RESERVED, 0, 0);
    return st;
}

static mm_status detect_e801(const bm_bios *b, mm_map *m, bm_report *rep)
{
    bm_regs r = {.eax = 0xe801};
    b->call(b->ctx, 0x15, &r, NULL);
    if (r.carry)
        return MM_ERR_NOT_FOUND;
    uint32_t ext = r.eax & 0xffff, high = r.ebx & 0xffff;
    if (ext == 0 && high == 0) {
        ext = r.ecx & 0xffff; /* some BIOSes answer in CX/DX only */
        high = r.edx & 0xffff;
    }
    if (ext == 0 || ext > 15 * 1024)
        return MM_ERR_NOT_FOUND;
    rep->ext_kib = ext;
    rep->high_64k = high;
    mm_status st = add_low(m, low_memory(b, rep));
    if (st == MM_OK)
        st = mm_map_add(m, ONE_MIB, (uint64_t)ext * 1024, MM_TYPE_USABLE, 0, 0);
    if (st == MM_OK && high)
        st = mm_map_add(m, SIXTEEN_MIB, (uint64_t)high << 16, MM_TYPE_USABLE, 0, 0);
    return st;
}

static mm_status detect_88h(const bm_bios *b, mm_map *m, bm_report *rep)
{
    bm_regs r = {.eax = 0x8800};
    b->call(b->ctx, 0x15, &r, NULL);
    uint32_t kib = r.eax & 0xffff;
    if (r.carry || kib == 0)
        return MM_ERR_NOT_FOUND;
    rep->ext_kib = kib;
    mm_status st = add_low(m, low_memory(b, rep));
    if (st == MM_OK)
        st = mm_map_add(m, ONE_MIB, (uint64_t)kib * 1024, MM_TYPE_USABLE, 0, 0);
    return st;
}

static bool has_usable(const mm_map *map)
{
    for (uint32_t i = 0; i < map->count; i++)
        if (map->entries[i].type == MM_TYPE_USABLE)
            return true;
    return false;
}

/* E820 into the map; MM_ERR_NOT_FOUND (logged) when it gives no RAM. */
static mm_status detect_e820(const bm_bios *b, mm_map *map, bm_e820 *e820)
{
    mm_status st = bm_e820_collect(b, e820);
    if (st == MM_OK)
        st = mm_map_import_e820(map, e820->raw, e820->count, e820->entry_size);
    /* Every entry reserved, or disabled by its ACPI 3.0 attributes. */
    if (st == MM_OK && !has_usable(map)) {
        mm_log(b->log, MM_LOG_WARN, "E820: %u entries but no usable RAM among them", e820->count);
        st = MM_ERR_NOT_FOUND;
    }
    return st;
}

/* One method into the (emptied) map. MM_ERR_NOT_FOUND: try the next. */
static mm_status run_method(const bm_bios *b, uint32_t method, mm_map *map, bm_e820 *e820,
                            bm_report *rep)
{
    switch (method) {
    case MOS_BIOS_DETECT_E820:
        return detect_e820(b, map, e820);
    case MOS_BIOS_DETECT_E801:
        return detect_e801(b, map, rep);
    case MOS_BIOS_DETECT_88H:
        return detect_88h(b, map, rep);
    default:
        return mm_map_fallback(map, 0);
    }
}

mm_status bm_detect(const bm_bios *b, uint32_t first, mm_map *map, bm_e820 *e820, bm_report *rep)
{
    if (!b || !b->call || !map || !e820 || !rep || first < MOS_BIOS_DETECT_E820 ||
        first > MOS_BIOS_DETECT_FALLBACK)
        return MM_ERR_INVALID_ARGUMENT;
    if (map->capacity < BM_MAP_MIN_CAPACITY)
        return MM_ERR_MAP_FULL;
    mm_memset(rep, 0, sizeof *rep);
    for (uint32_t method = first; method <= MOS_BIOS_DETECT_FALLBACK; method++) {
        map->count = 0;
        rep->tried |= 1u << method;
        mm_status st = run_method(b, method, map, e820, rep);
        if (st == MM_OK) {
            rep->method = method;
            rep->raw_entries = map->count;
            return MM_OK;
        }
        if (st != MM_ERR_NOT_FOUND)
            return st;
        if (method < MOS_BIOS_DETECT_FALLBACK)
            mm_log(b->log, MM_LOG_WARN, "memory detection: %s failed, trying %s",
                   bm_method_name(method), bm_method_name(method + 1));
        rep->low_kib = rep->ext_kib = rep->high_64k = 0;
    }
    return MM_ERR_NOT_FOUND; /* not reached: the fallback cannot fail */
}
