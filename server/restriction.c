/*
 * restriction.c - mutes, held posts and slow mode. See restriction.h.
 *
 * Each handler reads what it acts on, checks that the signed-in person
 * moderates its space, and writes the change, its log entry and the
 * message to the person concerned in one transaction. Ids come from paths
 * and forms through http_parse_id; a bad value is answered before anything
 * is written, with the form shown again where there is one.
 */
#include "cairn/restriction.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/flag.h"
#include "cairn/forum.h"
#include "cairn/guard.h"
#include "cairn/markdown.h"
#include "cairn/modlog.h"
#include "cairn/notify.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

/* ---- who may act ---- */

/* What a member who reads the space is told (403); anyone else gets 404. */
static const char *const moderators_only =
	"Only the space's moderators can do this. Nothing was changed.";

/* The space named by the path's :id, for a moderator's action. */
static bool space_from_path(request *req, PGconn *db, space *s)
{
	return space_require_path(req, db, SPACE_MODERATE, moderators_only, s);
}

/* A reason as a moderator typed it: at most RESTRICTION_REASON_MAX_CHARS
 * characters (the form layer has already refused bad UTF-8 and control
 * bytes). NULL when it is too long. */
static const char *reason_of(request *req)
{
	const char *r = http_form(req, "reason");
	if (!r)
		return "";
	return utf8_length(r, strlen(r)) <= RESTRICTION_REASON_MAX_CHARS ? r : NULL;
}

/* "<zone_sql>" of to_timestamp(unix) + hours, in zone, for zone_text. */
static const char *until_in(PGconn *db, arena *a, long long unix, const char *zone)
{
	PGresult *r = db_q(db, "SELECT " ZONE_SQL("to_timestamp($1)", "$2"), num(a, unix), zone);
	if (!r)
		return NULL;
	const char *v = arena_strdup(a, db_val(r, 0, 0));
	PQclear(r);
	return v;
}

/* ---- mutes ---- */

/* The mute form's choices, in hours. */
static const int mute_hours[] = {1, 4, 24, 72, 168, 336, 720};

static const char *hours_label(arena *a, int h)
{
	if (h < 24)
		return arena_sprintf(a, "%d hour%s", h, h == 1 ? "" : "s");
	if (h % 168 == 0)
		return arena_sprintf(a, "%d week%s", h / 168, h == 168 ? "" : "s");
	return arena_sprintf(a, "%d day%s", h / 24, h == 24 ? "" : "s");
}

typedef struct member_ref {
	long long id;
	int role;            /* cairn_space_role in the space */
	const char *name, *handle, *email, *zone;
	long long muted_until; /* Unix seconds; 0: not muted now */
} member_ref;

/* The person named by the path's :uid, as a member of space s: 404 unless
 * they can read the space. Moderators are not muted (409). */
static bool member_from_path(request *req, PGconn *db, const space *s, member_ref *m)
{
	arena *a = req->a;
	long long uid;
	if (!http_parse_id(http_param(req, "uid"), &uid)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT u.display_name, u.handle, u.email, u.time_zone,"
		" cairn_space_role(u.id, $2) AS role,"
		" coalesce((SELECT floor(extract(epoch FROM m.until))::bigint FROM mutes m"
		"  WHERE m.space_id = $2 AND m.user_id = u.id AND m.until > to_timestamp($3)), 0) AS until"
		" FROM users u WHERE u.id = $1",
		num(a, uid), num(a, s->id), num(a, (long long)clock_now()));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool found = PQntuples(r) == 1 && atoi(db_col(r, 0, "role")) >= 1;
	if (found) {
		*m = (member_ref){
			.id = uid,
			.role = atoi(db_col(r, 0, "role")),
			.name = arena_strdup(a, db_col(r, 0, "display_name")),
			.handle = arena_strdup(a, db_col(r, 0, "handle")),
			.email = arena_strdup(a, db_col(r, 0, "email")),
			.zone = arena_strdup(a, db_col(r, 0, "time_zone")),
			.muted_until = atoll(db_col(r, 0, "until")),
		};
	}
	PQclear(r);
	if (!found) {
		http_error(req, 404, "That person is not a member of this space.");
		return false;
	}
	return true;
}

/* The post a mute was started from (?post= or the form's post), when it is
 * one of the member's posts in this space: 0 when none was named; -1 when
 * the id names no such post (answered 404); -2 after a database error
 * (answered). */
static long long mute_post(request *req, PGconn *db, const space *s, const member_ref *m,
                           const char *value)
{
	if (!value || !*value)
		return 0;
	long long id;
	if (!http_parse_id(value, &id)) {
		http_error(req, 404, "That post is not in this space.");
		return -1;
	}
	PGresult *r = db_q(db,
		"SELECT 1 FROM posts p JOIN threads t ON t.id = p.thread_id"
		" WHERE p.id = $1 AND t.space_id = $2 AND p.author_id = $3",
		num(req->a, id), num(req->a, s->id), num(req->a, m->id));
	if (!r) {
		http_db_error(req);
		return -2;
	}
	bool ok = PQntuples(r) == 1;
	PQclear(r);
	if (!ok) {
		http_error(req, 404, "That post is not in this space, or not by this person.");
		return -1;
	}
	return id;
}

static void set_space_view(tv *v, arena *a, const space *s)
{
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, s->id));
	tv_set_str(sv, "title", s->title);
	tv_set_str(sv, "context", s->context);
}

/* The mute form: each length with the time it would end, in the
 * moderator's zone. */
static void mute_form(request *req, PGconn *db, const space *s, const member_ref *m,
                      long long post_id, int status, int hours, const char *reason,
                      const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	const char *hs[sizeof mute_hours / sizeof *mute_hours];
	size_t n = sizeof mute_hours / sizeof *mute_hours;
	for (size_t i = 0; i < n; i++)
		hs[i] = num(a, mute_hours[i]);
	PGresult *r = db_q(db,
		"SELECT h, " ZONE_SQL("to_timestamp($1) + make_interval(hours => h)", "$2")
		" FROM unnest($3::int[]) WITH ORDINALITY AS x(h, i) ORDER BY i",
		num(a, (long long)clock_now()), u->time_zone, db_text_array_param(a, hs, n));
	const char *current = r && m->muted_until ? until_in(db, a, m->muted_until, u->time_zone)
	                                          : "";
	if (!r || !current) {
		PQclear(r);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_space_view(v, a, s);
	tv *who = tv_set(v, "member", tv_obj(a));
	tv_set_str(who, "id", num(a, m->id));
	tv_set_str(who, "name", m->name);
	tv_set_str(who, "handle", m->handle);
	tv_set(v, "muted_until", m->muted_until
	                             ? zone_time(a, current, u->time_zone, u->time_zone, ZONE_FULL)
	                             : tv_null(a));
	tv *choices = tv_set(v, "choices", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		int h = atoi(db_val(r, i, 0));
		tv *c = tv_push(choices, tv_obj(a));
		tv_set_str(c, "hours", num(a, h));
		tv_set_str(c, "label", hours_label(a, h));
		tv_set(c, "until", zone_time(a, db_val(r, i, 1), u->time_zone, u->time_zone, ZONE_FULL));
		tv_set_bool(c, "checked", h == hours);
	}
	PQclear(r);
	tv_set(v, "post", post_id > 0 ? tv_str(a, num(a, post_id)) : tv_null(a));
	tv_set_str(v, "reason", reason ? reason : "");
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "max_reason", RESTRICTION_REASON_MAX_CHARS);
	http_render(req, status, "restriction_mute", arena_sprintf(a, "Mute %s", m->name), v);
}

static void mute_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	member_ref m;
	if (!space_from_path(req, db, &s) || !member_from_path(req, db, &s, &m))
		return;
	if (m.role >= 2) {
		http_error(req, 409, "Moderators of a space are not muted in it.");
		return;
	}
	long long post_id = mute_post(req, db, &s, &m, http_query(req, "post"));
	if (post_id < 0)
		return;
	mute_form(req, db, &s, &m, post_id, 200, 24, NULL, NULL);
}

static void mute_post_handler(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	member_ref m;
	if (!space_from_path(req, db, &s) || !member_from_path(req, db, &s, &m))
		return;
	if (m.role >= 2) {
		http_error(req, 409, "Moderators of a space are not muted in it. Nothing was changed.");
		return;
	}
	long long post_id = mute_post(req, db, &s, &m, http_form(req, "post"));
	if (post_id < 0)
		return;
	long long hours = 0;
	const char *reason = reason_of(req);
	bool hours_ok = form_get_int(&req->body, "hours", RESTRICTION_MUTE_MIN_HOURS,
	                             RESTRICTION_MUTE_MAX_HOURS, &hours);
	if (!hours_ok || !reason) {
		mute_form(req, db, &s, &m, post_id, 422, hours_ok ? (int)hours : 24,
		          reason ? reason : http_form(req, "reason"),
		          !hours_ok ? "Choose how long: a mute lasts from 1 hour to 30 days. Nothing "
		                      "was changed."
		                    : "The reason can be at most 500 characters. Nothing was changed.");
		return;
	}
	long long now = (long long)clock_now(), until = now + hours * 3600;
	const char *until_value = until_in(db, a, until, m.zone);
	if (!until_value) {
		http_db_error(req);
		return;
	}
	const char *when = zone_text(a, until_value, m.zone, m.zone, ZONE_FULL | ZONE_NAMED);
	buf body;
	buf_init(&body, a, 0);
	buf_appendf(&body, "A moderator of %s (%s) muted you there until %s.\n\n", s.title,
	            s.context, when ? when : "later");
	if (*reason)
		buf_appendf(&body, "The reason: %s\n\n", reason);
	buf_appendf(&body, "Until then you can read, follow threads and mark posts helpful there, "
	                   "but not post. Your other spaces are not affected.\n\n%s/s/%lld\n",
	            req->app->cfg->origin, (long long)s.id);
	modlog_entry e = {
		.actor_id = u->id, .space_id = s.id, .action = "member_muted", .post_id = post_id,
		.subject_id = m.id, .reason = reason,
		.detail = arena_sprintf(a, "{\"hours\": %lld, \"until\": %lld}", hours, until),
	};
	bool ok = db_begin(db) &&
		db_exec(db,
		        "INSERT INTO mutes (space_id, user_id, until, reason, muted_by, created_at)"
		        " VALUES ($1, $2, to_timestamp($3), $4, $5, to_timestamp($6))"
		        " ON CONFLICT (space_id, user_id) DO UPDATE SET until = EXCLUDED.until,"
		        " reason = EXCLUDED.reason, muted_by = EXCLUDED.muted_by,"
		        " created_at = EXCLUDED.created_at",
		        6, (const char *[]){num(a, s.id), num(a, m.id), num(a, until), reason,
		                            num(a, u->id), num(a, now)}) &&
		modlog_append(db, &e) &&
		outbox_put(db, a, m.email, "member-muted",
		           arena_sprintf(a, "You are muted in %s", s.title),
		           body.data, now) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/s/%lld/mutes?done=muted", (long long)s.id));
}

static void unmute_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	member_ref m;
	if (!space_from_path(req, db, &s) || !member_from_path(req, db, &s, &m))
		return;
	long long now = (long long)clock_now();
	modlog_entry e = {.actor_id = u->id, .space_id = s.id, .action = "member_unmuted",
	                  .subject_id = m.id};
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "DELETE FROM mutes WHERE space_id = $1 AND user_id = $2"
		              " AND until > to_timestamp($3) RETURNING 1",
		          num(a, s.id), num(a, m.id), num(a, now))) != NULL;
	bool was = ok && PQntuples(r) > 0;
	PQclear(r);
	if (ok && !was) {
		db_rollback(db);
		http_error(req, 409, "That person is not muted in this space. Nothing was changed.");
		return;
	}
	ok = ok && modlog_append(db, &e) && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/s/%lld/mutes?done=unmuted", (long long)s.id));
}

static void mutes_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_from_path(req, db, &s))
		return;
	PGresult *r = db_q(db,
		"SELECT m.user_id, u.display_name, u.handle, " ZONE_SQL("m.until", "$2") " AS until,"
		" m.reason, coalesce(b.display_name, '') AS muted_by"
		" FROM mutes m JOIN users u ON u.id = m.user_id LEFT JOIN users b ON b.id = m.muted_by"
		" WHERE m.space_id = $1 AND m.until > to_timestamp($3) ORDER BY m.until, u.id LIMIT 200",
		num(a, s.id), u->time_zone, num(a, (long long)clock_now()));
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_space_view(v, a, &s);
	tv *list = tv_set(v, "mutes", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "user_id", arena_strdup(a, db_col(r, i, "user_id")));
		tv_set_str(o, "name", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_str(o, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set(o, "until", zone_time(a, db_col(r, i, "until"), u->time_zone, u->time_zone,
		                             ZONE_FULL));
		const char *reason = db_col(r, i, "reason");
		tv_set_str(o, "reason", *reason ? arena_strdup(a, reason) : NULL);
		tv_set_str(o, "muted_by", arena_strdup(a, db_col(r, i, "muted_by")));
	}
	PQclear(r);
	tv_set_bool(v, "has_mutes", list->n > 0);
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", !done ? NULL
	                        : !strcmp(done, "muted") ? "Muted. They were told until when, and why."
	                        : !strcmp(done, "unmuted") ? "The mute is lifted: they can post again."
	                                                   : NULL);
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "restriction_mutes", "Muted members", v);
}

/* ---- pre-moderation and held posts ---- */

static void premoderation_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_from_path(req, db, &s))
		return;
	const char *want = http_form(req, "premoderated");
	if (!want || (strcmp(want, "on") && strcmp(want, "off"))) {
		http_error(req, 422, "Choose on or off for pre-moderation. Nothing was changed.");
		return;
	}
	bool on = !strcmp(want, "on");
	if (on != s.premoderated) {
		modlog_entry e = {.actor_id = u->id, .space_id = s.id,
		                  .action = on ? "premoderation_on" : "premoderation_off"};
		bool ok = db_begin(db) &&
			db_exec(db, "UPDATE spaces SET premoderated = $2 WHERE id = $1", 2,
			        (const char *[]){num(a, s.id), on ? "true" : "false"}) &&
			modlog_append(db, &e) && db_commit(db);
		if (!ok) {
			db_rollback(db);
			http_db_error(req);
			return;
		}
	}
	http_redirect(req, arena_sprintf(a, "/s/%lld/held?done=%s", (long long)s.id, want));
}

static void held_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_from_path(req, db, &s))
		return;
	PGresult *r = db_q(db,
		"SELECT p.id, p.thread_id, t.title, t.last_number = 0 AS opening, au.display_name,"
		" au.handle, " ZONE_SQL("p.created_at", "$2") " AS at, p.body_html,"
		" coalesce(p.number, 0) AS number, p.content_note, CASE WHEN p.content_note <> ''"
		" THEN " GUARD_SERIES_SLUG_SQL("$1") " END AS series_slug,"
		" EXISTS (SELECT 1 FROM flags f WHERE f.post_id = p.id AND f.flagger_id IS NULL"
		"  AND f.resolved_at IS NULL) AS guarded"
		" FROM posts p JOIN threads t ON t.id = p.thread_id JOIN users au ON au.id = p.author_id"
		" WHERE p.held AND NOT p.hidden AND t.space_id = $1 ORDER BY p.created_at, p.id LIMIT 101",
		num(a, s.id), u->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_space_view(v, a, &s);
	tv *list = tv_set(v, "posts", tv_list(a));
	int n = PQntuples(r);
	tv_set_bool(v, "more", n > 100);
	for (int i = 0; i < n && i < 100; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(o, "thread_id", arena_strdup(a, db_col(r, i, "thread_id")));
		tv_set_str(o, "thread_title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_bool(o, "opening", db_col(r, i, "opening")[0] == 't');
		tv_set_str(o, "author", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_str(o, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set(o, "when", zone_time(a, db_col(r, i, "at"), u->time_zone, u->time_zone,
		                            ZONE_FULL));
		tv_set_str(o, "html", arena_strdup(a, db_col(r, i, "body_html")));
		/* A post held again after an edit (sql/017) is read in its place. */
		const char *number = db_col(r, i, "number");
		tv_set_str(o, "href", strcmp(number, "0")
			? arena_sprintf(a, "/t/%s/p/%s", db_col(r, i, "thread_id"), number)
			: arena_sprintf(a, "/t/%s#h%s", db_col(r, i, "thread_id"), db_col(r, i, "id")));
		tv_set_bool(o, "guarded", db_col(r, i, "guarded")[0] == 't');
		const char *note = db_col(r, i, "content_note"), *slug = db_col(r, i, "series_slug");
		tv_set_str(o, "note", *note ? arena_strdup(a, note) : NULL);
		tv_set_str(o, "support", *note && *slug ? arena_sprintf(a, "/series/%s/support", slug)
		                                        : NULL);
	}
	PQclear(r);
	tv_set_bool(v, "has_posts", list->n > 0);
	tv_set_bool(v, "premoderated", s.premoderated);
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", !done ? NULL
		: !strcmp(done, "on") ? "Pre-moderation is on: members' new posts wait here for approval."
		: !strcmp(done, "off") ? "Pre-moderation is off: members' new posts appear at once. "
		                         "Posts already waiting still wait for you here."
		: !strcmp(done, "approved") ? "Approved: the post is in its thread, and its readers "
		                              "were notified."
		: !strcmp(done, "rejected") ? "Not approved: its author was told why." : NULL);
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "restriction_held", "Waiting for approval", v);
}

/* The post named by the path's :id, in a space the person moderates: 404
 * for anyone who cannot see it (a post held from them, 404 not 403). */
static bool held_from_path(request *req, PGconn *db, forum_post *h)
{
	return forum_post_require_path(req, db, SPACE_MODERATE, moderators_only, h);
}

/* Where to go after approving or rejecting: back to the space's list when
 * the form came from it, else to the thread. */
static const char *back_to(request *req, const forum_post *h, const char *done, int number)
{
	const char *back = http_form(req, "back");
	if (back && !strcmp(back, "held"))
		return arena_sprintf(req->a, "/s/%lld/held?done=%s", (long long)h->thread.space.id, done);
	if (number)
		return arena_sprintf(req->a, "/t/%lld/p/%d", (long long)h->thread.id, number);
	return arena_sprintf(req->a, "/t/%lld", (long long)h->thread.id);
}

/* Approve a post held again after an edit over the privacy warning
 * (sql/017): it keeps its number and its place, enters search again, and
 * notifies nobody (an edit never does: forum.c). The guard's open flag is
 * closed as approved. */
static void approve_again(request *req, PGconn *db, const forum_post *h)
{
	arena *a = req->a;
	user *u = session_user(req);
	long long now = (long long)clock_now();
	modlog_entry e = {.actor_id = u->id, .space_id = h->thread.space.id, .action = "post_approved",
	                  .thread_id = h->thread.id, .post_id = h->id, .subject_id = h->author_id};
	const char *origin = req->app->cfg->origin;
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db,
		          "UPDATE posts p SET held = false, hidden = false, hidden_reason = '',"
		          " search = setweight(to_tsvector('english', CASE WHEN p.number = 1 THEN"
		          " t.title ELSE '' END), 'A') || to_tsvector('english', p.body_text)"
		          " FROM threads t WHERE p.id = $1 AND p.held AND p.number IS NOT NULL"
		          " AND p.deleted_at IS NULL AND t.id = p.thread_id RETURNING p.number",
		          num(a, h->id))) != NULL;
	bool changed = ok && PQntuples(r) == 1;
	PQclear(r);
	if (ok && !changed) {
		db_rollback(db);
		http_error(req, 409, "This post is not waiting for approval. Nothing was changed.");
		return;
	}
	ok = ok && modlog_append(db, &e) &&
		flag_resolve_post(db, a, h->id, u->id, "approved", now, NULL) &&
		outbox_put(db, a, h->author_email, "post-approved",
		           arena_sprintf(a, "Your post in “%s” was approved", h->thread.title),
		           arena_sprintf(a, "A moderator of %s approved your edited post in “%s”: "
		                            "everyone in the space can read it again.\n\n%s/t/%lld/p/%d\n",
		                         h->thread.space.title, h->thread.title, origin, (long long)h->thread.id,
		                         h->number),
		           now) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, back_to(req, h, "approved", h->number));
}

static void approve_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post h;
	if (!held_from_path(req, db, &h))
		return;
	if (!h.held || h.deleted) {
		http_error(req, 409, "This post is not waiting for approval. Nothing was changed.");
		return;
	}
	if (h.number) {
		approve_again(req, db, &h);
		return;
	}
	/* The thread's row is locked first, as a reply's is (forum.c): the
	 * post takes the next number, which a reply written meanwhile would
	 * otherwise take too. */
	PGresult *lock = NULL, *r = NULL, *mr = NULL;
	bool ok = db_begin(db) &&
		(lock = db_q(db, "SELECT last_number FROM threads WHERE id = $1 FOR UPDATE",
		             num(a, h.thread.id))) != NULL;
	PQclear(lock);
	/* Numbered, searchable and counted, under the lock: a held post was
	 * written with none of these (forum.c insert_post). A rejected post
	 * approved after all loses its "not approved" reason. */
	ok = ok && (r = db_q(db,
		"WITH p AS (UPDATE posts p SET held = false, number = t.last_number + 1, hidden = false,"
		"  hidden_reason = '', search = setweight(to_tsvector('english', CASE WHEN"
		"  t.last_number = 0 THEN t.title ELSE '' END), 'A') || to_tsvector('english', p.body_text)"
		"  FROM threads t WHERE p.id = $1 AND p.held AND t.id = p.thread_id"
		"  RETURNING p.thread_id, p.number, p.author_id, p.created_at, p.body_text)"
		" UPDATE threads t SET last_number = p.number,"
		"  last_poster_id = CASE WHEN p.created_at >= t.last_post_at OR t.last_number = 0"
		"   THEN p.author_id ELSE t.last_poster_id END,"
		"  last_post_at = greatest(t.last_post_at, p.created_at)"
		" FROM p WHERE t.id = p.thread_id"
		" RETURNING p.number, floor(extract(epoch FROM p.created_at))::bigint AS at, p.body_text",
		num(a, h.id))) != NULL;
	if (ok && PQntuples(r) != 1) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "This post is not waiting for approval. Nothing was changed.");
		return;
	}
	int number = ok ? atoi(db_col(r, 0, "number")) : 0;
	long long at = ok ? atoll(db_col(r, 0, "at")) : 0;
	const char *excerpt = ok ? markdown_excerpt(a, db_col(r, 0, "body_text"), 200) : NULL;
	PQclear(r);
	/* Those it mentions, as written (the mention rows were made with it). */
	ok = ok && (mr = db_q(db, "SELECT user_id FROM mentions WHERE post_id = $1 ORDER BY user_id",
	                      num(a, h.id))) != NULL;
	size_t nm = ok ? (size_t)PQntuples(mr) : 0;
	int64_t *mentioned = arena_calloc(a, nm + 1, sizeof *mentioned);
	for (size_t i = 0; i < nm; i++)
		mentioned[i] = atoll(db_val(mr, (int)i, 0));
	PQclear(mr);
	modlog_entry e = {.actor_id = u->id, .space_id = h.thread.space.id, .action = "post_approved",
	                  .thread_id = h.thread.id, .post_id = h.id, .subject_id = h.author_id};
	const char *origin = req->app->cfg->origin;
	/* The author has read their own post when they had read what came
	 * before it (as when a post is written, forum.c). */
	ok = ok &&
		db_exec(db,
		        "INSERT INTO reads (user_id, thread_id, last_number) VALUES ($1, $2, $3)"
		        " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number = EXCLUDED.last_number"
		        " WHERE reads.last_number >= EXCLUDED.last_number - 1",
		        3, (const char *[]){num(a, h.author_id), num(a, h.thread.id), num(a, number)}) &&
		notify_caught_up(db, a, h.author_id, h.thread.id, (long long)clock_now()) &&
		notify_post(db, a, h.thread.id, h.id, number, h.author_id, mentioned, nm, excerpt, origin,
		            at) &&
		modlog_append(db, &e) &&
		flag_resolve_post(db, a, h.id, u->id, "approved", (long long)clock_now(), NULL) &&
		outbox_put(db, a, h.author_email, "post-approved",
		           arena_sprintf(a, "Your post in “%s” was approved", h.thread.title),
		           arena_sprintf(a, "A moderator of %s approved your post in “%s”: everyone in "
		                            "the space can read it now.\n\n%s/t/%lld/p/%d\n",
		                         h.thread.space.title, h.thread.title, origin, (long long)h.thread.id,
		                         number),
		           (long long)clock_now()) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, back_to(req, &h, "approved", number));
}

static void reject_view(request *req, const forum_post *h, int status, const char *reason,
                        const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_space_view(v, a, &h->thread.space);
	tv_set_str(v, "id", num(a, h->id));
	tv_set_str(v, "thread_id", num(a, h->thread.id));
	tv_set_str(v, "thread_title", h->thread.title);
	tv_set_str(v, "author", h->author);
	tv_set_str(v, "html", h->html);
	tv_set_str(v, "reason", reason ? reason : "");
	tv_set_str(v, "back", http_query(req, "back") ? http_query(req, "back") : http_form(req, "back"));
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "max_reason", RESTRICTION_REASON_MAX_CHARS);
	req->no_store = true;
	http_render(req, status, "restriction_reject", "Reject this post?", v);
}

/* The confirmation page: the post, and a reason for its author. */
static void reject_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post h;
	if (!held_from_path(req, db, &h))
		return;
	if (!h.held || h.hidden || h.deleted) {
		http_error(req, 409, "This post is not waiting for approval.");
		return;
	}
	reject_view(req, &h, 200, NULL, NULL);
}

static void reject_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post h;
	if (!held_from_path(req, db, &h))
		return;
	if (!h.held || h.hidden || h.deleted) {
		http_error(req, 409, "This post is not waiting for approval. Nothing was changed.");
		return;
	}
	/* Only the confirmation page's form rejects; anything else is shown it. */
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/posts/%lld/reject", (long long)h.id));
		return;
	}
	const char *reason = reason_of(req);
	if (!reason || !reason[strspn(reason, " \t\n")]) {
		reject_view(req, &h, 422, reason ? reason : http_form(req, "reason"),
		            !reason ? "The reason can be at most 500 characters. Nothing was changed."
		                    : "Tell the author why: the reason is sent to them. Nothing was "
		                      "changed.");
		return;
	}
	const char *origin = req->app->cfg->origin;
	int last_page = h.thread.last_number ? (h.thread.last_number + 49) / 50 : 1;
	modlog_entry e = {.actor_id = u->id, .space_id = h.thread.space.id, .action = "post_rejected",
	                  .thread_id = h.thread.id, .post_id = h.id, .subject_id = h.author_id,
	                  .reason = reason};
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "UPDATE posts SET hidden = true, hidden_reason = $2"
		              " WHERE id = $1 AND held AND NOT hidden AND deleted_at IS NULL RETURNING 1",
		          num(a, h.id), reason)) != NULL;
	bool changed = ok && PQntuples(r) == 1;
	PQclear(r);
	if (ok && !changed) {
		db_rollback(db);
		http_error(req, 409, "This post is not waiting for approval. Nothing was changed.");
		return;
	}
	ok = ok && modlog_append(db, &e) &&
		flag_resolve_post(db, a, h.id, u->id, "hidden", (long long)clock_now(), NULL) &&
		outbox_put(db, a, h.author_email, "post-rejected",
		           arena_sprintf(a, "Your post in “%s” was not approved", h.thread.title),
		           arena_sprintf(a, "A moderator of %s did not approve your post in “%s”.\n\n"
		                            "The reason: %s\n\nNobody else has seen it. It stays there, "
		                            "for you and the space's moderators only, so that you can "
		                            "copy your text or delete the post:\n\n%s/t/%lld?page=%d#h%lld\n",
		                         h.thread.space.title, h.thread.title, reason, origin,
		                         (long long)h.thread.id, last_page, (long long)h.id),
		           (long long)clock_now()) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, back_to(req, &h, "rejected", 0));
}

/* ---- slow mode ---- */

static void slow_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	/* A hidden thread, or one whose opening post waits for approval, does
	 * not exist for a member who cannot see it: 404, not 403. */
	forum_thread t;
	if (!forum_thread_require_path(req, db, SPACE_MODERATE, moderators_only, &t))
		return;
	long long minutes;
	if (!form_get_int(&req->body, "minutes", 0, RESTRICTION_SLOW_MAX_MINUTES, &minutes)) {
		http_error(req, 422, "Slow mode takes a number of minutes from 1 to 1440 (a day), or 0 "
		                     "to turn it off. Nothing was changed.");
		return;
	}
	if (minutes != t.slow_minutes) {
		modlog_entry e = {
			.actor_id = u->id, .space_id = t.space.id, .thread_id = t.id,
			.action = minutes ? "slow_mode_on" : "slow_mode_off",
			.detail = minutes ? arena_sprintf(a, "{\"minutes\": %lld}", minutes)
			                  : arena_sprintf(a, "{\"was\": %d}", t.slow_minutes),
		};
		bool ok = db_begin(db) &&
			db_exec(db, "UPDATE threads SET slow_minutes = $2 WHERE id = $1", 2,
			        (const char *[]){num(a, t.id), num(a, minutes)}) &&
			modlog_append(db, &e) && db_commit(db);
		if (!ok) {
			db_rollback(db);
			http_db_error(req);
			return;
		}
	}
	http_redirect(req, arena_sprintf(a, "/t/%lld", (long long)t.id));
}

void restriction_routes(router *r)
{
	router_add(r, "GET", "/s/:id/mutes", mutes_page, ACCESS_SPACE_MODERATOR,
	           "the members muted in a space");
	router_add(r, "GET", "/s/:id/mute/:uid", mute_page, ACCESS_SPACE_MODERATOR,
	           "mute a member: how long, and why");
	router_add(r, "POST", "/s/:id/mute/:uid", mute_post_handler, ACCESS_SPACE_MODERATOR,
	           "mute a member for 1 hour to 30 days");
	router_add(r, "POST", "/s/:id/unmute/:uid", unmute_post, ACCESS_SPACE_MODERATOR,
	           "lift a member's mute");
	router_add(r, "GET", "/s/:id/held", held_page, ACCESS_SPACE_MODERATOR,
	           "posts waiting for approval; pre-moderation on or off");
	router_add(r, "POST", "/s/:id/premoderation", premoderation_post, ACCESS_SPACE_MODERATOR,
	           "hold members' new posts for approval, or stop");
	router_add(r, "POST", "/posts/:id/approve", approve_post, ACCESS_SPACE_MODERATOR,
	           "approve a held post: it is numbered, searchable and notified");
	router_add(r, "GET", "/posts/:id/reject", reject_page, ACCESS_SPACE_MODERATOR,
	           "not approving a held post: asks first, with a reason");
	router_add(r, "POST", "/posts/:id/reject", reject_post, ACCESS_SPACE_MODERATOR,
	           "do not approve a held post; its author is told why");
	router_add(r, "POST", "/t/:id/slow", slow_post, ACCESS_SPACE_MODERATOR,
	           "slow mode: minutes between one member's posts (0: off)");
}
