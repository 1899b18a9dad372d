/*
 * flag.c - flags on posts and the review queue. See flag.h.
 *
 * A flag is one row per person and post (a unique index says "once"); the
 * queue is computed from the open ones (a partial index holds only those),
 * so its cost follows what waits for review, not the size of the forum.
 * The access check of the overall queue runs once per distinct space that
 * has open flags, never per post.
 */
#include "cairn/flag.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/forum.h"
#include "cairn/guard.h"
#include "cairn/modlog.h"
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

/* The reasons sql/013 allows, in the order the form offers them. */
static const struct {
	const char *code, *label, *hint;
} reasons[] = {
	{"disrespectful", "Disrespectful", "It treats a colleague, a patient or a family without respect."},
	{"off_topic", "Off-topic", "It does not belong in this discussion."},
	{"identifies_patient", "Identifies a patient",
	 "It holds details that could identify a patient or their family."},
	{"other", "Something else", "Tell the moderators what, below."},
};

static const char *reason_label(const char *code)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (!strcmp(reasons[i].code, code))
			return reasons[i].label;
	return code;
}

static bool has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return true;
	return false;
}

bool flag_resolve_post(PGconn *db, arena *a, int64_t post_id, int64_t moderator_id,
                       const char *resolution, long long now, int *closed)
{
	PGresult *r = db_q(db,
		"UPDATE flags SET resolved_at = to_timestamp($3), resolved_by = $2, resolution = $4"
		" WHERE post_id = $1 AND resolved_at IS NULL RETURNING id",
		num(a, post_id), num(a, moderator_id), num(a, now), resolution);
	if (!r)
		return false;
	if (closed)
		*closed = PQntuples(r);
	PQclear(r);
	return true;
}

/* Where a moderator's action from a queue returns to: the queue it came
 * from (the form's "back"), else the post in its thread. */
static const char *back_to(request *req, const forum_post *p, const char *done)
{
	arena *a = req->a;
	const char *back = http_form(req, "back");
	if (back && !strcmp(back, "moderation"))
		return arena_sprintf(a, "/moderation?done=%s", done);
	if (back && !strcmp(back, "flags"))
		return arena_sprintf(a, "/s/%lld/flags?done=%s", (long long)p->thread.space.id, done);
	int page = (p->number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	return arena_sprintf(a, "/t/%lld?page=%d&done=%s#p%d", (long long)p->thread.id, page, done,
	                     p->number);
}

/* ---- flagging a post ---- */

/* The post the path names, if the user may flag it (answered when not:
 * 404, 403 or 409). */
static bool flaggable_post(request *req, PGconn *db, forum_post *p)
{
	if (!forum_post_require_path(req, db, SPACE_REACT,
	                             "You cannot flag posts in this space. Nothing was changed.", p))
		return false;
	if (p->author_id == session_user(req)->id) {
		http_error(req, 409, "This is your own post: you can edit or delete it instead of "
		                     "flagging it. Nothing was changed.");
		return false;
	}
	if (p->deleted) {
		http_error(req, 409, "This post was deleted by its author: there is nothing left to "
		                     "flag. Nothing was changed.");
		return false;
	}
	if (p->hidden) {
		http_error(req, 409, "A moderator has already hidden this post. Nothing was changed.");
		return false;
	}
	/* Only its author and the moderators see a post that waits, and the
	 * moderators approve or reject it: a flag would only queue it twice. */
	if (p->held) {
		http_error(req, 409, "This post waits for a moderator's approval: approve or reject "
		                     "it instead. Nothing was changed.");
		return false;
	}
	return true;
}

static void flag_view(request *req, const forum_post *p, int status, const char *reason,
                      const char *note, const char *error, tv *already)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv *v = tv_obj(a);
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, p->thread.space.id));
	tv_set_str(sv, "title", p->thread.space.title);
	tv_set_str(v, "id", num(a, p->id));
	tv_set_str(v, "thread_id", num(a, p->thread.id));
	tv_set_str(v, "thread_title", p->thread.title);
	tv_set_int(v, "number", p->number);
	tv_set_str(v, "author", p->author);
	tv_set(v, "when", zone_time(a, p->written, u->time_zone, u->time_zone, ZONE_FULL));
	tv_set_str(v, "html", p->html);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "note", note ? note : "");
	tv_set_str(v, "error", error);
	tv_set(v, "already", already ? already : tv_null(a));
	tv_set_int(v, "note_max", FLAG_NOTE_MAX_CHARS);
	tv *list = tv_set(v, "reasons", tv_list(a));
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "code", reasons[i].code);
		tv_set_str(o, "label", reasons[i].label);
		tv_set_str(o, "hint", reasons[i].hint);
		tv_set_bool(o, "checked", reason && !strcmp(reason, reasons[i].code));
	}
	req->no_store = true;
	http_render(req, status, "post_flag", "Flag a post", v);
}

/* The user's own earlier flag of post_id, as {when, reviewed}, or TV_NULL;
 * NULL after a database error. */
static tv *earlier_flag(PGconn *db, arena *a, const user *u, long long post_id)
{
	PGresult *r = db_q(db,
		"SELECT " ZONE_SQL("created_at", "$3") " AS at, resolved_at IS NOT NULL AS reviewed"
		" FROM flags WHERE post_id = $1 AND flagger_id = $2",
		num(a, post_id), num(a, u->id), u->time_zone);
	if (!r)
		return NULL;
	tv *out = tv_null(a);
	if (PQntuples(r) == 1) {
		out = tv_obj(a);
		tv_set(out, "when", zone_time(a, db_col(r, 0, "at"), u->time_zone, u->time_zone,
		                              ZONE_FULL));
		tv_set_bool(out, "reviewed", db_col(r, 0, "reviewed")[0] == 't');
	}
	PQclear(r);
	return out;
}

static void flag_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!flaggable_post(req, db, &p))
		return;
	tv *already = earlier_flag(db, req->a, u, p.id);
	if (!already) {
		http_db_error(req);
		return;
	}
	flag_view(req, &p, already->kind == TV_NULL ? 200 : 409, NULL, NULL, NULL,
	          already->kind == TV_NULL ? NULL : already);
}

static void flag_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!flaggable_post(req, db, &p))
		return;
	const char *reason = http_form(req, "reason"), *note = http_form(req, "note");
	if (!note)
		note = "";
	tv *already = earlier_flag(db, a, u, p.id);
	if (!already) {
		http_db_error(req);
		return;
	}
	if (already->kind != TV_NULL) {
		flag_view(req, &p, 409, reason, note, NULL, already);
		return;
	}
	bool known = false;
	for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
		known = known || !strcmp(reason, reasons[i].code);
	const char *problem = NULL;
	if (!known)
		problem = "Choose why you are flagging this post.";
	else if (!strcmp(reason, "other") && !has_text(note))
		problem = "Say what is wrong: “Something else” needs a few words for the moderators.";
	else if (utf8_length(note, strlen(note)) > FLAG_NOTE_MAX_CHARS)
		problem = arena_sprintf(a, "The note can be at most %d characters long; this one is "
		                           "%zu.", FLAG_NOTE_MAX_CHARS, utf8_length(note, strlen(note)));
	if (problem) {
		flag_view(req, &p, 422, reason, note, problem, NULL);
		return;
	}
	/* The unique index decides a race between two tabs: the loser is
	 * told, as if it had come second. */
	PGresult *r = db_q(db,
		"INSERT INTO flags (post_id, flagger_id, reason, note, created_at)"
		" VALUES ($1, $2, $3, $4, to_timestamp($5))"
		" ON CONFLICT (post_id, flagger_id) WHERE flagger_id IS NOT NULL DO NOTHING RETURNING id",
		num(a, p.id), num(a, u->id), reason, has_text(note) ? note : "",
		num(a, (long long)clock_now()));
	if (!r) {
		http_db_error(req);
		return;
	}
	int made = PQntuples(r);
	PQclear(r);
	if (!made) {
		already = earlier_flag(db, a, u, p.id);
		if (!already) {
			http_db_error(req);
			return;
		}
		flag_view(req, &p, 409, reason, note, NULL, already);
		return;
	}
	int page = (p.number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	http_redirect(req, arena_sprintf(a, "/t/%lld?page=%d&done=flagged#p%d",
	                                 (long long)p.thread.id, page, p.number));
}

/* ---- the review queue ---- */

/* Flagged posts with open flags in space_id (0: every space user moderates),
 * oldest flag first, as a view list; NULL after a database error. *total is
 * how many flagged posts wait in all. */
static tv *queue_items(PGconn *db, arena *a, const user *u, long long space_id,
                       const char *back, const char *csrf, long long *total)
{
	*total = 0;
	PGresult *r = db_q(db,
		"WITH open AS MATERIALIZED (SELECT f.post_id, min(f.created_at) AS first_at,"
		"  count(*) AS n FROM flags f WHERE f.resolved_at IS NULL GROUP BY f.post_id),"
		" placed AS MATERIALIZED (SELECT o.post_id, o.first_at, o.n, t.space_id FROM open o"
		"  JOIN posts p ON p.id = o.post_id JOIN threads t ON t.id = p.thread_id"
		"  WHERE $1::bigint = 0 OR t.space_id = $1::bigint),"
		" mine AS MATERIALIZED (SELECT d.space_id FROM"
		"  (SELECT DISTINCT space_id FROM placed OFFSET 0) d"
		"  WHERE cairn_space_role($2, d.space_id) = 2)"
		" SELECT p.id, coalesce(p.number, 0) AS number, p.body_html,"
		" p.deleted_at IS NOT NULL AS deleted, p.hidden, p.held, p.content_note,"
		" CASE WHEN p.content_note <> '' THEN " GUARD_SERIES_SLUG_SQL("t.space_id") " END"
		" AS series_slug,"
		" au.display_name AS author, au.handle, " ZONE_SQL("p.created_at", "$3") " AS written,"
		" t.id AS thread_id, t.title AS thread_title, t.locked, s.id AS space_id,"
		" s.title AS space_title, pl.n, count(*) OVER () AS total"
		" FROM placed pl JOIN mine m ON m.space_id = pl.space_id"
		" JOIN posts p ON p.id = pl.post_id JOIN users au ON au.id = p.author_id"
		" JOIN threads t ON t.id = p.thread_id JOIN spaces s ON s.id = t.space_id"
		" ORDER BY pl.first_at, pl.post_id LIMIT $4",
		num(a, space_id), num(a, u->id), u->time_zone, num(a, FLAG_QUEUE_POSTS));
	if (!r)
		return NULL;
	int n = PQntuples(r);
	const char **ids = arena_calloc(a, (size_t)n + 1, sizeof *ids);
	for (int i = 0; i < n; i++)
		ids[i] = arena_strdup(a, db_col(r, i, "id"));
	PGresult *fr = db_q(db,
		"SELECT f.post_id, f.reason, f.note, coalesce(fu.display_name, 'Cairn') AS flagger,"
		" " ZONE_SQL("f.created_at", "$2") " AS at"
		" FROM flags f LEFT JOIN users fu ON fu.id = f.flagger_id"
		" WHERE f.post_id = ANY($1::bigint[]) AND f.resolved_at IS NULL"
		" ORDER BY f.post_id, f.created_at, f.id",
		db_text_array_param(a, ids, (size_t)n), u->time_zone);
	if (!fr) {
		PQclear(r);
		return NULL;
	}
	tv *list = tv_list(a);
	for (int i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		bool deleted = db_col(r, i, "deleted")[0] == 't';
		tv_set_str(o, "id", ids[i]);
		tv_set_str(o, "number", arena_strdup(a, db_col(r, i, "number")));
		tv_set_str(o, "author", arena_strdup(a, db_col(r, i, "author")));
		tv_set_str(o, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set(o, "when", zone_time(a, db_col(r, i, "written"), u->time_zone, u->time_zone,
		                            ZONE_FULL));
		tv_set_str(o, "html", deleted ? NULL : arena_strdup(a, db_col(r, i, "body_html")));
		tv_set_bool(o, "deleted", deleted);
		/* A post waiting for approval (the privacy guard's) is approved or
		 * rejected, not hidden (moderation.c refuses that). */
		bool held = db_col(r, i, "held")[0] == 't';
		bool numbered = strcmp(db_col(r, i, "number"), "0") != 0;
		tv_set_bool(o, "held", held && !deleted && db_col(r, i, "hidden")[0] != 't');
		tv_set_bool(o, "numbered", numbered);
		tv_set_bool(o, "can_hide", !deleted && !held && db_col(r, i, "hidden")[0] != 't');
		const char *cn = db_col(r, i, "content_note"), *slug = db_col(r, i, "series_slug");
		tv_set_str(o, "note", *cn && !deleted ? arena_strdup(a, cn) : NULL);
		tv_set_str(o, "support", *cn && *slug ? arena_sprintf(a, "/series/%s/support", slug)
		                                      : NULL);
		tv_set_str(o, "thread_id", arena_strdup(a, db_col(r, i, "thread_id")));
		tv_set_str(o, "thread_title", arena_strdup(a, db_col(r, i, "thread_title")));
		tv_set_bool(o, "locked", db_col(r, i, "locked")[0] == 't');
		tv_set_str(o, "space_id", arena_strdup(a, db_col(r, i, "space_id")));
		tv_set_str(o, "space_title", arena_strdup(a, db_col(r, i, "space_title")));
		tv_set(o, "flag_count", tv_count(a, atoll(db_col(r, i, "n")), "flag", "flags"));
		tv_set_str(o, "csrf", csrf);
		tv_set_str(o, "back", back);
		tv *flags = tv_set(o, "flags", tv_list(a));
		for (int j = 0; j < PQntuples(fr); j++) {
			if (strcmp(db_col(fr, j, "post_id"), ids[i]))
				continue;
			tv *f = tv_push(flags, tv_obj(a));
			const char *note = db_col(fr, j, "note");
			tv_set_str(f, "flagger", arena_strdup(a, db_col(fr, j, "flagger")));
			tv_set_str(f, "reason", reason_label(db_col(fr, j, "reason")));
			tv_set_str(f, "note", *note ? arena_strdup(a, note) : NULL);
			tv_set(f, "when", zone_time(a, db_col(fr, j, "at"), u->time_zone, u->time_zone,
			                            ZONE_SHORT));
		}
	}
	if (n)
		*total = atoll(db_col(r, 0, "total"));
	PQclear(fr);
	PQclear(r);
	return list;
}

/* What the action that redirected to a queue did (POST-redirect-GET). */
static const char *queue_notice(request *req)
{
	const char *done = http_query(req, "done");
	if (!done)
		return NULL;
	if (!strcmp(done, "hidden"))
		return "The post is hidden and its flags are closed. Its author was told why.";
	if (!strcmp(done, "dismissed"))
		return "The flags were dismissed; the post stays as it is. Its author was not told "
		       "(they never knew it was flagged).";
	if (!strcmp(done, "locked"))
		return "The thread is locked: members can no longer reply. Its author was told.";
	return NULL;
}

static void render_queue(request *req, tv *v, tv *items, long long total)
{
	tv_set(v, "items", items);
	tv_set_bool(v, "has_items", items->n > 0);
	tv_set(v, "waiting", tv_count(req->a, total, "flagged post waits", "flagged posts wait"));
	tv_set_bool(v, "more", total > (long long)items->n);
	tv_set_int(v, "shown", (long long)items->n);
	tv_set_str(v, "notice", queue_notice(req));
	req->no_store = true;
	http_render(req, 200, "moderation_queue", "Flags to review", v);
}

static void space_queue_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	/* The queue is the moderators' alone: for anyone else it does not exist. */
	if (!space_require_path(req, db, SPACE_MODERATE, NULL, &s))
		return;
	long long total;
	tv *items = queue_items(db, a, u, s.id, "flags", session_csrf(req), &total);
	if (!items) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, s.id));
	tv_set_str(sv, "title", s.title);
	tv_set_str(sv, "context", s.context);
	tv_set_bool(v, "overall", false);
	tv_set(v, "spaces", tv_list(a));
	tv_set_bool(v, "has_spaces", false);
	render_queue(req, v, items, total);
}

static void overall_queue_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long total;
	tv *items = queue_items(db, a, u, 0, "moderation", session_csrf(req), &total);
	/* Every space the user moderates, with what waits there: the way to
	 * each space's queue and log. */
	PGresult *r = items ? db_q(db,
		"SELECT s.id, s.title, " SPACE_CONTEXT_SQL " AS context,"
		" (SELECT count(DISTINCT f.post_id) FROM flags f JOIN posts p ON p.id = f.post_id"
		"  JOIN threads t ON t.id = p.thread_id WHERE t.space_id = s.id"
		"  AND f.resolved_at IS NULL) AS open"
		" FROM spaces s" SPACE_JOINS " WHERE cairn_space_role($1, s.id) = 2"
		" ORDER BY s.kind = 'series' DESC, o.starts_on DESC NULLS LAST, s.kind, s.id LIMIT 200",
		num(a, u->id)) : NULL;
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set(v, "space", tv_null(a));
	tv_set_bool(v, "overall", true);
	tv *spaces = tv_set(v, "spaces", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(spaces, tv_obj(a));
		long long open = atoll(db_col(r, i, "open"));
		tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(o, "title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_str(o, "context", arena_strdup(a, db_col(r, i, "context")));
		tv_set(o, "open", open ? tv_count(a, open, "flagged post", "flagged posts") : tv_null(a));
	}
	tv_set_bool(v, "has_spaces", spaces->n > 0);
	PQclear(r);
	render_queue(req, v, items, total);
}

static void dismiss_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!forum_post_require_path(req, db, SPACE_MODERATE,
	                             "Only the space's moderators review flags. Nothing was changed.",
	                             &p))
		return;
	long long now = (long long)clock_now();
	int closed = 0;
	bool ok = db_begin(db) && flag_resolve_post(db, a, p.id, u->id, "dismissed", now, &closed);
	if (ok && closed == 0) {
		db_rollback(db);
		http_error(req, 409, "This post has no open flags: someone may have dealt with them "
		                     "already. Nothing was changed.");
		return;
	}
	PGresult *d = ok ? db_q(db, "SELECT jsonb_build_object('flags', $1::int)::text",
	                        num(a, closed)) : NULL;
	ok = d != NULL &&
	     modlog_append(db, &(modlog_entry){.actor_id = u->id,
	                                       .space_id = p.thread.space.id,
	                                       .action = "flag_dismissed",
	                                       .thread_id = p.thread.id,
	                                       .post_id = p.id,
	                                       .detail = db_val(d, 0, 0)}) &&
	     db_commit(db);
	PQclear(d);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, back_to(req, &p, "dismissed"));
}

void flag_routes(router *r)
{
	router_add(r, "GET", "/posts/:id/flag", flag_page, ACCESS_SPACE_MEMBER,
	           "the form to flag a post for the moderators");
	router_add(r, "POST", "/posts/:id/flag", flag_post, ACCESS_SPACE_MEMBER,
	           "flag a post (once per person)");
	router_add(r, "POST", "/posts/:id/flags/dismiss", dismiss_post, ACCESS_SPACE_MODERATOR,
	           "dismiss a post's open flags");
	router_add(r, "GET", "/s/:id/flags", space_queue_page, ACCESS_SPACE_MODERATOR,
	           "a space's flags to review");
	router_add(r, "GET", "/moderation", overall_queue_page, ACCESS_SIGNED_IN,
	           "flags to review in every space I moderate");
}
