/*
 * moderation.c - hiding and restoring posts, locking and moving threads,
 * and the moderation log's page. See moderation.h.
 *
 * Every action is one transaction: the change, its log entry (modlog.h),
 * the flags it settles (flag.h) and the notices to authors (notify.h)
 * commit together or not at all. A member who may read the space but not
 * moderate it is answered 403 for an action; the log page, like the flag
 * queue, does not exist for anyone but the space's moderators (404).
 */
#include "cairn/moderation.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/flag.h"
#include "cairn/forum.h"
#include "cairn/modlog.h"
#include "cairn/notify.h"
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

static bool has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return true;
	return false;
}

/* What is wrong with a reason (NULL: nothing). */
static const char *reason_problem(arena *a, const char *reason, bool required)
{
	if (required && !has_text(reason))
		return "Give a reason: the author is told it.";
	size_t n = reason ? utf8_length(reason, strlen(reason)) : 0;
	if (n > MODERATION_REASON_MAX_CHARS)
		return arena_sprintf(a, "A reason can be at most %d characters long; this one is %zu.",
		                     MODERATION_REASON_MAX_CHARS, n);
	return NULL;
}

/* "flags" or "moderation" when the action came from a review queue. */
static const char *back_of(const char *back)
{
	if (back && !strcmp(back, "flags"))
		return "flags";
	if (back && !strcmp(back, "moderation"))
		return "moderation";
	return "";
}

/* Where an action returns to: the queue it came from, else the thread at
 * post `number` (0: its top). */
static const char *back_to(request *req, const forum_thread *t, int number, const char *done)
{
	arena *a = req->a;
	const char *back = back_of(http_form(req, "back"));
	if (!strcmp(back, "moderation"))
		return arena_sprintf(a, "/moderation?done=%s", done);
	if (!strcmp(back, "flags"))
		return arena_sprintf(a, "/s/%lld/flags?done=%s", (long long)t->space.id, done);
	if (!number)
		return arena_sprintf(a, "/t/%lld?done=%s", (long long)t->id, done);
	int page = (number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	return arena_sprintf(a, "/t/%lld?page=%d&done=%s#p%d", (long long)t->id, page, done, number);
}

/* The post (or thread) the path names, which the signed-in user moderates:
 * 404 when they may not see it, 403 when they see it but do not moderate
 * its space (answered). */
static bool moderated_post(request *req, PGconn *db, forum_post *p)
{
	return forum_post_require_path(req, db, SPACE_MODERATE,
	                               "Only the space's moderators hide and restore posts. Nothing "
	                               "was changed.", p);
}

static bool moderated_thread(request *req, PGconn *db, forum_thread *t, const char *refusal)
{
	return forum_thread_require_path(req, db, SPACE_MODERATE, refusal, t);
}

static void set_thread(tv *v, arena *a, const forum_thread *t)
{
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, t->space.id));
	tv_set_str(sv, "title", t->space.title);
	tv_set_str(sv, "context", t->space.context);
	tv_set_str(v, "thread_id", num(a, t->id));
	tv_set_str(v, "thread_title", t->title);
}

/* End an action: commit, or roll back and answer the database error. */
static bool finish(request *req, PGconn *db, bool ok)
{
	ok = ok && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
	}
	return ok;
}

/* ---- hiding and restoring a post ---- */

static bool post_is_actionable(request *req, const forum_post *p)
{
	if (p->deleted) {
		http_error(req, 409, "Its author deleted this post: there is nothing to hide. Nothing "
		                     "was changed.");
		return false;
	}
	if (p->held) {
		http_error(req, 409, "This post waits for approval: approve or reject it instead. "
		                     "Nothing was changed.");
		return false;
	}
	return true;
}

static void hide_view(request *req, PGconn *db, const forum_post *p, int status,
                      const char *reason, const char *back, const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	PGresult *r = db_q(db, "SELECT count(*) FROM flags WHERE post_id = $1 AND resolved_at IS NULL",
	                   num(a, p->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	long long open = atoll(db_val(r, 0, 0));
	PQclear(r);
	tv *v = tv_obj(a);
	set_thread(v, a, &p->thread);
	tv_set_str(v, "id", num(a, p->id));
	tv_set_int(v, "number", p->number);
	tv_set_str(v, "author", p->author);
	tv_set(v, "when", zone_time(a, p->written, u->time_zone, u->time_zone, ZONE_FULL));
	tv_set_str(v, "html", p->html);
	tv_set_bool(v, "own", p->author_id == u->id);
	tv_set(v, "open_flags",
	       open == 1 ? tv_str(a, "Its open flag is closed as dealt with.")
	       : open ? tv_strf(a, "Its %lld open flags are closed as dealt with.", open)
	              : tv_null(a));
	tv_set_str(v, "reason", reason ? reason : "");
	tv_set_str(v, "back", back);
	tv_set_int(v, "reason_max", MODERATION_REASON_MAX_CHARS);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	req->no_store = true;
	http_render(req, status, "post_hide", "Hide a post?", v);
}

static void hide_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!moderated_post(req, db, &p) || !post_is_actionable(req, &p))
		return;
	if (p.hidden) {
		http_error(req, 409, "This post is hidden already. Nothing was changed.");
		return;
	}
	hide_view(req, db, &p, 200, NULL, back_of(http_query(req, "back")), NULL);
}

static void hide_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!moderated_post(req, db, &p) || !post_is_actionable(req, &p))
		return;
	if (p.hidden) {
		http_error(req, 409, "This post is hidden already. Nothing was changed.");
		return;
	}
	const char *reason = http_form(req, "reason");
	const char *back = back_of(http_form(req, "back"));
	/* Only the page's form acts (it asks first); anything else is shown it. */
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/posts/%lld/hide%s%s", (long long)p.id,
		                                 *back ? "?back=" : "", back));
		return;
	}
	const char *problem = reason_problem(a, reason, true);
	if (problem) {
		hide_view(req, db, &p, 422, reason, back, problem);
		return;
	}
	long long now = (long long)clock_now();
	int64_t log_id = 0;
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db,
		          "UPDATE posts SET hidden = true, hidden_reason = $2 WHERE id = $1"
		          " AND NOT hidden AND deleted_at IS NULL RETURNING id",
		          num(a, p.id), reason)) != NULL;
	if (ok && PQntuples(r) == 0) {
		/* Someone else hid it (or its author deleted it) a moment ago. */
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "This post was hidden or deleted a moment ago. Nothing was "
		                     "changed.");
		return;
	}
	PQclear(r);
	ok = ok && flag_resolve_post(db, a, p.id, u->id, "hidden", now, NULL) &&
	     modlog_append_id(db, &(modlog_entry){.actor_id = u->id,
	                                          .space_id = p.thread.space.id,
	                                          .action = "post_hidden",
	                                          .thread_id = p.thread.id,
	                                          .post_id = p.id,
	                                          .subject_id = p.author_id,
	                                          .reason = reason},
	                      &log_id) &&
	     notify_post_hidden(db, a, p.id) &&
	     notify_moderation(db, a, log_id, NOTIFY_POST_AUTHOR, req->app->cfg->origin, now);
	if (finish(req, db, ok))
		http_redirect(req, back_to(req, &p.thread, p.number, "hidden"));
}

static void restore_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!moderated_post(req, db, &p))
		return;
	long long now = (long long)clock_now();
	int64_t log_id = 0;
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db,
		          "UPDATE posts SET hidden = false, hidden_reason = '' WHERE id = $1 AND hidden"
		          " RETURNING id",
		          num(a, p.id))) != NULL;
	if (ok && PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "This post is not hidden. Nothing was changed.");
		return;
	}
	PQclear(r);
	ok = ok &&
	     modlog_append_id(db, &(modlog_entry){.actor_id = u->id,
	                                          .space_id = p.thread.space.id,
	                                          .action = "post_restored",
	                                          .thread_id = p.thread.id,
	                                          .post_id = p.id,
	                                          .subject_id = p.author_id},
	                      &log_id) &&
	     notify_moderation(db, a, log_id, NOTIFY_POST_AUTHOR, req->app->cfg->origin, now);
	if (finish(req, db, ok))
		http_redirect(req, back_to(req, &p.thread, p.number, "restored"));
}

/* ---- locking a thread ---- */

static const char *const lock_refusal =
	"Only the space's moderators lock and unlock threads. Nothing was changed.";

static void lock_view(request *req, const forum_thread *t, int status, const char *reason,
                      const char *back, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_thread(v, a, t);
	tv_set_str(v, "reason", reason ? reason : "");
	tv_set_str(v, "back", back);
	tv_set_int(v, "reason_max", MODERATION_REASON_MAX_CHARS);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	req->no_store = true;
	http_render(req, status, "thread_lock", "Lock a thread?", v);
}

static void lock_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_thread t;
	if (!moderated_thread(req, db, &t, lock_refusal))
		return;
	if (t.locked) {
		http_error(req, 409, "This thread is locked already. Nothing was changed.");
		return;
	}
	lock_view(req, &t, 200, NULL, back_of(http_query(req, "back")), NULL);
}

/* Lock or unlock (lock = false) thread t, log it and tell its author. */
static void set_locked(request *req, PGconn *db, const forum_thread *t, bool lock,
                       const char *reason)
{
	arena *a = req->a;
	user *u = session_user(req);
	long long now = (long long)clock_now();
	int64_t log_id = 0;
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "UPDATE threads SET locked = $2 WHERE id = $1 AND locked <> $2 RETURNING id",
		          num(a, t->id), lock ? "true" : "false")) != NULL;
	if (ok && PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, lock ? "This thread is locked already. Nothing was changed."
		                          : "This thread is not locked. Nothing was changed.");
		return;
	}
	PQclear(r);
	ok = ok &&
	     modlog_append_id(db, &(modlog_entry){.actor_id = u->id,
	                                          .space_id = t->space.id,
	                                          .action = lock ? "thread_locked" : "thread_unlocked",
	                                          .thread_id = t->id,
	                                          .subject_id = t->author_id,
	                                          .reason = reason},
	                      &log_id) &&
	     notify_moderation(db, a, log_id, NOTIFY_THREAD_AUTHOR, req->app->cfg->origin, now);
	if (finish(req, db, ok))
		http_redirect(req, back_to(req, t, 0, lock ? "locked" : "unlocked"));
}

static void lock_post(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_thread t;
	if (!moderated_thread(req, db, &t, lock_refusal))
		return;
	const char *reason = http_form(req, "reason");
	const char *back = back_of(http_form(req, "back"));
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/t/%lld/lock%s%s", (long long)t.id,
		                                 *back ? "?back=" : "", back));
		return;
	}
	const char *problem = reason_problem(a, reason, false);
	if (problem) {
		lock_view(req, &t, 422, reason, back, problem);
		return;
	}
	set_locked(req, db, &t, true, reason);
}

static void unlock_post(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_thread t;
	if (!moderated_thread(req, db, &t, lock_refusal))
		return;
	set_locked(req, db, &t, false, NULL);
}

/* ---- moving a thread ---- */

static const char *const move_refusal =
	"Only the space's moderators move threads. Nothing was changed.";

/* Who would gain and who would lose the thread if it moved from space
 * `from` to `to`: readers are computed by cairn_space_role, the one rule,
 * over every account (a move is rare; correctness over speed). */
typedef struct move_effect {
	long long newly, lost;
	tv *authors;            /* {name, keeps} of the thread's authors, first post first */
	long long author_count, authors_losing;
} move_effect;

static bool move_effect_of(PGconn *db, arena *a, long long thread_id, long long from,
                           long long to, move_effect *out)
{
	PGresult *r = db_q(db,
		"SELECT count(*) FILTER (WHERE rt >= 1 AND rs < 1) AS newly,"
		" count(*) FILTER (WHERE rs >= 1 AND rt < 1) AS lost"
		" FROM (SELECT cairn_space_role(u.id, $1) AS rs, cairn_space_role(u.id, $2) AS rt"
		"  FROM users u) x",
		num(a, from), num(a, to));
	if (!r)
		return false;
	out->newly = atoll(db_col(r, 0, "newly"));
	out->lost = atoll(db_col(r, 0, "lost"));
	PQclear(r);
	r = db_q(db,
		"SELECT u.display_name, cairn_space_role(u.id, $2) >= 1 AS keeps, count(*) OVER () AS n,"
		" count(*) FILTER (WHERE cairn_space_role(u.id, $2) < 1) OVER () AS losing"
		" FROM posts p JOIN users u ON u.id = p.author_id"
		" WHERE p.thread_id = $1 AND p.deleted_at IS NULL"
		" GROUP BY u.id ORDER BY min(p.number) LIMIT $3",
		num(a, thread_id), num(a, to), num(a, MODERATION_MOVE_AUTHORS));
	if (!r)
		return false;
	out->authors = tv_list(a);
	out->author_count = out->authors_losing = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(out->authors, tv_obj(a));
		tv_set_str(o, "name", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_bool(o, "keeps", db_col(r, i, "keeps")[0] == 't');
		out->author_count = atoll(db_col(r, i, "n"));
		out->authors_losing = atoll(db_col(r, i, "losing"));
	}
	PQclear(r);
	return true;
}

/* The spaces t could move to: those the user moderates, but its own. */
static tv *move_targets(PGconn *db, arena *a, const user *u, const forum_thread *t,
                        long long selected)
{
	PGresult *r = db_q(db,
		"SELECT s.id, s.title, " SPACE_CONTEXT_SQL " AS context FROM spaces s" SPACE_JOINS
		" WHERE s.id <> $2 AND cairn_space_role($1, s.id) = 2"
		" ORDER BY s.kind = 'series' DESC, o.starts_on DESC NULLS LAST, s.kind, s.id LIMIT 200",
		num(a, u->id), num(a, t->space.id));
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		long long id = atoll(db_col(r, i, "id"));
		tv_set_str(o, "id", num(a, id));
		tv_set_str(o, "label", arena_sprintf(a, "%s (%s)", db_col(r, i, "title"),
		                                     db_col(r, i, "context")));
		tv_set_bool(o, "selected", id == selected);
	}
	PQclear(r);
	return list;
}

typedef struct move_target {
	long long id;
	space s;
} move_target;

/* Read and check the target space named by `to` (a form or query value).
 * Returns NULL when it is fine (*out set), "" after a database error, or
 * the sentence that says what is wrong. */
static const char *target_of(PGconn *db, arena *a, const user *u, const forum_thread *t,
                             const char *to, move_target *out)
{
	long long id;
	bool found = false;
	if (!to || !*to)
		return "Choose the space to move the thread to.";
	if (!http_parse_id(to, &id))
		return "Choose a space from the list.";
	if (!space_load(db, a, u->id, id, &out->s, &found))
		return "";
	if (!found || !space_can(&out->s, SPACE_MODERATE))
		return "You can move a thread only to a space you moderate: choose one from the list.";
	if (id == t->space.id)
		return "The thread is in that space already: choose another.";
	out->id = id;
	return NULL;
}

static void move_view(request *req, PGconn *db, const forum_thread *t, int status,
                      const move_target *target, const char *reason, const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv *targets = move_targets(db, a, u, t, target ? target->id : 0);
	move_effect e = {0};
	if (!targets || (target && !move_effect_of(db, a, t->id, t->space.id, target->id, &e))) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_thread(v, a, t);
	tv_set(v, "targets", targets);
	tv_set_bool(v, "has_targets", targets->n > 0);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "reason", reason ? reason : "");
	tv_set_int(v, "reason_max", MODERATION_REASON_MAX_CHARS);
	if (target) {
		tv *tt = tv_set(v, "target", tv_obj(a));
		tv_set_str(tt, "id", num(a, target->id));
		tv_set_str(tt, "title", target->s.title);
		tv_set_str(tt, "context", target->s.context);
		tv_set(tt, "newly", e.newly ? tv_count(a, e.newly, "person", "people") : tv_null(a));
		tv_set(tt, "lost", e.lost ? tv_count(a, e.lost, "person", "people") : tv_null(a));
		tv_set_bool(tt, "wider", e.newly > 0);
		tv_set(tt, "authors", e.authors);
		tv_set(tt, "author_count", tv_count(a, e.author_count, "author", "authors"));
		tv_set_bool(tt, "more_authors", e.author_count > (long long)e.authors->n);
		tv_set(tt, "authors_losing",
		       e.authors_losing ? tv_count(a, e.authors_losing, "author", "authors") : tv_null(a));
	} else {
		tv_set(v, "target", tv_null(a));
	}
	req->no_store = true;
	http_render(req, status, "thread_move", "Move a thread", v);
}

/* A small group's threads stay in it (DESIGN §5). Answers 409 when t is one. */
static bool movable(request *req, const forum_thread *t)
{
	if (strcmp(t->space.kind, "group"))
		return true;
	http_error(req, 409, "A thread never leaves its small group: what members write there is "
	                     "for the group alone. Nothing was changed.");
	return false;
}

static void move_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_thread t;
	if (!moderated_thread(req, db, &t, move_refusal) || !movable(req, &t))
		return;
	const char *to = http_query(req, "to");
	if (!to) {
		move_view(req, db, &t, 200, NULL, NULL, NULL);
		return;
	}
	move_target target;
	const char *problem = target_of(db, req->a, u, &t, to, &target);
	if (problem && !*problem) {
		http_db_error(req);
		return;
	}
	move_view(req, db, &t, problem ? 422 : 200, problem ? NULL : &target, NULL, problem);
}

static void move_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_thread t;
	if (!moderated_thread(req, db, &t, move_refusal) || !movable(req, &t))
		return;
	move_target target;
	const char *to = http_form(req, "to"), *reason = http_form(req, "reason");
	const char *problem = target_of(db, a, u, &t, to, &target);
	if (problem && !*problem) {
		http_db_error(req);
		return;
	}
	if (problem) {
		move_view(req, db, &t, 422, NULL, reason, problem);
		return;
	}
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/t/%lld/move?to=%lld", (long long)t.id, target.id));
		return;
	}
	problem = reason_problem(a, reason, false);
	if (problem) {
		move_view(req, db, &t, 422, &target, reason, problem);
		return;
	}
	long long now = (long long)clock_now();
	/* Who gains and loses is decided again inside the transaction, under
	 * the thread's row lock, so the check and the move see the same
	 * readers. */
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "SELECT space_id FROM threads WHERE id = $1 FOR UPDATE",
		          num(a, t.id))) != NULL;
	if (ok && (PQntuples(r) != 1 || atoll(db_val(r, 0, 0)) != t.space.id)) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "Someone moved this thread a moment ago. Nothing was changed.");
		return;
	}
	PQclear(r);
	move_effect e = {0};
	ok = ok && move_effect_of(db, a, t.id, t.space.id, target.id, &e);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	const char *told = http_form(req, "told");
	if (e.newly > 0 && !(told && !strcmp(told, "yes"))) {
		db_rollback(db);
		move_view(req, db, &t, 422, &target, reason,
		          "This move shows the thread to people who cannot read it now. Confirm that "
		          "its authors are told, or choose a space with fewer readers.");
		return;
	}
	PGresult *d = db_q(db,
		"SELECT jsonb_build_object('from', $1::bigint, 'to', $2::bigint,"
		" 'newly_readable', $3::bigint, 'no_longer_readable', $4::bigint)::text",
		num(a, t.space.id), num(a, target.id), num(a, e.newly), num(a, e.lost));
	const char *detail = d ? arena_strdup(a, db_val(d, 0, 0)) : NULL;
	PQclear(d);
	/* A link to a session stays only where the session belongs to the new
	 * space's offering (agenda_link_post's rule). */
	int64_t log_id = 0;
	modlog_entry entry = {.actor_id = u->id, .space_id = t.space.id, .action = "thread_moved",
	                      .thread_id = t.id, .subject_id = t.author_id, .reason = reason,
	                      .detail = detail};
	ok = detail &&
	     db_exec(db,
	             "UPDATE threads SET space_id = $2, agenda_item_id = CASE WHEN EXISTS ("
	             " SELECT 1 FROM agenda_items ai JOIN spaces s ON s.offering_id = ai.offering_id"
	             " WHERE ai.id = threads.agenda_item_id AND s.id = $2) THEN agenda_item_id END"
	             " WHERE id = $1",
	             2, (const char *[]){num(a, t.id), num(a, target.id)}) &&
	     modlog_append_id(db, &entry, &log_id);
	/* The log of the space it arrived in tells the same, for its moderators. */
	entry.space_id = target.id;
	ok = ok && modlog_append(db, &entry) &&
	     notify_moderation(db, a, log_id, NOTIFY_THREAD_AUTHORS, req->app->cfg->origin, now);
	if (finish(req, db, ok))
		http_redirect(req, arena_sprintf(a, "/t/%lld?done=moved", (long long)t.id));
}

/* ---- the log ---- */

static const char *action_words(const char *action)
{
	static const struct {
		const char *action, *words;
	} words[] = {
		{"flag_dismissed", "dismissed the flags on"},
		{"post_hidden", "hid"},
		{"post_restored", "restored"},
		{"post_approved", "approved"},
		{"post_rejected", "rejected"},
		{"thread_locked", "locked"},
		{"thread_unlocked", "unlocked"},
		{"thread_pinned", "pinned"},
		{"thread_unpinned", "unpinned"},
		{"thread_moved", "moved"},
		{"member_muted", "muted"},
		{"member_unmuted", "unmuted"},
		{"premoderation_on", "turned pre-moderation on"},
		{"premoderation_off", "turned pre-moderation off"},
		{"slow_mode_on", "turned slow mode on in"},
		{"slow_mode_off", "turned slow mode off in"},
		{"revision_purged", "purged an earlier version of"},
		{"post_redacted", "redacted"},
		{"post_held", "held for approval"},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(words[i].action, action))
			return words[i].words;
	return action;
}

static void log_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long before = 0;
	space s;
	/* The log is the moderators' alone: for anyone else it does not exist. */
	if (!space_require_path(req, db, SPACE_MODERATE, NULL, &s))
		return;
	if (http_query(req, "before") && !http_parse_id(http_query(req, "before"), &before)) {
		http_error(req, 400, "That page address is not valid.");
		return;
	}
	/* Keyset pages, newest first, on the (space_id, id DESC) index. */
	PGresult *r = db_q(db,
		"SELECT ml.id, " ZONE_SQL("ml.at", "$4") " AS at, ml.action, ml.reason,"
		" coalesce(au.display_name, 'Cairn') AS actor, coalesce(ml.thread_id, 0) AS thread_id,"
		" coalesce(t.title, '') AS thread_title, coalesce(p.number, 0) AS number,"
		" coalesce(su.display_name, '') AS subject, coalesce(fs.title, '') AS moved_from,"
		" coalesce(ts.title, '') AS moved_to"
		" FROM moderation_log ml LEFT JOIN users au ON au.id = ml.actor_id"
		" LEFT JOIN threads t ON t.id = ml.thread_id LEFT JOIN posts p ON p.id = ml.post_id"
		" LEFT JOIN users su ON su.id = ml.subject_id"
		" LEFT JOIN spaces fs ON fs.id = (ml.detail->>'from')::bigint"
		" LEFT JOIN spaces ts ON ts.id = (ml.detail->>'to')::bigint"
		" WHERE ml.space_id = $1 AND ($2::bigint = 0 OR ml.id < $2::bigint)"
		" ORDER BY ml.id DESC LIMIT $3",
		num(a, s.id), num(a, before), num(a, MODERATION_LOG_PER_PAGE + 1), u->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	bool more = n > MODERATION_LOG_PER_PAGE;
	if (more)
		n = MODERATION_LOG_PER_PAGE;
	tv *v = tv_obj(a);
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, s.id));
	tv_set_str(sv, "title", s.title);
	tv_set_str(sv, "context", s.context);
	tv *list = tv_set(v, "entries", tv_list(a));
	for (int i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		const char *reason = db_col(r, i, "reason"), *subject = db_col(r, i, "subject");
		const char *thread_id = db_col(r, i, "thread_id"), *number = db_col(r, i, "number");
		const char *from = db_col(r, i, "moved_from"), *to = db_col(r, i, "moved_to");
		tv_set(o, "when", zone_time(a, db_col(r, i, "at"), u->time_zone, u->time_zone,
		                            ZONE_FULL));
		tv_set_str(o, "actor", arena_strdup(a, db_col(r, i, "actor")));
		tv_set_str(o, "action", action_words(db_col(r, i, "action")));
		tv_set_str(o, "thread_id", strcmp(thread_id, "0") ? arena_strdup(a, thread_id) : NULL);
		tv_set_str(o, "thread_title", arena_strdup(a, db_col(r, i, "thread_title")));
		tv_set_str(o, "number", strcmp(number, "0") ? arena_strdup(a, number) : NULL);
		tv_set_str(o, "subject", *subject ? arena_strdup(a, subject) : NULL);
		tv_set_str(o, "reason", *reason ? arena_strdup(a, reason) : NULL);
		tv *mv = tv_null(a);
		if (*from || *to) {
			mv = tv_obj(a);
			tv_set_str(mv, "from", arena_strdup(a, from));
			tv_set_str(mv, "to", arena_strdup(a, to));
		}
		tv_set(o, "moved", mv);
	}
	tv_set_bool(v, "has_entries", n > 0);
	tv_set(v, "older", more ? tv_str(a, arena_strdup(a, db_col(r, n - 1, "id"))) : tv_null(a));
	tv_set_bool(v, "paged", before != 0);
	PQclear(r);
	req->no_store = true;
	http_render(req, 200, "moderation_log", "Moderation log", v);
}

void moderation_routes(router *r)
{
	router_add(r, "GET", "/posts/:id/hide", hide_page, ACCESS_SPACE_MODERATOR,
	           "what hiding a post would do, and the reason; asks first");
	router_add(r, "POST", "/posts/:id/hide", hide_post, ACCESS_SPACE_MODERATOR,
	           "hide a post with a reason, from that page's form");
	router_add(r, "POST", "/posts/:id/restore", restore_post, ACCESS_SPACE_MODERATOR,
	           "show a hidden post again");
	router_add(r, "GET", "/t/:id/lock", lock_page, ACCESS_SPACE_MODERATOR,
	           "what locking a thread would do; asks first");
	router_add(r, "POST", "/t/:id/lock", lock_post, ACCESS_SPACE_MODERATOR,
	           "lock a thread, from that page's form");
	router_add(r, "POST", "/t/:id/unlock", unlock_post, ACCESS_SPACE_MODERATOR, "unlock a thread");
	router_add(r, "GET", "/t/:id/move", move_page, ACCESS_SPACE_MODERATOR,
	           "choose where to move a thread, and what the move would do; asks first");
	router_add(r, "POST", "/t/:id/move", move_post, ACCESS_SPACE_MODERATOR,
	           "move a thread to another space I moderate, from that page's form");
	router_add(r, "GET", "/s/:id/log", log_page, ACCESS_SPACE_MODERATOR,
	           "a space's moderation log, newest first");
}
