/*
 * timeline.c - see timeline.h. Four statements, whatever the number of
 * entries: the runs the learner took or wrote about (with their series'
 * courses and the days of each run), the entries in clear (newest
 * TIMELINE_MAX_ENTRIES), the prompts open to them (prompt_open_list), and
 * the titles of those entries (journal_titles, the only decryption).
 *
 * An entry's day: the agenda day of the prompt it was written from, when
 * that prompt is of the entry's course; else the day of the course it was
 * written on (in the course's zone), or "before" / "after the course".
 */
#include "cairn/timeline.h"
#include "cairn/authz.h"
#include "cairn/db.h"
#include "cairn/journal.h"
#include "cairn/prompt.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Day numbers for the entries written outside a run's days. */
enum { DAY_BEFORE = 0, DAY_AFTER = 1000 };

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static const char *reader_zone(const user *u)
{
	return u->time_zone && *u->time_zone ? u->time_zone : "UTC";
}

/* A run of a course on the page, and its days. */
typedef struct run {
	long long id;
	tv *view;      /* {label, slug, dates, days, has_days} */
	tv *days;      /* list of {n, label, prompts, entries} in day order */
} run;

static tv *find_day(arena *a, run *r, int n, const char *label)
{
	tv *days = r->days;
	size_t at = days->n;
	for (size_t i = 0; i < days->n; i++) {
		int k = atoi(tv_get(days->items[i], "n")->s);
		if (k == n)
			return days->items[i];
		if (k > n) {
			at = i;
			break;
		}
	}
	if (!label)
		return NULL;
	tv *d = tv_obj(a);
	tv_set_str(d, "n", num(a, n));
	tv_set_str(d, "label", label);
	tv_set(d, "prompts", tv_list(a));
	tv_set(d, "entries", tv_list(a));
	tv_push(days, d);   /* grows the list, then moves it into place */
	memmove(&days->items[at + 1], &days->items[at], (days->n - 1 - at) * sizeof days->items[0]);
	days->items[at] = d;
	return d;
}

static run *find_run(run *runs, int n, long long id)
{
	for (int i = 0; i < n; i++)
		if (runs[i].id == id)
			return &runs[i];
	return NULL;
}

/* The runs of the learner's courses with their series and days; the
 * series as the page's top list. NULL on a database error. */
static tv *load_runs(request *req, PGconn *db, run **out, int *n_out)
{
	arena *a = req->a;
	user *u = session_user(req);
	/* Runs: confirmed learner enrollments, and courses entries were written
	 * about; every course of their series, for the path; each run's days. */
	PGresult *r = db_q(db,
		"WITH runs AS (SELECT o.id, o.course_id FROM offerings o WHERE o.id IN ("
		"  SELECT offering_id FROM enrollments WHERE user_id = $1 AND role = 'learner'"
		"   AND state = 'confirmed'"
		"  UNION SELECT offering_id FROM journal_entries WHERE user_id = $1"
		"   AND offering_id IS NOT NULL)),"
		" sr AS (SELECT DISTINCT c.series_id FROM runs JOIN courses c ON c.id = runs.course_id)"
		" SELECT se.id AS series_id, se.title AS series, c.id AS course_id, c.position,"
		" c.title AS course, c.announced, o.id AS offering_id, o.slug,"
		" to_char(o.starts_on, 'FMMonth YYYY') AS month,"
		" CASE WHEN o.starts_on = o.ends_on THEN to_char(o.starts_on, 'FMMonth FMDD, YYYY')"
		"  WHEN date_trunc('month', o.starts_on) = date_trunc('month', o.ends_on)"
		"  THEN to_char(o.starts_on, 'FMMonth FMDD') || '–' || to_char(o.ends_on, 'FMDD, YYYY')"
		"  WHEN date_part('year', o.starts_on) = date_part('year', o.ends_on)"
		"  THEN to_char(o.starts_on, 'FMMonth FMDD') || '–' || to_char(o.ends_on, 'FMMonth FMDD, YYYY')"
		"  ELSE to_char(o.starts_on, 'FMMonth FMDD, YYYY') || '–'"
		"  || to_char(o.ends_on, 'FMMonth FMDD, YYYY') END AS dates,"
		" (o.starts_on > (cairn_now() AT TIME ZONE o.time_zone)::date) AS upcoming,"
		" (SELECT string_agg(to_char(o.starts_on + d - 1, 'FMDay, FMMonth FMDD'), '|' ORDER BY d)"
		"  FROM generate_series(1, o.ends_on - o.starts_on + 1) d) AS days"
		" FROM sr JOIN series se ON se.id = sr.series_id"
		" JOIN courses c ON c.series_id = se.id"
		" LEFT JOIN offerings o ON o.course_id = c.id AND o.id IN (SELECT id FROM runs)"
		" ORDER BY se.title, se.id, c.position, o.starts_on, o.id",
		num(a, u->id));
	if (!r)
		return NULL;
	int rows = PQntuples(r);
	run *runs = arena_calloc(a, (size_t)(rows ? rows : 1), sizeof *runs);
	int n = 0;
	tv *series = tv_list(a), *se = NULL, *course = NULL;
	const char *last_series = "", *last_course = "";
	for (int i = 0; i < rows; i++) {
		if (strcmp(db_col(r, i, "series_id"), last_series)) {
			last_series = arena_strdup(a, db_col(r, i, "series_id"));
			se = tv_push(series, tv_obj(a));
			tv_set_str(se, "title", arena_strdup(a, db_col(r, i, "series")));
			tv_set(se, "courses", tv_list(a));
		}
		if (strcmp(db_col(r, i, "course_id"), last_course)) {
			last_course = arena_strdup(a, db_col(r, i, "course_id"));
			course = tv_push(tv_get(se, "courses"), tv_obj(a));
			tv_set_str(course, "title", arena_strdup(a, db_col(r, i, "course")));
			tv_set_str(course, "position", arena_strdup(a, db_col(r, i, "position")));
			tv_set_bool(course, "announced", db_col(r, i, "announced")[0] == 't');
			tv_set(course, "runs", tv_list(a));
			tv_set_bool(course, "has_runs", false);
		}
		if (db_isnull(r, i, PQfnumber(r, "offering_id")))
			continue;
		run *x = &runs[n++];
		x->id = atoll(db_col(r, i, "offering_id"));
		x->view = tv_push(tv_get(course, "runs"), tv_obj(a));
		tv_set_bool(course, "has_runs", true);
		tv_set_str(x->view, "label", arena_strdup(a, db_col(r, i, "month")));
		tv_set_str(x->view, "slug", arena_strdup(a, db_col(r, i, "slug")));
		tv_set_str(x->view, "dates", arena_strdup(a, db_col(r, i, "dates")));
		tv_set_bool(x->view, "upcoming", db_col(r, i, "upcoming")[0] == 't');
		x->days = tv_set(x->view, "days", tv_list(a));
		/* The run's own days, as headings for what happened on them. */
		char *days = arena_strdup(a, db_col(r, i, "days"));
		int d = 1;
		for (char *s = days, *bar; s && *s; s = bar ? bar + 1 : NULL, d++) {
			bar = strchr(s, '|');
			if (bar)
				*bar = '\0';
			tv *day = tv_obj(a);
			tv_set_str(day, "n", num(a, d));
			tv_set_str(day, "label", arena_sprintf(a, "Day %d · %s", d, s));
			tv_set(day, "prompts", tv_list(a));
			tv_set(day, "entries", tv_list(a));
			tv_set_bool(day, "used", false);
			tv_push(x->days, day);
		}
	}
	PQclear(r);
	*out = runs;
	*n_out = n;
	return series;
}

/* An entry's line: {id, title, day, at, open, locked, damaged}. */
static tv *entry_line(arena *a, const char *id, const char *day, tv *at, const journal_title *t)
{
	tv *e = tv_obj(a);
	tv_set_str(e, "id", id);
	tv_set_str(e, "day", day);
	tv_set(e, "at", at);
	tv_set_bool(e, "open", t->open);
	tv_set_bool(e, "locked", !t->open && t->locked);
	tv_set_bool(e, "damaged", !t->open && !t->locked);
	tv_set_str(e, "title", t->open && *t->title ? t->title : NULL);
	return e;
}

static void timeline_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *zone = reader_zone(u);
	run *runs = NULL;
	int n_runs = 0;
	tv *series = load_runs(req, db, &runs, &n_runs);
	PGresult *r = series ? db_q(db,
		"SELECT e.id, coalesce(e.offering_id, 0) AS offering_id,"
		" coalesce(e.prompt_id, 0) AS prompt_id,"
		" " ZONE_SQL("e.created_at", "$2") " AS at,"
		" to_char(e.created_at AT TIME ZONE $2, 'FMDD FMMonth YYYY') AS day_text,"
		" CASE WHEN jai.offering_id = e.offering_id THEN jai.day_number"
		"  WHEN (e.created_at AT TIME ZONE o.time_zone)::date < o.starts_on THEN $4::int"
		"  WHEN (e.created_at AT TIME ZONE o.time_zone)::date > o.ends_on THEN $5::int"
		"  ELSE (e.created_at AT TIME ZONE o.time_zone)::date - o.starts_on + 1 END AS day"
		" FROM journal_entries e LEFT JOIN offerings o ON o.id = e.offering_id"
		" LEFT JOIN journal_prompts jp ON jp.id = e.prompt_id"
		" LEFT JOIN agenda_items jai ON jai.id = jp.agenda_item_id"
		" WHERE e.user_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT $3::int",
		num(a, u->id), zone, num(a, TIMELINE_MAX_ENTRIES), num(a, DAY_BEFORE),
		num(a, DAY_AFTER)) : NULL;
	prompt_open *prompts = NULL;
	int n_prompts = r ? prompt_open_list(db, a, u->id, session_now_param(req), zone, &prompts)
	                  : -1;
	int n = r ? PQntuples(r) : 0;
	long long *ids = arena_calloc(a, (size_t)(n ? n : 1), sizeof *ids);
	for (int i = 0; i < n; i++)
		ids[i] = atoll(db_col(r, i, "id"));
	journal_title *titles = arena_calloc(a, (size_t)(n ? n : 1), sizeof *titles);
	if (n_prompts < 0 || !journal_titles(req, db, ids, n, titles)) {
		PQclear(r);
		http_db_error(req);
		return;
	}

	/* Prompts first, in the agenda's order, under their run's day. */
	tv **prompt_views = arena_calloc(a, (size_t)(n_prompts ? n_prompts : 1),
	                                 sizeof *prompt_views);
	for (int i = 0; i < n_prompts; i++) {
		run *x = find_run(runs, n_runs, prompts[i].offering_id);
		tv *day = x ? find_day(a, x, prompts[i].day,
		                       arena_sprintf(a, "Day %d", prompts[i].day)) : NULL;
		if (!day)
			continue;
		tv *p = tv_push(tv_get(day, "prompts"), tv_obj(a));
		tv_set_str(p, "id", num(a, prompts[i].id));
		tv_set_str(p, "text", prompts[i].text);
		tv_set_str(p, "session", prompts[i].session);
		tv_set(p, "opened", prompts[i].opened);
		tv_set(p, "entries", tv_list(a));
		tv_set_bool(day, "used", true);
		prompt_views[i] = p;
	}
	/* Entries oldest first: under their prompt, else their run's day, else
	 * with the entries of no course. */
	tv *loose = tv_list(a);
	/* Without a key in this session nothing opens: entries are listed by
	 * date alone, not as locked. */
	bool keyed = session_of(req)->jmk_wrap != NULL;
	for (int i = 0; !keyed && i < n; i++)
		titles[i] = (journal_title){.id = ids[i], .open = true, .title = ""};
	for (int i = n - 1; i >= 0; i--) {
		const char *id = arena_strdup(a, db_col(r, i, "id"));
		const char *day_text = arena_strdup(a, db_col(r, i, "day_text"));
		tv *line = entry_line(a, id, day_text, zone_time(a, db_col(r, i, "at"), zone, zone,
		                                                 ZONE_SHORT), &titles[i]);
		long long pid = atoll(db_col(r, i, "prompt_id"));
		tv *p = NULL;
		for (int k = 0; pid && k < n_prompts && !p; k++)
			if (prompts[k].id == pid)
				p = prompt_views[k];
		if (p) {
			tv_push(tv_get(p, "entries"), line);
			continue;
		}
		run *x = find_run(runs, n_runs, atoll(db_col(r, i, "offering_id")));
		if (!x) {
			tv_push(loose, line);
			continue;
		}
		int d = atoi(db_col(r, i, "day"));
		tv *day = find_day(a, x, d, d == DAY_BEFORE ? "Before the course"
		                            : d == DAY_AFTER ? "After the course"
		                            : arena_sprintf(a, "Day %d", d));
		tv_push(tv_get(day, "entries"), line);
		tv_set_bool(day, "used", true);
	}
	PQclear(r);

	/* Only the days something happened on; flags for the template. */
	for (int i = 0; i < n_runs; i++) {
		tv *days = runs[i].days;
		size_t k = 0;
		for (size_t j = 0; j < days->n; j++) {
			tv *d = days->items[j];
			if (!tv_get(d, "used")->b)
				continue;
			tv *ps = tv_get(d, "prompts");
			for (size_t q = 0; q < ps->n; q++)
				tv_set_bool(ps->items[q], "written", tv_get(ps->items[q], "entries")->n > 0);
			tv_set_bool(d, "has_entries", tv_get(d, "entries")->n > 0);
			days->items[k++] = d;
		}
		days->n = k;
		tv_set_bool(runs[i].view, "has_days", k > 0);
	}
	tv *v = tv_obj(a);
	tv_set(v, "series", series);
	tv_set_bool(v, "has_series", series->n > 0);
	tv_set(v, "loose", loose);
	tv_set_bool(v, "has_loose", loose->n > 0);
	tv_set(v, "count", tv_count(a, n, "entry", "entries"));
	tv_set_bool(v, "empty", n == 0 && n_prompts == 0);
	tv_set_bool(v, "capped", n == TIMELINE_MAX_ENTRIES);
	tv_set_int(v, "max", TIMELINE_MAX_ENTRIES);
	tv_set_bool(v, "has_key", keyed);
	http_render(req, 200, "timeline", "Your reflections over time", v);
}

void timeline_routes(router *r)
{
	router_add(r, "GET", "/journal/timeline", timeline_page, ACCESS_SIGNED_IN,
	           "your reflections across the series, by course and day");
	router_mark_sensitive(r);
}
