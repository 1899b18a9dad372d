/*
 * series.c - the home page (the series and its offerings) and the offering
 * page (overview, objectives, audience, agenda by day, fees, credits, and
 * for someone signed in, their enrollment in it).
 *
 * Dates and times are formatted by PostgreSQL in the offering's own time
 * zone (AT TIME ZONE o.time_zone), so the agenda reads as the course page
 * does whatever zone the server runs in. "Now" comes from the one clock
 * and is passed in as a parameter, never taken from now().
 */
#include "cairn/series.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/money.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdlib.h>
#include <string.h>

static void home_page(request *req);
static void offering_page(request *req);

void series_routes(router *r)
{
	router_add(r, "GET", "/", home_page, ACCESS_ANYONE, "the series and its offerings");
	router_add(r, "GET", "/offerings/:slug", offering_page, ACCESS_ANYONE,
	           "an offering: overview, agenda, fees");
}

static const char *format_label(const char *format)
{
	return !strcmp(format, "in_person") ? "In person" : "Live online";
}

/* Split text into paragraphs: one per line, blank lines ignored. Course
 * texts keep list items ("- 3.50 credit(s) ...") on lines of their own. */
static tv *paragraphs(arena *a, const char *text)
{
	tv *list = tv_list(a);
	const char *p = text;
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
			n--;
		if (n)
			tv_push(list, tv_strn(a, arena_strndup(a, p, n), n));
		if (!end)
			break;
		p = end + 1;
	}
	return list;
}

/* The SQL expression for an offering's dates, e.g. "May 13–15, 2026". */
#define DATES_SQL                                                                        \
	"CASE WHEN o.starts_on = o.ends_on THEN to_char(o.starts_on, 'FMMonth FMDD, YYYY') " \
	"WHEN date_trunc('month', o.starts_on) = date_trunc('month', o.ends_on) "          \
	"THEN to_char(o.starts_on, 'FMMonth FMDD') || '–' || to_char(o.ends_on, 'FMDD, YYYY') " \
	"WHEN date_trunc('year', o.starts_on) = date_trunc('year', o.ends_on) "            \
	"THEN to_char(o.starts_on, 'FMMonth FMDD') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY') " \
	"ELSE to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY') END"

/* Open: before the deadline (if any) and before the first day. */
#define OPEN_SQL                                                                      \
	"(coalesce(o.registration_deadline > to_timestamp($1), true) "                    \
	" AND o.starts_on > (to_timestamp($1) AT TIME ZONE o.time_zone)::date)"
#define PAST_SQL "(o.ends_on < (to_timestamp($1) AT TIME ZONE o.time_zone)::date)"

static void home_page(request *req)
{
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *now = arena_sprintf(a, "%lld", (long long)clock_now());
	PGresult *s = db_q0(db, "SELECT id, title, summary FROM series ORDER BY id LIMIT 20");
	PGresult *c = s ? db_q0(db, "SELECT id, series_id, position, slug, title, tagline, announced "
	                           "FROM courses ORDER BY series_id, position LIMIT 200")
	                : NULL;
	PGresult *o = c ? db_q(db,
	                       "SELECT o.course_id, o.slug, " DATES_SQL ", o.format, "
	                       OPEN_SQL ", " PAST_SQL " FROM offerings o "
	                       "ORDER BY o.course_id, o.starts_on LIMIT 500",
	                       now)
	                : NULL;
	if (!o) {
		PQclear(s);
		PQclear(c);
		http_db_error(req);
		return;
	}
	tv *view = tv_obj(a);
	tv *series_list = tv_list(a);
	for (int i = 0; i < PQntuples(s); i++) {
		tv *sv = tv_push(series_list, tv_obj(a));
		const char *sid = db_val(s, i, 0);
		tv_set_str(sv, "title", arena_strdup(a, db_val(s, i, 1)));
		tv_set_str(sv, "summary", arena_strdup(a, db_val(s, i, 2)));
		tv *courses = tv_set(sv, "courses", tv_list(a));
		for (int j = 0; j < PQntuples(c); j++) {
			if (strcmp(db_val(c, j, 1), sid))
				continue;
			const char *cid = db_val(c, j, 0);
			tv *cv = tv_push(courses, tv_obj(a));
			tv_set_str(cv, "position", arena_strdup(a, db_val(c, j, 2)));
			tv_set_str(cv, "title", arena_strdup(a, db_val(c, j, 4)));
			const char *tagline = db_val(c, j, 5);
			tv_set(cv, "tagline", *tagline ? tv_str(a, arena_strdup(a, tagline)) : tv_null(a));
			tv_set_bool(cv, "announced", db_val(c, j, 6)[0] == 't');
			tv *offs = tv_set(cv, "offerings", tv_list(a));
			for (int k = 0; k < PQntuples(o); k++) {
				if (strcmp(db_val(o, k, 0), cid))
					continue;
				tv *ov = tv_push(offs, tv_obj(a));
				tv_set_str(ov, "slug", arena_strdup(a, db_val(o, k, 1)));
				tv_set_str(ov, "dates", arena_strdup(a, db_val(o, k, 2)));
				tv_set_str(ov, "format", format_label(db_val(o, k, 3)));
				tv_set_bool(ov, "open", db_val(o, k, 4)[0] == 't');
				tv_set_bool(ov, "past", db_val(o, k, 5)[0] == 't');
			}
			tv_set_bool(cv, "has_offerings", offs->n > 0);
		}
	}
	tv_set(view, "series", series_list->n ? series_list : tv_bool(a, false));
	const char *title = PQntuples(s) ? arena_strdup(a, db_val(s, 0, 1)) : "Courses";
	PQclear(s);
	PQclear(c);
	PQclear(o);
	http_render(req, 200, "home", title, view);
}

static tv *course_points(arena *a, PGconn *db, const char *course_id, const char *kind)
{
	tv *list = tv_list(a);
	PGresult *r = db_q(db, "SELECT body FROM course_points WHERE course_id = $1 AND kind = $2 "
	                       "ORDER BY position",
	                   course_id, kind);
	if (!r)
		return NULL;
	for (int i = 0; i < PQntuples(r); i++)
		tv_push(list, tv_str(a, arena_strdup(a, db_val(r, i, 0))));
	PQclear(r);
	return list;
}

static const struct { const char *kind, *label; } kinds[] = {
	{"plenary", "Whole-cohort session"}, {"practice", "Skills practice"},
	{"small_group", "Small-group session"}, {"reflection", "Reflection block"},
	{"break", "Break"}, {"lunch", "Lunch"},
};

const char *series_kind_label(const char *kind, bool tracks)
{
	/* An item with tracks runs as an adult and a pediatric breakout at
	 * once, whatever its kind says about the people in each room. */
	if (tracks)
		return "Parallel breakouts, adult and pediatric";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kind, kinds[i].kind))
			return kinds[i].label;
	return "";
}

bool series_kind_ok(const char *kind)
{
	return kind && *series_kind_label(kind, false);
}

tv *series_kind_choices(arena *a, const char *selected)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", kinds[i].kind);
		tv_set_str(o, "label", kinds[i].label);
		tv_set_bool(o, "selected", selected && !strcmp(selected, kinds[i].kind));
	}
	return list;
}

/* Agenda by day; NULL on a database error. Times are in the offering's
 * zone, named when the reader's is another. */
static tv *agenda_days(arena *a, PGconn *db, const char *offering_id, const char *reader_zone)
{
	PGresult *r = db_q(db,
		"SELECT a.id, a.day_number,"
		" to_char((a.starts_at AT TIME ZONE o.time_zone)::date, 'FMDay, FMMonth FMDD, YYYY'),"
		" " ZONE_SQL("a.starts_at", "o.time_zone") ", " ZONE_SQL("a.ends_at", "o.time_zone") ","
		" o.time_zone, a.title, a.kind, a.faculty, a.tracks,"
		" (SELECT t.id FROM threads t WHERE t.agenda_item_id = a.id AND NOT t.hidden"
		"  ORDER BY t.id LIMIT 1)"
		" FROM agenda_items a JOIN offerings o ON o.id = a.offering_id"
		" WHERE a.offering_id = $1 ORDER BY a.starts_at, a.id LIMIT 500",
		offering_id);
	PGresult *b = r ? db_q(db,
		"SELECT b.agenda_item_id, b.track, b.title, b.faculty FROM agenda_breakouts b"
		" JOIN agenda_items a ON a.id = b.agenda_item_id WHERE a.offering_id = $1"
		" ORDER BY b.agenda_item_id, b.track LIMIT 1000",
		offering_id) : NULL;
	if (!b) {
		PQclear(r);
		return NULL;
	}
	tv *days = tv_list(a);
	tv *day = NULL, *items = NULL;
	const char *day_number = "";
	for (int i = 0; i < PQntuples(r); i++) {
		if (!day || strcmp(day_number, db_val(r, i, 1))) {
			day_number = db_val(r, i, 1);
			day = tv_push(days, tv_obj(a));
			tv_set_str(day, "day_number", arena_strdup(a, day_number));
			tv_set_str(day, "date", arena_strdup(a, db_val(r, i, 2)));
			items = tv_set(day, "items", tv_list(a));
		}
		tv *it = tv_push(items, tv_obj(a));
		const char *zone = db_val(r, i, 5);
		tv_set(it, "start", zone_time(a, db_val(r, i, 3), zone, reader_zone, ZONE_CLOCK));
		tv_set(it, "end", zone_time(a, db_val(r, i, 4), zone, reader_zone, ZONE_CLOCK));
		tv_set_str(it, "title", arena_strdup(a, db_val(r, i, 6)));
		tv_set_str(it, "kind", arena_strdup(a, db_val(r, i, 7)));
		const char *faculty = db_val(r, i, 8);
		tv_set(it, "faculty", *faculty ? tv_str(a, arena_strdup(a, faculty)) : tv_null(a));
		bool tracks = db_val(r, i, 9)[0] == 't';
		tv_set_str(it, "kind_label", series_kind_label(db_val(r, i, 7), tracks));
		/* The discussion a facilitator attached to this session; only its
		 * cohort can open it, others are asked to sign in. */
		const char *thread = db_val(r, i, 10);
		tv_set(it, "thread", *thread ? tv_str(a, arena_strdup(a, thread)) : tv_null(a));
		tv_set_bool(it, "tracks", tracks);
		tv *bl = tv_set(it, "breakouts", tv_list(a));
		for (int j = 0; j < PQntuples(b); j++) {
			if (strcmp(db_val(b, j, 0), db_val(r, i, 0)))
				continue;
			tv *bv = tv_push(bl, tv_obj(a));
			tv_set_str(bv, "track", arena_strdup(a, db_val(b, j, 1)));
			tv_set_str(bv, "title", arena_strdup(a, db_val(b, j, 2)));
		}
	}
	PQclear(r);
	PQclear(b);
	return days;
}

static void offering_page(request *req)
{
	arena *a = req->a;
	const char *slug = http_param(req, "slug");
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *now = arena_sprintf(a, "%lld", (long long)clock_now());
	PGresult *r = db_q(db,
		"SELECT o.id, c.id, c.title, c.position, c.tagline, c.overview, c.audience,"
		" c.prerequisites, s.title, " DATES_SQL ", o.format, o.location, o.time_zone,"
		" o.credit_summary, o.credits, o.notes,"
		" " ZONE_SQL("o.registration_deadline", "o.time_zone") ","
		" " ZONE_SQL("o.early_deadline", "o.time_zone") ","
		" o.processing_fee_cents, o.group_discount_min_size, o.group_discount_percent,"
		" " OPEN_SQL ", " PAST_SQL ", coalesce(o.early_deadline > to_timestamp($1), false)"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" JOIN series s ON s.id = c.series_id WHERE o.slug = $2",
		now, slug);
	if (!r) {
		http_db_error(req);
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		http_error(req, 404, "There is no offering at this address.");
		return;
	}
	const char *oid = arena_strdup(a, db_val(r, 0, 0));
	const char *cid = arena_strdup(a, db_val(r, 0, 1));
	tv *v = tv_obj(a);
	tv_set_str(v, "slug", arena_strdup(a, slug));
	const char *title = arena_strdup(a, db_val(r, 0, 2));
	tv_set_str(v, "course_title", title);
	tv_set_str(v, "course_position", arena_strdup(a, db_val(r, 0, 3)));
	tv_set_str(v, "tagline", arena_strdup(a, db_val(r, 0, 4)));
	tv_set(v, "overview", paragraphs(a, db_val(r, 0, 5)));
	const char *audience = db_val(r, 0, 6);
	tv_set(v, "audience", *audience ? tv_bool(a, true) : tv_null(a));
	tv_set(v, "audience_paragraphs", paragraphs(a, audience));
	const char *prereq = db_val(r, 0, 7);
	tv_set(v, "prerequisites", *prereq ? tv_str(a, arena_strdup(a, prereq)) : tv_null(a));
	tv_set_str(v, "series_title", arena_strdup(a, db_val(r, 0, 8)));
	const char *dates = arena_strdup(a, db_val(r, 0, 9));
	tv_set_str(v, "dates", dates);
	tv_set_str(v, "format", format_label(db_val(r, 0, 10)));
	const char *location = db_val(r, 0, 11);
	tv_set(v, "location", *location ? tv_str(a, arena_strdup(a, location)) : tv_null(a));
	/* Someone not signed in reads the offering in its own zone. */
	const char *zone = arena_strdup(a, db_val(r, 0, 12));
	user *u = session_user(req);
	const char *reader_zone = u ? u->time_zone : zone;
	tv_set_str(v, "zone_name", zone_name(a, zone));
	const char *cs = db_val(r, 0, 13);
	tv_set(v, "credit_summary", *cs ? tv_str(a, arena_strdup(a, cs)) : tv_null(a));
	const char *credits = db_val(r, 0, 14);
	tv_set(v, "credits", *credits ? tv_bool(a, true) : tv_null(a));
	tv_set(v, "credit_paragraphs", paragraphs(a, credits));
	const char *notes = db_val(r, 0, 15);
	tv_set(v, "notes", *notes ? tv_str(a, arena_strdup(a, notes)) : tv_null(a));
	tv_set(v, "registration_deadline",
	       zone_time(a, db_val(r, 0, 16), zone, reader_zone, ZONE_LONG));
	tv_set(v, "early_deadline", zone_time(a, db_val(r, 0, 17), zone, reader_zone, ZONE_LONG));
	long long processing = atoll(db_val(r, 0, 18));
	tv_set(v, "processing_fee", processing ? tv_str(a, money_format(a, processing)) : tv_null(a));
	if (!db_isnull(r, 0, 19) && atoi(db_val(r, 0, 20)) > 0)
		tv_set(v, "group_discount",
		       tv_strf(a, "Teams of %s or more who enroll together get %s%% off each member's "
		                  "course fee.",
		               db_val(r, 0, 19), db_val(r, 0, 20)));
	else
		tv_set(v, "group_discount", tv_null(a));
	tv_set_bool(v, "open", db_val(r, 0, 21)[0] == 't');
	tv_set_bool(v, "past", db_val(r, 0, 22)[0] == 't');
	tv_set_bool(v, "early_now", db_val(r, 0, 23)[0] == 't');
	PQclear(r);

	/* Someone enrolled is shown their place instead of the way to enroll. */
	tv *mine = u ? enroll_mine_view(db, a, u->id, atoll(oid), false, 1) : tv_list(a);
	tv *domains = mine ? course_points(a, db, cid, "domain") : NULL;
	tv *objectives = domains ? course_points(a, db, cid, "objective") : NULL;
	tv *days = objectives ? agenda_days(a, db, oid, reader_zone) : NULL;
	PGresult *f = days ? db_q(db,
		"SELECT fc.label, f.regular_cents, f.early_cents FROM offering_fees f"
		" JOIN fee_categories fc ON fc.code = f.category"
		" WHERE f.offering_id = $1 ORDER BY fc.position", oid) : NULL;
	if (!f) {
		http_db_error(req);
		return;
	}
	tv_set(v, "enrollment", mine->n ? mine->items[0] : tv_null(a));
	tv_set(v, "domains", domains);
	tv_set_bool(v, "has_domains", domains->n > 0);
	tv_set(v, "objectives", objectives);
	tv_set_bool(v, "has_objectives", objectives->n > 0);
	tv_set(v, "days", days);
	tv_set_bool(v, "has_agenda", days->n > 0);
	tv *fees = tv_set(v, "fees", tv_list(a));
	for (int i = 0; i < PQntuples(f); i++) {
		tv *fv = tv_push(fees, tv_obj(a));
		tv_set_str(fv, "label", arena_strdup(a, db_val(f, i, 0)));
		tv_set_str(fv, "regular", money_format(a, atoll(db_val(f, i, 1))));
		tv_set_str(fv, "early", db_isnull(f, i, 2) ? "—" : money_format(a, atoll(db_val(f, i, 2))));
	}
	tv_set_bool(v, "has_fees", fees->n > 0);
	PQclear(f);
	http_render(req, 200, "offering", arena_sprintf(a, "%s, %s", title, dates), v);
}
