/*
 * test_zone.c - the one formatter of instants: the offset comes from the
 * wall time and the Unix second, the zone is named only outside the
 * reader's own, abbreviations follow the offset, bad values give nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cairn/zone.h"

static arena A;

/* 2026-05-14 10:15 in New York (EDT) is 14:15 UTC. */
static const char *const may14 = "2026-05-14T10:15:00 1778768100";

static void styles(void **state)
{
	(void)state;
	const char *ny = "America/New_York";
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_CLOCK), "10:15 am");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_DATE), "May 14, 2026");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_SHORT), "May 14, 10:15 am");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_FULL), "May 14, 2026, 10:15 am");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_DAY), "Thursday, May 14, 10:15 am");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_LONG), "May 14, 2026, 10:15 am");
	assert_string_equal(zone_text(&A, "2026-01-01T00:05:00 1767225900", "UTC", "UTC", ZONE_CLOCK),
	                    "12:05 am");
	assert_string_equal(zone_text(&A, "2026-01-01T12:00:00 1767268800", "UTC", "UTC", ZONE_CLOCK),
	                    "12:00 pm");
}

static void names_the_zone_outside_the_readers(void **state)
{
	(void)state;
	const char *ny = "America/New_York";
	assert_string_equal(zone_text(&A, may14, ny, "America/Denver", ZONE_CLOCK), "10:15 am EDT");
	assert_string_equal(zone_text(&A, may14, ny, NULL, ZONE_CLOCK), "10:15 am EDT");
	assert_string_equal(zone_text(&A, may14, ny, ny, ZONE_CLOCK | ZONE_NAMED), "10:15 am EDT");
	/* A date alone is never given a zone. */
	assert_string_equal(zone_text(&A, may14, ny, NULL, ZONE_DATE), "May 14, 2026");
	/* Winter in New York: EST; in Kolkata, a half-hour zone. */
	assert_string_equal(zone_text(&A, "2026-01-10T00:30:00 1768023000", ny, NULL, ZONE_CLOCK),
	                    "12:30 am EST");
	assert_string_equal(zone_text(&A, "2026-01-10T11:00:00 1768023000", "Asia/Kolkata", NULL,
	                              ZONE_SHORT),
	                    "Jan 10, 11:00 am IST");
	/* A zone the list does not name, and an offset a listed zone does not
	 * have (rules change): the offset names it. */
	assert_string_equal(zone_text(&A, "2026-01-10T11:15:00 1768023000", "Asia/Kathmandu", NULL,
	                              ZONE_CLOCK),
	                    "11:15 am UTC+5:45");
	assert_string_equal(zone_text(&A, "2026-01-10T00:30:00 1768023000", "America/Phoenix", NULL,
	                              ZONE_CLOCK),
	                    "12:30 am UTC-5");
}

static void iso_carries_the_offset(void **state)
{
	(void)state;
	tv *t = zone_time(&A, may14, "America/New_York", NULL, ZONE_CLOCK);
	assert_int_equal(t->kind, TV_OBJ);
	assert_string_equal(tv_get(t, "iso")->s, "2026-05-14T10:15:00-04:00");
	assert_string_equal(tv_get(t, "text")->s, "10:15 am EDT");
	t = zone_time(&A, "2026-01-10T11:00:00 1768023000", "Asia/Kolkata", "Asia/Kolkata", ZONE_FULL);
	assert_string_equal(tv_get(t, "iso")->s, "2026-01-10T11:00:00+05:30");
	t = zone_time(&A, "2026-01-10T05:30:00 1768023000", "UTC", "UTC", ZONE_FULL);
	assert_string_equal(tv_get(t, "iso")->s, "2026-01-10T05:30:00+00:00");
	/* Weekdays before 1970 and across a leap day. */
	assert_string_equal(zone_text(&A, "1969-12-31T19:00:00 0", "America/New_York", NULL, ZONE_DAY),
	                    "Wednesday, December 31, 7:00 pm EST");
	assert_string_equal(zone_text(&A, "2028-02-29T12:00:00 1835438400", "UTC", "UTC", ZONE_DAY),
	                    "Tuesday, February 29, 12:00 pm");
}

static void bad_values_give_nothing(void **state)
{
	(void)state;
	const char *bad[] = {
		"", "2026-05-14T10:15:00", "2026-05-14 10:15:00 1778768100",
		"2026-13-14T10:15:00 1778768100", "2026-05-14T24:15:00 1778768100",
		"2026-05-14T10:15:00 1778768100x",
		"2026-05-14T10:15:00 1", /* an offset of decades */
		"2026-05-14T10:15:00 1778768101", /* an offset with seconds */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(zone_text(&A, bad[i], "UTC", "UTC", ZONE_FULL));
		assert_int_equal(zone_time(&A, bad[i], "UTC", "UTC", ZONE_FULL)->kind, TV_NULL);
	}
	assert_null(zone_text(&A, NULL, "UTC", "UTC", ZONE_FULL));
}

static void names_and_options(void **state)
{
	(void)state;
	assert_string_equal(zone_name(&A, "America/New_York"), "US Eastern Time");
	assert_string_equal(zone_name(&A, "America/Argentina/Buenos_Aires"),
	                    "Buenos Aires (America/Argentina)");
	assert_string_equal(zone_name(&A, "UTC"), "UTC");
	tv *list = zone_options(&A, "America/Los_Angeles");
	int selected = 0;
	bool pacific = false;
	for (size_t i = 0; i < list->n; i++) {
		tv *o = list->items[i];
		if (tv_get(o, "selected")->b) {
			selected++;
			assert_string_equal(tv_get(o, "value")->s, "America/Los_Angeles");
			assert_string_equal(tv_get(o, "label")->s, "US Pacific Time (Los Angeles)");
			pacific = true;
		}
	}
	assert_int_equal(selected, 1);
	assert_true(pacific);
	/* A zone the list lacks is kept, chosen, at the end. */
	size_t n = list->n;
	list = zone_options(&A, "Asia/Kathmandu");
	assert_int_equal(list->n, n + 1);
	assert_string_equal(tv_get(list->items[n], "value")->s, "Asia/Kathmandu");
	assert_string_equal(tv_get(list->items[n], "label")->s, "Kathmandu (Asia)");
	assert_true(tv_get(list->items[n], "selected")->b);
}

static int setup(void **state)
{
	(void)state;
	arena_init(&A, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&A);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(styles),
		cmocka_unit_test(names_the_zone_outside_the_readers),
		cmocka_unit_test(iso_carries_the_offset),
		cmocka_unit_test(bad_values_give_nothing),
		cmocka_unit_test(names_and_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
