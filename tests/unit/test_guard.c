/*
 * test_guard.c - what the forms check before publishing (guard.h): the
 * content note's rule (empty is none, white space around is trimmed, only
 * white space, a second line and more than 100 characters are refused, and
 * characters are counted, not bytes), and the findings a form lists (each
 * field named, the words found, the reason in plain language, duplicates
 * once, ordinary clinical talk nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cairn/guard.h"
#include "cairn/privacy.h"

static arena A;

static int setup(void **state)
{
	(void)state;
	arena_init(&A, 64 * 1024);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&A);
	return 0;
}

static const char *str(const tv *o, const char *key)
{
	const tv *v = tv_get(o, key);
	assert_non_null(v);
	assert_int_equal(v->kind, TV_STR);
	return arena_strndup(&A, v->s, v->len);
}

static void note_rule(void **state)
{
	(void)state;
	const char *note = "x";
	assert_null(guard_note(&A, NULL, &note));
	assert_string_equal(note, "");
	assert_null(guard_note(&A, "", &note));
	assert_string_equal(note, "");
	assert_null(guard_note(&A, "  death of a child \r\n", &note));
	assert_string_equal(note, "death of a child");

	assert_non_null(strstr(guard_note(&A, "   ", &note), "needs words"));
	assert_string_equal(note, "");
	assert_non_null(strstr(guard_note(&A, " \t\n", &note), "needs words"));
	assert_non_null(strstr(guard_note(&A, "one\ntwo", &note), "one line"));

	/* 100 characters of two bytes each: 200 bytes, allowed. */
	char text[512] = "";
	for (int i = 0; i < 100; i++)
		strcat(text, "\xC3\xA9");
	assert_null(guard_note(&A, text, &note));
	assert_int_equal(strlen(note), 200);
	strcat(text, "e");
	const char *p = guard_note(&A, text, &note);
	assert_non_null(p);
	assert_string_equal(p, "A content note can be at most 100 characters; this one has 101.");
	assert_string_equal(note, "");
}

static void findings(void **state)
{
	(void)state;
	guard_report r;
	guard_field f[] = {
		{"title", "Sitting with Mrs. Alvarez, 82, tonight"},
		{"post", "Call 555-867-5309. Or 555-867-5309 again, and the patient in bed 12."},
		{"content note", ""},
	};
	assert_true(guard_check(&A, f, 3, &r));
	assert_int_equal(r.codes, (1u << PRIVACY_NAME_WITH_AGE) | (1u << PRIVACY_PHONE) |
	                          (1u << PRIVACY_ROOM_BED));
	assert_int_equal(r.n, 3);
	assert_int_equal(r.findings->n, 3);
	assert_string_equal(str(r.findings->items[0], "where"), "title");
	assert_string_equal(str(r.findings->items[0], "text"), "Mrs. Alvarez, 82");
	assert_string_equal(str(r.findings->items[0], "reason"), "a name beside an age");
	assert_string_equal(str(r.findings->items[1], "text"), "555-867-5309");
	assert_string_equal(str(r.findings->items[1], "reason"), "a phone number");
	assert_string_equal(str(r.findings->items[2], "text"), "bed 12");
	assert_string_equal(str(r.findings->items[2], "reason"), "a room or bed number");

	guard_field ordinary[] = {
		{"post", "A 70-year-old with dyspnea. Day 3 of admission. Dr. Dow's talk on serious "
		         "news. The family meeting on Thursday."},
		{"content note", "death of a child"},
		{"title", NULL},
	};
	assert_true(guard_check(&A, ordinary, 3, &r));
	assert_int_equal(r.codes, 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.findings->kind, TV_LIST);

	guard_field bad[] = {{"post", "\xC3\x28"}};
	assert_false(guard_check(&A, bad, 1, &r));
}

static void reason_words(void **state)
{
	(void)state;
	for (int c = 0; c < PRIVACY_CODE_COUNT; c++)
		assert_non_null(guard_reason_words(c));
	assert_null(guard_reason_words(-1));
	assert_null(guard_reason_words(PRIVACY_CODE_COUNT));
	assert_true(guard_confirmed("confirmed"));
	assert_false(guard_confirmed(NULL));
	assert_false(guard_confirmed("yes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(note_rule),
		cmocka_unit_test(findings),
		cmocka_unit_test(reason_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
