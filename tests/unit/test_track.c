/* mm_track: per-site counters, per-kind totals with their own peak, the
 * overflow slot when storage is full, unmatched frees, and the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/log_lines.h"
#include "mm/track.h"

static void counts_one_site(void **state)
{
    (void)state;
    mm_track_slot slots[4];
    mm_tracker t;
    assert_int_equal(mm_track_init(&t, slots, 4), MM_OK);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_HEAP, "handoff", 100), MM_OK);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_HEAP, "handoff", 50), MM_OK);
    assert_int_equal(mm_track_free(&t, MM_ALLOC_HEAP, "handoff", 100), MM_OK);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_HEAP, "handoff", 20), MM_OK);
    assert_int_equal(t.used, 1);
    assert_string_equal(slots[0].tag, "handoff");
    assert_int_equal(slots[0].allocs, 3);
    assert_int_equal(slots[0].frees, 1);
    assert_int_equal(slots[0].live_bytes, 70);
    assert_int_equal(slots[0].peak_bytes, 150);
    assert_int_equal(slots[0].total_bytes, 170);
}

/* Same tag text from two different arrays is one site; the same tag under
 * two kinds is two sites. */
static void sites_by_content_and_kind(void **state)
{
    (void)state;
    mm_track_slot slots[4];
    mm_tracker t;
    char a[] = "page tables", b[] = "page tables";
    mm_track_init(&t, slots, 4);
    mm_track_alloc(&t, MM_ALLOC_BITMAP, a, 4096);
    mm_track_alloc(&t, MM_ALLOC_BITMAP, b, 4096);
    mm_track_alloc(&t, MM_ALLOC_POOL, a, 64);
    assert_int_equal(t.used, 2);
    assert_int_equal(slots[0].allocs, 2);
    assert_int_equal(slots[1].kind, MM_ALLOC_POOL);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_OTHER, NULL, 1), MM_OK);
    assert_string_equal(slots[2].tag, "(untagged)");
}

/* Two sites peak at different times: the kind's peak is the highest sum
 * at one moment (150), not the sum of site peaks (200). */
static void kind_peak_is_real_peak(void **state)
{
    (void)state;
    mm_track_slot slots[4];
    mm_tracker t;
    mm_track_init(&t, slots, 4);
    mm_track_alloc(&t, MM_ALLOC_POOL, "a", 100);
    mm_track_alloc(&t, MM_ALLOC_POOL, "b", 50);
    mm_track_free(&t, MM_ALLOC_POOL, "a", 100);
    mm_track_alloc(&t, MM_ALLOC_POOL, "b", 50);
    mm_track_slot sum;
    mm_track_totals(&t, MM_ALLOC_POOL, &sum);
    assert_int_equal(sum.allocs, 3);
    assert_int_equal(sum.frees, 1);
    assert_int_equal(sum.live_bytes, 100);
    assert_int_equal(sum.peak_bytes, 150);
    assert_int_equal(sum.total_bytes, 200);
    mm_track_totals(&t, MM_ALLOC_HEAP, &sum);
    assert_int_equal(sum.allocs, 0);
    mm_track_totals(&t, (mm_alloc_kind)9, &sum);
    assert_int_equal(sum.allocs, 0);
}

/* Two slots, three sites: the third site's bytes land in the overflow slot
 * of its kind and still count in the kind's totals. */
static void full_storage_goes_to_overflow(void **state)
{
    (void)state;
    mm_track_slot slots[2];
    mm_tracker t;
    mm_track_init(&t, slots, 2);
    mm_track_alloc(&t, MM_ALLOC_HEAP, "one", 10);
    mm_track_alloc(&t, MM_ALLOC_HEAP, "two", 20);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_HEAP, "three", 30), MM_OK);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_HEAP, "four", 40), MM_OK);
    assert_int_equal(t.used, 2);
    assert_int_equal(t.overflow[MM_ALLOC_HEAP].allocs, 2);
    assert_int_equal(t.overflow[MM_ALLOC_HEAP].live_bytes, 70);
    assert_int_equal(t.overflow_ops, 2);
    assert_int_equal(mm_track_free(&t, MM_ALLOC_HEAP, "three", 30), MM_OK);
    assert_int_equal(t.overflow[MM_ALLOC_HEAP].live_bytes, 40);
    assert_int_equal(t.overflow_ops, 3);
    mm_track_slot sum;
    mm_track_totals(&t, MM_ALLOC_HEAP, &sum);
    assert_int_equal(sum.live_bytes, 10 + 20 + 40);
    assert_int_equal(sum.total_bytes, 100);
}

static void zero_capacity_counts_everything_in_overflow(void **state)
{
    (void)state;
    mm_tracker t;
    assert_int_equal(mm_track_init(&t, NULL, 0), MM_OK);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_BITMAP, "x", 4096), MM_OK);
    assert_int_equal(t.overflow[MM_ALLOC_BITMAP].total_bytes, 4096);
}

static void unmatched_frees(void **state)
{
    (void)state;
    mm_track_slot slots[2];
    mm_tracker t;
    mm_track_init(&t, slots, 2);
    assert_int_equal(mm_track_free(&t, MM_ALLOC_POOL, "never", 8), MM_ERR_NOT_FOUND);
    mm_track_alloc(&t, MM_ALLOC_POOL, "p", 8);
    assert_int_equal(mm_track_free(&t, MM_ALLOC_POOL, "p", 8), MM_OK);
    assert_int_equal(mm_track_free(&t, MM_ALLOC_POOL, "p", 8), MM_ERR_DOUBLE_FREE);
    assert_int_equal(slots[0].live_bytes, 0);
    assert_int_equal(t.unmatched_frees, 2);
    mm_track_slot sum;
    mm_track_totals(&t, MM_ALLOC_POOL, &sum);
    assert_int_equal(sum.live_bytes, 0); /* never wraps below zero */
}

static void bad_arguments(void **state)
{
    (void)state;
    mm_track_slot slots[1];
    mm_tracker t;
    assert_int_equal(mm_track_init(NULL, slots, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_track_init(&t, NULL, 1), MM_ERR_INVALID_ARGUMENT);
    mm_track_init(&t, slots, 1);
    assert_int_equal(mm_track_alloc(NULL, MM_ALLOC_HEAP, "x", 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_track_alloc(&t, MM_ALLOC_KIND_COUNT, "x", 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_track_free(&t, (mm_alloc_kind)-1, "x", 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(t.used, 0);
    assert_string_equal(mm_alloc_kind_name(MM_ALLOC_BITMAP), "bitmap");
    assert_string_equal(mm_alloc_kind_name(MM_ALLOC_KIND_COUNT), "?");
}

/* The report has a header, one row per site with human sizes, a totals row
 * per kind in use, and warns about overflow and unmatched frees. */
static void report_lists_sites_and_warnings(void **state)
{
    (void)state;
    mm_track_slot slots[2];
    mm_tracker t;
    mm_track_init(&t, slots, 2);
    mm_track_alloc(&t, MM_ALLOC_HEAP, "handoff", 3 << 19);
    mm_track_alloc(&t, MM_ALLOC_BITMAP, "page tables", 16384);
    mm_track_alloc(&t, MM_ALLOC_BITMAP, "kernel", 4096);
    mm_track_free(&t, MM_ALLOC_POOL, "ghost", 1);
    log_lines l = {0};
    mm_logger lg = {log_lines_sink, &l, MM_LOG_INFO};
    mm_track_report(&t, &lg);
    assert_non_null(strstr(l.text, "allocation profile: 2 sites"));
    assert_non_null(strstr(l.text, "heap   handoff"));
    assert_non_null(strstr(l.text, "1.50 MiB"));
    assert_non_null(strstr(l.text, "bitmap page tables"));
    assert_non_null(strstr(l.text, "bitmap (all)"));
    assert_non_null(strstr(l.text, "20 KiB")); /* bitmap total: 16 KiB + 4 KiB */
    assert_non_null(strstr(l.text, "[WARN ] allocation profile: 1 operations at sites beyond"));
    assert_non_null(strstr(l.text, "1 frees without a matching allocation"));
    /* title + column header + 2 sites + 2 kind totals + overflow warning +
     * 1 overflow row + unmatched warning */
    assert_int_equal(l.count, 9);

    log_lines quiet = {0};
    mm_logger lq = {log_lines_sink, &quiet, MM_LOG_WARN};
    mm_track_report(&t, &lq);
    mm_track_report(&t, NULL);
    assert_int_equal(quiet.count, 0);
}

/* With DEBUG=0 the macros compile to nothing; with DEBUG=1 they record. */
static void macros_follow_debug_option(void **state)
{
    (void)state;
    mm_track_slot slots[1];
    mm_tracker t;
    mm_track_init(&t, slots, 1);
    MM_TRACK_ALLOC(&t, MM_ALLOC_HEAP, "m", 8);
    MM_TRACK_FREE(&t, MM_ALLOC_HEAP, "m", 8);
    assert_int_equal(t.totals[MM_ALLOC_HEAP].allocs, MM_DEBUG ? 1 : 0);
    assert_int_equal(t.totals[MM_ALLOC_HEAP].frees, MM_DEBUG ? 1 : 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_one_site),
        cmocka_unit_test(sites_by_content_and_kind),
        cmocka_unit_test(kind_peak_is_real_peak),
        cmocka_unit_test(full_storage_goes_to_overflow),
        cmocka_unit_test(zero_capacity_counts_everything_in_overflow),
        cmocka_unit_test(unmatched_frees),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(report_lists_sites_and_warnings),
        cmocka_unit_test(macros_follow_debug_option),
    };
    return cmocka_run_group_tests_name("track", tests, NULL, NULL);
}
