/*
 * away.c - stepping away from a thread or a space, and coming back. See
 * away.h.
 *
 * The form offers a fixed set of lengths, each with the time it would end
 * in the reader's zone; anything else (zero, a negative number, a year, a
 * length not offered) is answered 422 with the form again and nothing
 * changed. A thread or space the person cannot read is 404, as everywhere
 * (space.h). Stepping away and coming back touch only the signed-in
 * person's own row: no form names a person, so nobody can step someone
 * else away or bring them back.
 */
#include "cairn/away.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/db.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lengths offered, in days; AWAY_MAX_DAYS is the last. */
static const int away_days[] = {1, 3, 7, 14, 30, AWAY_MAX_DAYS};
enum { AWAY_CHOICES = sizeof away_days / sizeof *away_days, AWAY_DEFAULT_DAYS = 7 };

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static const char *days_label(arena *a, int d)
{
	if (d % 7 == 0 && d <= 14)
		return arena_sprintf(a, "%d week%s", d / 7, d == 7 ? "" : "s");
	return arena_sprintf(a, "%d day%s", d, d == 1 ? "" : "s");
}

static bool offered(long long d)
{
	for (size_t i = 0; i < AWAY_CHOICES; i++)
		if (away_days[i] == d)
			return true;
	return false;
}

/* What one steps away from: a thread (in its space) or a whole space. */
typedef struct target {
	bool thread;
	long long id;        /* the thread's id, or the space's */
	space s;             /* the space (the thread's own) */
	const char *title;   /* the thread's title, or the space's */
	long long until;     /* Unix seconds the step-away in force ends; 0: none */
} target;

/* The path's thread or space as the signed-in person sees it: 404 (answered)
 * for a malformed id and for one they cannot read -- a hidden thread unless
 * they moderate, a thread whose opening post waits for approval unless it
 * is theirs or they moderate. */
static bool target_from_path(request *req, PGconn *db, bool thread, target *t)
{
	arena *a = req->a;
	user *u = session_user(req);
	long long id, space_id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	*t = (target){.thread = thread, .id = id};
	bool hidden = false, held = false, own = false;
	if (thread) {
		PGresult *r = db_q(db,
			"SELECT space_id, title, hidden, last_number = 0 AS held, author_id = $2 AS own"
			" FROM threads WHERE id = $1", num(a, id), num(a, u->id));
		if (!r) {
			http_db_error(req);
			return false;
		}
		if (PQntuples(r) != 1) {
			PQclear(r);
			http_error(req, 404, NULL);
			return false;
		}
		space_id = atoll(db_col(r, 0, "space_id"));
		t->title = arena_strdup(a, db_col(r, 0, "title"));
		hidden = db_col(r, 0, "hidden")[0] == 't';
		held = db_col(r, 0, "held")[0] == 't';
		own = db_col(r, 0, "own")[0] == 't';
		PQclear(r);
	} else {
		space_id = id;
	}
	/* A hidden thread is the moderators', a held one also its author's. */
	bool unseen = hidden || (held && !own);
	if (!space_require(req, db, space_id, unseen ? SPACE_MODERATE : SPACE_READ, NULL, &t->s))
		return false;
	if (!thread)
		t->title = t->s.title;
	PGresult *r = db_q(db,
		thread ? "SELECT floor(extract(epoch FROM until))::bigint FROM step_aways"
		         " WHERE user_id = $1 AND thread_id = $2 AND until > to_timestamp($3)"
		       : "SELECT floor(extract(epoch FROM until))::bigint FROM step_aways"
		         " WHERE user_id = $1 AND space_id = $2 AND until > to_timestamp($3)",
		num(a, u->id), num(a, id), num(a, (long long)clock_now()));
	if (!r) {
		http_db_error(req);
		return false;
	}
	t->until = PQntuples(r) ? atoll(db_val(r, 0, 0)) : 0;
	PQclear(r);
	return true;
}

static const char *page_of(arena *a, const target *t)
{
	return arena_sprintf(a, "/%c/%lld", t->thread ? 't' : 's', t->id);
}

/* The slug of the series a space belongs to (a series, cohort,
 * announcements or group space), for the link to its support page; "" when
 * none. NULL after a database error. */
static const char *series_slug(PGconn *db, arena *a, long long space_id)
{
	PGresult *r = db_q(db,
		"SELECT se.slug FROM spaces s LEFT JOIN offerings o ON o.id = s.offering_id"
		" LEFT JOIN courses c ON c.id = o.course_id LEFT JOIN groups g ON g.id = s.group_id"
		" JOIN series se ON se.id = coalesce(s.series_id, g.series_id, c.series_id)"
		" WHERE s.id = $1", num(a, space_id));
	if (!r)
		return NULL;
	const char *slug = arena_strdup(a, PQntuples(r) ? db_val(r, 0, 0) : "");
	PQclear(r);
	return slug;
}

/* The form: each length with the time it would end, in the reader's zone;
 * the step-away in force, if any. */
static void away_form(request *req, PGconn *db, const target *t, int status, long long days,
                      const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	const char *ds[AWAY_CHOICES];
	for (size_t i = 0; i < AWAY_CHOICES; i++)
		ds[i] = num(a, away_days[i]);
	PGresult *r = db_q(db,
		"SELECT d, " ZONE_SQL("to_timestamp($1) + make_interval(days => d)", "$2")
		" AS until FROM unnest($3::int[]) WITH ORDINALITY AS x(d, i) ORDER BY i",
		num(a, (long long)clock_now()), u->time_zone, db_text_array_param(a, ds, AWAY_CHOICES));
	PGresult *cur = r && t->until ? db_q(db, "SELECT " ZONE_SQL("to_timestamp($1)", "$2"),
	                                     num(a, t->until), u->time_zone) : NULL;
	const char *slug = r && (!t->until || cur) ? series_slug(db, a, t->s.id) : NULL;
	if (!slug) {
		PQclear(r);
		PQclear(cur);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "page", page_of(a, t));
	tv_set_str(v, "action", arena_sprintf(a, "%s/away", page_of(a, t)));
	tv_set_str(v, "title", t->title);
	tv_set_str(v, "space_title", t->s.title);
	tv_set_str(v, "context", t->s.context);
	tv_set_bool(v, "thread", t->thread);
	tv_set_str(v, "noun", t->thread ? "thread" : "space");
	tv_set(v, "current", cur ? zone_time(a, db_val(cur, 0, 0), u->time_zone, u->time_zone,
	                                     ZONE_FULL)
	                         : tv_null(a));
	PQclear(cur);
	tv *choices = tv_set(v, "choices", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		int d = atoi(db_val(r, i, 0));
		tv *c = tv_push(choices, tv_obj(a));
		tv_set_str(c, "days", num(a, d));
		tv_set_str(c, "label", days_label(a, d));
		tv_set(c, "until", zone_time(a, db_col(r, i, "until"), u->time_zone, u->time_zone,
		                             ZONE_FULL));
		tv_set_bool(c, "checked", d == days);
	}
	PQclear(r);
	tv_set_str(v, "support", *slug ? arena_sprintf(a, "/series/%s/support", slug) : NULL);
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, status, "away",
	            arena_sprintf(a, "Step away from %s", t->thread ? t->title : t->s.title), v);
}

static void away_page(request *req, bool thread)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	target t;
	if (!db || !target_from_path(req, db, thread, &t))
		return;
	away_form(req, db, &t, 200, AWAY_DEFAULT_DAYS, NULL);
}

static void away_post(request *req, bool thread)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	target t;
	if (!db || !target_from_path(req, db, thread, &t))
		return;
	long long days = 0;
	if (!form_get_int(&req->body, "days", 1, AWAY_MAX_DAYS, &days) || !offered(days)) {
		away_form(req, db, &t, 422, AWAY_DEFAULT_DAYS,
		          "Choose how long from the list: 1 day, 3 days, 1 week, 2 weeks, 30 days or "
		          "90 days. Nothing was changed.");
		return;
	}
	long long now = (long long)clock_now(), until = now + days * 86400;
	/* One row per person and thread (or space): stepping away again
	 * replaces the time, and a row that ended is reused. */
	bool ok = db_exec(db,
		thread ? "INSERT INTO step_aways (user_id, thread_id, until, created_at)"
		         " VALUES ($1, $2, to_timestamp($3), to_timestamp($4))"
		         " ON CONFLICT (user_id, thread_id) WHERE thread_id IS NOT NULL"
		         " DO UPDATE SET until = EXCLUDED.until, created_at = EXCLUDED.created_at"
		       : "INSERT INTO step_aways (user_id, space_id, until, created_at)"
		         " VALUES ($1, $2, to_timestamp($3), to_timestamp($4))"
		         " ON CONFLICT (user_id, space_id) WHERE space_id IS NOT NULL"
		         " DO UPDATE SET until = EXCLUDED.until, created_at = EXCLUDED.created_at",
		4, (const char *[]){num(a, u->id), num(a, t.id), num(a, until), num(a, now)});
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "%s?away=stepped", page_of(a, &t)));
}

static void back_post(request *req, bool thread)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	target t;
	if (!db || !target_from_path(req, db, thread, &t))
		return;
	/* Coming back twice (a second click) is not an error: the person is
	 * back either way, and the page says so. */
	bool ok = db_exec(db,
		thread ? "DELETE FROM step_aways WHERE user_id = $1 AND thread_id = $2"
		       : "DELETE FROM step_aways WHERE user_id = $1 AND space_id = $2",
		2, (const char *[]){num(a, u->id), num(a, t.id)});
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "%s?away=back", page_of(a, &t)));
}

static void thread_away_page(request *req) { away_page(req, true); }
static void thread_away_post(request *req) { away_post(req, true); }
static void thread_back_post(request *req) { back_post(req, true); }
static void space_away_page(request *req) { away_page(req, false); }
static void space_away_post(request *req) { away_post(req, false); }
static void space_back_post(request *req) { back_post(req, false); }

bool away_view(PGconn *db, arena *a, int64_t user_id, const char *zone, int64_t space_id,
               int64_t thread_id, const char *done, tv *v)
{
	/* The thread's step-away first, then the space's. */
	PGresult *r = db_q(db,
		"SELECT thread_id IS NOT NULL AS thread, " ZONE_SQL("until", "$4") " AS until"
		" FROM step_aways WHERE user_id = $1 AND until > to_timestamp($5)"
		" AND (space_id = $2 OR thread_id = $3) ORDER BY thread_id IS NULL",
		num(a, user_id), num(a, space_id), num(a, thread_id), zone,
		num(a, (long long)clock_now()));
	if (!r)
		return false;
	tv *o = tv_set(v, "away", tv_obj(a));
	tv *list = tv_set(o, "stepped", tv_list(a));
	bool from_this = false;
	for (int i = 0; i < PQntuples(r); i++) {
		bool thread = db_col(r, i, "thread")[0] == 't';
		from_this = from_this || thread == (thread_id != 0);
		tv *s = tv_push(list, tv_obj(a));
		tv_set_str(s, "kind", thread ? "thread" : "space");
		tv_set_str(s, "what", thread ? "this thread"
		                      : thread_id ? "this thread's whole space" : "this space");
		tv_set(s, "until", zone_time(a, db_col(r, i, "until"), zone, zone, ZONE_FULL));
		tv_set_str(s, "back", thread ? arena_sprintf(a, "/t/%lld/back", (long long)thread_id)
		                             : arena_sprintf(a, "/s/%lld/back", (long long)space_id));
	}
	PQclear(r);
	tv_set_str(o, "offer", from_this ? NULL
	                       : thread_id ? arena_sprintf(a, "/t/%lld/away", (long long)thread_id)
	                                   : arena_sprintf(a, "/s/%lld/away", (long long)space_id));
	tv_set_str(o, "noun", thread_id ? "thread" : "space");
	const char *notice = NULL;
	if (done && !strcmp(done, "back"))
		notice = thread_id ? "Welcome back. This thread notifies you and counts as unread again."
		                   : "Welcome back. This space notifies you and counts as unread again.";
	tv_set_str(o, "notice", notice);
	return true;
}

void away_routes(router *r)
{
	router_add(r, "GET", "/t/:id/away", thread_away_page, ACCESS_SPACE_MEMBER,
	           "step away from a thread: for how long");
	router_add(r, "POST", "/t/:id/away", thread_away_post, ACCESS_SPACE_MEMBER,
	           "step away from a thread for 1 to 90 days: no notifications or unread from it");
	router_add(r, "POST", "/t/:id/back", thread_back_post, ACCESS_SPACE_MEMBER,
	           "come back to a thread one stepped away from");
	router_add(r, "GET", "/s/:id/away", space_away_page, ACCESS_SPACE_MEMBER,
	           "step away from a whole space: for how long");
	router_add(r, "POST", "/s/:id/away", space_away_post, ACCESS_SPACE_MEMBER,
	           "step away from a space for 1 to 90 days: no notifications or unread from it");
	router_add(r, "POST", "/s/:id/back", space_back_post, ACCESS_SPACE_MEMBER,
	           "come back to a space one stepped away from");
}
