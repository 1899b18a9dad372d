/*
 * agenda_import.c - see agenda_import.h.
 *
 * One pass over the lines. Each line is cleaned first (whitespace runs,
 * tabs and no-break spaces become one space; ends trimmed), then
 * classified: heading, note, "Day N", date, time range, or text. Text lines
 * wait (at most two: title, faculty) until a time range closes the item.
 * Whatever cannot be read is recorded with its line number and parsing
 * goes on, so one preview shows every problem.
 */
#include "cairn/agenda_import.h"
#include "cairn/form.h"

#include <stdio.h>
#include <string.h>

#define TRACKS_SUFFIX "(Adult and Pediatric Sessions)"
#define WINDOW_START (7 * 60)   /* an implicit am/pm keeps times within 7 am... */
#define WINDOW_END (21 * 60)    /* ...and 9 pm */
#define PROBLEM_TEXT_MAX 200

typedef struct line {
	const char *s;   /* cleaned text, NUL-terminated, in the arena */
	size_t n;
	int no;          /* 1-based line number */
} line;

typedef struct parser {
	arena *a;
	agenda_import *out;
	size_t items_cap, problems_cap;
	int day;             /* current day; 0 before the first */
	bool day_dated;
	bool day_has_items;
	char date[11];       /* the current day's date or "" */
	line pending[2];     /* title, faculty: text lines waiting for a time */
	int n_pending;
	bool too_many;       /* the item limit was reported */
} parser;

typedef enum meridiem { MER_NONE, MER_AM, MER_PM } meridiem;

/* ---- small helpers ---- */

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Do the first k bytes of s equal those of w, ignoring ASCII case? */
static bool same_ci(const char *s, const char *w, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (lower(s[i]) != lower(w[i]))
			return false;
	return true;
}

static bool prefix_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && same_ci(s, w, k);
}

static bool suffix_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && same_ci(s + n - k, w, k);
}

static bool equals_ci(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && same_ci(s, w, n);
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Read 1..max_digits digits at s[*i] into *out; false if there are none or
 * more than max_digits. */
static bool read_number(const char *s, size_t n, size_t *i, int max_digits, int *out)
{
	int v = 0, k = 0;
	while (*i < n && is_digit(s[*i])) {
		if (++k > max_digits)
			return false;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return k > 0;
}

/* ---- lines and problems ---- */

/* Clean raw[0..n) into the arena: whitespace runs (space, tab, U+00A0)
 * become one space and the ends are trimmed. raw is acceptable text, so
 * the result holds no control characters. */
static line clean(arena *a, const char *raw, size_t n, int no)
{
	char *s = arena_alloc(a, n + 1);
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		size_t w = raw[i] == ' ' || raw[i] == '\t' ? 1
		         : i + 1 < n && (unsigned char)raw[i] == 0xC2 &&
		                   (unsigned char)raw[i + 1] == 0xA0 ? 2 : 0;
		if (w) {
			space = o > 0;
			i += w - 1;
			continue;
		}
		if (space)
			s[o++] = ' ';
		space = false;
		s[o++] = raw[i];
	}
	s[o] = '\0';
	return (line){s, o, no};
}

/* A copy of at most PROBLEM_TEXT_MAX bytes, cut on a character boundary. */
static const char *excerpt(arena *a, const char *s, size_t n)
{
	if (n <= PROBLEM_TEXT_MAX)
		return arena_strndup(a, s, n);
	n = PROBLEM_TEXT_MAX;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_sprintf(a, "%.*s…", (int)n, s);
}

static void problem(parser *p, int no, const char *text, size_t n, const char *why)
{
	agenda_import *out = p->out;
	if (out->n_problems == AGENDA_IMPORT_MAX_PROBLEMS) {
		out->n_problems_dropped++;
		return;
	}
	if (out->n_problems == p->problems_cap) {
		size_t cap = p->problems_cap ? 2 * p->problems_cap : 8;
		out->problems = arena_realloc(p->a, out->problems,
		                              p->problems_cap * sizeof *out->problems,
		                              cap * sizeof *out->problems);
		p->problems_cap = cap;
	}
	out->problems[out->n_problems++] =
		(agenda_import_problem){no, excerpt(p->a, text, n), why};
}

static void line_problem(parser *p, const line *l, const char *why)
{
	problem(p, l->no, l->s, l->n, why);
}

/* ---- dates ---- */

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};
static const char *const weekday_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

/* A full name or its three-letter abbreviation (optionally followed by
 * '.') at s[*i], ending before a non-letter: its index, with *i moved past
 * it, or -1. */
static int match_name(const char *s, size_t n, size_t *i, const char *const *names, int count)
{
	size_t end = *i;
	while (end < n && is_letter(s[end]))
		end++;
	size_t len = end - *i;
	for (int k = 0; k < count; k++) {
		if ((len != 3 && len != strlen(names[k])) || !same_ci(s + *i, names[k], len))
			continue;
		*i = end;
		if (len == 3 && *i < n && s[*i] == '.')
			(*i)++;
		return k;
	}
	return -1;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int m, int d)
{
	static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (m < 3)
		y -= 1;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static bool iso_date(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return true;
}

typedef enum date_result { DATE_NO, DATE_OK, DATE_BAD } date_result;

static const char *const date_help =
	"This date cannot be read: write it like Wednesday, May 13, 2026.";

/* Is s[i..n) a date? DATE_NO when it does not even look like one (it is
 * then an ordinary line: "May I Help?", "Friday Wrap-Up"), DATE_BAD with
 * *why when it is meant as one but cannot be read, DATE_OK with iso set.
 * It looks like a date when it is YYYY-MM-DD, starts with a weekday and a
 * comma or a month, or starts with a month and a number. */
static date_result parse_date(arena *a, const char *s, size_t n, size_t i, char iso[11],
                              const char **why)
{
	int y, m, d, wd = -1;
	if (iso_date(s + i, n - i, &y, &m, &d)) {
		if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
			*why = "This date does not exist.";
			return DATE_BAD;
		}
		goto ok;
	}
	size_t j = i;
	int w = match_name(s, n, &j, weekday_names, 7);
	if (w >= 0) {
		bool comma = j < n && s[j] == ',';
		size_t k = skip_spaces(s, n, j + comma);
		size_t t = k;
		if (!comma && (k == j || match_name(s, n, &t, month_names, 12) < 0))
			return DATE_NO;
		wd = w;
		j = k;
	}
	int mi = match_name(s, n, &j, month_names, 12);
	size_t k = skip_spaces(s, n, j);
	if (mi < 0 || k == j || k == n || !is_digit(s[k])) {
		*why = date_help;
		return wd >= 0 ? DATE_BAD : DATE_NO;
	}
	*why = date_help;
	if (!read_number(s, n, &k, 2, &d))
		return DATE_BAD;
	size_t before = k;
	if (k < n && s[k] == ',')
		k++;
	k = skip_spaces(s, n, k);
	size_t year_at = k;
	if (k == before || !read_number(s, n, &k, 4, &y) || k - year_at != 4 || k != n)
		return DATE_BAD;
	m = mi + 1;
	if (y < 1900)
		return DATE_BAD;
	if (d < 1 || d > days_in_month(y, m)) {
		*why = arena_sprintf(a, "%s has no day %d.", month_names[mi], d);
		return DATE_BAD;
	}
	if (wd >= 0 && weekday(y, m, d) != wd) {
		*why = arena_sprintf(a, "%s %d, %d is a %s, not a %s.", month_names[mi], d, y,
		                     weekday_names[weekday(y, m, d)], weekday_names[wd]);
		return DATE_BAD;
	}
ok:
	/* The ranges checked above keep this within 10 characters; the casts
	 * tell the compiler so. */
	snprintf(iso, 11, "%04d-%02d-%02d", (unsigned short)y % 10000u, (unsigned char)m % 100u,
	         (unsigned char)d % 100u);
	return DATE_OK;
}

/* ---- time ranges ---- */

/* Starts with a digit, has a separator and no word longer than four
 * letters: meant as a time range, so a failure to read it is reported
 * rather than taken for a title ("10 Things About Pain" stays a title). */
static bool looks_like_time(const line *l)
{
	if (!l->n || !is_digit(l->s[0]))
		return false;
	if (!strchr(l->s, ':') && !strchr(l->s, '-') && !strstr(l->s, "–") &&
	    !strstr(l->s, "—") && !strstr(l->s, " to "))
		return false;
	size_t run = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (is_letter(l->s[i])) {
			if (++run > 4)
				return false;
		} else if (l->s[i] != '.') {
			run = 0;
		}
	}
	return true;
}

/* One clock time at s[*i]: "10", "10:30", "10:30 am", "10:30pm",
 * "10 a.m.", "noon". *hour and *min as written, *mer as written. */
static bool read_clock(const char *s, size_t n, size_t *i, int *hour, int *min, meridiem *mer)
{
	*mer = MER_NONE;
	*min = 0;
	if (prefix_ci(s + *i, n - *i, "noon") && (*i + 4 == n || !is_letter(s[*i + 4]))) {
		*i += 4;
		*hour = 12;
		*mer = MER_PM;
		return true;
	}
	if (!read_number(s, n, i, 2, hour))
		return false;
	if (*i < n && s[*i] == ':') {
		size_t at = ++*i;
		if (!read_number(s, n, i, 2, min) || *i - at != 2)
			return false;
	}
	size_t k = skip_spaces(s, n, *i);
	if (k < n && (lower(s[k]) == 'a' || lower(s[k]) == 'p')) {
		meridiem m = lower(s[k]) == 'a' ? MER_AM : MER_PM;
		k++;
		if (k < n && s[k] == '.')
			k++;
		if (k < n && lower(s[k]) == 'm') {
			k++;
			if (k < n && s[k] == '.')
				k++;
			if (k == n || !is_letter(s[k])) {
				*mer = m;
				*i = k;
			}
		}
	}
	return true;
}

static int to_minutes(int hour, int min, meridiem mer)
{
	if (mer == MER_AM && hour == 12)
		hour = 0;
	else if (mer == MER_PM && hour != 12)
		hour += 12;
	return hour * 60 + min;
}

static const char *const range_help =
	"This time range cannot be read: write it like 10:00-10:30 am or 11:30 am-12:30 pm.";
static const char *const end_first = "The end of this range is not after its start.";

/* Read a time range into minutes after midnight: NULL, or why not. */
static const char *parse_range(arena *a, const line *l, int *start, int *end)
{
	const char *s = l->s;
	size_t n = l->n, i = 0;
	int h1, m1, h2, m2;
	meridiem r1, r2;
	if (!read_clock(s, n, &i, &h1, &m1, &r1))
		return range_help;
	i = skip_spaces(s, n, i);
	if (i < n && s[i] == '-')
		i++;
	else if (n - i >= 3 && (!memcmp(s + i, "–", 3) || !memcmp(s + i, "—", 3)))
		i += 3;
	else if (n - i >= 3 && same_ci(s + i, "to ", 3))
		i += 2;
	else
		return "Write a start and an end, like 10:00-10:30 am.";
	i = skip_spaces(s, n, i);
	if (i == n)
		return "Write a start and an end, like 10:00-10:30 am.";
	if (!read_clock(s, n, &i, &h2, &m2, &r2) || skip_spaces(s, n, i) != n)
		return range_help;
	if (m1 > 59 || m2 > 59)
		return "Minutes run from 00 to 59.";
	if (r1 == MER_NONE && r2 == MER_NONE) {
		/* A 24-hour clock. */
		if (h1 > 23 || h2 > 23)
			return "Hours run from 0 to 23, or from 1 to 12 with am or pm.";
		*start = h1 * 60 + m1;
		*end = h2 * 60 + m2;
		return *start < *end ? NULL : end_first;
	}
	if (r2 == MER_NONE)
		return "Put am or pm after the end time too, like 11:30 am-12:30 pm.";
	if (h1 < 1 || h1 > 12 || h2 < 1 || h2 > 12)
		return "With am or pm, hours run from 1 to 12.";
	*end = to_minutes(h2, m2, r2);
	if (r1 != MER_NONE) {
		*start = to_minutes(h1, m1, r1);
		return *start < *end ? NULL : end_first;
	}
	/* The start borrows the end's am/pm, or else the other one: whichever
	 * puts it before the end with both inside 7 am-9 pm. */
	meridiem tries[2] = {r2, r2 == MER_AM ? MER_PM : MER_AM};
	for (int k = 0; k < 2; k++) {
		int st = to_minutes(h1, m1, tries[k]);
		if (st < *end && st >= WINDOW_START && *end <= WINDOW_END) {
			*start = st;
			return NULL;
		}
	}
	const char *mer = r2 == MER_AM ? "am" : "pm";
	return arena_sprintf(a, "Cannot tell whether %d:%02d is am or pm: write it on the start "
	                        "too, like %d:%02d %s-%d:%02d %s.",
	                     h1, m1, h1, m1, mer, h2, m2, mer);
}

/* ---- items ---- */

const char *agenda_import_kind(const char *title)
{
	size_t n = strlen(title);
	if (prefix_ci(title, n, "lunch") && (n == 5 || !is_letter(title[5])))
		return "lunch";
	if (equals_ci(title, n, "break") || equals_ci(title, n, "transition") ||
	    suffix_ci(title, n, " break"))
		return "break";
	size_t w = n;
	while (w && is_letter(title[w - 1]))
		w--;
	if (equals_ci(title + w, n - w, "practice"))
		return "practice";
	if (strcasestr(title, "reflection"))
		return "reflection";
	if (strcasestr(title, "small group"))
		return "small_group";
	return "plenary";
}

/* A title (and faculty) waiting for a time never got one. */
static void flush_pending(parser *p)
{
	if (p->n_pending)
		line_problem(p, &p->pending[0], "No time range follows this item: add one like "
		                                "10:00-10:30 am on the line after it.");
	p->n_pending = 0;
}

static void add_text(parser *p, const line *l)
{
	if (p->n_pending == 2) {
		/* Title, faculty, and a third line: the first cannot have a time. */
		flush_pending(p);
		p->pending[0] = p->pending[1];
		p->n_pending = 1;
	}
	p->pending[p->n_pending++] = *l;
}

/* minutes (0..1439) as "HH:MM" */
static void hhmm(char out[6], int minutes)
{
	int h = minutes / 60, m = minutes % 60;
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + m / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

static void add_item(parser *p, int start, int end)
{
	agenda_import *out = p->out;
	const line *t = &p->pending[0];
	const char *faculty = p->n_pending == 2 ? p->pending[1].s : "";
	p->n_pending = 0;
	if (out->n_items == AGENDA_IMPORT_MAX_ITEMS) {
		if (!p->too_many)
			line_problem(p, t, "More than 300 items: import the schedule in parts.");
		p->too_many = true;
		return;
	}
	size_t n = t->n;
	bool tracks = suffix_ci(t->s, n, TRACKS_SUFFIX);
	if (tracks) {
		n -= strlen(TRACKS_SUFFIX);
		while (n && t->s[n - 1] == ' ')
			n--;
		if (!n) {
			line_problem(p, t, "This item has no title before “" TRACKS_SUFFIX "”.");
			return;
		}
	}
	if (utf8_length(t->s, n) > AGENDA_IMPORT_MAX_TITLE) {
		line_problem(p, t, "This title is longer than 300 characters.");
		return;
	}
	if (out->n_items == p->items_cap) {
		size_t cap = p->items_cap ? 2 * p->items_cap : 32;
		out->items = arena_realloc(p->a, out->items, p->items_cap * sizeof *out->items,
		                           cap * sizeof *out->items);
		p->items_cap = cap;
	}
	if (!p->day)
		p->day = 1;
	p->day_has_items = true;
	agenda_import_item *it = &out->items[out->n_items++];
	memset(it, 0, sizeof *it);
	it->line = t->no;
	it->day = p->day;
	memcpy(it->date, p->date, sizeof it->date);
	it->start_min = start;
	it->end_min = end;
	hhmm(it->start, start);
	hhmm(it->end, end);
	it->title = tracks ? arena_strndup(p->a, t->s, n) : t->s;
	it->faculty = faculty;
	it->kind = agenda_import_kind(it->title);
	it->tracks = tracks;
}

/* ---- days ---- */

static void start_day(parser *p, int day, const char *iso)
{
	p->day = day;
	p->day_dated = iso != NULL;
	p->day_has_items = false;
	snprintf(p->date, sizeof p->date, "%s", iso ? iso : "");
}

/* "Day N", optionally followed by a separator and the day's date. false
 * when the line is not a day heading ("Day 1 Recap" is a title). */
static bool day_heading(parser *p, const line *l)
{
	const char *s = l->s;
	size_t n = l->n, i = skip_spaces(s, n, 3);
	int day;
	if (!prefix_ci(s, n, "day ") || !read_number(s, n, &i, 3, &day))
		return false;
	size_t j = skip_spaces(s, n, i);
	if (j < n && strchr(":,-|", s[j]))
		j = skip_spaces(s, n, j + 1);
	else if (n - j >= 3 && (!memcmp(s + j, "–", 3) || !memcmp(s + j, "—", 3)))
		j = skip_spaces(s, n, j + 3);
	else if (n - j >= 2 && !memcmp(s + j, "·", 2))
		j = skip_spaces(s, n, j + 2);
	char iso[11];
	const char *why = NULL;
	date_result dr = DATE_NO;
	if (j < n) {
		if (j == i || (dr = parse_date(p->a, s, n, j, iso, &why)) == DATE_NO)
			return false;
	}
	flush_pending(p);
	if (day < 1 || day > AGENDA_IMPORT_MAX_DAY) {
		line_problem(p, l, "Day numbers run from 1 to 60.");
		return true;
	}
	if (dr == DATE_BAD)
		line_problem(p, l, why);
	start_day(p, day, dr == DATE_OK ? iso : NULL);
	return true;
}

/* A date line: the current day's date if it has none yet and no items,
 * else the start of the next day. */
static void date_line(parser *p, const line *l, const char *iso)
{
	flush_pending(p);
	if (p->day && !p->day_dated && !p->day_has_items) {
		start_day(p, p->day, iso);
		return;
	}
	if (p->day + 1 > AGENDA_IMPORT_MAX_DAY) {
		line_problem(p, l, "Day numbers run from 1 to 60.");
		return;
	}
	start_day(p, p->day + 1, iso);
}

/* ---- the parse ---- */

static void one_line(parser *p, const char *raw, size_t n, int no)
{
	if (!text_acceptable(raw, n)) {
		problem(p, no, "", 0, "This line holds bytes that are not text (not UTF-8, or "
		                      "control characters).");
		return;
	}
	line l = clean(p->a, raw, n, no);
	if (!l.n)
		return;
	if (l.n > AGENDA_IMPORT_MAX_LINE) {
		line_problem(p, &l, "This line is longer than 1000 characters.");
		return;
	}
	if (equals_ci(l.s, l.n, "schedule") || equals_ci(l.s, l.n, "agenda"))
		return;
	if (prefix_ci(l.s, l.n, "all agenda sessions ") || prefix_ci(l.s, l.n, "all times ")) {
		if (!p->out->note)
			p->out->note = l.s;
		return;
	}
	if (day_heading(p, &l))
		return;
	char iso[11];
	const char *why = NULL;
	switch (parse_date(p->a, l.s, l.n, 0, iso, &why)) {
	case DATE_OK:
		date_line(p, &l, iso);
		return;
	case DATE_BAD:
		flush_pending(p);
		line_problem(p, &l, why);
		return;
	case DATE_NO:
		break;
	}
	if (looks_like_time(&l)) {
		int start = 0, end = 0;
		why = parse_range(p->a, &l, &start, &end);
		if (why) {
			/* The item it belonged to is dropped with it: one problem. */
			p->n_pending = 0;
			line_problem(p, &l, why);
		} else if (!p->n_pending) {
			line_problem(p, &l, "This time has no item before it: put the item's title "
			                    "on the line above.");
		} else {
			add_item(p, start, end);
		}
		return;
	}
	add_text(p, &l);
}

void agenda_import_parse(arena *a, const char *text, size_t len, agenda_import *out)
{
	memset(out, 0, sizeof *out);
	parser p = {.a = a, .out = out};
	size_t pos = 0;
	int no = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && text[e] != '\n' && text[e] != '\r')
			e++;
		if (no < 0x7fffffff)
			no++;
		one_line(&p, text + pos, e - pos, no);
		if (e + 1 < len && text[e] == '\r' && text[e + 1] == '\n')
			e++;
		pos = e + 1;
	}
	flush_pending(&p);
	/* Problems were found in line order except for items left without a
	 * time, reported when the next line showed it: sort (stable). */
	for (size_t i = 1; i < out->n_problems; i++) {
		agenda_import_problem x = out->problems[i];
		size_t j = i;
		for (; j && out->problems[j - 1].line > x.line; j--)
			out->problems[j] = out->problems[j - 1];
		out->problems[j] = x;
	}
}
