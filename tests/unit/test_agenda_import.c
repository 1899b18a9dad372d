/*
 * test_agenda_import.c - the schedule parser: the course page's whole
 * Schedule section gives exactly the demo agenda (30 items: every title,
 * faculty line, time, kind and tracks flag as in sql/demo/series.sql), the
 * time-range rule row by row, and every kind of line it cannot read,
 * reported with its line number.
 *
 * The fixture is tests/unit/fixtures/core-practice-schedule.txt, found
 * through CAIRN_SOURCE_DIR (the checkout) or, failing that, the
 * CAIRN_TEST_FIXTURES directory compiled in by tests/CMakeLists.txt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/agenda_import.h"

static arena A;

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

static agenda_import parse(const char *text)
{
	agenda_import r;
	agenda_import_parse(&A, text, strlen(text), &r);
	return r;
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[4096];
	const char *src = getenv("CAIRN_SOURCE_DIR");
	if (src && *src)
		snprintf(path, sizeof path, "%s/tests/unit/fixtures/%s", src, name);
	else
#ifdef CAIRN_TEST_FIXTURES
		snprintf(path, sizeof path, "%s/%s", CAIRN_TEST_FIXTURES, name);
#else
		snprintf(path, sizeof path, "tests/unit/fixtures/%s", name);
#endif
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open the fixture %s", path);
	char *text = arena_alloc(&A, 1 << 16);
	*len = fread(text, 1, (1 << 16) - 1, f);
	text[*len] = '\0';
	fclose(f);
	return text;
}

/* The demo agenda (sql/demo/series.sql), row by row. */
static const struct {
	int day;
	const char *start, *end, *title, *kind, *faculty;
	bool tracks;
} demo[] = {
	{1, "10:00", "10:30", "Welcome to the Core Principles of Palliative Care", "plenary",
	 "Harry Han; Lindsay Dow; Vanessa Battista; Hadley Bloomhardt", false},
	{1, "10:30", "11:15", "The Frame of Palliative Care", "plenary",
	 "Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow", false},
	{1, "11:15", "11:30", "Break", "break", "", false},
	{1, "11:30", "12:30", "Scaffolds for a Comprehensive Palliative Care Assessment", "plenary", "", true},
	{1, "12:30", "13:30", "Lunch", "lunch", "", false},
	{1, "13:30", "14:30", "Scaffolds for a Comprehensive Palliative Care Assessment", "plenary", "", true},
	{1, "14:30", "14:45", "Break", "break", "", false},
	{1, "14:45", "15:45", "Clinical Trajectories for Patients with Serious Illness", "plenary", "", true},
	{1, "15:45", "16:00", "Transition", "break", "", false},
	{1, "16:00", "17:00", "Small Group Community Building and Reflection", "reflection", "", false},
	{2, "10:00", "10:15", "Welcome Back", "plenary",
	 "Harry Han; Vanessa Battista; Hadley Bloomhardt; Lindsay Dow", false},
	{2, "10:15", "10:45", "Delivering Serious News", "plenary", "Lindsay Dow", false},
	{2, "10:45", "11:15", "Small Group Start-Up", "small_group", "", false},
	{2, "11:15", "13:00", "Delivering Serious News -- Practice", "practice", "", false},
	{2, "13:00", "14:00", "Lunch", "lunch", "", false},
	{2, "14:00", "14:30", "Exploring Values and Preferences and Making Recommendations", "plenary",
	 "Lindsay Dow", false},
	{2, "14:30", "16:30", "Exploring Values and Preferences and Making Recommendations: Practice",
	 "practice", "", false},
	{2, "16:30", "16:45", "Small Group Reflection", "reflection", "", false},
	{2, "16:45", "17:00", "Large Group Close", "plenary", "", false},
	{3, "10:00", "10:15", "Welcome Back", "plenary",
	 "Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow", false},
	{3, "10:15", "11:30", "Pain", "plenary", "", true},
	{3, "11:30", "11:45", "Break", "break", "", false},
	{3, "11:45", "12:30", "Dyspnea", "plenary", "", true},
	{3, "12:30", "13:30", "Lunch", "lunch", "", false},
	{3, "13:30", "14:00", "GI (Nausea/Vomiting, Constipation", "plenary", "", true},
	{3, "14:00", "14:30", "Depression/Anxiety/Adjustment", "plenary", "", true},
	{3, "14:30", "14:45", "Break", "break", "", false},
	{3, "14:45", "15:30", "Caring for the Dying Patient", "plenary", "", true},
	{3, "15:30", "16:15", "Community Building and Self Reflection (Small Groups)", "reflection", "", false},
	{3, "16:15", "16:30", "Closing", "plenary",
	 "Vanessa Battista; Harry Han; Hadley Bloomhardt; Lindsay Dow", false},
};

static void seed_schedule(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("core-practice-schedule.txt", &len);
	agenda_import r;
	agenda_import_parse(&A, text, len, &r);
	for (size_t i = 0; i < r.n_problems; i++)
		print_message("line %d: %s: %s\n", r.problems[i].line, r.problems[i].text,
		              r.problems[i].why);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_problems_dropped, 0);
	assert_string_equal(r.note, "All agenda sessions are in Eastern Time.");
	assert_int_equal(r.n_items, 30);
	static const char *dates[] = {"", "2026-05-13", "2026-05-14", "2026-05-15"};
	int per_day[4] = {0};
	for (size_t i = 0; i < 30; i++) {
		const agenda_import_item *it = &r.items[i];
		assert_int_equal(it->day, demo[i].day);
		assert_string_equal(it->date, dates[demo[i].day]);
		assert_string_equal(it->start, demo[i].start);
		assert_string_equal(it->end, demo[i].end);
		assert_string_equal(it->title, demo[i].title);
		assert_string_equal(it->kind, demo[i].kind);
		assert_string_equal(it->faculty, demo[i].faculty);
		assert_int_equal(it->tracks, demo[i].tracks);
		assert_int_equal(it->start_min, atoi(demo[i].start) * 60 + atoi(demo[i].start + 3));
		assert_int_equal(it->end_min, atoi(demo[i].end) * 60 + atoi(demo[i].end + 3));
		per_day[it->day]++;
	}
	assert_int_equal(per_day[1], 10);
	assert_int_equal(per_day[2], 9);
	assert_int_equal(per_day[3], 11);
	/* Line numbers point at the titles. */
	assert_int_equal(r.items[0].line, 9);
	assert_int_equal(r.items[29].line, 145);
	/* The item the brief names. */
	const agenda_import_item *news = &r.items[13];
	assert_string_equal(news->title, "Delivering Serious News -- Practice");
	assert_int_equal(news->day, 2);
	assert_string_equal(news->start, "11:15");
	assert_string_equal(news->end, "13:00");
	assert_string_equal(news->kind, "practice");
}

/* The seed with Windows line ends, tabs and no-break spaces reads the same. */
static void seed_schedule_messy(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("core-practice-schedule.txt", &len);
	char *messy = arena_alloc(&A, 3 * len + 1), *o = messy;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			memcpy(o, " \t\r\n", 4);
			o += 4;
		} else if (text[i] == ' ') {
			memcpy(o, "\xc2\xa0", 2);
			o += 2;
		} else {
			*o++ = text[i];
		}
	}
	agenda_import r;
	agenda_import_parse(&A, messy, (size_t)(o - messy), &r);
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_items, 30);
	for (size_t i = 0; i < 30; i++) {
		assert_string_equal(r.items[i].title, demo[i].title);
		assert_string_equal(r.items[i].faculty, demo[i].faculty);
		assert_string_equal(r.items[i].start, demo[i].start);
	}
}

static void time_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *range, *start, *end;  /* start NULL: a problem */
	} rows[] = {
		{"10:00-10:30 am", "10:00", "10:30"},
		{"11:30 am-12:30 pm", "11:30", "12:30"},
		{"12:30-1:30 pm", "12:30", "13:30"},
		{"11:15 am-1:00 pm", "11:15", "13:00"},
		{"1:30-2:30 pm", "13:30", "14:30"},
		{"11:30-12:30 pm", "11:30", "12:30"},
		{"11:45 am-12:30 pm", "11:45", "12:30"},
		{"4:15-4:30 pm", "16:15", "16:30"},
		{"9-10 am", "09:00", "10:00"},
		{"8:00 – 9:00 p.m.", "20:00", "21:00"},
		{"7:00—8:00 AM", "07:00", "08:00"},
		{"2 to 3 PM", "14:00", "15:00"},
		{"10:00am-10:30am", "10:00", "10:30"},
		{"11 am-noon", "11:00", "12:00"},
		{"11-noon", "11:00", "12:00"},
		{"14:00-15:30", "14:00", "15:30"},
		{"0:00-0:30", "00:00", "00:30"},
		{"10:00 pm-11:00 pm", "22:00", "23:00"},
		{"12:00 am-1:00 am", "00:00", "01:00"},
		/* Problems. */
		{"10:75-11:00 am", NULL, NULL},
		{"10:00-10:60 am", NULL, NULL},
		{"3:00-2:00 pm", NULL, NULL},      /* 3 pm is after 2 pm; 3 am is before 7 am */
		{"10:00-11:00 pm", NULL, NULL},    /* the end is past 9 pm: am or pm? */
		{"2:00 pm-1:00 pm", NULL, NULL},
		{"10:00 am", NULL, NULL},
		{"10:00-", NULL, NULL},
		{"10:00 - am", NULL, NULL},
		{"13:00-14:00 pm", NULL, NULL},
		{"10:00 am-11:00", NULL, NULL},
		{"25:00-26:00", NULL, NULL},
		{"15:00-14:00", NULL, NULL},
		{"10:00-10:30 xm", NULL, NULL},
		{"10:0-10:30 am", NULL, NULL},
		{"100:00-101:00", NULL, NULL},
		{"0:30-1:00 am", NULL, NULL},      /* 0 with am */
		{"10:00-10:30 am am", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "Day 1\nA session\n%s\n", rows[i].range);
		agenda_import r = parse(text);
		if (rows[i].start) {
			if (r.n_problems || r.n_items != 1 || strcmp(r.items[0].start, rows[i].start) ||
			    strcmp(r.items[0].end, rows[i].end))
				fail_msg("\"%s\": want %s-%s, got %s-%s (%s)", rows[i].range,
				         rows[i].start, rows[i].end, r.n_items ? r.items[0].start : "?",
				         r.n_items ? r.items[0].end : "?",
				         r.n_problems ? r.problems[0].why : "no problem");
		} else {
			/* One problem (the range's, not also the title's), no item. */
			if (r.n_items || r.n_problems != 1 || r.problems[0].line != 3 ||
			    strcmp(r.problems[0].text, rows[i].range))
				fail_msg("\"%s\": want one problem on line 3, got %zu items, %zu problems",
				         rows[i].range, r.n_items, r.n_problems);
		}
	}
	agenda_import r = parse("X\n10:00-11:00 pm\n");
	assert_string_equal(r.problems[0].why, "Cannot tell whether 10:00 is am or pm: write it "
	                                       "on the start too, like 10:00 pm-11:00 pm.");
}

static void bad_lines(void **state)
{
	(void)state;
	agenda_import r = parse("Day 1\n"                       /* 1 */
	                        "Wednesday, May 13, 2026\n"     /* 2 */
	                        "Opening\n"                     /* 3 */
	                        "10:00-10:75 am\n"              /* 4: garbage range */
	                        "Orphan title\n"                /* 5: no time */
	                        "\n"                            /* 6 */
	                        "Day 2\n"                       /* 7 */
	                        "10:00-10:30 am\n"              /* 8: no item */
	                        "Good item\n"                   /* 9 */
	                        "Jane Doe\n"                    /* 10 */
	                        "10:30-11:00 am\n"              /* 11 */
	                        "Thursday, May 15, 2026\n"      /* 12: a Friday */
	                        "Day 0\n"                       /* 13 */
	                        "February 30, 2026\n"           /* 14 */
	                        "Last title\n");                /* 15: no time (end) */
	assert_int_equal(r.n_items, 1);
	assert_string_equal(r.items[0].title, "Good item");
	assert_string_equal(r.items[0].faculty, "Jane Doe");
	assert_int_equal(r.items[0].day, 2);
	assert_string_equal(r.items[0].date, "");
	assert_string_equal(r.items[0].start, "10:30");
	static const struct { int line; const char *text, *why; } want[] = {
		{4, "10:00-10:75 am", "Minutes run from 00 to 59."},
		{5, "Orphan title", "No time range follows this item: add one like 10:00-10:30 am "
		                    "on the line after it."},
		{8, "10:00-10:30 am", "This time has no item before it: put the item's title on "
		                      "the line above."},
		{12, "Thursday, May 15, 2026", "May 15, 2026 is a Friday, not a Thursday."},
		{13, "Day 0", "Day numbers run from 1 to 60."},
		{14, "February 30, 2026", "February has no day 30."},
		{15, "Last title", "No time range follows this item: add one like 10:00-10:30 am "
		                   "on the line after it."},
	};
	assert_int_equal(r.n_problems, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(r.problems[i].line, want[i].line);
		assert_string_equal(r.problems[i].text, want[i].text);
		assert_string_equal(r.problems[i].why, want[i].why);
	}
}

/* Title, faculty, then a third text line before the time: the first line
 * is the one without a time (reported), the others make the item. */
static void three_text_lines(void **state)
{
	(void)state;
	agenda_import r = parse("A\nB\nC\n10:00-10:30 am\n");
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(r.problems[0].line, 1);
	assert_int_equal(r.n_items, 1);
	assert_string_equal(r.items[0].title, "B");
	assert_string_equal(r.items[0].faculty, "C");
	assert_int_equal(r.items[0].line, 2);
}

static void days_and_dates(void **state)
{
	(void)state;
	/* Dates without day headings start days; items before any day are day 1. */
	agenda_import r = parse("Early item\n8-9 am\n"
	                        "Tuesday, May 12, 2026\nB\n9-10 am\n"
	                        "2026-05-14\nC\n9-10 am\n"
	                        "Day 7: Fri., Jan 1, 2027\nD\n9-10 am\n"
	                        "Day 9\nE\n9-10 am\n"
	                        "Day 1 Recap\n10-11 am\n"
	                        "May I Help?\n11-11:30 am\n"
	                        "Friday Wrap-Up\n11:30-11:45 am\n");
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_items, 8);
	struct { int day; const char *date, *title; } want[] = {
		{1, "", "Early item"}, {2, "2026-05-12", "B"}, {3, "2026-05-14", "C"},
		{7, "2027-01-01", "D"}, {9, "", "E"}, {9, "", "Day 1 Recap"},
		{9, "", "May I Help?"}, {9, "", "Friday Wrap-Up"},
	};
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(r.items[i].day, want[i].day);
		assert_string_equal(r.items[i].date, want[i].date);
		assert_string_equal(r.items[i].title, want[i].title);
	}
	assert_null(r.note);

	/* A second date after items of a day starts the next day. */
	r = parse("Day 4\nMay 13, 2026\nA\n9-10 am\nMay 14, 2026\nB\n9-10 am\n");
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.items[0].day, 4);
	assert_int_equal(r.items[1].day, 5);
	assert_string_equal(r.items[1].date, "2026-05-14");

	/* Bad dates. */
	r = parse("Wednesday, Smarch 13, 2026\nMay 13, 26\n2026-13-01\nDay 2 - Mayday 3\n"
	          "Day 61\n");
	assert_int_equal(r.n_problems, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r.problems[i].line, i + 1);
	/* "Day 2 - Mayday 3" is not a day heading but a title without a time. */
	assert_string_equal(r.problems[3].why, "No time range follows this item: add one like "
	                                       "10:00-10:30 am on the line after it.");
	assert_string_equal(r.problems[4].why, "Day numbers run from 1 to 60.");
	assert_int_equal(r.n_items, 0);
	/* A month and day without a comma before the year is fine. */
	r = parse("Day 1\nMay 13 2026\nA\n9-10 am\n");
	assert_int_equal(r.n_problems, 0);
	assert_string_equal(r.items[0].date, "2026-05-13");
}

static void kinds(void **state)
{
	(void)state;
	static const struct { const char *title, *kind; } rows[] = {
		{"Lunch", "lunch"}, {"Lunch Break", "lunch"}, {"lunch and networking", "lunch"},
		{"Lunchtime Talk", "plenary"}, {"Break", "break"}, {"BREAK", "break"},
		{"Coffee Break", "break"}, {"Transition", "break"}, {"Breaking Bad News", "plenary"},
		{"Transitions of Care", "plenary"}, {"Delivering Serious News -- Practice", "practice"},
		{"Goals of Care: Practice", "practice"}, {"Practice", "practice"},
		{"Core Practice of Palliative Care", "plenary"}, {"Small Group Reflection", "reflection"},
		{"Reflections", "reflection"}, {"Small Group Start-Up", "small_group"},
		{"small group huddle", "small_group"}, {"Large Group Close", "plenary"},
		{"Pain", "plenary"}, {"", "plenary"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_string_equal(agenda_import_kind(rows[i].title), rows[i].kind);
	/* Every demo title classifies as the demo does. */
	for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++)
		assert_string_equal(agenda_import_kind(demo[i].title), demo[i].kind);
}

static void tracks_suffix(void **state)
{
	(void)state;
	agenda_import r = parse("Pain (adult and pediatric sessions)\n9-10 am\n"
	                        "(Adult and Pediatric Sessions)\n10-11 am\n"
	                        "Dyspnea(Adult and Pediatric Sessions)\n11-11:30 am\n");
	assert_int_equal(r.n_items, 2);
	assert_string_equal(r.items[0].title, "Pain");
	assert_true(r.items[0].tracks);
	assert_string_equal(r.items[1].title, "Dyspnea");
	assert_true(r.items[1].tracks);
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(r.problems[0].line, 3);
}

static void limits_and_bytes(void **state)
{
	(void)state;
	/* Not text: NUL, invalid UTF-8, control characters. */
	static const char bad[] = "A\n9-10 am\nB\0C\n\xff\xfe\n\x01x\nD\n10-11 am\n";
	agenda_import r;
	agenda_import_parse(&A, bad, sizeof bad - 1, &r);
	assert_int_equal(r.n_items, 2);
	assert_int_equal(r.n_problems, 3);
	assert_int_equal(r.problems[0].line, 3);
	assert_string_equal(r.problems[0].text, "");
	assert_int_equal(r.problems[1].line, 4);
	assert_int_equal(r.problems[2].line, 5);

	/* A title of 301 characters; one of 300 (with a multi-byte character). */
	char *t = arena_alloc(&A, 2000);
	memset(t, 'x', 301);
	strcpy(t + 301, "\n9-10 am\n");
	r = parse(t);
	assert_int_equal(r.n_items, 0);
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(strlen(r.problems[0].text), 200 + strlen("…"));
	memcpy(t, "é", 2);
	memset(t + 2, 'x', 299);
	strcpy(t + 301, "\n9-10 am\n");
	r = parse(t);
	assert_int_equal(r.n_items, 1);
	assert_int_equal(strlen(r.items[0].title), 301);

	/* A line over 1000 bytes, cut for display on a character boundary. */
	char *lng = arena_alloc(&A, 1100);
	lng[0] = 'x';
	for (int i = 1; i < 1051; i += 2)
		memcpy(lng + i, "é", 2);
	lng[1051] = '\0';
	r = parse(lng);
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(strlen(r.problems[0].text), 199 + strlen("…"));

	/* Over the item limit: one problem, the first 300 items kept. */
	size_t cap = 400 * 16 + 1;
	char *many = arena_alloc(&A, cap), *o = many;
	for (int i = 0; i < 400; i++)
		o += sprintf(o, "T%d\n9-10 am\n", i);
	r = parse(many);
	assert_int_equal(r.n_items, AGENDA_IMPORT_MAX_ITEMS);
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(r.problems[0].line, 601);

	/* Over the problem limit: the rest are counted. */
	o = many;
	for (int i = 0; i < 150; i++)
		o += sprintf(o, "9-10 am\n");
	r = parse(many);
	assert_int_equal(r.n_problems, AGENDA_IMPORT_MAX_PROBLEMS);
	assert_int_equal(r.n_problems_dropped, 50);
	assert_int_equal(r.n_items, 0);

	/* Empty input; only blank lines; a lone CR separates lines. */
	r = parse("");
	assert_int_equal(r.n_items + r.n_problems, 0);
	r = parse("\n\n  \n\t\n");
	assert_int_equal(r.n_items + r.n_problems, 0);
	r = parse("A\r9-10 am\rB\r\n10-11 am");
	assert_int_equal(r.n_problems, 0);
	assert_int_equal(r.n_items, 2);
	assert_int_equal(r.items[1].line, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(seed_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(seed_schedule_messy, setup, teardown),
		cmocka_unit_test_setup_teardown(time_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(three_text_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(days_and_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(tracks_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(limits_and_bytes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
