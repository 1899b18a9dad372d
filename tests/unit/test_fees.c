/*
 * test_fees.c - the fee computation, table-driven: every fee category of the
 * seed x before/at/after the early deadline x team sizes around the
 * discount threshold, plus the rounding rule's edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cairn/fees.h"

/* The seed: $1,995 regular, $1,795.50 early, $10 processing; the demo's
 * rule: 10% off for teams of 3 or more; early deadline 2026-04-16 03:59:59Z
 * (15 April 23:59:59 Eastern). */
static const fee_rule seed = {199500, 179550, 1776311999, 1000, 3, 10};

static void seed_numbers(void **state)
{
	(void)state;
	struct {
		time_t now;
		int team;
		bool early;
		int64_t fee, discount, total;
	} rows[] = {
		{1776311999 - 86400, 1, true, 179550, 0, 180550},   /* a day before: early */
		{1776311999, 1, true, 179550, 0, 180550},           /* the deadline instant */
		{1776311999 + 1, 1, false, 199500, 0, 200500},      /* one second after */
		{1776311999 - 1, 2, true, 179550, 0, 180550},       /* team of 2: no discount */
		{1776311999 - 1, 3, true, 179550, 17955, 162595},   /* 3: 10% of 1,795.50 */
		{1776311999 - 1, 12, true, 179550, 17955, 162595},
		{1776311999 + 60, 2, false, 199500, 0, 200500},
		{1776311999 + 60, 3, false, 199500, 19950, 180550}, /* 10% of 1,995 */
		{1776311999 + 60, 40, false, 199500, 19950, 180550},
	};
	/* Seven categories share these numbers in the seed; the computation
	 * does not depend on the category beyond its prices. */
	for (int cat = 0; cat < 7; cat++) {
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			fee_quote q = fees_quote(&seed, rows[i].now, rows[i].team);
			assert_int_equal(q.early, rows[i].early);
			assert_int_equal(q.course_fee_cents, rows[i].fee);
			assert_int_equal(q.discount_cents, rows[i].discount);
			assert_int_equal(q.processing_cents, 1000);
			assert_int_equal(q.total_cents, rows[i].total);
		}
	}
}

static void no_early_price(void **state)
{
	(void)state;
	fee_rule r = {100000, -1, 1776311999, 500, 0, 0};
	fee_quote q = fees_quote(&r, 0, 5);
	assert_false(q.early);
	assert_int_equal(q.course_fee_cents, 100000);
	assert_int_equal(q.discount_cents, 0);
	assert_int_equal(q.total_cents, 100500);
	r.early_cents = 90000;
	r.early_deadline = 0; /* an early price without a deadline never applies */
	q = fees_quote(&r, 0, 1);
	assert_false(q.early);
}

static void rounding(void **state)
{
	(void)state;
	assert_int_equal(fees_percent_of(179550, 10), 17955);
	assert_int_equal(fees_percent_of(179555, 15), 26933); /* 26933.25 */
	assert_int_equal(fees_percent_of(5, 10), 1);          /* 0.5 -> 1 */
	assert_int_equal(fees_percent_of(4, 10), 0);          /* 0.4 -> 0 */
	assert_int_equal(fees_percent_of(15, 10), 2);         /* 1.5 -> 2 */
	assert_int_equal(fees_percent_of(199500, 100), 199500);
	assert_int_equal(fees_percent_of(199500, 0), 0);
	fee_rule r = {199500, -1, 0, 1000, 3, 100};
	fee_quote q = fees_quote(&r, 0, 3);
	assert_int_equal(q.total_cents, 1000); /* processing is never discounted */
}

static void default_categories(void **state)
{
	(void)state;
	assert_string_equal(fees_default_category("physician"), "physician");
	assert_string_equal(fees_default_category("psychiatrist"), "physician");
	assert_string_equal(fees_default_category("np"), "nurse");
	assert_string_equal(fees_default_category("chaplain"), "allied_other");
	assert_string_equal(fees_default_category("pharmacist"), "allied_other");
	assert_string_equal(fees_default_category("social_worker"), "social_worker");
	assert_string_equal(fees_default_category(NULL), "allied_other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_numbers),
		cmocka_unit_test(no_early_price),
		cmocka_unit_test(rounding),
		cmocka_unit_test(default_categories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
