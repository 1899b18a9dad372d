/*
 * test_privacy.c - the patient-privacy guard's checker (privacy.h): the
 * README's examples of each reason and of ordinary talk, UTF-8 at its edges
 * (accents, curly quotes, non-breaking spaces and hyphens, NUL, invalid
 * sequences), and the spans the web form will show the author.
 * The labelled sentences are measured by tests/privacy/measure.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The codes found in text, as "a,b" in the fixed order ("" for none). */
static const char *codes_of(const char *text, size_t len)
{
	static char out[512];
	arena_reset(&A);
	privacy_report r;
	privacy_status st = privacy_check(&A, text, len, &r);
	if (st == PRIVACY_BAD_UTF8)
		return "error";
	out[0] = 0;
	for (int c = 0; c < PRIVACY_CODE_COUNT; c++)
		if (r.codes & (1u << c)) {
			if (out[0])
				strcat(out, ",");
			strcat(out, privacy_code_name((privacy_code)c));
		}
	return out;
}

static const char *codes(const char *text)
{
	return codes_of(text, strlen(text));
}

static void expect(const char *text, const char *want)
{
	const char *got = codes(text);
	if (strcmp(got, want))
		fail_msg("%s\n  want: \"%s\"\n  got:  \"%s\"", text, want, got);
}

static void lists_are_sorted(void **state)
{
	(void)state;
	assert_true(privacy_lists_ok());
}

static void code_names_are_the_fixed_list(void **state)
{
	(void)state;
	static const char *const names[] = {
		"name_with_age", "name_with_diagnosis", "name_with_room", "date_of_birth",
		"record_number", "phone", "email", "street_address", "room_bed",
		"exact_date", "age_over_89",
	};
	assert_int_equal(PRIVACY_CODE_COUNT, sizeof names / sizeof names[0]);
	for (int c = 0; c < PRIVACY_CODE_COUNT; c++)
		assert_string_equal(privacy_code_name((privacy_code)c), names[c]);
	assert_null(privacy_code_name(PRIVACY_CODE_COUNT));
	assert_null(privacy_code_name((privacy_code)-1));
}

/* The README's examples of what is flagged, one or more per code. */
static void readme_flagged(void **state)
{
	(void)state;
	expect("Mrs. Alvarez, 82, with metastatic pancreatic cancer, asked about the wedding.",
	       "name_with_age,name_with_diagnosis");
	expect("I sat with Mr. Okonkwo (67) after the meeting.", "name_with_age");
	expect("Jamal, 14, said no to more chemo.", "name_with_age");
	expect("Ms. Haddad is 47 and has two teenagers.", "name_with_age");
	expect("The resident presented a 71-year-old, Mr. Bianchi, to the team.", "name_with_age");
	expect("Mr. Chen's ALS has progressed.", "name_with_diagnosis");
	expect("Ms. Lindqvist, who has advanced dementia, pulls at her tube.", "name_with_diagnosis");
	expect("Mr. Castillo in room 712 asked for the chaplain.", "name_with_room,room_bed");
	expect("DOB 04/12/1950, please check it.", "date_of_birth");
	expect("She was born on June 2, 1938.", "date_of_birth");
	expect("MRN 00482913 needs the POLST scanned.", "record_number");
	expect("Billing called about account #55-90213.", "record_number");
	expect("Her SSN, 123-45-6789, was on the fax.", "record_number");
	expect("His daughter's cell is (617) 555-0142.", "phone");
	expect("Her sister is on +44 20 7946 0958.", "phone");
	expect("Send updates to mike.tanaka78@gmail.com please.", "email");
	expect("He lives alone at 1412 Elm Street.", "street_address");
	expect("The family is at 88 Willow Ct, Apt 2B.", "street_address");
	expect("The patient in room 4312, bed B, has no visitors.", "room_bed");
	expect("She was admitted on March 3 with an obstruction.", "exact_date");
	expect("Our patient died on 11/14/2025.", "exact_date");
	expect("Admitted 2/17, extubated 2/20, died 2/21.", "exact_date");
	expect("A 93-year-old woman asked to stop dialysis.", "age_over_89");
	expect("Someone aged 94 whose children disagree.", "age_over_89");
	expect("For her 94th birthday she asked for a cantata.", "age_over_89");
	expect("Mr. Levin is 96 and does the crossword.", "name_with_age,age_over_89");
}

/* Ordinary clinical and course talk: nothing. */
static void readme_ordinary(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"a 70-year-old with dyspnea",
		"It was day 3 of admission before anyone asked.",
		"Dr. Dow's talk on serious news changed how I open meetings.",
		"The family meeting on Thursday went well.",
		"Dr. Ahmed's handout on ALS and breathing support is in the files.",
		"Chidi Okafor, RN, led the pediatric group.",
		"We started morphine 2.5 mg every 4 hours as needed.",
		"He rated his pain 8/10 at rest; BP 84/50, HR 128.",
		"\"Room for Silence\" was my favourite session.",
		"Is strict bed rest ever indicated at the end of life?",
		"In breakout room 3 we practised NURSE statements.",
		"Our team huddles at 8:30 in conference room 4B.",
		"The Core Practice run on 13\xE2\x80\x93" "15 May 2026 was great.",
		"The first meeting of our grief group is on March 3 at noon.",
		"She died peacefully in the spring.",
		"A 90-minute session on grief felt short.",
		"Patients aged 90 and older deserve the same conversation.",
		"At 89, my grandmother taught me more than residency did.",
		"The 988 Lifeline is there for clinicians too.",
		"Email the course office at cme@cairn.test for a certificate.",
		"@priya I loved your question about silence.",
		"Mrs. Alvarez's daughter thanked the whole team.",
		"Patients with Parkinson's disease often lose their voice.",
		"Kids with cancer know more than we think.",
		"The article by Back and Arnold (2009) is still the best.",
		"Tom\xC3\xA1s, 30 years a pharmacist, checks every conversion twice.",
		"PMID 31234567 is the sedation trial.",
		"The NHPCO helpline at 1-800-658-8898 can help.",
		"",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		expect(ok[i], "");
}

static void utf8_names_and_punctuation(void **state)
{
	(void)state;
	/* Accents, precomposed and decomposed (e + U+0301). */
	expect("Mrs. N\xC3\xBA\xC3\xB1" "ez, 82, asked for her son.", "name_with_age");
	expect("Ren\x65\xCC\x81" "e Lef\xC3\xA8vre, 58, wants to go home.", "name_with_age");
	expect("Zo\xC3\xAB Laurent, 16, wants her friends to visit.", "name_with_age");
	/* A curly apostrophe inside a name and as a possessive. */
	expect("Mr. O\xE2\x80\x99" "Brien, 66, asked me to pray.", "name_with_age");
	expect("Mr. Chen\xE2\x80\x99s ALS has progressed.", "name_with_diagnosis");
	/* Curly quotes around a session title. */
	expect("\xE2\x80\x9CRoom for Silence\xE2\x80\x9D was my favourite.", "");
	/* A non-breaking space and a non-breaking hyphen. */
	expect("The man in room\xC2\xA0" "518 asked for his brother.", "room_bed");
	expect("A 93\xE2\x80\x91year\xE2\x80\x91old asked to stop dialysis.", "age_over_89");
	/* A byte-order mark at the start is a space. */
	expect("\xEF\xBB\xBFMr. Castillo in room 712", "name_with_room,room_bed");
	/* Letters of other scripts are words, not punctuation. */
	expect("\xD0\x9C\xD0\xB0\xD1\x80\xD0\xB8\xD1\x8F, 82, \xE2\x80\x94 \xE7\x97\x85", "name_with_age");
}

static void utf8_invalid(void **state)
{
	(void)state;
	static const struct { const char *s; size_t n; } bad[] = {
		{"caf\xC3", 4},                 /* truncated at the end */
		{"\xC0\x80", 2},                /* overlong NUL */
		{"\xE0\x80\xAF", 3},            /* overlong slash */
		{"\xED\xA0\x80", 3},            /* a surrogate */
		{"\xF4\x90\x80\x80", 4},        /* past U+10FFFF */
		{"\xF5\x80\x80\x80", 4},
		{"abc \x80 def", 9},            /* a lone continuation byte */
		{"Mr. Chen\xFF", 9},
		{"\xC3\x28", 2},                /* a lead byte without its continuation */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		privacy_report r;
		assert_int_equal(privacy_check(&A, bad[i].s, bad[i].n, &r), PRIVACY_BAD_UTF8);
		assert_int_equal(r.codes, 0);
		assert_int_equal(r.nspans, 0);
	}
	/* The largest valid sequences of each length are fine. */
	expect("\x7F \xDF\xBF \xEF\xBF\xBF \xF4\x8F\xBF\xBF", "");
}

static void nul_and_line_breaks(void **state)
{
	(void)state;
	/* NUL is UTF-8, read as a space. */
	static const char nul[] = "Mr. Castillo in room\0" "712";
	assert_string_equal(codes_of(nul, sizeof nul - 1), "name_with_room,room_bed");
	/* A line break ends a sentence: a name and an age on two lines are
	 * not beside each other. */
	expect("Thanks to Mrs. Alvarez,\n82, of us came to the session.", "");
	expect("Mrs. Alvarez, 82,\r\nasked about the wedding.", "name_with_age");
	/* Too long: refused before any byte is read. */
	privacy_report r;
	assert_int_equal(privacy_check(&A, "x", PRIVACY_MAX_BYTES + 1, &r), PRIVACY_TOO_LONG);
	assert_int_equal(r.codes, 0);
}

static void spans(void **state)
{
	(void)state;
	/* Byte offsets, sorted by start; multi-byte characters before them count
	 * their bytes. */
	const char *text = "Se\xC3\xB1ora Ram\xC3\xADrez, 79, gave her cell, 503.555.0199, "
	                   "and lupe_herrera@yahoo.com.";
	privacy_report r;
	assert_int_equal(privacy_check(&A, text, strlen(text), &r), PRIVACY_CHECKED);
	assert_int_equal(r.nspans, 3);
	const char *want[] = {"Se\xC3\xB1ora Ram\xC3\xADrez, 79", "503.555.0199",
	                      "lupe_herrera@yahoo.com"};
	privacy_code wcode[] = {PRIVACY_NAME_WITH_AGE, PRIVACY_PHONE, PRIVACY_EMAIL};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.spans[i].code, wcode[i]);
		assert_true(r.spans[i].end <= strlen(text));
		size_t n = r.spans[i].end - r.spans[i].start;
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(text + r.spans[i].start, want[i], n);
		if (i)
			assert_true(r.spans[i - 1].start <= r.spans[i].start);
	}
	assert_int_equal(r.codes, (1u << PRIVACY_NAME_WITH_AGE) | (1u << PRIVACY_PHONE) |
	                          (1u << PRIVACY_EMAIL));

	/* One finding may hold another: the room inside "name with room". */
	text = "Please see Mr. Haas (room 603) today.";
	assert_int_equal(privacy_check(&A, text, strlen(text), &r), PRIVACY_CHECKED);
	assert_int_equal(r.nspans, 2);
	assert_int_equal(r.spans[0].code, PRIVACY_NAME_WITH_ROOM);
	assert_int_equal(r.spans[0].start, strlen("Please see "));
	assert_int_equal(r.spans[0].end, strlen("Please see Mr. Haas (room 603"));
	assert_int_equal(r.spans[1].code, PRIVACY_ROOM_BED);
	assert_int_equal(r.spans[1].start, strlen("Please see Mr. Haas ("));

	/* Nothing found: no spans. */
	assert_int_equal(privacy_check(&A, "ok", 2, &r), PRIVACY_CHECKED);
	assert_int_equal(r.nspans, 0);
	assert_null(r.spans);
}

/* A long post: every finding is found wherever it sits, and the same
 * sentence repeated gives one span each time. */
static void long_text(void **state)
{
	(void)state;
	const char *unit = "Dr. Dow's talk on serious news was good; the family meeting on Thursday too. ";
	size_t ul = strlen(unit), reps = 100000 / ul + 1;
	const char *tail = "Call the wife at 503.555.0199.";
	char *big = malloc(ul * reps + strlen(tail) + 1);
	assert_non_null(big);
	for (size_t i = 0; i < reps; i++)
		memcpy(big + i * ul, unit, ul);
	strcpy(big + ul * reps, tail);
	privacy_report r;
	assert_int_equal(privacy_check(&A, big, strlen(big), &r), PRIVACY_CHECKED);
	assert_int_equal(r.codes, 1u << PRIVACY_PHONE);
	assert_int_equal(r.nspans, 1);
	assert_int_equal(r.spans[0].start, ul * reps + strlen("Call the wife at "));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_are_sorted),
		cmocka_unit_test(code_names_are_the_fixed_list),
		cmocka_unit_test(readme_flagged),
		cmocka_unit_test(readme_ordinary),
		cmocka_unit_test(utf8_names_and_punctuation),
		cmocka_unit_test(utf8_invalid),
		cmocka_unit_test(nul_and_line_breaks),
		cmocka_unit_test(spans),
		cmocka_unit_test(long_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
