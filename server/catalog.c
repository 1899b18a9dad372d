/*
 * catalog.c - the admin's catalogue: series, courses, offerings, agendas
 * and the agenda import. See catalog.h.
 *
 * Each page is built by one *_view function that both the GET handler and
 * a POST with a problem call: a GET fills the fields from the database, a
 * POST that failed fills them from what was typed (view_form), so nothing
 * is lost and the status is 422. The checks (*_check) run before any
 * write; what only the database can tell (a slug already taken, enrolled
 * learners above a new capacity) is checked again inside the write's
 * transaction, with the rows it depends on locked.
 */
#include "cairn/catalog.h"
#include "cairn/agenda_import.h"
#include "cairn/authz.h"
#include "cairn/crypto.h"
#include "cairn/money.h"
#include "cairn/series.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	MAX_TITLE = 200,         /* series and course titles (the schema's limit) */
	MAX_SHORT = 500,         /* taglines, locations, credit summaries */
	MAX_LONG = 20000,        /* overviews, credits, policies, notes */
	MAX_POINTS = 50,         /* domains or objectives per course */
	MAX_POINT = 1000,
	MAX_FACULTY = 1000,
	MAX_POSITION = 100,
	MAX_CAPACITY = 100000,
	MAX_TEAM = 1000,
	MAX_FEE_CATEGORIES = 32,
	MAX_DAYS = 366,          /* the longest offering, in days */
	BOOL_OID = 16,           /* PostgreSQL's type oid for boolean */
};
#define MAX_CENTS 100000000LL   /* $1,000,000 */

/* Returned by a check or write that had to ask the database and could
 * not (answer 500/503), or found its row gone meanwhile (answer 404). */
static const char db_failed[] = "the database could not be asked";
static const char gone[] = "the row is gone";

static const char *const slug_help =
	"The address name (slug) is lower-case letters and digits in words joined by single "
	"hyphens, like core-practice-2026-05.";

static const struct { const char *value, *label; } formats[] = {
	{"live_online", "Live online"}, {"in_person", "In person"},
};

static const char *const series_fields[] = {"slug", "title", "summary", NULL};
static const char *const course_fields[] = {"title", "slug", "position", "tagline", "overview",
                                            "audience", "prerequisites", "domains",
                                            "objectives", NULL};
static const char *const offering_fields[] = {
	"course_id", "slug", "starts_on", "ends_on", "time_zone", "format", "location",
	"capacity", "reg_date", "reg_time", "early_date", "early_time", "processing_fee",
	"discount_min_size", "discount_percent", "credit_summary", "credits",
	"cancellation_policy", "notes", NULL};
static const char *const item_fields[] = {"day", "start", "end", "title", "faculty", "kind",
                                          NULL};

/* ---- small helpers ---- */

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* A form field, "" when it was not sent. */
static const char *field(request *req, const char *name)
{
	const char *v = http_form(req, name);
	return v ? v : "";
}

/* NULL (SQL NULL) for "", else s. */
static const char *or_null(const char *s)
{
	return *s ? s : NULL;
}

static size_t chars(const char *s)
{
	return utf8_length(s, strlen(s));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The :id route parameter as canonical decimal text, or NULL after
 * answering 404 (http_parse_id decides what an id is). */
static const char *path_id(request *req)
{
	const char *s = http_param(req, "id");
	long long id;
	if (!http_parse_id(s, &id)) {
		http_error(req, 404, NULL);
		return NULL;
	}
	return s;
}

/* The admin's database connection, or NULL once the request is answered
 * (403 for anyone else, 503 without a database). */
static PGconn *admin_db(request *req)
{
	if (!authz_require_admin(req))
		return NULL;
	PGconn *db = http_db(req);
	if (!db)
		http_db_error(req);
	req->no_store = true;
	return db;
}

/* After a failed write: undo it and answer 500/503. */
static void write_failed(request *req, PGconn *db)
{
	db_rollback(db);
	http_db_error(req);
}

static bool slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 100 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		bool ok = (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) ||
		          (s[i] == '-' && s[i - 1] != '-');
		if (!ok)
			return false;
	}
	return true;
}

/* A whole number in [min, max], written plainly ("12", not "+12"). */
static bool whole(const char *s, long long min, long long max, long long *out)
{
	size_t n = strlen(s);
	if (!n || n > 12)
		return false;
	for (size_t i = s[0] == '-'; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	long long v = strtoll(s, NULL, 10);
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* YYYY-MM-DD naming a real day (libc's calendar normalises Feb 30, which
 * then no longer matches what was written). */
static bool date_ok(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
	if (y < 1900 || timegm(&tm) == (time_t)-1)
		return false;
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
}

/* HH:MM (24-hour; ":00" seconds allowed, as some browsers send them) as
 * minutes after midnight, or -1. */
static int clock_minutes(const char *s)
{
	size_t n = strlen(s);
	if ((n != 5 && !(n == 8 && !strcmp(s + 5, ":00"))) || s[2] != ':' || !is_digit(s[0]) ||
	    !is_digit(s[1]) || !is_digit(s[3]) || !is_digit(s[4]))
		return -1;
	int h = atoi(s), m = atoi(s + 3);
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* A checked YYYY-MM-DD as "Wednesday, May 13, 2026". */
static const char *long_date(arena *a, const char *iso)
{
	struct tm tm = {.tm_year = atoi(iso) - 1900, .tm_mon = atoi(iso + 5) - 1,
	                .tm_mday = atoi(iso + 8), .tm_hour = 12};
	timegm(&tm);   /* fills in the weekday */
	char out[64];
	strftime(out, sizeof out, "%A, %B %-d, %Y", &tm);
	return arena_strdup(a, out);
}

static const char *clock12(arena *a, int minutes)
{
	int h = minutes / 60, m = minutes % 60;
	return arena_sprintf(a, "%d:%02d %s", h % 12 ? h % 12 : 12, m, h < 12 ? "am" : "pm");
}

typedef enum money_result { MONEY_OK, MONEY_BLANK, MONEY_BAD, MONEY_NEGATIVE, MONEY_BIG }
	money_result;

/* Dollars as typed ("1,795.50", "$1,995", "1795.5") into exact cents: no
 * floating point. Commas, if any, must group thousands; at most two
 * decimals (a third is refused, not rounded). */
static money_result money_parse(const char *s, long long *cents)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (!n)
		return MONEY_BLANK;
	size_t i = 0;
	bool neg = s[i] == '-';
	i += neg;
	if (i < n && s[i] == '$')
		i++;
	if (!neg && i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	long long dollars = 0, part = 0;
	int digits = 0, group = 0;
	bool commas = false;
	for (; i < n && (is_digit(s[i]) || s[i] == ','); i++) {
		if (s[i] == ',') {
			if (!group || (commas ? group != 3 : group > 3))
				return MONEY_BAD;
			commas = true;
			group = 0;
			continue;
		}
		if (dollars <= MAX_CENTS)
			dollars = dollars * 10 + (s[i] - '0');
		digits++;
		group++;
	}
	if (!digits || (commas && group != 3))
		return MONEY_BAD;
	if (i < n && s[i] == '.') {
		int k = 0;
		for (i++; i < n && is_digit(s[i]) && k < 2; i++, k++)
			part = part * 10 + (s[i] - '0');
		if (!k)
			return MONEY_BAD;
		if (k == 1)
			part *= 10;
	}
	if (i != n)
		return MONEY_BAD;
	if (neg)
		return MONEY_NEGATIVE;
	if (dollars > MAX_CENTS / 100 || dollars * 100 + part > MAX_CENTS)
		return MONEY_BIG;
	*cents = dollars * 100 + part;
	return MONEY_OK;
}

/* The sentence for a money field that did not parse. */
static const char *money_problem(request *req, money_result m, const char *what)
{
	switch (m) {
	case MONEY_NEGATIVE:
		return arena_sprintf(req->a, "%s cannot be negative.", what);
	case MONEY_BIG:
		return arena_sprintf(req->a, "%s is above $1,000,000: check the amount.", what);
	default:
		return arena_sprintf(req->a, "%s is not an amount in dollars: write it like "
		                             "1,795.50 or 1995.", what);
	}
}

/* Cents as the form shows them: "1,795.50" (money_format without "$"). */
static const char *dollars(request *req, const char *cents)
{
	return money_format(req->a, atoll(cents)) + 1;
}

/* Trim every line, drop blank ones. *count lines; NULL with *why if there
 * are too many or one is too long. */
static const char *point_lines(request *req, const char *text, const char *what, int *count,
                               const char **why)
{
	buf out;
	buf_init(&out, req->a, 0);
	*count = 0;
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		size_t b = 0, e = n;
		while (b < e && (p[b] == ' ' || p[b] == '\t'))
			b++;
		while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e > b) {
			if (utf8_length(p + b, e - b) > MAX_POINT) {
				*why = arena_sprintf(req->a, "One of the %s is longer than %d characters.",
				                     what, MAX_POINT);
				return NULL;
			}
			if (++*count > MAX_POINTS) {
				*why = arena_sprintf(req->a, "A course can have at most %d %s.", MAX_POINTS,
				                     what);
				return NULL;
			}
			if (out.len)
				buf_putc(&out, '\n');
			buf_append(&out, p + b, e - b);
		}
		p += n + (p[n] == '\n');
	}
	return out.data;
}

/* 1 if PostgreSQL knows the zone, 0 if not, -1 if it could not be asked. */
static int zone_known(PGconn *db, const char *zone)
{
	if (!*zone || strlen(zone) > 64)
		return 0;
	PGresult *r = db_q(db, "SELECT 1 FROM time_zones WHERE name = $1", zone);
	if (!r)
		return -1;
	int known = PQntuples(r) > 0;
	PQclear(r);
	return known;
}

/* Does the query (n parameters) return a row? 1, 0, or -1 on failure. */
static int exists(PGconn *db, const char *sql, int n, const char *const *params)
{
	PGresult *r = db_query(db, sql, n, params);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	PQclear(r);
	return found;
}

/* ---- views ---- */

/* A form page's view: csrf, error, and the notice of ?done=. */
static tv *form_view(request *req, const char *error)
{
	arena *a = req->a;
	static const struct { const char *done, *notice; } notices[] = {
		{"created", "Created."}, {"saved", "Your changes were saved."},
		{"added", "The item was added."}, {"deleted", "The item was deleted."},
		{"imported", "The schedule was imported."},
	};
	const char *done = http_query(req, "done"), *notice = NULL;
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
		if (!strcmp(done, notices[i].done))
			notice = notices[i].notice;
	tv *v = tv_obj(a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "notice", notice);
	return v;
}

/* Every column of row as a view key (booleans as booleans, NULL as ""). */
static tv *view_row(request *req, tv *v, const PGresult *r, int row)
{
	for (int c = 0; c < PQnfields(r); c++) {
		const char *key = arena_strdup(req->a, PQfname(r, c));
		if (PQftype(r, c) == BOOL_OID)
			tv_set_bool(v, key, db_val(r, row, c)[0] == 't');
		else
			tv_set_str(v, key, arena_strdup(req->a, db_val(r, row, c)));
	}
	return v;
}

/* The named form fields as typed ("" when absent). */
static void view_form(request *req, tv *v, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		tv_set_str(v, names[i], field(req, names[i]));
}

static tv *choices(arena *a, const char *selected, const char *const *values,
                   const char *const *labels, size_t n)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", values[i]);
		tv_set_str(o, "label", labels[i]);
		tv_set_bool(o, "selected", selected && !strcmp(selected, values[i]));
	}
	return list;
}

/* The offerings of one course (course_id = $1) or of all ($1 NULL). */
#define OFFERING_LIST_SQL                                                                   \
	"SELECT o.id, o.course_id, o.slug,"                                                 \
	" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' ||"                           \
	" to_char(o.ends_on, 'FMMonth FMDD, YYYY') AS dates,"                               \
	" CASE o.format WHEN 'in_person' THEN 'In person' ELSE 'Live online' END AS format," \
	" (SELECT count(*) FROM agenda_items a WHERE a.offering_id = o.id) AS items"        \
	" FROM offerings o WHERE $1::bigint IS NULL OR o.course_id = $1"                    \
	" ORDER BY o.course_id, o.starts_on, o.id LIMIT 2000"

/* Offerings of course_id from an OFFERING_LIST_SQL result. */
static tv *offering_list(request *req, const PGresult *o, const char *course_id)
{
	tv *list = tv_list(req->a);
	for (int k = 0; k < PQntuples(o); k++)
		if (!strcmp(db_val(o, k, 1), course_id)) {
			tv *row = view_row(req, tv_push(list, tv_obj(req->a)), o, k);
			tv_set(row, "items", tv_count(req->a, atoll(tv_get(row, "items")->s), "item", "items"));
		}
	return list;
}

/* ---- series ---- */

static void index_view(request *req, int status, const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	PGresult *s = db_q0(db, "SELECT id, slug, title FROM series ORDER BY id LIMIT 50");
	PGresult *c = s ? db_q0(db, "SELECT id, series_id, position, title, announced FROM courses"
	                           " ORDER BY series_id, position LIMIT 500") : NULL;
	PGresult *o = c ? db_q(db, OFFERING_LIST_SQL, NULL) : NULL;
	if (!o) {
		PQclear(s);
		PQclear(c);
		http_db_error(req);
		return;
	}
	tv *v = form_view(req, error);
	view_form(req, v, series_fields);
	tv *list = tv_set(v, "series", tv_list(a));
	for (int i = 0; i < PQntuples(s); i++) {
		tv *sv = tv_push(list, tv_obj(a));
		view_row(req, sv, s, i);
		tv *courses = tv_set(sv, "courses", tv_list(a));
		for (int j = 0; j < PQntuples(c); j++) {
			if (strcmp(db_val(c, j, 1), db_val(s, i, 0)))
				continue;
			tv *cv = tv_push(courses, tv_obj(a));
			view_row(req, cv, c, j);
			tv *offs = tv_set(cv, "offerings", offering_list(req, o, db_val(c, j, 0)));
			tv_set_bool(cv, "has_offerings", offs->n > 0);
		}
		tv_set_bool(sv, "has_courses", courses->n > 0);
	}
	tv_set_bool(v, "has_series", list->n > 0);
	PQclear(s);
	PQclear(c);
	PQclear(o);
	http_render(req, status, "admin_catalog", "Catalogue", v);
}

static void index_page(request *req)
{
	if (admin_db(req))
		index_view(req, 200, NULL);
}

/* The series form's problem, or NULL. */
static const char *series_check(request *req)
{
	const char *title = field(req, "title");
	if (!slug_ok(field(req, "slug")))
		return slug_help;
	if (!*title || chars(title) > MAX_TITLE)
		return "Give the series a title of up to 200 characters.";
	if (chars(field(req, "summary")) > MAX_LONG)
		return "The summary is longer than 20,000 characters.";
	return NULL;
}

static void series_create(request *req)
{
	PGconn *db = admin_db(req);
	if (!db)
		return;
	const char *problem = series_check(req);
	if (problem) {
		index_view(req, 422, problem);
		return;
	}
	const char *slug = field(req, "slug");
	PGresult *r = db_q(db, "INSERT INTO series (slug, title, summary) VALUES ($1, $2, $3)"
	                       " ON CONFLICT (slug) DO NOTHING RETURNING id",
	                   slug, field(req, "title"), field(req, "summary"));
	if (!r) {
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		index_view(req, 422, "Another series already has that address name (slug).");
		return;
	}
	const char *id = arena_strdup(req->a, db_val(r, 0, 0));
	PQclear(r);
	http_redirect(req, arena_sprintf(req->a, "/admin/series/%s?done=created", id));
}

static void series_view(request *req, int status, const char *id, const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	PGresult *s = db_q(db, "SELECT id, title AS heading, slug, title, summary FROM series"
	                       " WHERE id = $1", id);
	PGresult *c = s ? db_q(db, "SELECT id, position, title, slug, announced FROM courses"
	                           " WHERE series_id = $1 ORDER BY position LIMIT 500", id) : NULL;
	if (!c) {
		PQclear(s);
		http_db_error(req);
		return;
	}
	if (!PQntuples(s)) {
		PQclear(s);
		PQclear(c);
		http_error(req, 404, "There is no such series.");
		return;
	}
	tv *v = form_view(req, error);
	view_row(req, v, s, 0);
	if (error)
		view_form(req, v, series_fields);
	tv *courses = tv_set(v, "courses", tv_list(a));
	for (int i = 0; i < PQntuples(c); i++)
		view_row(req, tv_push(courses, tv_obj(a)), c, i);
	tv_set_bool(v, "has_courses", courses->n > 0);
	const char *title = arena_strdup(a, db_val(s, 0, 1));
	PQclear(s);
	PQclear(c);
	http_render(req, status, "admin_catalog_series", title, v);
}

static void series_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		series_view(req, 200, id, NULL);
}

static void series_save(request *req)
{
	PGconn *db = admin_db(req);
	const char *id = db ? path_id(req) : NULL;
	if (!id)
		return;
	const char *problem = series_check(req);
	int taken = problem ? 0 : exists(db, "SELECT 1 FROM series WHERE slug = $1 AND id <> $2",
	                                 2, (const char *[]){field(req, "slug"), id});
	if (taken < 0) {
		http_db_error(req);
		return;
	}
	if (taken)
		problem = "Another series already has that address name (slug).";
	if (problem) {
		series_view(req, 422, id, problem);
		return;
	}
	PGresult *r = db_q(db, "UPDATE series SET slug = $2, title = $3, summary = $4 WHERE id = $1"
	                       " RETURNING id",
	                   id, field(req, "slug"), field(req, "title"), field(req, "summary"));
	if (!r) {
		if (!strcmp(db_last_sqlstate(), "23505"))
			series_view(req, 422, id, "Another series already has that address name (slug).");
		else
			http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (!n) {
		http_error(req, 404, "There is no such series.");
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/admin/series/%s?done=saved", id));
}

/* ---- courses ---- */

/* The course page (course_id set) or the new-course page (series_id). */
static void course_view(request *req, int status, const char *course_id, const char *series_id,
                        const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	PGresult *r = course_id
		? db_q(db,
		       "SELECT c.id, c.series_id, s.title AS series_title, c.title AS heading,"
		       " c.title, c.slug, c.position, c.tagline, c.overview, c.audience,"
		       " c.prerequisites, c.announced,"
		       " coalesce((SELECT string_agg(p.body, E'\\n' ORDER BY p.position)"
		       "  FROM course_points p WHERE p.course_id = c.id AND p.kind = 'domain'), '')"
		       "  AS domains,"
		       " coalesce((SELECT string_agg(p.body, E'\\n' ORDER BY p.position)"
		       "  FROM course_points p WHERE p.course_id = c.id AND p.kind = 'objective'), '')"
		       "  AS objectives"
		       " FROM courses c JOIN series s ON s.id = c.series_id WHERE c.id = $1",
		       course_id)
		: db_q(db,
		       "SELECT '' AS id, s.id AS series_id, s.title AS series_title, '' AS heading,"
		       " '' AS title, '' AS slug,"
		       " (SELECT coalesce(max(position), 0) + 1 FROM courses WHERE series_id = s.id)"
		       "  AS position, '' AS tagline, '' AS overview, '' AS audience,"
		       " '' AS prerequisites, true AS announced, '' AS domains, '' AS objectives"
		       " FROM series s WHERE s.id = $1",
		       series_id);
	PGresult *o = r ? db_q(db, OFFERING_LIST_SQL, course_id ? course_id : "0") : NULL;
	if (!o) {
		PQclear(r);
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		PQclear(o);
		http_error(req, 404, course_id ? "There is no such course." : "There is no such series.");
		return;
	}
	tv *v = form_view(req, error);
	view_row(req, v, r, 0);
	if (error) {
		view_form(req, v, course_fields);
		tv_set_bool(v, "announced", http_form(req, "announced") != NULL);
	}
	tv_set_bool(v, "is_new", course_id == NULL);
	tv_set_str(v, "action", course_id ? arena_sprintf(a, "/admin/courses/%s", course_id)
	                                  : arena_sprintf(a, "/admin/series/%s/courses",
	                                                  series_id));
	tv *offs = tv_set(v, "offerings", offering_list(req, o, course_id ? course_id : "0"));
	tv_set_bool(v, "has_offerings", offs->n > 0);
	const char *title = course_id ? arena_strdup(a, db_val(r, 0, 3)) : "New course";
	PQclear(r);
	PQclear(o);
	http_render(req, status, "admin_catalog_course", title, v);
}

static void course_new_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		course_view(req, 200, NULL, id, NULL);
}

static void course_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		course_view(req, 200, id, NULL, NULL);
}

typedef struct course_input {
	long long position;
	const char *domains, *objectives;   /* one per line, trimmed */
	int n_domains, n_objectives;
} course_input;

static const char *course_check(request *req, course_input *in)
{
	const char *title = field(req, "title"), *why = NULL;
	if (!*title || chars(title) > MAX_TITLE)
		return "Give the course a title of up to 200 characters.";
	if (!slug_ok(field(req, "slug")))
		return slug_help;
	if (!whole(field(req, "position"), 1, MAX_POSITION, &in->position))
		return "The position is the course's place in the series: a whole number from 1 "
		       "to 100.";
	if (chars(field(req, "tagline")) > MAX_SHORT)
		return "The tagline is longer than 500 characters.";
	if (chars(field(req, "overview")) > MAX_LONG || chars(field(req, "audience")) > MAX_LONG ||
	    chars(field(req, "prerequisites")) > MAX_LONG)
		return "The overview, audience and prerequisites are at most 20,000 characters each.";
	in->domains = point_lines(req, field(req, "domains"), "domains", &in->n_domains, &why);
	if (!in->domains)
		return why;
	in->objectives = point_lines(req, field(req, "objectives"), "objectives",
	                             &in->n_objectives, &why);
	return in->objectives ? NULL : why;
}


/* Create (course_id NULL, in series_id) or save a course and its domains
 * and objectives in one transaction. NULL on success with *out_id set;
 * else a problem for the form, db_failed or gone (rolled back). */
static const char *course_write(request *req, PGconn *db, const char *course_id,
                                const char *series_id, const course_input *in,
                                const char **out_id)
{
	const char *slug = field(req, "slug"), *position = num(req, in->position);
	const char *result = db_failed, *id = NULL;
	PGresult *r = NULL;
	if (!db_begin(db))
		goto fail;
	/* The series row is locked: two admins cannot both take a position. */
	int found = exists(db, "SELECT 1 FROM series WHERE id = $1 FOR UPDATE", 1, &series_id);
	if (found <= 0) {
		result = found ? db_failed : gone;
		goto fail;
	}
	r = db_q(db,
		"SELECT EXISTS (SELECT 1 FROM courses WHERE slug = $1 AND id IS DISTINCT FROM $2::bigint),"
		" EXISTS (SELECT 1 FROM courses WHERE series_id = $3 AND position = $4::int"
		" AND id IS DISTINCT FROM $2::bigint)",
		slug, course_id, series_id, position);
	if (!r)
		goto fail;
	if (db_val(r, 0, 0)[0] == 't' || db_val(r, 0, 1)[0] == 't') {
		result = db_val(r, 0, 0)[0] == 't'
			? "Another course already has that address name (slug)."
			: arena_sprintf(req->a, "Another course of this series is already at position "
			                        "%lld.", in->position);
		goto fail;
	}
	PQclear(r);
	const char *params[] = {course_id ? course_id : series_id, field(req, "title"), slug,
	                        position, field(req, "tagline"), field(req, "overview"),
	                        field(req, "audience"), field(req, "prerequisites"),
	                        http_form(req, "announced") ? "true" : "false"};
	r = db_query(db, course_id
		? "UPDATE courses SET title = $2, slug = $3, position = $4, tagline = $5,"
		  " overview = $6, audience = $7, prerequisites = $8, announced = $9"
		  " WHERE id = $1 RETURNING id"
		: "INSERT INTO courses (series_id, title, slug, position, tagline, overview,"
		  " audience, prerequisites, announced) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		  " RETURNING id",
		9, params);
	if (!r)
		goto fail;
	if (!PQntuples(r)) {
		result = gone;
		goto fail;
	}
	id = arena_strdup(req->a, db_val(r, 0, 0));
	PQclear(r);
	r = NULL;
	static const char points_sql[] =
		"INSERT INTO course_points (course_id, kind, position, body)"
		" SELECT $1, $2, t.n, t.body FROM string_to_table($3, E'\\n') WITH ORDINALITY"
		" AS t (body, n) WHERE $3 <> ''";
	if (!db_exec(db, "DELETE FROM course_points WHERE course_id = $1"
	                 " AND kind IN ('domain', 'objective')", 1, &id) ||
	    !db_exec(db, points_sql, 3, (const char *[]){id, "domain", in->domains}) ||
	    !db_exec(db, points_sql, 3, (const char *[]){id, "objective", in->objectives}) ||
	    !db_commit(db))
		goto fail;
	*out_id = id;
	return NULL;
fail:
	PQclear(r);
	db_rollback(db);
	return result;
}

/* Answer a course write: back to the page, or the form with its problem. */
static void course_answer(request *req, const char *problem, const char *course_id,
                          const char *series_id, const char *id)
{
	if (problem == db_failed)
		http_db_error(req);
	else if (problem == gone)
		http_error(req, 404, "That course or series no longer exists.");
	else if (problem)
		course_view(req, 422, course_id, series_id, problem);
	else
		http_redirect(req, arena_sprintf(req->a, "/admin/courses/%s?done=%s", id,
		                                 course_id ? "saved" : "created"));
}

static void course_create(request *req)
{
	PGconn *db = admin_db(req);
	const char *series_id = db ? path_id(req) : NULL, *id = NULL;
	if (!series_id)
		return;
	course_input in;
	const char *problem = course_check(req, &in);
	if (!problem)
		problem = course_write(req, db, NULL, series_id, &in, &id);
	course_answer(req, problem, NULL, series_id, id);
}

static void course_save(request *req)
{
	PGconn *db = admin_db(req);
	const char *course_id = db ? path_id(req) : NULL, *id = NULL;
	if (!course_id)
		return;
	PGresult *r = db_q(db, "SELECT series_id FROM courses WHERE id = $1", course_id);
	if (!r) {
		http_db_error(req);
		return;
	}
	const char *series_id = PQntuples(r) ? arena_strdup(req->a, db_val(r, 0, 0)) : NULL;
	PQclear(r);
	if (!series_id) {
		http_error(req, 404, "There is no such course.");
		return;
	}
	course_input in;
	const char *problem = course_check(req, &in);
	if (!problem)
		problem = course_write(req, db, course_id, series_id, &in, &id);
	course_answer(req, problem, course_id, series_id, id);
}

/* ---- offerings ---- */

typedef struct fee_input {
	const char *code, *label;
	const char *regular, *early;   /* cents as text; regular NULL: no row */
} fee_input;

typedef struct offering_input {
	const char *capacity;          /* NULL: no limit */
	const char *reg_date, *reg_time, *early_date, *early_time;   /* NULL: no deadline */
	const char *processing;        /* cents */
	const char *discount_min;      /* NULL: no group discount */
	const char *discount_percent;
	long long days;                /* the offering's length in days */
	fee_input fees[MAX_FEE_CATEGORIES];
	size_t n_fees;
} offering_input;

/* The fee categories (code, label) in order; NULL on failure. */
static PGresult *fee_categories(PGconn *db)
{
	return db_q0(db, "SELECT code, label FROM fee_categories ORDER BY position LIMIT 32");
}

/* Days from date a to date b (both checked YYYY-MM-DD). */
static long long days_between(const char *a, const char *b)
{
	struct tm ta = {.tm_year = atoi(a) - 1900, .tm_mon = atoi(a + 5) - 1,
	                .tm_mday = atoi(a + 8), .tm_hour = 12};
	struct tm tb = {.tm_year = atoi(b) - 1900, .tm_mon = atoi(b + 5) - 1,
	                .tm_mday = atoi(b + 8), .tm_hour = 12};
	return (long long)(timegm(&tb) - timegm(&ta)) / 86400;
}

/* A deadline typed as date + time: both blank (none) or both valid. */
static bool deadline(request *req, const char *date_name, const char *time_name,
                     const char **date, const char **time)
{
	const char *d = field(req, date_name), *t = field(req, time_name);
	*date = *time = NULL;
	if (!*d && !*t)
		return true;
	if (!date_ok(d) || clock_minutes(t) < 0)
		return false;
	*date = d;
	*time = t;
	return true;
}

static const char *offering_check(request *req, PGconn *db, const PGresult *cats,
                                  offering_input *in)
{
	arena *a = req->a;
	const char *starts = field(req, "starts_on"), *ends = field(req, "ends_on");
	const char *zone = field(req, "time_zone"), *format = field(req, "format");
	long long v;
	memset(in, 0, sizeof *in);
	if (!whole(field(req, "course_id"), 1, 999999999999LL, &v))
		return "Choose the course this offering belongs to.";
	int known = exists(db, "SELECT 1 FROM courses WHERE id = $1", 1,
	                   (const char *[]){field(req, "course_id")});
	if (known <= 0)
		return known ? db_failed : "Choose the course this offering belongs to.";
	if (!slug_ok(field(req, "slug")))
		return slug_help;
	if (!date_ok(starts))
		return "Give the first day as a date, like 2026-05-13.";
	if (!date_ok(ends))
		return "Give the last day as a date, like 2026-05-15.";
	in->days = days_between(starts, ends) + 1;
	if (in->days < 1)
		return "The last day cannot be before the first day.";
	if (in->days > MAX_DAYS)
		return "An offering lasts at most a year: check the dates.";
	if ((known = zone_known(db, zone)) <= 0)
		return known ? db_failed
		             : arena_sprintf(a, "Cairn does not know the time zone “%s”: use a name "
		                                "from the list, like America/New_York.", zone);
	if (strcmp(format, "live_online") && strcmp(format, "in_person"))
		return "Choose whether the offering is live online or in person.";
	if (chars(field(req, "location")) > MAX_SHORT)
		return "The location is longer than 500 characters.";
	const char *cap = field(req, "capacity");
	if (*cap && !whole(cap, 1, MAX_CAPACITY, &v))
		return "The capacity is a whole number of places from 1 to 100,000, or blank for no "
		       "limit.";
	in->capacity = or_null(cap);
	if (!deadline(req, "reg_date", "reg_time", &in->reg_date, &in->reg_time))
		return "Give the registration deadline as a date and a time, or leave both blank.";
	if (!deadline(req, "early_date", "early_time", &in->early_date, &in->early_time))
		return "Give the early-registration deadline as a date and a time, or leave both "
		       "blank.";
	if (in->reg_date && in->early_date &&
	    (strcmp(in->early_date, in->reg_date) > 0 ||
	     (!strcmp(in->early_date, in->reg_date) &&
	      clock_minutes(in->early_time) > clock_minutes(in->reg_time))))
		return "The early-registration deadline cannot be after the registration deadline.";
	long long cents = 0;
	money_result m = money_parse(field(req, "processing_fee"), &cents);
	if (m != MONEY_OK && m != MONEY_BLANK)
		return money_problem(req, m, "The processing fee");
	in->processing = num(req, m == MONEY_OK ? cents : 0);
	for (int i = 0; i < PQntuples(cats) && i < MAX_FEE_CATEGORIES; i++) {
		fee_input *f = &in->fees[in->n_fees++];
		f->code = db_val(cats, i, 0);
		f->label = db_val(cats, i, 1);
		long long regular = 0, early = 0;
		money_result mr = money_parse(field(req, arena_sprintf(a, "fee_regular_%s", f->code)),
		                              &regular);
		money_result me = money_parse(field(req, arena_sprintf(a, "fee_early_%s", f->code)),
		                              &early);
		if (mr != MONEY_OK && mr != MONEY_BLANK)
			return money_problem(req, mr, arena_sprintf(a, "The fee for %s", f->label));
		if (me != MONEY_OK && me != MONEY_BLANK)
			return money_problem(req, me, arena_sprintf(a, "The early fee for %s", f->label));
		if (mr == MONEY_BLANK && me == MONEY_OK)
			return arena_sprintf(a, "Give the regular fee for %s too, or leave both of its "
			                        "fees blank.", f->label);
		if (mr == MONEY_OK && me == MONEY_OK && early > regular)
			return arena_sprintf(a, "The early fee for %s (%s) is above its regular fee (%s).",
			                     f->label, money_format(a, early), money_format(a, regular));
		f->regular = mr == MONEY_OK ? num(req, regular) : NULL;
		f->early = me == MONEY_OK ? num(req, early) : NULL;
	}
	const char *size = field(req, "discount_min_size"), *pct = field(req, "discount_percent");
	if (*size && !whole(size, 2, MAX_TEAM, &v))
		return "The group discount's team size is a whole number from 2 to 1,000, or blank.";
	in->discount_min = or_null(size);
	if (*pct && !whole(pct, 0, 100, &v))
		return "The group discount is a percentage from 0 to 100.";
	in->discount_percent = *pct ? pct : "0";
	if (!in->discount_min && atoi(in->discount_percent) > 0)
		return "Give the smallest team the group discount applies to (2 or more).";
	if (chars(field(req, "credit_summary")) > MAX_SHORT)
		return "The credit summary is longer than 500 characters.";
	if (chars(field(req, "credits")) > MAX_LONG ||
	    chars(field(req, "cancellation_policy")) > MAX_LONG ||
	    chars(field(req, "notes")) > MAX_LONG)
		return "The credits, cancellation policy and notes are at most 20,000 characters each.";
	return NULL;
}

/* Create (id NULL) or save an offering with its fee table in one
 * transaction; a save also moves the agenda with the dates and zone (each
 * item keeps its day number and local times). NULL with *out_id on
 * success, else a problem for the form, db_failed or gone. */
static const char *offering_write(request *req, PGconn *db, const char *id,
                                  const offering_input *in, const char **out_id)
{
	arena *a = req->a;
	const char *result = db_failed, *old_zone = NULL;
	PGresult *r = NULL;
	if (!db_begin(db))
		goto fail;
	if (id) {
		/* Locked, so no one enrolls past the new capacity meanwhile. */
		r = db_q(db,
			"SELECT o.time_zone,"
			" (SELECT count(*) FROM enrollments e WHERE e.offering_id = o.id"
			"  AND e.role = 'learner' AND e.state <> 'cancelled'),"
			" (SELECT coalesce(max(day_number), 0) FROM agenda_items i"
			"  WHERE i.offering_id = o.id)"
			" FROM offerings o WHERE o.id = $1 FOR UPDATE", id);
		if (!r)
			goto fail;
		if (!PQntuples(r)) {
			result = gone;
			goto fail;
		}
		old_zone = arena_strdup(a, db_val(r, 0, 0));
		long long learners = atoll(db_val(r, 0, 1)), last_day = atoll(db_val(r, 0, 2));
		if (in->capacity && atoll(in->capacity) < learners) {
			result = arena_sprintf(a, "%s already enrolled: the capacity cannot be lower "
			                          "than that.",
			                       tv_count(a, learners, "learner is", "learners are")->s);
			goto fail;
		}
		if (last_day > in->days) {
			result = arena_sprintf(a, "The agenda has items on day %lld, after the last day "
			                          "of these dates: move or delete them first, or keep "
			                          "the dates.", last_day);
			goto fail;
		}
		PQclear(r);
		r = NULL;
	}
	const char *slug = field(req, "slug");
	int taken = exists(db, "SELECT 1 FROM offerings WHERE slug = $1"
	                       " AND id IS DISTINCT FROM $2::bigint", 2, (const char *[]){slug, id});
	if (taken) {
		result = taken > 0 ? "Another offering already has that address name (slug)."
		                   : db_failed;
		goto fail;
	}
	if (!id) {
		r = db_q(db, "INSERT INTO offerings (course_id, slug, starts_on, ends_on, format)"
		             " VALUES ($1, $2, $3, $4, $5) RETURNING id",
		         field(req, "course_id"), slug, field(req, "starts_on"), field(req, "ends_on"),
		         field(req, "format"));
		if (!r)
			goto fail;
		id = arena_strdup(a, db_val(r, 0, 0));
		PQclear(r);
		r = NULL;
	}
	const char *params[] = {
		id, field(req, "course_id"), slug, field(req, "starts_on"), field(req, "ends_on"),
		field(req, "time_zone"), field(req, "format"), field(req, "location"), in->capacity,
		in->reg_date, in->reg_time, in->early_date, in->early_time, in->processing,
		in->discount_min, in->discount_percent, field(req, "credit_summary"),
		field(req, "credits"), field(req, "cancellation_policy"), old_zone ? "false" : "true",
		field(req, "notes"),
	};
	if (!db_exec(db,
		"UPDATE offerings SET course_id = $2, slug = $3, starts_on = $4, ends_on = $5,"
		" time_zone = $6, format = $7, location = $8, capacity = $9,"
		" registration_deadline = ($10::date + $11::time) AT TIME ZONE $6,"
		" early_deadline = ($12::date + $13::time) AT TIME ZONE $6,"
		" processing_fee_cents = $14, group_discount_min_size = $15,"
		" group_discount_percent = $16, credit_summary = $17, credits = $18,"
		/* a new offering left blank gets the standard policy (the default) */
		" cancellation_policy = CASE WHEN $20::boolean AND $19 = '' THEN cancellation_policy"
		" ELSE $19 END, notes = $21 WHERE id = $1",
		21, params))
		goto fail;
	if (old_zone && !db_exec(db,
		"UPDATE agenda_items i SET"
		" starts_at = ((o.starts_on + (i.day_number - 1)) + (i.starts_at AT TIME ZONE $2)::time)"
		"  AT TIME ZONE o.time_zone,"
		" ends_at = ((o.starts_on + (i.day_number - 1)) + (i.ends_at AT TIME ZONE $2)::time)"
		"  AT TIME ZONE o.time_zone"
		" FROM offerings o WHERE o.id = i.offering_id AND i.offering_id = $1",
		2, (const char *[]){id, old_zone}))
		goto fail;
	if (!db_exec(db, "DELETE FROM offering_fees WHERE offering_id = $1", 1, &id))
		goto fail;
	for (size_t i = 0; i < in->n_fees; i++) {
		const fee_input *f = &in->fees[i];
		if (f->regular && !db_exec(db, "INSERT INTO offering_fees (offering_id, category,"
		                               " regular_cents, early_cents) VALUES ($1, $2, $3, $4)",
		                           4, (const char *[]){id, f->code, f->regular, f->early}))
			goto fail;
	}
	if (!db_commit(db))
		goto fail;
	*out_id = id;
	return NULL;
fail:
	if (result == db_failed && !strcmp(db_last_sqlstate(), "23505"))
		result = "Another offering already has that address name (slug).";
	PQclear(r);
	db_rollback(db);
	return result;
}

/* The offering page (offering_id set) or the new-offering page for a
 * course, its settings copied from the course's latest offering. */
static void offering_view(request *req, int status, const char *offering_id,
                          const char *course_id, const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	PGresult *r = offering_id
		? db_q(db,
		       "SELECT o.id, o.course_id, c.title AS course_title, c.series_id,"
		       " s.title AS series_title, o.slug AS heading, o.slug,"
		       " to_char(o.starts_on, 'YYYY-MM-DD') AS starts_on,"
		       " to_char(o.ends_on, 'YYYY-MM-DD') AS ends_on, o.time_zone, o.format,"
		       " o.location, coalesce(o.capacity::text, '') AS capacity,"
		       " coalesce(to_char(o.registration_deadline AT TIME ZONE o.time_zone,"
		       "  'YYYY-MM-DD'), '') AS reg_date,"
		       " coalesce(to_char(o.registration_deadline AT TIME ZONE o.time_zone,"
		       "  'HH24:MI'), '') AS reg_time,"
		       " coalesce(to_char(o.early_deadline AT TIME ZONE o.time_zone, 'YYYY-MM-DD'), '')"
		       "  AS early_date,"
		       " coalesce(to_char(o.early_deadline AT TIME ZONE o.time_zone, 'HH24:MI'), '')"
		       "  AS early_time,"
		       " o.processing_fee_cents, coalesce(o.group_discount_min_size::text, '')"
		       "  AS discount_min_size, o.group_discount_percent::text AS discount_percent,"
		       " o.credit_summary, o.credits, o.cancellation_policy, o.notes,"
		       " (SELECT count(*) FROM agenda_items i WHERE i.offering_id = o.id) AS items,"
		       " (SELECT count(*) FROM enrollments e WHERE e.offering_id = o.id"
		       "  AND e.role = 'learner' AND e.state <> 'cancelled') AS learners,"
		       " o.id AS fees_from, '' AS copied_from"
		       " FROM offerings o JOIN courses c ON c.id = o.course_id"
		       " JOIN series s ON s.id = c.series_id WHERE o.id = $1",
		       offering_id)
		: db_q(db,
		       "SELECT '' AS id, c.id AS course_id, c.title AS course_title, c.series_id,"
		       " s.title AS series_title, '' AS heading, '' AS slug, '' AS starts_on,"
		       " '' AS ends_on, coalesce(p.time_zone, 'America/New_York') AS time_zone,"
		       " coalesce(p.format, 'live_online') AS format,"
		       " coalesce(p.location, '') AS location,"
		       " coalesce(p.capacity::text, '') AS capacity, '' AS reg_date, '' AS reg_time,"
		       " '' AS early_date, '' AS early_time,"
		       " coalesce(p.processing_fee_cents, 0) AS processing_fee_cents,"
		       " coalesce(p.group_discount_min_size::text, '') AS discount_min_size,"
		       " coalesce(p.group_discount_percent, 0)::text AS discount_percent,"
		       " coalesce(p.credit_summary, '') AS credit_summary,"
		       " coalesce(p.credits, '') AS credits,"
		       " coalesce(p.cancellation_policy, '') AS cancellation_policy, '' AS notes,"
		       " 0 AS items, 0 AS learners, coalesce(p.id, 0) AS fees_from,"
		       " coalesce(p.slug, '') AS copied_from"
		       " FROM courses c JOIN series s ON s.id = c.series_id"
		       " LEFT JOIN LATERAL (SELECT * FROM offerings q WHERE q.course_id = c.id"
		       "  ORDER BY q.starts_on DESC, q.id DESC LIMIT 1) p ON true WHERE c.id = $1",
		       course_id);
	PGresult *f = r && PQntuples(r)
		? db_q(db, "SELECT fc.code, fc.label, f.regular_cents, f.early_cents"
		           " FROM fee_categories fc LEFT JOIN offering_fees f"
		           " ON f.category = fc.code AND f.offering_id = $1"
		           " ORDER BY fc.position LIMIT 32",
		       db_val(r, 0, PQfnumber(r, "fees_from")))
		: NULL;
	PGresult *c = f ? db_q0(db, "SELECT c.id, s.title || ' · ' || c.position || '. ' || c.title"
	                           " FROM courses c JOIN series s ON s.id = c.series_id"
	                           " ORDER BY s.id, c.position LIMIT 500") : NULL;
	if (!r || (PQntuples(r) && !c)) {
		PQclear(r);
		PQclear(f);
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		http_error(req, 404, offering_id ? "There is no such offering." : "There is no such course.");
		return;
	}
	tv *v = form_view(req, error);
	view_row(req, v, r, 0);
	tv_set_str(v, "processing_fee", dollars(req, db_val(r, 0, PQfnumber(r, "processing_fee_cents"))));
	tv_set(v, "items", tv_count(a, atoll(db_val(r, 0, PQfnumber(r, "items"))), "item", "items"));
	tv_set(v, "learners",
	       tv_count(a, atoll(db_val(r, 0, PQfnumber(r, "learners"))), "learner", "learners"));
	if (error)
		view_form(req, v, offering_fields);
	tv_set_bool(v, "is_new", offering_id == NULL);
	tv_set_str(v, "action", offering_id ? arena_sprintf(a, "/admin/offerings/%s", offering_id)
	                                    : arena_sprintf(a, "/admin/courses/%s/offerings",
	                                                    course_id));
	const char *chosen_course = tv_get(v, "course_id")->s;
	tv *cl = tv_set(v, "courses", tv_list(a));
	for (int i = 0; i < PQntuples(c); i++) {
		tv *o = tv_push(cl, tv_obj(a));
		tv_set_str(o, "value", arena_strdup(a, db_val(c, i, 0)));
		tv_set_str(o, "label", arena_strdup(a, db_val(c, i, 1)));
		tv_set_bool(o, "selected", !strcmp(chosen_course, db_val(c, i, 0)));
	}
	const char *fv[] = {formats[0].value, formats[1].value};
	const char *fl[] = {formats[0].label, formats[1].label};
	tv_set(v, "formats", choices(a, tv_get(v, "format")->s, fv, fl, 2));
	tv_set(v, "zones", zone_options(a, tv_get(v, "time_zone")->s));
	tv *fees = tv_set(v, "fees", tv_list(a));
	for (int i = 0; i < PQntuples(f); i++) {
		tv *o = tv_push(fees, tv_obj(a));
		const char *code = arena_strdup(a, db_val(f, i, 0));
		tv_set_str(o, "code", code);
		tv_set_str(o, "label", arena_strdup(a, db_val(f, i, 1)));
		if (error) {
			tv_set_str(o, "regular", field(req, arena_sprintf(a, "fee_regular_%s", code)));
			tv_set_str(o, "early", field(req, arena_sprintf(a, "fee_early_%s", code)));
		} else {
			tv_set_str(o, "regular", db_isnull(f, i, 2) ? "" : dollars(req, db_val(f, i, 2)));
			tv_set_str(o, "early", db_isnull(f, i, 3) ? "" : dollars(req, db_val(f, i, 3)));
		}
	}
	const char *title = offering_id ? arena_sprintf(a, "Offering %s", db_val(r, 0, 5))
	                                : "New offering";
	PQclear(r);
	PQclear(f);
	PQclear(c);
	http_render(req, status, "admin_offering", title, v);
}

static void offering_new_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		offering_view(req, 200, NULL, id, NULL);
}

static void offering_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		offering_view(req, 200, id, NULL, NULL);
}

/* Create (offering_id NULL, from course_id's page) or save. */
static void offering_post(request *req, const char *offering_id, const char *course_id)
{
	PGconn *db = http_db(req);
	PGresult *cats = fee_categories(db);
	if (!cats) {
		http_db_error(req);
		return;
	}
	offering_input in;
	const char *id = NULL, *problem = offering_check(req, db, cats, &in);
	if (!problem)
		problem = offering_write(req, db, offering_id, &in, &id);
	PQclear(cats);
	if (problem == db_failed)
		http_db_error(req);
	else if (problem == gone)
		http_error(req, 404, "There is no such offering.");
	else if (problem)
		offering_view(req, 422, offering_id, course_id, problem);
	else
		http_redirect(req, arena_sprintf(req->a, "/admin/offerings/%s?done=%s", id,
		                                 offering_id ? "saved" : "created"));
}

static void offering_create(request *req)
{
	const char *course_id;
	PGconn *db = admin_db(req);
	if (!db || !(course_id = path_id(req)))
		return;
	int known = exists(db, "SELECT 1 FROM courses WHERE id = $1", 1, &course_id);
	if (known <= 0) {
		if (known)
			http_db_error(req);
		else
			http_error(req, 404, "There is no such course.");
		return;
	}
	offering_post(req, NULL, course_id);
}

static void offering_save(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	int known = exists(db, "SELECT 1 FROM offerings WHERE id = $1", 1, &id);
	if (known <= 0) {
		if (known)
			http_db_error(req);
		else
			http_error(req, 404, "There is no such offering.");
		return;
	}
	offering_post(req, id, NULL);
}

/* ---- agenda ---- */

/* What the agenda pages show of their offering. */
typedef struct offering_head {
	const char *id, *slug, *course_id, *course_title, *series_id, *series_title, *dates;
	const char *zone;
	int days;          /* the offering's length */
	long long items;   /* agenda items it has */
	PGresult *day_rows;/* d, 'YYYY-MM-DD', 'Wednesday, May 13, 2026' per day (caller clears) */
} offering_head;

/* Load the head of offering id: 1, 0 (no such offering) or -1. */
static int offering_head_load(request *req, PGconn *db, const char *id, offering_head *h)
{
	arena *a = req->a;
	memset(h, 0, sizeof *h);
	PGresult *r = db_q(db,
		"SELECT o.id, o.slug, o.course_id, c.title, c.series_id, s.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' ||"
		" to_char(o.ends_on, 'FMMonth FMDD, YYYY'), o.time_zone,"
		" o.ends_on - o.starts_on + 1,"
		" (SELECT count(*) FROM agenda_items i WHERE i.offering_id = o.id)"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" JOIN series s ON s.id = c.series_id WHERE o.id = $1", id);
	if (!r)
		return -1;
	if (!PQntuples(r)) {
		PQclear(r);
		return 0;
	}
	const char **out[] = {&h->id, &h->slug, &h->course_id, &h->course_title, &h->series_id,
	                      &h->series_title, &h->dates, &h->zone};
	for (int c = 0; c < 8; c++)
		*out[c] = arena_strdup(a, db_val(r, 0, c));
	h->days = atoi(db_val(r, 0, 8));
	h->items = atoll(db_val(r, 0, 9));
	PQclear(r);
	h->day_rows = db_q(db,
		"SELECT d, to_char(o.starts_on + d - 1, 'YYYY-MM-DD'),"
		" to_char(o.starts_on + d - 1, 'FMDay, FMMonth FMDD, YYYY')"
		" FROM offerings o, generate_series(1, least(o.ends_on - o.starts_on + 1, 366)) AS d"
		" WHERE o.id = $1 ORDER BY d", id);
	return h->day_rows ? 1 : -1;
}

/* offering_head_load for a handler: false once the request is answered. */
static bool offering_head_get(request *req, PGconn *db, const char *id, offering_head *h)
{
	int found = offering_head_load(req, db, id, h);
	if (found == 1)
		return true;
	if (found == 0)
		http_error(req, 404, "There is no such offering.");
	else
		http_db_error(req);
	return false;
}

/* The head's keys on a view, and the day picker with selected marked. */
static void view_head(request *req, tv *v, const offering_head *h, const char *selected_day)
{
	arena *a = req->a;
	tv_set_str(v, "offering_id", h->id);
	tv_set_str(v, "offering_slug", h->slug);
	tv_set_str(v, "course_id", h->course_id);
	tv_set_str(v, "course_title", h->course_title);
	tv_set_str(v, "series_id", h->series_id);
	tv_set_str(v, "series_title", h->series_title);
	tv_set_str(v, "dates", h->dates);
	tv_set_str(v, "time_zone", zone_name(a, h->zone));
	tv *days = tv_set(v, "days", tv_list(a));
	for (int i = 0; i < PQntuples(h->day_rows); i++) {
		tv *o = tv_push(days, tv_obj(a));
		const char *d = arena_strdup(a, db_val(h->day_rows, i, 0));
		tv_set_str(o, "value", d);
		tv_set_str(o, "label", arena_sprintf(a, "Day %s · %s", d, db_val(h->day_rows, i, 2)));
		tv_set_bool(o, "selected", selected_day && !strcmp(selected_day, d));
	}
}

/* The date of day d ("Wednesday, May 13, 2026", or with iso
 * "2026-05-13"), copied into the arena; "" past the last day. */
static const char *day_label(request *req, const offering_head *h, int d, bool iso)
{
	if (d < 1 || d > PQntuples(h->day_rows))
		return "";
	return arena_strdup(req->a, db_val(h->day_rows, d - 1, iso ? 1 : 2));
}

/* One agenda item's insert, with its adult and pediatric breakouts when
 * it has tracks (titled as the demo titles them). Parameters: offering,
 * day, start, end (local HH:MM), title, kind, faculty, tracks. */
#define ITEM_INSERT_SQL                                                                    \
	"WITH i AS (INSERT INTO agenda_items (offering_id, day_number, starts_at, ends_at,"  \
	" title, kind, faculty, tracks)"                                                    \
	" SELECT o.id, $2::int,"                                                           \
	" ((o.starts_on + ($2::int - 1)) + $3::time) AT TIME ZONE o.time_zone,"             \
	" ((o.starts_on + ($2::int - 1)) + $4::time) AT TIME ZONE o.time_zone,"             \
	" $5, $6, $7, $8::boolean FROM offerings o WHERE o.id = $1"                         \
	" RETURNING id, title, tracks)"                                                    \
	" INSERT INTO agenda_breakouts (agenda_item_id, track, title, faculty)"             \
	" SELECT i.id, t.track, i.title || ' — ' || t.label, '' FROM i"                      \
	" CROSS JOIN (VALUES ('adult', 'Adult'), ('pediatric', 'Pediatric')) AS t (track, label)" \
	" WHERE i.tracks"

static void agenda_view(request *req, int status, const char *id, const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	offering_head h;
	if (!offering_head_get(req, db, id, &h))
		return;
	PGresult *r = db_q(db,
		"SELECT i.id, i.day_number,"
		" " ZONE_SQL("i.starts_at", "o.time_zone") ", " ZONE_SQL("i.ends_at", "o.time_zone") ","
		" i.title, i.kind, i.faculty, i.tracks"
		" FROM agenda_items i JOIN offerings o ON o.id = i.offering_id"
		" WHERE i.offering_id = $1 ORDER BY i.day_number, i.starts_at, i.id LIMIT 1000", id);
	if (!r) {
		PQclear(h.day_rows);
		http_db_error(req);
		return;
	}
	tv *v = form_view(req, error);
	const char *day = error ? field(req, "day") : "1";
	view_head(req, v, &h, day);
	if (error) {
		view_form(req, v, item_fields);
		tv_set_bool(v, "tracks", http_form(req, "tracks") != NULL);
	} else {
		const char *const blank[] = {"start", "end", "title", "faculty", NULL};
		for (size_t i = 0; blank[i]; i++)
			tv_set_str(v, blank[i], "");
		tv_set_str(v, "kind", "plenary");
		tv_set_bool(v, "tracks", false);
	}
	tv_set(v, "kinds", series_kind_choices(a, tv_get(v, "kind")->s));
	tv *days = tv_set(v, "agenda", tv_list(a));
	const char *reader = session_user(req)->time_zone;
	tv *items = NULL;
	const char *cur = "";
	for (int i = 0; i < PQntuples(r); i++) {
		if (!items || strcmp(cur, db_val(r, i, 1))) {
			cur = db_val(r, i, 1);
			tv *d = tv_push(days, tv_obj(a));
			tv_set_str(d, "day_number", arena_strdup(a, cur));
			tv_set_str(d, "date", day_label(req, &h, atoi(cur), false));
			items = tv_set(d, "items", tv_list(a));
		}
		tv *it = tv_push(items, tv_obj(a));
		tv_set_str(it, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set(it, "start", zone_time(a, db_val(r, i, 2), h.zone, reader, ZONE_CLOCK));
		tv_set(it, "end", zone_time(a, db_val(r, i, 3), h.zone, reader, ZONE_CLOCK));
		tv_set_str(it, "title", arena_strdup(a, db_val(r, i, 4)));
		tv_set_str(it, "kind", arena_strdup(a, db_val(r, i, 5)));
		bool tracks = db_val(r, i, 7)[0] == 't';
		tv_set_str(it, "kind_label", series_kind_label(db_val(r, i, 5), tracks));
		const char *fac = db_val(r, i, 6);
		tv_set(it, "faculty", *fac ? tv_str(a, arena_strdup(a, fac)) : tv_null(a));
		tv_set_bool(it, "tracks", tracks);
	}
	tv_set_bool(v, "has_agenda", days->n > 0);
	PQclear(r);
	PQclear(h.day_rows);
	http_render(req, status, "admin_agenda", arena_sprintf(a, "Agenda of %s", h.slug), v);
}

static void agenda_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		agenda_view(req, 200, id, NULL);
}

/* The item form's problem, or NULL; days is the offering's length. */
static const char *item_check(request *req, int days)
{
	long long d;
	const char *title = field(req, "title");
	if (!whole(field(req, "day"), 1, days, &d))
		return arena_sprintf(req->a, "Choose a day of this offering, from 1 to %d.", days);
	int start = clock_minutes(field(req, "start")), end = clock_minutes(field(req, "end"));
	if (start < 0 || end < 0)
		return "Give the start and the end as times of day, like 10:00 and 10:30.";
	if (end <= start)
		return "The end time must be after the start time (an item cannot run past "
		       "midnight).";
	if (!*title || chars(title) > AGENDA_IMPORT_MAX_TITLE)
		return "Give the item a title of up to 300 characters.";
	if (chars(field(req, "faculty")) > MAX_FACULTY)
		return "The faculty line is longer than 1,000 characters.";
	if (!series_kind_ok(field(req, "kind")))
		return "Choose what kind of item this is.";
	return NULL;
}

static void agenda_add(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	offering_head h;
	if (!offering_head_get(req, db, id, &h))
		return;
	PQclear(h.day_rows);
	const char *problem = item_check(req, h.days);
	if (problem) {
		agenda_view(req, 422, id, problem);
		return;
	}
	const char *params[] = {id, field(req, "day"), field(req, "start"), field(req, "end"),
	                        field(req, "title"), field(req, "kind"), field(req, "faculty"),
	                        http_form(req, "tracks") ? "true" : "false"};
	if (!db_exec(db, ITEM_INSERT_SQL, 8, params)) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/admin/offerings/%s/agenda?done=added", id));
}

static void item_view(request *req, int status, const char *item_id, const char *error)
{
	arena *a = req->a;
	PGconn *db = http_db(req);
	PGresult *r = db_q(db,
		"SELECT i.offering_id, i.day_number::text AS day,"
		" to_char(i.starts_at AT TIME ZONE o.time_zone, 'HH24:MI') AS start,"
		" to_char(i.ends_at AT TIME ZONE o.time_zone, 'HH24:MI') AS end,"
		" i.title, i.faculty, i.kind, i.tracks, i.title AS heading, i.id AS item_id"
		" FROM agenda_items i JOIN offerings o ON o.id = i.offering_id WHERE i.id = $1",
		item_id);
	if (!r) {
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		http_error(req, 404, "There is no such agenda item.");
		return;
	}
	offering_head h;
	const char *offering_id = arena_strdup(a, db_val(r, 0, 0));
	if (!offering_head_get(req, db, offering_id, &h)) {
		PQclear(r);
		return;
	}
	tv *v = form_view(req, error);
	view_row(req, v, r, 0);
	PQclear(r);
	if (error) {
		view_form(req, v, item_fields);
		tv_set_bool(v, "tracks", http_form(req, "tracks") != NULL);
	}
	view_head(req, v, &h, tv_get(v, "day")->s);
	tv_set(v, "kinds", series_kind_choices(a, tv_get(v, "kind")->s));
	PQclear(h.day_rows);
	http_render(req, status, "admin_agenda_item", tv_get(v, "heading")->s, v);
}

static void item_page(request *req)
{
	const char *id;
	if (admin_db(req) && (id = path_id(req)))
		item_view(req, 200, id, NULL);
}

static void item_save(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	PGresult *r = db_q(db, "SELECT o.ends_on - o.starts_on + 1, o.id FROM agenda_items i"
	                       " JOIN offerings o ON o.id = i.offering_id WHERE i.id = $1", id);
	if (!r) {
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		http_error(req, 404, "There is no such agenda item.");
		return;
	}
	int days = atoi(db_val(r, 0, 0));
	const char *offering_id = arena_strdup(req->a, db_val(r, 0, 1));
	PQclear(r);
	const char *problem = item_check(req, days);
	if (problem) {
		item_view(req, 422, id, problem);
		return;
	}
	const char *tracks = http_form(req, "tracks") ? "true" : "false";
	const char *params[] = {id, field(req, "day"), field(req, "start"), field(req, "end"),
	                        field(req, "title"), field(req, "kind"), field(req, "faculty"),
	                        tracks};
	/* Breakouts follow the tracks flag; one still titled after the old
	 * title ("<title> — Adult") is renamed with the item. */
	bool ok = db_begin(db) &&
		db_exec(db,
			"WITH old AS (SELECT title FROM agenda_items WHERE id = $1 FOR UPDATE),"
			" moved AS (UPDATE agenda_items i SET day_number = $2::int,"
			" starts_at = ((o.starts_on + ($2::int - 1)) + $3::time) AT TIME ZONE o.time_zone,"
			" ends_at = ((o.starts_on + ($2::int - 1)) + $4::time) AT TIME ZONE o.time_zone,"
			" title = $5, kind = $6, faculty = $7, tracks = $8::boolean"
			" FROM offerings o WHERE o.id = i.offering_id AND i.id = $1 RETURNING i.id)"
			" UPDATE agenda_breakouts b SET title = $5 || ' — ' ||"
			" CASE b.track WHEN 'adult' THEN 'Adult' ELSE 'Pediatric' END"
			" FROM old WHERE b.agenda_item_id = $1 AND b.title = old.title || ' — ' ||"
			" CASE b.track WHEN 'adult' THEN 'Adult' ELSE 'Pediatric' END",
			8, params) &&
		db_exec(db, "DELETE FROM agenda_breakouts WHERE agenda_item_id = $1 AND NOT $2::boolean",
		        2, (const char *[]){id, tracks}) &&
		db_exec(db,
			"INSERT INTO agenda_breakouts (agenda_item_id, track, title, faculty)"
			" SELECT $1, t.track, $2 || ' — ' || t.label, ''"
			" FROM (VALUES ('adult', 'Adult'), ('pediatric', 'Pediatric')) AS t (track, label)"
			" WHERE $3::boolean ON CONFLICT (agenda_item_id, track) DO NOTHING",
			3, (const char *[]){id, field(req, "title"), tracks}) &&
		db_commit(db);
	if (!ok) {
		write_failed(req, db);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/admin/offerings/%s/agenda?done=saved",
	                                 offering_id));
}

static void item_delete(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	PGresult *r = db_q(db, "DELETE FROM agenda_items WHERE id = $1 RETURNING offering_id", id);
	if (!r) {
		if (!strcmp(db_last_sqlstate(), "23503"))
			http_error(req, 409, "Other records refer to this agenda item, so it cannot be "
			                     "deleted. Nothing was changed.");
		else
			http_db_error(req);
		return;
	}
	const char *offering_id = PQntuples(r) ? arena_strdup(req->a, db_val(r, 0, 0)) : NULL;
	PQclear(r);
	if (!offering_id) {
		http_error(req, 404, "There is no such agenda item.");
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/admin/offerings/%s/agenda?done=deleted",
	                                 offering_id));
}

/* ---- agenda import ---- */

enum { IMPORT_MAX_TEXT = 100000 };   /* characters of pasted schedule */

/* The text's fingerprint, so the import can tell it is what was previewed. */
static const char *fingerprint(request *req, const char *text)
{
	uint8_t h[CRYPTO_HASH_BYTES];
	crypto_digest(text, strlen(text), h);
	char *out = arena_alloc(req->a, 4 * ((CRYPTO_HASH_BYTES + 2) / 3) + 1);
	crypto_b64url_encode(h, sizeof h, out);
	return out;
}

/* The items past the offering's last day, as problems added to the
 * parser's (so nothing is imported until they are fixed). */
static void beyond_last_day(request *req, const offering_head *h, agenda_import *p)
{
	size_t extra = 0;
	for (size_t i = 0; i < p->n_items; i++)
		extra += p->items[i].day > h->days;
	if (!extra)
		return;
	agenda_import_problem *all = arena_alloc(req->a, (p->n_problems + extra) * sizeof *all);
	size_t n = 0, k = 0;
	for (size_t i = 0; i < p->n_items; i++) {
		const agenda_import_item *it = &p->items[i];
		if (it->day <= h->days)
			continue;
		while (k < p->n_problems && p->problems[k].line < it->line)
			all[n++] = p->problems[k++];
		all[n++] = (agenda_import_problem){
			it->line, it->title,
			arena_sprintf(req->a, "This item is on day %d, but the offering has %d day%s: "
			                      "check its “Day” heading or the offering's dates.",
			              it->day, h->days, h->days == 1 ? "" : "s")};
	}
	while (k < p->n_problems)
		all[n++] = p->problems[k++];
	p->problems = all;
	p->n_problems = n;
}

/* The import page: the form, and the preview of p when there is one. */
static void import_view(request *req, int status, const offering_head *h, const char *text,
                        const agenda_import *p, const char *error)
{
	arena *a = req->a;
	tv *v = form_view(req, error);
	view_head(req, v, h, NULL);
	tv_set_str(v, "schedule", text);
	const char *mode = field(req, "mode");
	if (strcmp(mode, "replace") && strcmp(mode, "append"))
		mode = h->items ? "append" : "replace";
	tv_set_bool(v, "replace", !strcmp(mode, "replace"));
	tv_set_bool(v, "append", !strcmp(mode, "append"));
	tv_set(v, "existing", h->items ? tv_count(a, h->items, "item", "items") : tv_null(a));
	tv_set_bool(v, "preview", p != NULL);
	tv_set_str(v, "previewed", p ? fingerprint(req, text) : "");
	tv *days = tv_set(v, "preview_days", tv_list(a));
	tv *problems = tv_set(v, "problems", tv_list(a));
	tv *dates = tv_set(v, "date_notes", tv_list(a));
	size_t n_items = p ? p->n_items : 0, n_problems = p ? p->n_problems : 0;
	tv *items = NULL;
	int cur = 0;
	for (size_t i = 0; i < n_items; i++) {
		const agenda_import_item *it = &p->items[i];
		if (!items || it->day != cur) {
			cur = it->day;
			tv *d = tv_push(days, tv_obj(a));
			tv_set_int(d, "day_number", cur);
			const char *label = day_label(req, h, cur, false), *iso = day_label(req, h, cur, true);
			tv_set(d, "date", *label ? tv_str(a, label) : tv_null(a));
			items = tv_set(d, "items", tv_list(a));
			if (*it->date && *iso && strcmp(it->date, iso))
				tv_push(dates, tv_strf(a, "Day %d: %s in the text, %s here.", cur,
				                       long_date(a, it->date), label));
		}
		tv *o = tv_push(items, tv_obj(a));
		tv_set_str(o, "start", clock12(a, it->start_min));
		tv_set_str(o, "end", clock12(a, it->end_min));
		tv_set_str(o, "title", it->title);
		tv_set(o, "faculty", *it->faculty ? tv_str(a, it->faculty) : tv_null(a));
		tv_set_str(o, "kind", it->kind);
		tv_set_str(o, "kind_label", series_kind_label(it->kind, it->tracks));
		tv_set_bool(o, "tracks", it->tracks);
		tv_set_int(o, "line", it->line);
	}
	for (size_t i = 0; i < n_problems; i++) {
		tv *o = tv_push(problems, tv_obj(a));
		tv_set_int(o, "line", p->problems[i].line);
		tv_set_str(o, "text", p->problems[i].text);
		tv_set_str(o, "why", p->problems[i].why);
	}
	size_t dropped = p ? p->n_problems_dropped : 0;
	tv_set(v, "more_problems", dropped ? tv_int(a, (long long)dropped) : tv_null(a));
	tv_set_bool(v, "has_date_notes", dates->n > 0);
	tv_set_bool(v, "has_problems", n_problems > 0);
	tv_set(v, "n_items", tv_count(a, (long long)n_items, "item", "items"));
	tv_set(v, "n_problems", tv_count(a, (long long)(n_problems + dropped), "line", "lines"));
	tv_set_bool(v, "has_items", n_items > 0);
	tv_set_bool(v, "importable", p && n_items > 0 && n_problems == 0);
	tv_set(v, "note", p && p->note ? tv_str(a, p->note) : tv_null(a));
	http_render(req, status, "admin_agenda_import",
	            arena_sprintf(a, "Import the agenda of %s", h->slug), v);
}

static void import_page(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	offering_head h;
	if (!offering_head_get(req, db, id, &h))
		return;
	import_view(req, 200, &h, "", NULL, NULL);
	PQclear(h.day_rows);
}

/* Replace or extend the agenda with the parsed items in one transaction.
 * NULL on success, else a problem for the form, db_failed or gone. */
static const char *import_write(request *req, PGconn *db, const char *id, bool replace,
                                const agenda_import *p)
{
	if (!db_begin(db))
		return db_failed;
	int found = exists(db, "SELECT 1 FROM offerings WHERE id = $1 FOR UPDATE", 1, &id);
	if (found <= 0) {
		db_rollback(db);
		return found ? db_failed : gone;
	}
	if (replace && !db_exec(db, "DELETE FROM agenda_items WHERE offering_id = $1", 1, &id)) {
		bool referenced = !strcmp(db_last_sqlstate(), "23503");
		db_rollback(db);
		return referenced ? "Other records refer to items of this agenda, so it cannot be "
		                    "replaced: add the new items to it instead, or delete the old "
		                    "items one by one."
		                  : db_failed;
	}
	for (size_t i = 0; i < p->n_items; i++) {
		const agenda_import_item *it = &p->items[i];
		const char *params[] = {id, num(req, it->day), it->start, it->end, it->title,
		                        it->kind, it->faculty, it->tracks ? "true" : "false"};
		if (!db_exec(db, ITEM_INSERT_SQL, 8, params)) {
			db_rollback(db);
			return db_failed;
		}
	}
	if (!db_commit(db)) {
		db_rollback(db);
		return db_failed;
	}
	return NULL;
}

/* Preview the pasted schedule; with confirm=1 import it as previewed. */
static void import_post(request *req)
{
	const char *id;
	PGconn *db = admin_db(req);
	if (!db || !(id = path_id(req)))
		return;
	offering_head h;
	if (!offering_head_get(req, db, id, &h))
		return;
	const char *text = field(req, "schedule"), *mode = field(req, "mode");
	const char *previewed = or_null(field(req, "previewed"));
	bool confirm = !strcmp(field(req, "confirm"), "1");
	agenda_import p;
	const char *problem = NULL;
	if (chars(text) > IMPORT_MAX_TEXT) {
		import_view(req, 422, &h, text, NULL, "The schedule is longer than 100,000 "
		                                      "characters: import it in parts.");
		goto out;
	}
	agenda_import_parse(req->a, text, strlen(text), &p);
	beyond_last_day(req, &h, &p);
	if (p.n_problems)
		problem = confirm ? "Nothing was imported: fix the lines listed below (or delete "
		                    "them), preview again, then import."
		                  : "Some lines cannot be read: fix them (or delete them) and "
		                    "preview again.";
	else if (!p.n_items)
		problem = "Paste the schedule first: no agenda items were found in the text.";
	else if (confirm && strcmp(mode, "replace") && strcmp(mode, "append"))
		problem = "Choose whether the imported items replace the agenda or are added to it.";
	else if (confirm && previewed && strcmp(previewed, fingerprint(req, text)))
		problem = "The text changed since the preview: check the preview below, then import.";
	if (problem || !confirm) {
		import_view(req, problem ? 422 : 200, &h, text, &p, problem);
		goto out;
	}
	problem = import_write(req, db, id, !strcmp(mode, "replace"), &p);
	if (problem == db_failed)
		http_db_error(req);
	else if (problem == gone)
		http_error(req, 404, "There is no such offering.");
	else if (problem)
		import_view(req, 422, &h, text, &p, problem);
	else
		http_redirect(req, arena_sprintf(req->a, "/admin/offerings/%s/agenda?done=imported",
		                                 id));
out:
	PQclear(h.day_rows);
}

void catalog_routes(router *r)
{
	router_add(r, "GET", "/admin/series", index_page, ACCESS_ADMIN,
	           "the catalogue: series, courses, offerings");
	router_add(r, "POST", "/admin/series", series_create, ACCESS_ADMIN, "create a series");
	router_add(r, "GET", "/admin/series/:id", series_page, ACCESS_ADMIN,
	           "a series and its courses");
	router_add(r, "POST", "/admin/series/:id", series_save, ACCESS_ADMIN, "save a series");
	router_add(r, "GET", "/admin/series/:id/courses/new", course_new_page, ACCESS_ADMIN,
	           "new course form");
	router_add(r, "POST", "/admin/series/:id/courses", course_create, ACCESS_ADMIN,
	           "create a course");
	router_add(r, "GET", "/admin/courses/:id", course_page, ACCESS_ADMIN,
	           "a course and its offerings");
	router_add(r, "POST", "/admin/courses/:id", course_save, ACCESS_ADMIN, "save a course");
	router_add(r, "GET", "/admin/courses/:id/offerings/new", offering_new_page, ACCESS_ADMIN,
	           "new offering form");
	router_add(r, "POST", "/admin/courses/:id/offerings", offering_create, ACCESS_ADMIN,
	           "create an offering");
	router_add(r, "GET", "/admin/offerings/:id", offering_page, ACCESS_ADMIN,
	           "an offering: dates, fees, deadlines");
	router_add(r, "POST", "/admin/offerings/:id", offering_save, ACCESS_ADMIN,
	           "save an offering");
	router_add(r, "GET", "/admin/offerings/:id/agenda", agenda_page, ACCESS_ADMIN,
	           "an offering's agenda by day");
	router_add(r, "POST", "/admin/offerings/:id/agenda", agenda_add, ACCESS_ADMIN,
	           "add an agenda item");
	router_add(r, "GET", "/admin/offerings/:id/agenda/import", import_page, ACCESS_ADMIN,
	           "paste a schedule to import");
	router_add(r, "POST", "/admin/offerings/:id/agenda/import", import_post, ACCESS_ADMIN,
	           "preview a pasted schedule; confirm=1 imports it");
	router_add(r, "GET", "/admin/agenda-items/:id", item_page, ACCESS_ADMIN,
	           "edit an agenda item");
	router_add(r, "POST", "/admin/agenda-items/:id", item_save, ACCESS_ADMIN,
	           "save an agenda item");
	router_add(r, "POST", "/admin/agenda-items/:id/delete", item_delete, ACCESS_ADMIN,
	           "delete an agenda item");
}
