/*
 * fuzz_agenda_import.c - libFuzzer target for the schedule parser
 * (agenda_import_parse, agenda_import_kind).
 *
 * Beyond not crashing, every input is checked against what
 * agenda_import.h promises, and the target aborts when a promise breaks:
 *   - at most AGENDA_IMPORT_MAX_ITEMS items and MAX_PROBLEMS problems, in
 *     line order;
 *   - every item has a day in range, a date that is "" or a real
 *     YYYY-MM-DD, start < end within one day and "HH:MM" strings that
 *     match the minutes, a trimmed title of 1..MAX_TITLE characters, a kind
 *     that agenda_import_kind gives for its title; every string is UTF-8
 *     without control characters;
 *   - writing the items back out as plain text (Day headings, ISO dates,
 *     24-hour ranges) and parsing that gives the same items and no problem.
 * Build and run it with tests/fuzz/run-smoke.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/agenda_import.h"
#include "cairn/arena.h"
#include "cairn/buf.h"
#include "cairn/form.h"

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: broken promise: %s\n",        \
			        __FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reset after each input, as a worker's arena is after each request. */
static arena fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	arena_init(&fuzz_arena, 1 << 16);
	return 0;
}

/* UTF-8 text with no control character at all (no TAB, CR or LF). */
static bool clean_text(const char *s)
{
	size_t n = strlen(s);
	if (!text_acceptable(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool trimmed(const char *s)
{
	size_t n = strlen(s);
	return n == 0 || (s[0] != ' ' && s[n - 1] != ' ' && !strstr(s, "  "));
}

static void check_date(const char *d)
{
	if (!*d)
		return;
	CHECK(strlen(d) == 10 && d[4] == '-' && d[7] == '-');
	int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
	static const int dim[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	CHECK(y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= dim[m - 1]);
	if (m == 2 && day == 29)
		CHECK((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static void check_hhmm(const char *s, int minutes)
{
	char want[8];
	snprintf(want, sizeof want, "%02d:%02d", minutes / 60, minutes % 60);
	CHECK(strcmp(s, want) == 0);
}

static void check(const agenda_import *r)
{
	static const char *kinds[] = {"plenary", "practice", "small_group", "reflection", "break",
	                              "lunch"};
	CHECK(r->n_items <= AGENDA_IMPORT_MAX_ITEMS);
	CHECK(r->n_problems <= AGENDA_IMPORT_MAX_PROBLEMS);
	CHECK(r->n_problems_dropped == 0 || r->n_problems == AGENDA_IMPORT_MAX_PROBLEMS);
	if (r->note)
		CHECK(clean_text(r->note) && trimmed(r->note));
	for (size_t i = 0; i < r->n_items; i++) {
		const agenda_import_item *it = &r->items[i];
		CHECK(it->line >= 1);
		if (i)
			CHECK(it->line > r->items[i - 1].line);
		CHECK(it->day >= 1 && it->day <= AGENDA_IMPORT_MAX_DAY);
		check_date(it->date);
		CHECK(it->start_min >= 0 && it->start_min < it->end_min && it->end_min < 24 * 60);
		check_hhmm(it->start, it->start_min);
		check_hhmm(it->end, it->end_min);
		size_t tl = strlen(it->title);
		CHECK(tl > 0 && clean_text(it->title) && trimmed(it->title));
		CHECK(utf8_length(it->title, tl) <= AGENDA_IMPORT_MAX_TITLE);
		CHECK(clean_text(it->faculty) && trimmed(it->faculty));
		bool known = false;
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			known |= strcmp(it->kind, kinds[k]) == 0;
		CHECK(known);
		CHECK(strcmp(it->kind, agenda_import_kind(it->title)) == 0);
	}
	for (size_t i = 0; i < r->n_problems; i++) {
		const agenda_import_problem *p = &r->problems[i];
		CHECK(p->line >= 1);
		if (i)
			CHECK(p->line >= r->problems[i - 1].line);
		CHECK(clean_text(p->text) && strlen(p->text) <= 200 + strlen("…"));
		CHECK(p->why && *p->why && clean_text(p->why));
	}
}

/* The items as the plainest text the parser reads. */
static void write_back(const agenda_import *r, buf *b)
{
	int day = 0;
	const char *date = NULL;
	for (size_t i = 0; i < r->n_items; i++) {
		const agenda_import_item *it = &r->items[i];
		if (it->day != day || !date || strcmp(it->date, date)) {
			buf_appendf(b, "Day %d\n", it->day);
			if (*it->date)
				buf_appendf(b, "%s\n", it->date);
			day = it->day;
			date = it->date;
		}
		buf_appendf(b, "%s%s\n", it->title,
		            it->tracks ? "(Adult and Pediatric Sessions)" : "");
		if (*it->faculty)
			buf_appendf(b, "%s\n", it->faculty);
		buf_appendf(b, "%s-%s\n", it->start, it->end);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	agenda_import r;
	agenda_import_parse(&fuzz_arena, (const char *)data, size, &r);
	check(&r);
	CHECK(agenda_import_kind("") != NULL);

	buf b;
	buf_init(&b, &fuzz_arena, 0);
	write_back(&r, &b);
	CHECK(!b.failed);
	agenda_import again;
	agenda_import_parse(&fuzz_arena, b.data, b.len, &again);
	if (again.n_problems)
		fprintf(stderr, "write-back problem on line %d: %s (%s)\n", again.problems[0].line,
		        again.problems[0].text, again.problems[0].why);
	CHECK(again.n_problems == 0);
	CHECK(again.n_items == r.n_items);
	for (size_t i = 0; i < r.n_items; i++) {
		const agenda_import_item *x = &r.items[i], *y = &again.items[i];
		CHECK(x->day == y->day && strcmp(x->date, y->date) == 0);
		CHECK(x->start_min == y->start_min && x->end_min == y->end_min);
		CHECK(strcmp(x->title, y->title) == 0 && strcmp(x->faculty, y->faculty) == 0);
		CHECK(strcmp(x->kind, y->kind) == 0 && x->tracks == y->tracks);
	}
	arena_reset(&fuzz_arena);
	return 0;
}
