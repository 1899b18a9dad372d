/*
 * forum.c - spaces, threads and posts. See forum.h.
 *
 * Posts are rendered from Markdown once, at write time (markdown.c), and
 * their HTML, plain text and search vector are stored beside the source.
 * Every write is one transaction; a post gets its number under a lock on
 * its thread row, so numbers are dense and unique. Thread lists use keyset
 * pagination on (last_post_at, id); long threads page by post number.
 *
 * What moderators restrict (server/restriction.c sets it) is enforced here,
 * where posts are written: a muted member's reply or thread is refused
 * (403, the draft shown back); in a pre-moderated space a member's post is
 * held: written without a number, a search entry, notifications or a move
 * of the thread's counters, all of which come when a moderator approves it
 * (sql/016_held_posts.sql); a thread in slow mode refuses a member's post
 * that comes too soon after their last (429, with the time they may post).
 */
#include "cairn/forum.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/away.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/guard.h"
#include "cairn/log.h"
#include "cairn/markdown.h"
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

/* ---- loading what a page is about ---- */

typedef struct thread_ref {
	long long id, author_id, agenda_item_id;
	const char *title;
	int last_number;   /* 0: the opening post waits for approval (sql/016) */
	int slow_minutes;  /* slow mode: one post per member per this many minutes; 0 off */
	bool pinned, locked, hidden;
	space space;
} thread_ref;

/* Load thread `id` as user_id sees it (hidden threads only for moderators;
 * a thread whose opening post waits for approval only for its author and
 * the moderators). false on a database error; otherwise *found says whether
 * the user may see it. for_update locks the thread row. */
static bool thread_find(PGconn *db, arena *a, int64_t user_id, long long id, bool for_update,
                        thread_ref *t, bool *found)
{
	*found = false;
	const char *sql = for_update
		? "SELECT t.id, t.author_id, coalesce(t.agenda_item_id, 0), t.title, t.last_number,"
		  " t.pinned, t.locked, t.hidden, t.space_id, t.slow_minutes FROM threads t"
		  " WHERE t.id = $1 FOR UPDATE"
		: "SELECT t.id, t.author_id, coalesce(t.agenda_item_id, 0), t.title, t.last_number,"
		  " t.pinned, t.locked, t.hidden, t.space_id, t.slow_minutes FROM threads t"
		  " WHERE t.id = $1";
	PGresult *r = db_q(db, sql, num(a, id));
	if (!r)
		return false;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return true;
	}
	t->id = id;
	t->author_id = atoll(db_val(r, 0, 1));
	t->agenda_item_id = atoll(db_val(r, 0, 2));
	t->title = arena_strdup(a, db_val(r, 0, 3));
	t->last_number = atoi(db_val(r, 0, 4));
	t->pinned = db_val(r, 0, 5)[0] == 't';
	t->locked = db_val(r, 0, 6)[0] == 't';
	t->hidden = db_val(r, 0, 7)[0] == 't';
	long long space_id = atoll(db_val(r, 0, 8));
	t->slow_minutes = atoi(db_val(r, 0, 9));
	PQclear(r);
	bool readable;
	if (!space_load(db, a, user_id, space_id, &t->space, &readable))
		return false;
	if (!readable)
		return true;
	bool mod = space_can(&t->space, SPACE_MODERATE);
	/* A hidden thread exists only for the moderators, one whose opening
	 * post waits for approval only for its author and the moderators. */
	*found = !(t->hidden && !mod) &&
	         !(t->last_number == 0 && !mod && t->author_id != user_id);
	return true;
}

/* Load a thread the user can read (thread_find); 404 otherwise (answered). */
static bool load_thread(request *req, PGconn *db, long long id, bool for_update, thread_ref *t)
{
	bool found;
	if (!thread_find(db, req->a, session_user(req)->id, id, for_update, t, &found)) {
		http_db_error(req);
		return false;
	}
	if (!found)
		http_error(req, 404, NULL);
	return found;
}

/* The instant `unix` as a ZONE_SQL value in `zone`, for zone_time and
 * zone_text (one small query: PostgreSQL knows the zone's rules). NULL on a
 * database error. */
static const char *instant_in(PGconn *db, arena *a, long long unix, const char *zone)
{
	PGresult *r = db_q(db, "SELECT " ZONE_SQL("to_timestamp($1)", "$2"), num(a, unix), zone);
	if (!r)
		return NULL;
	const char *v = arena_strdup(a, db_val(r, 0, 0));
	PQclear(r);
	return v;
}

static void set_space(tv *v, arena *a, const space *s)
{
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, s->id));
	tv_set_str(sv, "title", s->title);
	tv_set_str(sv, "context", s->context);
	tv_set(sv, "offering_slug", *s->offering_slug ? tv_str(a, s->offering_slug) : tv_null(a));
	tv_set(sv, "group_id", s->group_id ? tv_str(a, num(a, s->group_id)) : tv_null(a));
}

/* A post's content note for a template: "note" (NULL: none) and "support",
 * the address of its series' support page (NULL without a note or a
 * series). The templates fold the text behind the note. */
static void set_note(tv *p, arena *a, const char *note, const char *series_slug)
{
	bool has = note && *note;
	tv_set_str(p, "note", has ? arena_strdup(a, note) : NULL);
	tv_set_str(p, "support", has && series_slug && *series_slug
	                             ? arena_sprintf(a, "/series/%s/support", series_slug) : NULL);
}

/* ---- Markdown with mentions ---- */

typedef struct mention_ctx {
	PGconn *db;
	arena *a;
	long long space_id;
	bool failed;
	int64_t ids[MARKDOWN_MAX_MENTIONS];
	size_t n;
} mention_ctx;

/* A mention counts only for someone who can read the thread. */
static bool resolve_mention(void *p, const char *handle)
{
	mention_ctx *c = p;
	if (c->failed || c->n >= MARKDOWN_MAX_MENTIONS)
		return false;
	PGresult *r = db_q(c->db,
		"SELECT id FROM users WHERE handle = $1 AND " SPACE_READABLE_SQL("id", "$2"),
		handle, num(c->a, c->space_id));
	if (!r) {
		c->failed = true;
		return false;
	}
	bool ok = PQntuples(r) == 1;
	if (ok)
		c->ids[c->n++] = atoll(db_val(r, 0, 0));
	PQclear(r);
	return ok;
}

/* Does s hold anything visible? White space and the invisible or space-like
 * code points people paste (no-break, zero-width, ideographic spaces, the
 * byte-order mark) do not count. */
static bool has_visible_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r') {
			u++;
		} else if (u[0] == 0xC2 && u[1] == 0xA0) {                   /* U+00A0 */
			u += 2;
		} else if (u[0] == 0xE2 && u[1] == 0x80 &&
		           (u[2] <= 0x8F || u[2] == 0xAF)) {                  /* U+2000-200F, 202F */
			u += 3;
		} else if (u[0] == 0xE2 && u[1] == 0x81 && (u[2] == 0x9F || u[2] == 0xA0)) {
			u += 3;                                                 /* U+205F, U+2060 */
		} else if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {   /* U+3000 */
			u += 3;
		} else if (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {   /* U+FEFF */
			u += 3;
		} else {
			return true;
		}
	}
	return false;
}

/* The private-use characters search snippets use as highlight markers are
 * removed from what people write, so nobody can forge a highlight. */
static char *strip_sentinels(arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, len + 1), *o = out;
	for (size_t i = 0; i < len; i++) {
		if (i + 2 < len && (unsigned char)s[i] == 0xEE && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0x80 || (unsigned char)s[i + 2] == 0x81)) {
			i += 2;
			continue;
		}
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

typedef struct rendered {
	markdown_result md;
	const char *text;  /* sentinel-free */
	mention_ctx mentions;
} rendered;

/* Validate and render a post body. Returns NULL on success, "" after a
 * database error, else the sentence to show the writer. */
static const char *render_md(PGconn *db, arena *a, long long space_id, const char *body,
                             rendered *out)
{
	memset(out, 0, sizeof *out);
	if (!body)
		return "Write something first.";
	size_t len = strlen(body);
	if (!has_visible_text(body))
		return "Write something first.";
	if (len > MARKDOWN_MAX_BYTES)
		return arena_sprintf(a, "Posts can be at most %d KB long; this one is %zu KB.",
		                     MARKDOWN_MAX_BYTES / 1024, (len + 1023) / 1024);
	out->mentions = (mention_ctx){.db = db, .a = a, .space_id = space_id};
	markdown_options opt = {.resolve_mention = resolve_mention, .mention_ctx = &out->mentions};
	if (!markdown_render(a, body, len, &opt, &out->md))
		return "The post is not valid text.";
	if (out->mentions.failed)
		return "";
	out->text = strip_sentinels(a, out->md.text, out->md.text_len);
	return NULL;
}

/* render_md for a request: a database error is answered here (and "" returned). */
static const char *render_body(request *req, PGconn *db, long long space_id, const char *body,
                               rendered *out)
{
	const char *problem = render_md(db, req->a, space_id, body, out);
	if (problem && !*problem)
		http_db_error(req);
	return problem;
}

/* ---- spaces ---- */

tv *forum_spaces_view(PGconn *db, arena *a, int64_t user_id, bool with_groups)
{
	PGresult *r = db_q(db,
		"WITH mine AS (SELECT s.id, s.kind, s.title, " SPACE_CONTEXT_SQL " AS context,"
		" coalesce(o.starts_on, '1900-01-01') AS starts"
		" FROM spaces s" SPACE_JOINS " WHERE (s.kind <> 'group' OR $2)"
		" AND " SPACE_READABLE_SQL("$1", "s.id") ")"
		" SELECT m.id, m.title, m.context, m.kind,"
		" coalesce((SELECT sum(t.last_number - coalesce(rd.last_number, 0)) FROM threads t"
		"   LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $1"
		"   WHERE t.space_id = m.id AND NOT t.hidden"
		"   AND NOT " AWAY_SQL("$1", "t.space_id", "t.id") "), 0)"
		" FROM mine m ORDER BY m.kind = 'series' DESC, m.starts DESC, m.kind, m.id LIMIT 100",
		num(a, user_id), with_groups ? "true" : "false");
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *s = tv_push(list, tv_obj(a));
		tv_set_str(s, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(s, "title", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(s, "context", arena_strdup(a, db_val(r, i, 2)));
		long long unread = atoll(db_val(r, i, 4));
		tv_set_int(s, "unread", unread);
		tv_set_bool(s, "has_unread", unread > 0);
	}
	PQclear(r);
	return list;
}

static void spaces_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db(req);
	tv *spaces = db ? forum_spaces_view(db, req->a, u->id, true) : NULL;
	/* The enrollments say why a space is (not yet) here. */
	tv *mine = spaces ? enroll_mine_view(db, req->a, u->id, 0, false, 10) : NULL;
	if (!mine) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(req->a);
	tv_set(v, "spaces", spaces);
	tv_set_bool(v, "has_spaces", spaces->n > 0);
	tv_set(v, "enrollments", mine);
	tv_set_bool(v, "has_enrollments", mine->n > 0);
	http_render(req, 200, "spaces", "Discussions", v);
}

static void thread_list_item(tv *list, arena *a, PGresult *r, int i, const char *zone)
{
	tv *t = tv_push(list, tv_obj(a));
	tv_set_str(t, "id", arena_strdup(a, db_val(r, i, 0)));
	tv_set_str(t, "title", arena_strdup(a, db_val(r, i, 1)));
	tv_set_bool(t, "pinned", db_val(r, i, 2)[0] == 't');
	tv_set_bool(t, "locked", db_val(r, i, 3)[0] == 't');
	int replies = atoi(db_val(r, i, 4)) - 1;
	tv_set_int(t, "replies", replies < 0 ? 0 : replies);
	tv_set_str(t, "replies_label", replies == 1 ? "reply" : "replies");
	/* NULL when the reader sees none of its posts (FORUM_LAST_POST_JOINS). */
	const char *last = db_val(r, i, 5), *at = db_val(r, i, 6);
	tv_set_bool(t, "has_last", *last);
	tv_set_str(t, "last_poster", arena_strdup(a, last));
	tv_set(t, "last_at", *at ? zone_time(a, at, zone, zone, ZONE_SHORT) : tv_null(a));
	int unread = atoi(db_val(r, i, 7));
	tv_set_int(t, "unread", unread);
	tv_set_bool(t, "has_unread", unread > 0);
	tv_set_bool(t, "new", db_val(r, i, 8)[0] == 't');
	tv_set_bool(t, "hidden", db_val(r, i, 9)[0] == 't');
	tv_set_bool(t, "held", atoi(db_val(r, i, 4)) == 0);
}

/* What restricts posting in space s, for its page and the forms in it:
 * "muted_until" (the reader's mute, a time, or null), "held_here" (the
 * reader's new posts wait for approval) and, for moderators, "restrictions"
 * {held (posts waiting), premoderated}. false after a database error
 * (answered). */
static bool space_restrictions_view(request *req, PGconn *db, const space *s, tv *v)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv_set(v, "muted_until", tv_null(a));
	if (s->muted_until) {
		const char *at = instant_in(db, a, s->muted_until, u->time_zone);
		if (!at) {
			http_db_error(req);
			return false;
		}
		tv_set(v, "muted_until", zone_time(a, at, u->time_zone, u->time_zone, ZONE_FULL));
	}
	tv_set_bool(v, "held_here", space_can(s, SPACE_HELD));
	if (!space_can(s, SPACE_MODERATE)) {
		tv_set(v, "restrictions", tv_null(a));
		return true;
	}
	PGresult *r = db_q(db,
		"SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id"
		" WHERE p.held AND NOT p.hidden AND t.space_id = $1", num(a, s->id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	tv *m = tv_set(v, "restrictions", tv_obj(a));
	tv_set_int(m, "held", atoll(db_val(r, 0, 0)));
	tv_set_bool(m, "premoderated", s->premoderated);
	PQclear(r);
	return true;
}

#define THREAD_LIST_COLUMNS                                                               \
	"t.id, t.title, t.pinned, t.locked, t.last_number, lp.display_name,"                  \
	" " ZONE_SQL(FORUM_LAST_POST_AT, "$2") ","                                           \
	" CASE WHEN " AWAY_SQL("$3", "t.space_id", "t.id") " THEN 0"                           \
	" ELSE t.last_number - coalesce(rd.last_number, 0) END, rd.user_id IS NULL, t.hidden,"   \
	" (extract(epoch FROM t.last_post_at) * 1000000)::bigint"

static void space_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_require_path(req, db, SPACE_READ, NULL, &s))
		return;
	long long id = s.id;
	/* Keyset cursor: ?after=<last_post_at in µs>.<thread id> */
	long long cursor_us = 0, cursor_id = 0;
	const char *after = http_query(req, "after");
	if (after) {
		char *dot;
		cursor_us = strtoll(after, &dot, 10);
		if (*dot != '.' || !http_parse_id(dot + 1, &cursor_id) || cursor_us <= 0) {
			http_error(req, 400, "That page address is not valid.");
			return;
		}
	}
	const char *mod = space_can(&s, SPACE_MODERATE) ? "true" : "false";
	PGresult *pinned = after ? NULL : db_q(db,
		"SELECT " THREAD_LIST_COLUMNS " FROM threads t" FORUM_LAST_POST_JOINS("$3", "$4")
		" LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $3"
		" WHERE t.space_id = $1 AND t.pinned AND (NOT t.hidden OR $4)"
		" AND (t.last_number > 0 OR t.author_id = $3 OR $4)"
		" ORDER BY t.last_post_at DESC, t.id DESC LIMIT 20",
		num(a, id), u->time_zone, num(a, u->id), mod);
	if (!after && !pinned) {
		http_db_error(req);
		return;
	}
	PGresult *r = db_q(db,
		"SELECT " THREAD_LIST_COLUMNS " FROM threads t" FORUM_LAST_POST_JOINS("$3", "$4")
		" LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $3"
		" WHERE t.space_id = $1 AND NOT t.pinned AND (NOT t.hidden OR $4)"
		" AND (t.last_number > 0 OR t.author_id = $3 OR $4)"
		" AND ($5::bigint = 0 OR (t.last_post_at, t.id) <"
		" (to_timestamp($5::bigint / 1000000.0), $6::bigint))"
		" ORDER BY t.last_post_at DESC, t.id DESC LIMIT " "31",
		num(a, id), u->time_zone, num(a, u->id), mod, num(a, cursor_us), num(a, cursor_id));
	if (!r) {
		PQclear(pinned);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_space(v, a, &s);
	tv *list = tv_set(v, "threads", tv_list(a));
	for (int i = 0; pinned && i < PQntuples(pinned); i++)
		thread_list_item(list, a, pinned, i, u->time_zone);
	int n = PQntuples(r);
	bool more = n > FORUM_THREADS_PER_PAGE;
	if (more)
		n = FORUM_THREADS_PER_PAGE;
	for (int i = 0; i < n; i++)
		thread_list_item(list, a, r, i, u->time_zone);
	tv_set(v, "next", more ? tv_strf(a, "%s.%s", db_val(r, n - 1, 10), db_val(r, n - 1, 0))
	                       : tv_null(a));
	tv_set_bool(v, "has_threads", list->n > 0);
	tv_set_bool(v, "can_start", space_can(&s, SPACE_START));
	tv_set_bool(v, "moderator", space_can(&s, SPACE_MODERATE));
	tv_set_bool(v, "paged", after != NULL);
	tv_set_str(v, "csrf", session_csrf(req));
	PQclear(pinned);
	PQclear(r);
	if (!space_restrictions_view(req, db, &s, v))
		return;
	if (!away_view(db, a, u->id, u->time_zone, s.id, 0, http_query(req, "away"), v)) {
		http_db_error(req);
		return;
	}
	http_render(req, 200, "space", s.title, v);
}

static void mark_space_read_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_require_path(req, db, SPACE_READ, NULL, &s))
		return;
	long long id = s.id;
	bool ok = db_begin(db) &&
		db_exec(db,
		        "INSERT INTO reads (user_id, thread_id, last_number)"
		        " SELECT $1, t.id, t.last_number FROM threads t WHERE t.space_id = $2"
		        " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number = EXCLUDED.last_number",
		        2, (const char *[]){num(req->a, u->id), num(req->a, id)}) &&
		notify_caught_up(db, req->a, u->id, 0, (long long)clock_now()) && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/s/%lld", id));
}

/* ---- starting a thread ---- */

/* The new-thread form; for a muted member, the sentence saying until when
 * instead of it, and what they wrote (if anything) shown back to keep. */
static void new_thread_view(request *req, PGconn *db, const space *s, int status,
                            const char *title, const char *body, const char *note,
                            const guard_report *found, const char *preview, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_space(v, a, s);
	if (!space_restrictions_view(req, db, s, v))
		return;
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "title", title ? title : "");
	tv_set_str(v, "body", body ? body : "");
	tv_set_str(v, "note", note ? note : "");
	tv_set_int(v, "note_max", GUARD_NOTE_MAX_CHARS);
	guard_view(v, a, found);
	tv_set_bool(v, "has_draft", s->muted_until && ((title && *title) || (body && *body)));
	tv_set_str(v, "preview", preview);
	tv_set_str(v, "error", error);
	http_render(req, status, "thread_new", "Start a discussion", v);
}

static bool may_start(const space *s)
{
	return space_can(s, SPACE_START);
}

static void new_thread_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_require_path(req, db, SPACE_READ, NULL, &s))
		return;
	if (s.muted_until) {
		new_thread_view(req, db, &s, 403, NULL, NULL, NULL, NULL, NULL, NULL);
		return;
	}
	if (!may_start(&s)) {
		http_error(req, 403, "Only facilitators and directors start threads here; everyone "
		                     "may reply.");
		return;
	}
	new_thread_view(req, db, &s, 200, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Record a new post (number n) in thread t; mentions and notifications
 * too. Inside the caller's transaction. Returns the post id or 0.
 *
 * A held post (a pre-moderated space) is written with its mentions but no
 * number, no search entry, no notification and no change to the thread's
 * counters or the writer's reading state: a moderator's approval
 * (restriction.c) does all of that, as here, at the post's own time. */
static long long insert_post(PGconn *db, arena *a, int64_t author_id, const char *origin,
                             long long thread_id, int number, bool held,
                             const char *title_for_search, const char *src, const char *note,
                             const rendered *rb, long long now)
{
	PGresult *r = db_query(db,
		"INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search,"
		" created_at, held, content_note) VALUES ($1, CASE WHEN $9 THEN NULL ELSE $2::int END,"
		" $3, $4, $5, $6, CASE WHEN $9 THEN ''::tsvector ELSE"
		" setweight(to_tsvector('english', $7), 'A') || to_tsvector('english', $6) END,"
		" to_timestamp($8), $9, $10) RETURNING id",
		10, (const char *[]){num(a, thread_id), num(a, number), num(a, author_id), src,
		                     rb->md.html, rb->text, title_for_search ? title_for_search : "",
		                     num(a, now), held ? "true" : "false", note ? note : ""});
	if (!r)
		return 0;
	long long post_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	for (size_t i = 0; i < rb->mentions.n; i++)
		if (!db_exec(db, "INSERT INTO mentions (post_id, user_id) VALUES ($1, $2)"
		                 " ON CONFLICT DO NOTHING",
		             2, (const char *[]){num(a, post_id), num(a, rb->mentions.ids[i])}))
			return 0;
	if (held)
		return post_id;
	if (!db_exec(db,
	             "UPDATE threads SET last_post_at = to_timestamp($2), last_poster_id = $3,"
	             " last_number = $4 WHERE id = $1",
	             4, (const char *[]){num(a, thread_id), num(a, now), num(a, author_id), num(a, number)}))
		return 0;
	/* The writer has read their own post. */
	if (!db_exec(db,
	             "INSERT INTO reads (user_id, thread_id, last_number) VALUES ($1, $2, $3)"
	             " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number ="
	             " greatest(reads.last_number, EXCLUDED.last_number)",
	             3, (const char *[]){num(a, author_id), num(a, thread_id), num(a, number)}) ||
	    !notify_caught_up(db, a, author_id, thread_id, now))
		return 0;
	if (!notify_post(db, a, thread_id, post_id, number, author_id, rb->mentions.ids, rb->mentions.n,
	                 markdown_excerpt(a, rb->text, 200), origin, now))
		return 0;
	return post_id;
}

/* A new thread with its opening post, inside the caller's transaction. A
 * held opening post leaves the thread at last_number 0 until approved. */
static bool write_thread(PGconn *db, arena *a, long long space_id, int64_t author_id,
                         const char *origin, const char *title, const char *body,
                         const char *note, const rendered *rb, bool held, long long now,
                         long long *thread_id)
{
	PGresult *r = db_q(db,
		"INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id)"
		" VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($4), $2) RETURNING id",
		num(a, space_id), num(a, author_id), title, num(a, now));
	if (!r)
		return false;
	*thread_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	/* The author follows their own thread (replies notify them anyway). */
	return insert_post(db, a, author_id, origin, *thread_id, 1, held, title, body, note, rb,
	                   now) &&
	       db_exec(db, "INSERT INTO follows (user_id, thread_id) VALUES ($1, $2)", 2,
	               (const char *[]){num(a, author_id), num(a, *thread_id)});
}

/* A reply: the next number under a lock on the thread row, inside the
 * caller's transaction. Returns the post's number, 0 on a database error. */
static int write_reply(PGconn *db, arena *a, long long thread_id, int64_t author_id,
                       const char *origin, const char *body, const char *note,
                       const rendered *rb, long long now)
{
	PGresult *r = db_q(db, "SELECT last_number FROM threads WHERE id = $1 FOR UPDATE",
	                   num(a, thread_id));
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	int number = atoi(db_val(r, 0, 0)) + 1;
	PQclear(r);
	return insert_post(db, a, author_id, origin, thread_id, number, false, NULL, body, note, rb,
	                   now) ? number : 0;
}

bool forum_write_post(PGconn *db, arena *a, const forum_post_in *in, int64_t *thread_id,
                      int *number, const char **problem)
{
	*problem = NULL;
	long long space_id = in->space_id;
	if (in->thread_id) {
		PGresult *r = db_q(db, "SELECT space_id FROM threads WHERE id = $1",
		                   num(a, in->thread_id));
		if (!r)
			return false;
		space_id = PQntuples(r) == 1 ? atoll(db_val(r, 0, 0)) : 0;
		PQclear(r);
		if (!space_id) {
			*problem = "No such thread.";
			return false;
		}
	}
	rendered rb;
	const char *p = render_md(db, a, space_id, in->body, &rb);
	if (p) {
		*problem = *p ? p : NULL;
		return false;
	}
	if (!in->thread_id) {
		if (!in->title || !has_visible_text(in->title)) {
			*problem = "Give the thread a title.";
			return false;
		}
		long long id;
		if (!write_thread(db, a, space_id, in->author_id, in->origin, in->title, in->body,
		                  in->content_note, &rb, false, in->at, &id))
			return false;
		*thread_id = id;
		*number = 1;
		return true;
	}
	*thread_id = in->thread_id;
	*number = write_reply(db, a, in->thread_id, in->author_id, in->origin, in->body,
	                      in->content_note, &rb, in->at);
	return *number != 0;
}

static void new_thread_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	space s;
	if (!space_require_path(req, db, SPACE_READ, NULL, &s))
		return;
	const char *title = http_form(req, "title"), *body = http_form(req, "body");
	const char *raw_note = http_form(req, "note");
	/* A muted member is told until when, and gets their text back. */
	if (s.muted_until) {
		new_thread_view(req, db, &s, 403, title, body, raw_note, NULL, NULL, NULL);
		return;
	}
	if (!may_start(&s)) {
		http_error(req, 403, "Only facilitators and directors start threads here. Nothing was "
		                     "posted.");
		return;
	}
	const char *action = http_form(req, "action");
	rendered rb;
	const char *problem = render_body(req, db, s.id, body, &rb);
	if (problem && !*problem)
		return;
	size_t tlen = title ? strlen(title) : 0;
	if (!problem && (!title || !has_visible_text(title)))
		problem = "Give the thread a title.";
	if (!problem && (utf8_length(title, tlen) > FORUM_TITLE_MAX_CHARS || strchr(title, '\n')))
		problem = "Titles are one line of at most 200 characters.";
	const char *note = "";
	if (!problem && (problem = guard_note(a, raw_note, &note)) != NULL)
		problem = arena_sprintf(a, "%s Nothing was posted.", problem);
	guard_report found;
	if (!problem && !guard_check(a, (guard_field[]){{"title", title}, {"post", body},
	                                                {"content note", note}}, 3, &found))
		problem = "The post is not valid text.";
	if (problem) {
		new_thread_view(req, db, &s, 422, title, body, raw_note, NULL, NULL, problem);
		return;
	}
	if (action && !strcmp(action, "preview")) {
		new_thread_view(req, db, &s, 200, title, body, raw_note, &found, rb.md.html, NULL);
		return;
	}
	/* The guard found something: the form comes back (200: nothing is
	 * wrong with what was sent, the page asks a question) until the
	 * writer revises or publishes anyway. */
	bool guarded = found.n > 0;
	if (guarded && !guard_confirmed(http_form(req, "privacy"))) {
		new_thread_view(req, db, &s, 200, title, body, raw_note, &found, NULL, NULL);
		return;
	}
	long long thread_id = 0, now = (long long)clock_now();
	bool held = space_can(&s, SPACE_HELD) || guarded;
	bool ok = db_begin(db) &&
	          write_thread(db, a, s.id, u->id, req->app->cfg->origin, title, body, note, &rb,
	                       held, now, &thread_id);
	if (ok && guarded) {
		PGresult *r = db_q(db, "SELECT id FROM posts WHERE thread_id = $1", num(a, thread_id));
		ok = r && PQntuples(r) == 1 &&
		     guard_hold(db, a, s.id, thread_id, atoll(db_val(r, 0, 0)), u->id, found.codes, now);
		PQclear(r);
	}
	ok = ok && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/t/%lld%s", thread_id,
	                                 guarded ? "?done=guarded" : held ? "?done=held" : ""));
}

/* ---- a thread ---- */

/* The sentence for ?done=... after an action on a thread or its posts. */
static const char *done_notice(const char *done)
{
	static const struct {
		const char *done, *notice;
	} notices[] = {
		{"deleted", "Your post was deleted. A placeholder stays in its place, so replies keep "
		            "their numbers."},
		{"flagged", "Thank you: the space's moderators will review the post. Only they see "
		            "who flagged it."},
		{"hidden", "The post is hidden: other members no longer see it. Its author sees it "
		           "with your reason and was told."},
		{"restored", "The post is shown again to everyone who reads the space. Its author was "
		             "told."},
		{"dismissed", "The post's flags were dismissed; the post stays as it is."},
		{"locked", "The thread is locked: members can no longer reply. Its author was told."},
		{"unlocked", "The thread is open again: members can reply. Its author was told."},
		{"pinned", "The thread is pinned to the top of its space."},
		{"unpinned", "The thread is no longer pinned."},
		{"moved", "The thread was moved here. Its authors were told."},
		{"held", "Your post was saved. A moderator approves new posts in this space: until "
		         "then only you and the moderators see it."},
		{"withdrawn", "Your post was deleted before anyone else saw it."},
		{"guarded", "Your post was saved over the privacy warning: until one of the space's "
		            "moderators approves it, only you and they see it."},
	};
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
		if (!strcmp(done, notices[i].done))
			return notices[i].notice;
	return NULL;
}

/* When a member may next post in a thread in slow mode: the Unix second
 * (0: now already) in *next_unix and as a ZONE_SQL value in `zone` in
 * *next_value. false on a database error. Held and deleted posts count:
 * they were written. */
static bool slow_next(PGconn *db, arena *a, const thread_ref *t, int64_t user_id,
                      const char *zone, long long *next_unix, const char **next_value)
{
	PGresult *r = db_q(db,
		"SELECT floor(extract(epoch FROM q.x))::bigint, " ZONE_SQL("q.x", "$4")
		" FROM (SELECT max(created_at) + make_interval(mins => $2::int) AS x FROM posts"
		"  WHERE thread_id = $1 AND author_id = $3) q",
		num(a, t->id), num(a, t->slow_minutes), num(a, user_id), zone);
	if (!r)
		return false;
	*next_unix = atoll(db_val(r, 0, 0));
	*next_value = arena_strdup(a, db_val(r, 0, 1));
	PQclear(r);
	if (*next_unix <= (long long)clock_now())
		*next_unix = 0;
	return true;
}

/* What restricts posting in thread t, for its page (the partials
 * restrictions and held_posts): the space's (space_restrictions_view), the
 * draft a refused member sent ("draft", shown back when there is no reply
 * form to hold it), "held_thread" (the opening post waits for approval, so
 * nobody replies yet), "slow" {minutes, unit, next} and, on the last page,
 * the posts waiting for approval that this reader may see ("held": their
 * authors see their own, moderators all). false after a database error
 * (answered). */
static bool thread_restrictions_view(request *req, PGconn *db, const thread_ref *t,
                                     bool can_reply, bool last_page, const char *reply_body,
                                     tv *v)
{
	arena *a = req->a;
	user *u = session_user(req);
	bool mod = space_can(&t->space, SPACE_MODERATE);
	if (!space_restrictions_view(req, db, &t->space, v))
		return false;
	tv_set_str(v, "draft", !can_reply && reply_body && *reply_body ? reply_body : NULL);
	tv_set_bool(v, "held_thread", t->last_number == 0);
	tv_set_int(v, "slow_minutes", t->slow_minutes);
	tv_set(v, "slow", tv_null(a));
	if (t->slow_minutes) {
		tv *sl = tv_set(v, "slow", tv_obj(a));
		tv_set_int(sl, "minutes", t->slow_minutes);
		tv_set_str(sl, "unit", t->slow_minutes == 1 ? "minute" : "minutes");
		long long next = 0;
		const char *at = NULL;
		if (!mod && !slow_next(db, a, t, u->id, u->time_zone, &next, &at)) {
			http_db_error(req);
			return false;
		}
		tv_set(sl, "next", next ? zone_time(a, at, u->time_zone, u->time_zone, ZONE_FULL)
		                        : tv_null(a));
	}
	tv *held = tv_set(v, "held", tv_list(a));
	if (last_page) {
		PGresult *r = db_q(db,
			"SELECT p.id, p.author_id, au.display_name, au.handle,"
			" " ZONE_SQL("p.created_at", "$3") " AS at, p.body_html, p.hidden, p.hidden_reason,"
			" p.edited_at IS NOT NULL AS edited, p.content_note, CASE WHEN p.content_note <> ''"
			" THEN " GUARD_SERIES_SLUG_SQL("$5") " END AS series_slug"
			" FROM posts p JOIN users au ON au.id = p.author_id"
			" WHERE p.thread_id = $1 AND p.held AND p.number IS NULL AND ($4 OR p.author_id = $2)"
			" ORDER BY p.created_at, p.id LIMIT 50",
			num(a, t->id), num(a, u->id), u->time_zone, mod ? "true" : "false",
			num(a, t->space.id));
		if (!r) {
			http_db_error(req);
			return false;
		}
		for (int i = 0; i < PQntuples(r); i++) {
			tv *o = tv_push(held, tv_obj(a));
			bool mine = atoll(db_col(r, i, "author_id")) == u->id;
			tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
			tv_set_str(o, "author", arena_strdup(a, db_col(r, i, "display_name")));
			tv_set_str(o, "handle", arena_strdup(a, db_col(r, i, "handle")));
			tv_set(o, "when", zone_time(a, db_col(r, i, "at"), u->time_zone, u->time_zone,
			                            ZONE_FULL));
			tv_set_str(o, "html", arena_strdup(a, db_col(r, i, "body_html")));
			bool rejected = db_col(r, i, "hidden")[0] == 't';
			tv_set_bool(o, "rejected", rejected);
			tv_set_str(o, "reason", arena_strdup(a, db_col(r, i, "hidden_reason")));
			tv_set_bool(o, "edited", db_col(r, i, "edited")[0] == 't');
			tv_set_bool(o, "mine", mine);
			tv_set_bool(o, "can_change", mine && space_can(&t->space, SPACE_POST));
			tv_set_bool(o, "can_approve", mod);
			set_note(o, a, db_col(r, i, "content_note"), db_col(r, i, "series_slug"));
		}
		PQclear(r);
	}
	tv_set_bool(v, "has_held", held->n > 0);
	return true;
}

/* What the reply box holds when the page comes back: the text, the content
 * note as typed, and what the privacy guard found (NULL: not checked). */
typedef struct reply_draft {
	const char *body, *note;
	const guard_report *found;
} reply_draft;

static void thread_view(request *req, PGconn *db, const thread_ref *t, int page, int status,
                        const reply_draft *draft, const char *preview, const char *error)
{
	const char *reply_body = draft ? draft->body : NULL;
	arena *a = req->a;
	user *u = session_user(req);
	int pages = t->last_number ? (t->last_number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE
	                           : 1;
	if (page > pages) {
		http_error(req, 404, "This thread has no such page.");
		return;
	}
	int first = (page - 1) * FORUM_POSTS_PER_PAGE + 1, last = page * FORUM_POSTS_PER_PAGE;
	bool mod = space_can(&t->space, SPACE_MODERATE);
	PGresult *r = db_q(db,
		"SELECT p.id, p.number, p.author_id, au.display_name, au.handle,"
		" " ZONE_SQL("p.created_at", "$4") ","
		" p.edited_at IS NOT NULL, p.deleted_at IS NOT NULL, p.hidden, p.body_html,"
		" (SELECT count(*) FROM reactions x WHERE x.post_id = p.id),"
		" EXISTS (SELECT 1 FROM reactions x WHERE x.post_id = p.id AND x.user_id = $5),"
		" (SELECT string_agg(ru.display_name, ', ' ORDER BY x.created_at) FROM"
		"   (SELECT * FROM reactions x WHERE x.post_id = p.id ORDER BY x.created_at LIMIT 10) x"
		"   JOIN users ru ON ru.id = x.user_id),"
		" au.profession, EXISTS (SELECT 1 FROM post_revisions pr WHERE pr.post_id = p.id),"
		" p.hidden_reason, CASE WHEN $6 THEN (SELECT count(*) FROM flags f"
		"   WHERE f.post_id = p.id AND f.resolved_at IS NULL) ELSE 0 END AS open_flags,"
		" p.held, p.content_note, CASE WHEN p.content_note <> '' THEN"
		"   " GUARD_SERIES_SLUG_SQL("$7") " END AS series_slug"
		" FROM posts p JOIN users au ON au.id = p.author_id"
		" WHERE p.thread_id = $1 AND p.number BETWEEN $2 AND $3 ORDER BY p.number",
		num(a, t->id), num(a, first), num(a, last), u->time_zone, num(a, u->id),
		mod ? "true" : "false", num(a, t->space.id));
	PGresult *rd = r ? db_q(db,
		"SELECT coalesce((SELECT last_number FROM reads WHERE user_id = $1 AND thread_id = $2), 0),"
		" " NOTIFY_MODERATION_UNREAD_SQL("$1", "$2"),
		num(a, u->id), num(a, t->id)) : NULL;
	PGresult *fl = rd ? db_q(db, "SELECT 1 FROM follows WHERE user_id = $1 AND thread_id = $2",
	                         num(a, u->id), num(a, t->id)) : NULL;
	PGresult *ag = fl && t->agenda_item_id ? db_q(db,
		"SELECT a.day_number, a.title, " ZONE_SQL("a.starts_at", "$2") ", o.slug,"
		" " ZONE_SQL("a.starts_at", "o.time_zone") ", o.time_zone FROM agenda_items a"
		" JOIN offerings o ON o.id = a.offering_id WHERE a.id = $1",
		num(a, t->agenda_item_id), u->time_zone) : NULL;
	PGresult *items = fl && mod && t->space.offering_id ? db_q(db,
		"SELECT a.id, a.day_number, a.title, " ZONE_SQL("a.starts_at", "o.time_zone") ","
		" o.time_zone FROM agenda_items a JOIN offerings o ON o.id = a.offering_id"
		" WHERE a.offering_id = $1 AND a.kind NOT IN ('break', 'lunch') ORDER BY a.starts_at",
		num(a, t->space.offering_id)) : NULL;
	if (!fl || (t->agenda_item_id && !ag) || (mod && t->space.offering_id && !items)) {
		PQclear(r);
		PQclear(rd);
		PQclear(fl);
		PQclear(ag);
		PQclear(items);
		http_db_error(req);
		return;
	}
	int last_read = atoi(db_val(rd, 0, 0));
	bool notices = db_val(rd, 0, 1)[0] == 't';
	tv *v = tv_obj(a);
	set_space(v, a, &t->space);
	tv_set_str(v, "id", num(a, t->id));
	tv_set_str(v, "title", t->title);
	tv_set_bool(v, "locked", t->locked);
	tv_set_bool(v, "pinned", t->pinned);
	tv_set_bool(v, "hidden", t->hidden);
	tv_set_bool(v, "moderator", mod);
	tv_set_bool(v, "following", PQntuples(fl) > 0);
	/* A muted member, and everyone while the opening post waits for
	 * approval, has no reply form (the restrictions partial says why). */
	bool can_reply = (!t->locked || mod) && space_can(&t->space, SPACE_POST) &&
	                 t->last_number > 0;
	tv_set_bool(v, "can_reply", can_reply);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "reply_body", reply_body ? reply_body : "");
	tv_set_str(v, "reply_note", draft && draft->note ? draft->note : "");
	tv_set_int(v, "note_max", GUARD_NOTE_MAX_CHARS);
	guard_view(v, a, draft ? draft->found : NULL);
	tv_set_str(v, "preview", preview);
	tv_set_str(v, "error", error);
	/* What the action that redirected here did (POST-redirect-GET). */
	tv_set_str(v, "notice", done_notice(http_query(req, "done")));
	if (ag && PQntuples(ag)) {
		tv *s = tv_set(v, "session", tv_obj(a));
		tv_set_str(s, "day", arena_strdup(a, db_val(ag, 0, 0)));
		tv_set_str(s, "title", arena_strdup(a, db_val(ag, 0, 1)));
		/* In the reader's zone, beside post times in it; the course's
		 * time too when that is another zone. */
		const char *zone = db_val(ag, 0, 5);
		tv_set(s, "when", zone_time(a, db_val(ag, 0, 2), u->time_zone, u->time_zone, ZONE_DAY));
		tv_set(s, "course_when", strcmp(zone, u->time_zone)
		                             ? zone_time(a, db_val(ag, 0, 4), zone, NULL, ZONE_CLOCK)
		                             : tv_null(a));
		tv_set_str(s, "slug", arena_strdup(a, db_val(ag, 0, 3)));
	} else {
		tv_set(v, "session", tv_null(a));
	}
	tv *il = tv_set(v, "agenda_items", tv_list(a));
	for (int i = 0; items && i < PQntuples(items); i++) {
		tv *o = tv_push(il, tv_obj(a));
		long long aid = atoll(db_val(items, i, 0));
		tv_set_str(o, "id", num(a, aid));
		const char *at = zone_text(a, db_val(items, i, 3), db_val(items, i, 4), u->time_zone,
		                           ZONE_CLOCK);
		tv_set_str(o, "label", arena_sprintf(a, "Day %s: %s (%s)", db_val(items, i, 1),
		                                     db_val(items, i, 2), at ? at : "?"));
		tv_set_bool(o, "selected", aid == t->agenda_item_id);
	}
	tv_set_bool(v, "can_link_agenda", mod && il->n > 0);
	tv_set_bool(v, "can_move", mod && strcmp(t->space.kind, "group"));
	tv *posts = tv_set(v, "posts", tv_list(a));
	int shown_last = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *p = tv_push(posts, tv_obj(a));
		long long pid = atoll(db_val(r, i, 0));
		int number = atoi(db_val(r, i, 1));
		shown_last = number;
		bool mine = atoll(db_val(r, i, 2)) == u->id;
		bool deleted = db_val(r, i, 7)[0] == 't', hidden = db_val(r, i, 8)[0] == 't';
		/* A numbered post held again (edited over the privacy warning,
		 * sql/017) is, like a hidden one, its author's and the moderators'
		 * until approved. */
		bool held = db_col(r, i, "held")[0] == 't';
		/* A post a moderator hid is its author's and the moderators' to
		 * see, marked with the reason; everyone else sees that a post was
		 * hidden, not whose (veiled). */
		bool visible = !deleted && (!(hidden || held) || mod || mine);
		bool veiled = (hidden || held) && !deleted && !visible;
		tv_set_str(p, "id", num(a, pid));
		tv_set_int(p, "number", number);
		tv_set_bool(p, "veiled", veiled);
		tv_set_bool(p, "veiled_held", veiled && held && !hidden);
		tv_set_bool(p, "held_shown", held && !hidden && visible);
		tv_set_bool(p, "can_approve", mod && held && !hidden && !deleted);
		set_note(p, a, visible ? db_col(r, i, "content_note") : "", db_col(r, i, "series_slug"));
		tv_set_str(p, "author", veiled ? NULL : arena_strdup(a, db_val(r, i, 3)));
		tv_set_str(p, "handle", veiled ? NULL : arena_strdup(a, db_val(r, i, 4)));
		tv_set(p, "when", zone_time(a, db_val(r, i, 5), u->time_zone, u->time_zone, ZONE_FULL));
		tv_set_bool(p, "edited", db_val(r, i, 6)[0] == 't');
		tv_set_bool(p, "deleted", deleted);
		tv_set_bool(p, "hidden", hidden && !deleted);
		tv_set_bool(p, "hidden_shown", hidden && visible);
		const char *why = db_col(r, i, "hidden_reason");
		tv_set_str(p, "hidden_reason", hidden && visible && *why ? arena_strdup(a, why) : NULL);
		long long open_flags = atoll(db_col(r, i, "open_flags"));
		tv_set(p, "open_flags", mod && open_flags ? tv_count(a, open_flags, "open flag",
		                                                     "open flags")
		                                          : tv_null(a));
		tv_set_bool(p, "can_flag", !mine && visible && !hidden && !held &&
		                           space_can(&t->space, SPACE_REACT));
		tv_set_bool(p, "can_hide", mod && visible && !hidden && !held);
		tv_set_bool(p, "can_restore", mod && hidden && !deleted);
		tv_set(p, "html", visible ? tv_str(a, arena_strdup(a, db_val(r, i, 9))) : tv_null(a));
		long long helpful = atoll(db_val(r, i, 10));
		tv_set_int(p, "helpful", helpful);
		tv_set_bool(p, "has_helpful", helpful > 0 && !veiled);
		tv_set_bool(p, "i_found_helpful", db_val(r, i, 11)[0] == 't');
		tv_set_str(p, "helpful_names", arena_strdup(a, db_val(r, i, 12)));
		tv_set_bool(p, "mine", mine);
		tv_set_bool(p, "can_edit", mine && !deleted && !t->locked &&
		                           space_can(&t->space, SPACE_POST));
		tv_set_bool(p, "can_delete", mine && !deleted && !t->locked);
		tv_set_bool(p, "can_react", !mine && visible);
		tv_set_bool(p, "can_quote", visible && !hidden && !held && can_reply);
		tv_set_bool(p, "moderate", mod && !deleted);
		tv_set_str(p, "author_id", arena_strdup(a, db_val(r, i, 2)));
		tv_set_bool(p, "show_revisions", db_val(r, i, 14)[0] == 't' && (mine || mod));
		tv_set_bool(p, "unread", number > last_read);
		tv_set_bool(p, "first_unread", number == last_read + 1 && last_read > 0);
		tv_set_str(p, "profession", veiled ? NULL : arena_strdup(a, db_val(r, i, 13)));
		tv_set_str(p, "csrf", session_csrf(req));
		tv_set_str(p, "thread_id", num(a, t->id));
	}
	tv *pl = tv_set(v, "pages", tv_list(a));
	for (int i = 1; pages > 1 && i <= pages; i++) {
		tv *o = tv_push(pl, tv_obj(a));
		tv_set_int(o, "n", i);
		tv_set_bool(o, "current", i == page);
	}
	tv_set_bool(v, "paged", pages > 1);
	tv_set_int(v, "page", page);
	tv_set_int(v, "page_count", pages);
	tv_set_bool(v, "has_unread", t->last_number > last_read);
	tv_set(v, "prev_page", page > 1 ? tv_int(a, page - 1) : tv_null(a));
	tv_set(v, "next_page", page < pages ? tv_int(a, page + 1) : tv_null(a));
	tv_set_bool(v, "last_page", page == pages);
	PQclear(r);
	PQclear(rd);
	PQclear(fl);
	PQclear(ag);
	PQclear(items);
	if (!thread_restrictions_view(req, db, t, can_reply, page == pages, reply_body, v))
		return;
	if (!away_view(db, a, u->id, u->time_zone, t->space.id, t->id, http_query(req, "away"), v)) {
		http_db_error(req);
		return;
	}
	/* Reading state moves forward only; a page seen again changes nothing.
	 * Notifications whose posts are now all seen are read too. */
	/* A moderator's notice about the thread is read once its page is. */
	bool seen = shown_last > last_read;
	if ((seen || notices) &&
	    !(db_begin(db) &&
	      (!seen ||
	       (db_exec(db,
	                "INSERT INTO reads (user_id, thread_id, last_number) VALUES ($1, $2, $3)"
	                " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number ="
	                " greatest(reads.last_number, EXCLUDED.last_number)",
	                3, (const char *[]){num(a, u->id), num(a, t->id), num(a, shown_last)}) &&
	        notify_caught_up(db, a, u->id, t->id, (long long)clock_now()))) &&
	      (!notices || notify_moderation_seen(db, a, u->id, t->id, (long long)clock_now())) &&
	      db_commit(db))) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_render(req, status, "thread", t->title, v);
}

static bool thread_from_path(request *req, PGconn *db, thread_ref *t, bool for_update)
{
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	return load_thread(req, db, id, for_update, t);
}

static void thread_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	long long page = 1;
	if (http_query(req, "page") && !form_get_int(&req->query, "page", 1, 100000, &page)) {
		http_error(req, 404, "This thread has no such page.");
		return;
	}
	/* A quote-reply: the reply box starts with the quoted post. */
	const char *reply = NULL;
	long long quote;
	if (http_query(req, "quote") && form_get_int(&req->query, "quote", 1, 1000000, &quote)) {
		PGresult *r = db_q(db,
			"SELECT u.handle, p.body_src FROM posts p JOIN users u ON u.id = p.author_id"
			" WHERE p.thread_id = $1 AND p.number = $2 AND p.deleted_at IS NULL AND NOT p.hidden"
			" AND NOT p.held",
			num(req->a, t.id), num(req->a, quote));
		if (!r) {
			http_db_error(req);
			return;
		}
		if (PQntuples(r))
			reply = markdown_quote(req->a, db_val(r, 0, 0), db_val(r, 0, 1));
		PQclear(r);
		/* The reply box is on the last page. */
		page = t.last_number ? (t.last_number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE
		                     : 1;
	}
	thread_view(req, db, &t, (int)page, 200, &(reply_draft){reply, NULL, NULL}, NULL, NULL);
}

static void thread_unread_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	PGresult *r = db_q(db, "SELECT last_number FROM reads WHERE user_id = $1 AND thread_id = $2",
	                   num(req->a, u->id), num(req->a, t.id));
	if (!r) {
		http_db_error(req);
		return;
	}
	int last = PQntuples(r) ? atoi(db_val(r, 0, 0)) : 0;
	PQclear(r);
	int target = last < t.last_number ? last + 1 : t.last_number;
	if (target < 1)
		target = 1;
	int page = (target + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	http_redirect(req, arena_sprintf(req->a, "/t/%lld?page=%d#p%d", t.id, page, target));
}

static void post_permalink(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	long long n;
	if (!http_parse_id(http_param(req, "n"), &n) || n > t.last_number) {
		http_error(req, 404, "This thread has no such post.");
		return;
	}
	int page = (int)((n + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE);
	http_redirect(req, arena_sprintf(req->a, "/t/%lld?page=%d#p%lld", t.id, page, n));
}

forum_reply_result forum_reply(PGconn *db, arena *a, const user *u, const char *origin,
                               const forum_reply_in *in, forum_reply_out *out)
{
	memset(out, 0, sizeof *out);
	out->found.findings = tv_list(a);
	thread_ref t;
	bool found;
	if (!thread_find(db, a, u->id, in->thread_id, false, &t, &found))
		return FORUM_REPLY_FAILED;
	if (!found)
		return FORUM_REPLY_NOT_FOUND;
	out->space_id = t.space.id;
	out->title = t.title;
	out->space_title = t.space.title;
	int last_page = t.last_number ? (t.last_number + FORUM_POSTS_PER_PAGE - 1) /
	                                FORUM_POSTS_PER_PAGE : 1;
	out->page = last_page;
#define REFUSE(code, sentence)                                                              \
	do {                                                                                    \
		out->status = (code);                                                               \
		out->problem = (sentence);                                                          \
		return FORUM_REPLY_REFUSED;                                                         \
	} while (0)
	if (t.locked && !space_can(&t.space, SPACE_MODERATE))
		REFUSE(403, "This thread is locked: nobody can reply. Nothing was posted.");
	/* Refusals that keep the writer's text: the page shows it back. */
	if (t.space.muted_until)
		REFUSE(403, "You are muted in this space, so nothing was posted. Your text is below, "
		            "to keep.");
	if (t.last_number == 0)
		REFUSE(409, "This thread waits for a moderator to approve its first post; replies can "
		            "follow then. Nothing was posted. Your text is below, to keep.");
	if (!space_can(&t.space, SPACE_POST))
		REFUSE(403, "You cannot post in this space. Nothing was posted.");
	rendered rb;
	const char *problem = render_md(db, a, t.space.id, in->body, &rb);
	if (problem && !*problem)
		return FORUM_REPLY_FAILED;
	const char *note = "";
	if (!problem && (problem = guard_note(a, in->note, &note)) != NULL)
		problem = arena_sprintf(a, "%s Nothing was posted.", problem);
	if (!problem && !guard_check(a, (guard_field[]){{"reply", in->body}, {"content note", note}},
	                             2, &out->found))
		problem = "The post is not valid text.";
	if (problem)
		REFUSE(422, problem);
	if (in->preview) {
		out->html = rb.md.html;
		return FORUM_REPLY_PREVIEW;
	}
	/* The guard found something: the form comes back with the reply (200,
	 * as guard.h says) until the writer revises or publishes anyway. */
	bool guarded = out->found.n > 0;
	if (guarded && !in->publish_anyway)
		return FORUM_REPLY_GUARDED;
	long long now = (long long)clock_now();
	thread_ref locked;
	if (!db_begin(db) || !thread_find(db, a, u->id, t.id, true, &locked, &found)) {
		db_rollback(db);
		return FORUM_REPLY_FAILED;
	}
	if (!found) {
		db_rollback(db);
		return FORUM_REPLY_NOT_FOUND;
	}
	/* Slow mode, judged under the thread's lock so that two posts sent at
	 * once cannot both pass. Moderators are not slowed. */
	if (locked.slow_minutes && !space_can(&locked.space, SPACE_MODERATE)) {
		long long next = 0;
		const char *at = NULL;
		if (!slow_next(db, a, &locked, u->id, u->time_zone, &next, &at)) {
			db_rollback(db);
			return FORUM_REPLY_FAILED;
		}
		if (next) {
			db_rollback(db);
			out->retry_after = next - now;
			const char *when = zone_text(a, at, u->time_zone, u->time_zone, ZONE_FULL);
			REFUSE(429, arena_sprintf(a, "This thread is in slow mode: one post every %d %s per "
			                             "person. You may post again at %s. Nothing was posted; "
			                             "your text is still in the box.",
			                          locked.slow_minutes,
			                          locked.slow_minutes == 1 ? "minute" : "minutes",
			                          when ? when : "a later time"));
		}
	}
#undef REFUSE
	bool held = space_can(&locked.space, SPACE_HELD) || guarded;
	int number = locked.last_number + 1;
	long long post_id = insert_post(db, a, u->id, origin, t.id, number, held, NULL, in->body,
	                                note, &rb, now);
	bool ok = post_id && (!guarded || guard_hold(db, a, locked.space.id, t.id, post_id, u->id,
	                                             out->found.codes, now)) &&
	          db_commit(db);
	if (!ok) {
		db_rollback(db);
		return FORUM_REPLY_FAILED;
	}
	out->post_id = post_id;
	if (held) {
		out->address = arena_sprintf(a, "/t/%lld?page=%d&done=%s#h%lld", t.id, last_page,
		                             guarded ? "guarded" : "held", post_id);
		return FORUM_REPLY_HELD;
	}
	out->number = number;
	out->page = (number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	out->address = arena_sprintf(a, "/t/%lld?page=%d#p%d", t.id, out->page, number);
	return FORUM_REPLY_POSTED;
}

static void reply_post(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	int last_page = t.last_number ? (t.last_number + FORUM_POSTS_PER_PAGE - 1) /
	                                FORUM_POSTS_PER_PAGE : 1;
	const char *action = http_form(req, "action");
	forum_reply_in in = {
		.thread_id = t.id,
		.body = http_form(req, "body"),
		.note = http_form(req, "note"),
		.preview = action && !strcmp(action, "preview"),
		.publish_anyway = guard_confirmed(http_form(req, "privacy")),
	};
	forum_reply_out out;
	forum_reply_result res = forum_reply(db, a, session_user(req), req->app->cfg->origin, &in,
	                                     &out);
	reply_draft d = {in.body, in.note, &out.found};
	switch (res) {
	case FORUM_REPLY_FAILED:
		http_db_error(req);
		return;
	case FORUM_REPLY_NOT_FOUND:
		http_error(req, 404, NULL);
		return;
	case FORUM_REPLY_REFUSED:
		/* A locked thread has no reply box to show the text back in. */
		if (t.locked && !space_can(&t.space, SPACE_MODERATE)) {
			http_error(req, out.status, out.problem);
			return;
		}
		if (out.status == 429)
			http_add_header(req, "Retry-After", num(a, out.retry_after));
		d.found = NULL;
		thread_view(req, db, &t, last_page, out.status, &d, NULL, out.problem);
		return;
	case FORUM_REPLY_PREVIEW:
		thread_view(req, db, &t, last_page, 200, &d, out.html, NULL);
		return;
	case FORUM_REPLY_GUARDED:
		thread_view(req, db, &t, last_page, 200, &d, NULL, NULL);
		return;
	case FORUM_REPLY_HELD:
	case FORUM_REPLY_POSTED:
		http_redirect(req, out.address);
		return;
	}
}

/* ---- one post: edit, delete, helpful, revisions ---- */

typedef struct post_ref {
	long long id, author_id;
	int number;        /* 0 while held */
	bool deleted, held;
	const char *src, *html, *note;
	thread_ref thread;
} post_ref;

/* Where a post is read: its number's address, or for a held post (no
 * number yet) the end of the thread's last page. */
static const char *post_address(arena *a, const post_ref *p)
{
	if (p->number)
		return arena_sprintf(a, "/t/%lld/p/%d", p->thread.id, p->number);
	int last_page = p->thread.last_number
		? (p->thread.last_number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE : 1;
	return arena_sprintf(a, "/t/%lld?page=%d#h%lld", p->thread.id, last_page, p->id);
}

static bool load_post(request *req, PGconn *db, post_ref *p)
{
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db, "SELECT thread_id, author_id, coalesce(number, 0), deleted_at IS NOT NULL,"
	                       " body_src, hidden, body_html, held, content_note FROM posts"
	                       " WHERE id = $1",
	                   num(req->a, id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, NULL);
		return false;
	}
	long long thread_id = atoll(db_val(r, 0, 0));
	p->id = id;
	p->author_id = atoll(db_val(r, 0, 1));
	p->number = atoi(db_val(r, 0, 2));
	p->deleted = db_val(r, 0, 3)[0] == 't';
	p->src = arena_strdup(req->a, db_val(r, 0, 4));
	p->html = arena_strdup(req->a, db_val(r, 0, 6));
	bool hidden = db_val(r, 0, 5)[0] == 't';
	p->held = db_val(r, 0, 7)[0] == 't';
	p->note = arena_strdup(req->a, db_val(r, 0, 8));
	PQclear(r);
	if (!load_thread(req, db, thread_id, false, &p->thread))
		return false;
	/* Hidden and held posts: their author and the moderators only. */
	bool unseen = (hidden || p->held) && p->author_id != session_user(req)->id;
	return !unseen || space_allow(req, &p->thread.space, SPACE_MODERATE, NULL);
}

static void edit_view(request *req, const post_ref *p, int status, const char *body,
                      const char *note, const guard_report *found, const char *preview,
                      const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_space(v, a, &p->thread.space);
	tv_set_str(v, "id", num(a, p->id));
	tv_set_str(v, "thread_id", num(a, p->thread.id));
	tv_set_str(v, "thread_title", p->thread.title);
	tv_set_int(v, "number", p->number);
	tv_set_str(v, "address", post_address(a, p));
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "body", body);
	tv_set_str(v, "note", note ? note : "");
	tv_set_int(v, "note_max", GUARD_NOTE_MAX_CHARS);
	tv_set_bool(v, "published", !p->held);
	guard_view(v, a, found);
	tv_set_str(v, "preview", preview);
	tv_set_str(v, "error", error);
	http_render(req, status, "post_edit", "Edit your post", v);
}

/* Only the author edits or deletes, and not in a locked thread. A muted
 * author may delete (taking words back adds nothing to the space, and may be
 * exactly what the facilitator asked for) but not edit, which would post new
 * words. */
static bool may_change(request *req, const post_ref *p, bool deleting)
{
	if (p->author_id != session_user(req)->id) {
		http_error(req, 403, "Only the author can change a post. Nothing was changed.");
		return false;
	}
	if (p->deleted) {
		http_error(req, 409, "This post was deleted.");
		return false;
	}
	if (p->thread.locked) {
		http_error(req, 403, "This thread is locked. Nothing was changed.");
		return false;
	}
	if (deleting)
		return true;
	return space_allow(req, &p->thread.space, SPACE_POST,
	                   "You are muted in this space: you can read and delete your posts, but "
	                   "not post or edit. Nothing was changed.");
}

static void edit_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p) || !may_change(req, &p, false))
		return;
	edit_view(req, &p, 200, p.src, p.note, NULL, NULL, NULL);
}

static void edit_post(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p) || !may_change(req, &p, false))
		return;
	const char *body = http_form(req, "body"), *action = http_form(req, "action");
	const char *raw_note = http_form(req, "note");
	rendered rb;
	const char *problem = render_body(req, db, p.thread.space.id, body, &rb);
	if (problem && !*problem)
		return;
	const char *note = "";
	if (!problem && (problem = guard_note(a, raw_note, &note)) != NULL)
		problem = arena_sprintf(a, "%s Nothing was changed.", problem);
	guard_report found;
	if (!problem && !guard_check(a, (guard_field[]){{"post", body}, {"content note", note}}, 2,
	                             &found))
		problem = "The post is not valid text.";
	if (problem) {
		edit_view(req, &p, 422, body ? body : "", raw_note, NULL, NULL, problem);
		return;
	}
	if (action && !strcmp(action, "preview")) {
		edit_view(req, &p, 200, body, raw_note, &found, rb.md.html, NULL);
		return;
	}
	/* As in the other forms: found something, asked first (200). */
	bool guarded = found.n > 0;
	if (guarded && !guard_confirmed(http_form(req, "privacy"))) {
		edit_view(req, &p, 200, body, raw_note, &found, NULL, NULL);
		return;
	}
	long long now = (long long)clock_now();
	if (strcmp(body, p.src) || strcmp(note, p.note) || guarded) {
		/* The old version becomes a revision; mentions are recomputed, but
		 * only people newly mentioned would be notified by a new post, so
		 * an edit notifies nobody. An edit published over the privacy
		 * warning holds the post again (sql/017): it keeps its number, and
		 * leaves search, the notifications that tell of it and every
		 * reader's page until a moderator approves the new text. */
		bool ok = db_begin(db) &&
			db_exec(db,
			        "INSERT INTO post_revisions (post_id, body_src, content_note, created_at,"
			        " replaced_at) SELECT id, body_src, content_note,"
			        " coalesce(edited_at, created_at), to_timestamp($2)"
			        " FROM posts WHERE id = $1",
			        2, (const char *[]){num(a, p.id), num(a, now)}) &&
			db_exec(db,
			        "UPDATE posts SET body_src = $2, body_html = $3, body_text = $4,"
			        " held = held OR $7, search = CASE WHEN held OR $7 THEN ''::tsvector ELSE"
			        " setweight(to_tsvector('english', CASE WHEN number = 1 THEN"
			        " (SELECT title FROM threads WHERE id = thread_id) ELSE '' END), 'A') ||"
			        " to_tsvector('english', $4) END, edited_at = to_timestamp($5),"
			        " content_note = $6 WHERE id = $1",
			        7, (const char *[]){num(a, p.id), body, rb.md.html, rb.text, num(a, now),
			                            note, guarded ? "true" : "false"}) &&
			db_exec(db, "DELETE FROM mentions WHERE post_id = $1", 1,
			        (const char *[]){num(a, p.id)});
		for (size_t i = 0; ok && i < rb.mentions.n; i++)
			ok = db_exec(db, "INSERT INTO mentions (post_id, user_id) VALUES ($1, $2)"
			                 " ON CONFLICT DO NOTHING", 2,
			             (const char *[]){num(a, p.id), num(a, rb.mentions.ids[i])});
		ok = ok && (!guarded || guard_hold(db, a, p.thread.space.id, p.thread.id, p.id,
		                                   p.author_id, found.codes, now));
		/* A note given after others were told: the mail not yet sent stops
		 * quoting the post, as mail written now would. */
		ok = ok && (!*note || *p.note || (p.held && !p.number) ||
		           notify_post_noted(db, a, p.id, note));
		ok = ok && db_commit(db);
		if (!ok) {
			db_rollback(db);
			http_db_error(req);
			return;
		}
	}
	if (guarded && p.number) {
		int page = (p.number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
		http_redirect(req, arena_sprintf(a, "/t/%lld?page=%d&done=guarded#p%d", p.thread.id,
		                                 page, p.number));
		return;
	}
	http_redirect(req, post_address(a, &p));
}

/* The confirmation page: the post as it reads now, and what deleting does.
 * Changes nothing; its form is the only way to delete. */
static void delete_page(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p) || !may_change(req, &p, true))
		return;
	tv *v = tv_obj(a);
	set_space(v, a, &p.thread.space);
	tv_set_str(v, "id", num(a, p.id));
	tv_set_str(v, "thread_id", num(a, p.thread.id));
	tv_set_str(v, "thread_title", p.thread.title);
	tv_set_int(v, "number", p.number);
	tv_set_str(v, "address", post_address(a, &p));
	tv_set_bool(v, "held", p.held && !p.number);
	tv_set_bool(v, "opening", p.held && !p.number && p.thread.last_number == 0);
	tv_set_str(v, "html", p.html);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	http_render(req, 200, "post_delete", "Delete your post?", v);
}

static void delete_post(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p) || !may_change(req, &p, true))
		return;
	/* Only the confirmation page's form deletes; anything else is shown it. */
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/posts/%lld/delete", p.id));
		return;
	}
	/* A held post has no number, and nobody but its author and the
	 * moderators saw it: it goes whole (its revisions and mentions with
	 * it), and so does its thread when it was the waiting opening post. */
	if (p.held && !p.number) {
		bool whole_thread = p.thread.last_number == 0;
		bool ok = db_begin(db) &&
			db_exec(db, "DELETE FROM posts WHERE id = $1 AND held AND number IS NULL", 1,
			        (const char *[]){num(a, p.id)}) &&
			(!whole_thread ||
			 db_exec(db, "DELETE FROM threads WHERE id = $1 AND last_number = 0", 1,
			         (const char *[]){num(a, p.thread.id)})) &&
			db_commit(db);
		if (!ok) {
			db_rollback(db);
			http_db_error(req);
			return;
		}
		http_redirect(req, whole_thread
			? arena_sprintf(a, "/s/%lld", (long long)p.thread.space.id)
			: arena_sprintf(a, "/t/%lld?done=withdrawn", p.thread.id));
		return;
	}
	/* The post stays as a placeholder so replies still make sense; its
	 * text leaves the page and the search index. Revisions remain for the
	 * moderators. */
	long long now = (long long)clock_now();
	bool ok = db_begin(db) &&
		db_exec(db,
		        "INSERT INTO post_revisions (post_id, body_src, created_at, replaced_at)"
		        " SELECT id, body_src, coalesce(edited_at, created_at), to_timestamp($2)"
		        " FROM posts WHERE id = $1",
		        2, (const char *[]){num(a, p.id), num(a, now)}) &&
		db_exec(db,
		        "UPDATE posts SET deleted_at = to_timestamp($2), body_src = '', body_html = '',"
		        " body_text = '', search = ''::tsvector WHERE id = $1",
		        2, (const char *[]){num(a, p.id), num(a, now)}) &&
		notify_post_deleted(db, a, p.id) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	int page = (p.number + FORUM_POSTS_PER_PAGE - 1) / FORUM_POSTS_PER_PAGE;
	http_redirect(req, arena_sprintf(a, "/t/%lld?page=%d&done=deleted#p%d", p.thread.id, page,
	                                 p.number));
}

static void helpful_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p))
		return;
	if (p.author_id == u->id || p.deleted || p.held) {
		http_error(req, 409, p.deleted ? "This post was deleted."
		                     : p.held  ? "This post waits for a moderator's approval."
		                               : "You cannot mark your own post as helpful.");
		return;
	}
	/* A toggle: the same button adds and takes back. */
	PGresult *r = db_q(db, "DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 RETURNING 1",
	                   num(a, p.id), num(a, u->id));
	bool ok = r != NULL;
	if (ok && PQntuples(r) == 0)
		ok = db_exec(db, "INSERT INTO reactions (post_id, user_id, created_at)"
		                 " VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING",
		             3, (const char *[]){num(a, p.id), num(a, u->id),
		                                 num(a, (long long)clock_now())});
	PQclear(r);
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/t/%lld/p/%d", p.thread.id, p.number));
}

static void revisions_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	post_ref p;
	if (!load_post(req, db, &p))
		return;
	/* DESIGN §5: revisions are for the author and the space's moderators. */
	if (p.author_id != u->id && !space_allow(req, &p.thread.space, SPACE_MODERATE, NULL))
		return;
	PGresult *r = db_q(db,
		"SELECT body_src, " ZONE_SQL("created_at", "$2") ", " ZONE_SQL("replaced_at", "$2")
		" FROM post_revisions WHERE post_id = $1 ORDER BY id DESC LIMIT 100",
		num(a, p.id), u->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_space(v, a, &p.thread.space);
	tv_set_str(v, "thread_id", num(a, p.thread.id));
	tv_set_str(v, "thread_title", p.thread.title);
	tv_set_int(v, "number", p.number);
	tv_set_str(v, "address", post_address(a, &p));
	tv_set_str(v, "post_id", num(a, p.id));
	tv_set_bool(v, "moderator", space_can(&p.thread.space, SPACE_MODERATE));
	tv_set_str(v, "current", p.deleted ? "(deleted)" : p.src);
	tv *list = tv_set(v, "revisions", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "body", arena_strdup(a, db_val(r, i, 0)));
		tv_set(o, "written", zone_time(a, db_val(r, i, 1), u->time_zone, u->time_zone, ZONE_FULL));
		tv_set(o, "replaced", zone_time(a, db_val(r, i, 2), u->time_zone, u->time_zone, ZONE_FULL));
	}
	tv_set_bool(v, "has_revisions", PQntuples(r) > 0);
	PQclear(r);
	req->no_store = true;
	http_render(req, 200, "post_revisions", "Earlier versions", v);
}

/* ---- thread actions: follow, pin, agenda ---- */

static void follow_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	arena *a = req->a;
	PGresult *r = db_q(db, "DELETE FROM follows WHERE user_id = $1 AND thread_id = $2 RETURNING 1",
	                   num(a, u->id), num(a, t.id));
	bool ok = r != NULL;
	if (ok && PQntuples(r) == 0)
		ok = db_exec(db, "INSERT INTO follows (user_id, thread_id) VALUES ($1, $2)"
		                 " ON CONFLICT DO NOTHING", 2,
		             (const char *[]){num(a, u->id), num(a, t.id)});
	PQclear(r);
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/t/%lld", t.id));
}

static void pin_post(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	if (!space_allow(req, &t.space, SPACE_MODERATE,
	                 "Only the space's moderators pin threads. Nothing was changed."))
		return;
	/* A toggle, decided under the row's lock; the log says which way it went. */
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "UPDATE threads SET pinned = NOT pinned WHERE id = $1 RETURNING pinned",
		          num(req->a, t.id))) != NULL && PQntuples(r) == 1;
	bool pinned = ok && db_val(r, 0, 0)[0] == 't';
	PQclear(r);
	ok = ok &&
	     modlog_append(db, &(modlog_entry){.actor_id = session_user(req)->id,
	                                       .space_id = t.space.id,
	                                       .action = pinned ? "thread_pinned" : "thread_unpinned",
	                                       .thread_id = t.id,
	                                       .subject_id = t.author_id}) &&
	     db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/t/%lld?done=%s", t.id,
	                                 pinned ? "pinned" : "unpinned"));
}

static void agenda_link_post(request *req)
{
	if (!authz_require_user(req))
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	thread_ref t;
	if (!thread_from_path(req, db, &t, false))
		return;
	if (!space_can(&t.space, SPACE_MODERATE) || !t.space.offering_id) {
		http_error(req, 403, "Only facilitators and directors link threads to sessions. "
		                     "Nothing was changed.");
		return;
	}
	const char *item = http_form(req, "agenda_item");
	long long item_id = 0;
	if (item && *item && !http_parse_id(item, &item_id)) {
		http_error(req, 400, "Choose a session from the list.");
		return;
	}
	/* The session must belong to the space's own offering. */
	PGresult *r = db_q(db,
		"UPDATE threads SET agenda_item_id = nullif($2::bigint, 0) WHERE id = $1"
		" AND ($2::bigint = 0 OR EXISTS (SELECT 1 FROM agenda_items WHERE id = $2::bigint"
		" AND offering_id = $3)) RETURNING id",
		num(a, t.id), num(a, item_id), num(a, t.space.offering_id));
	if (!r) {
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (!n) {
		http_error(req, 422, "That session is not on this offering's agenda. Nothing was changed.");
		return;
	}
	http_redirect(req, arena_sprintf(a, "/t/%lld", t.id));
}

/* ---- people ---- */

static void person_page(request *req)
{
	user *me = authz_require_user(req);
	if (!me)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	/* A person is visible to those who share a space with them. */
	PGresult *r = db_q(db,
		"SELECT u.display_name, u.handle, u.profession, u.pronouns, u.track FROM users u"
		" WHERE u.handle = $1 AND (u.id = $2 OR EXISTS (SELECT 1 FROM spaces s"
		" WHERE " SPACE_READABLE_SQL("u.id", "s.id")
		" AND " SPACE_READABLE_SQL("$2", "s.id") "))",
		http_param(req, "handle"), num(a, me->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, NULL);
		return;
	}
	tv *v = tv_obj(a);
	const char *name = arena_strdup(a, db_val(r, 0, 0));
	tv_set_str(v, "name", name);
	tv_set_str(v, "handle", arena_strdup(a, db_val(r, 0, 1)));
	tv_set_str(v, "profession", accounts_profession_label(db_val(r, 0, 2)));
	const char *pr = db_val(r, 0, 3);
	tv_set(v, "pronouns", *pr ? tv_str(a, arena_strdup(a, pr)) : tv_null(a));
	tv_set_str(v, "track", arena_strdup(a, db_val(r, 0, 4)));
	PQclear(r);
	http_render(req, 200, "person", name, v);
}

/* ---- for other features: a thread and a post as one person sees them ---- */

bool forum_thread_find(PGconn *db, arena *a, const user *u, int64_t id, forum_thread *out,
                       bool *found)
{
	*found = false;
	PGresult *r = db_q(db,
		"SELECT author_id, coalesce(agenda_item_id, 0) AS agenda_item_id, title, last_number,"
		" slow_minutes, pinned, locked, hidden, space_id FROM threads WHERE id = $1",
		num(a, id));
	if (!r)
		return false;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return true;
	}
	forum_thread t = {
		.id = id,
		.author_id = atoll(db_col(r, 0, "author_id")),
		.agenda_item_id = atoll(db_col(r, 0, "agenda_item_id")),
		.title = arena_strdup(a, db_col(r, 0, "title")),
		.last_number = atoi(db_col(r, 0, "last_number")),
		.slow_minutes = atoi(db_col(r, 0, "slow_minutes")),
		.pinned = db_col(r, 0, "pinned")[0] == 't',
		.locked = db_col(r, 0, "locked")[0] == 't',
		.hidden = db_col(r, 0, "hidden")[0] == 't',
	};
	long long space_id = atoll(db_col(r, 0, "space_id"));
	PQclear(r);
	bool readable;
	if (!space_load(db, a, u->id, space_id, &t.space, &readable))
		return false;
	/* As load_thread: a hidden thread is the moderators', one whose opening
	 * post waits for approval its author's and the moderators'. */
	if (readable && (space_can(&t.space, SPACE_MODERATE) ||
	                 (!t.hidden && (t.last_number > 0 || t.author_id == u->id)))) {
		*out = t;
		*found = true;
	}
	return true;
}

bool forum_post_find(PGconn *db, arena *a, const user *u, int64_t id, forum_post *out,
                     bool *found)
{
	*found = false;
	PGresult *r = db_q(db,
		"SELECT p.thread_id, p.author_id, p.number, p.deleted_at IS NOT NULL AS deleted,"
		" p.hidden, p.held, p.body_html, p.body_src, p.body_text, p.hidden_reason,"
		" au.display_name, au.handle, au.email,"
		" " ZONE_SQL("p.created_at", "$2") " AS written"
		" FROM posts p JOIN users au ON au.id = p.author_id WHERE p.id = $1",
		num(a, id), u->time_zone);
	if (!r)
		return false;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return true;
	}
	forum_post p = {
		.id = id,
		.author_id = atoll(db_col(r, 0, "author_id")),
		.number = atoi(db_col(r, 0, "number")),
		.deleted = db_col(r, 0, "deleted")[0] == 't',
		.hidden = db_col(r, 0, "hidden")[0] == 't',
		.held = db_col(r, 0, "held")[0] == 't',
		.html = arena_strdup(a, db_col(r, 0, "body_html")),
		.src = arena_strdup(a, db_col(r, 0, "body_src")),
		.text = arena_strdup(a, db_col(r, 0, "body_text")),
		.hidden_reason = arena_strdup(a, db_col(r, 0, "hidden_reason")),
		.author = arena_strdup(a, db_col(r, 0, "display_name")),
		.author_handle = arena_strdup(a, db_col(r, 0, "handle")),
		.author_email = arena_strdup(a, db_col(r, 0, "email")),
		.written = arena_strdup(a, db_col(r, 0, "written")),
	};
	long long thread_id = atoll(db_col(r, 0, "thread_id"));
	PQclear(r);
	bool visible;
	if (!forum_thread_find(db, a, u, thread_id, &p.thread, &visible))
		return false;
	if (visible && (!(p.hidden || p.held) || p.author_id == u->id ||
	                space_can(&p.thread.space, SPACE_MODERATE))) {
		*out = p;
		*found = true;
	}
	return true;
}

/* The forum_*_require functions: thread t or post p (the one not NULL) with
 * id `id` (0: none, which finds nothing). */
static bool require(request *req, PGconn *db, long long id, unsigned caps, const char *refusal,
                    forum_thread *t, forum_post *p)
{
	bool found = false;
	const user *u = session_user(req);
	bool ok = id <= 0 || (t ? forum_thread_find(db, req->a, u, id, t, &found)
	                        : forum_post_find(db, req->a, u, id, p, &found));
	if (!ok) {
		http_db_error(req);
		return false;
	}
	if (!found) {
		http_error(req, 404, NULL);
		return false;
	}
	return space_allow(req, t ? &t->space : &p->thread.space, caps, refusal);
}

/* The path's :id, or 0 when it is not an id. */
static long long path_id(request *req)
{
	long long id;
	return http_parse_id(http_param(req, "id"), &id) ? id : 0;
}

bool forum_post_require(request *req, PGconn *db, int64_t id, unsigned caps,
                        const char *refusal, forum_post *out)
{
	return require(req, db, id, caps, refusal, NULL, out);
}

bool forum_post_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                             forum_post *out)
{
	return require(req, db, path_id(req), caps, refusal, NULL, out);
}

bool forum_thread_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                               forum_thread *out)
{
	return require(req, db, path_id(req), caps, refusal, out, NULL);
}

void forum_routes(router *r)
{
	router_add(r, "GET", "/spaces", spaces_page, ACCESS_SIGNED_IN, "the spaces I can read");
	router_add(r, "GET", "/s/:id", space_page, ACCESS_SPACE_MEMBER, "a space's threads");
	router_add(r, "POST", "/s/:id/read", mark_space_read_post, ACCESS_SPACE_MEMBER,
	           "mark everything in a space read");
	router_add(r, "GET", "/s/:id/new", new_thread_page, ACCESS_SPACE_MEMBER, "start a thread");
	router_add(r, "POST", "/s/:id/threads", new_thread_post, ACCESS_SPACE_MEMBER,
	           "start a thread (or preview it)");
	router_add(r, "GET", "/t/:id", thread_page, ACCESS_SPACE_MEMBER, "a thread, paged");
	router_add(r, "GET", "/t/:id/unread", thread_unread_page, ACCESS_SPACE_MEMBER,
	           "jump to the first unread post");
	router_add(r, "GET", "/t/:id/p/:n", post_permalink, ACCESS_SPACE_MEMBER,
	           "one post's address");
	router_add(r, "POST", "/t/:id/reply", reply_post, ACCESS_SPACE_MEMBER,
	           "reply (or preview)");
	router_add(r, "POST", "/t/:id/follow", follow_post, ACCESS_SPACE_MEMBER,
	           "follow or unfollow");
	router_add(r, "POST", "/t/:id/pin", pin_post, ACCESS_SPACE_MODERATOR, "pin or unpin");
	router_add(r, "POST", "/t/:id/agenda", agenda_link_post, ACCESS_SPACE_MODERATOR,
	           "attach the thread to an agenda session");
	router_add(r, "GET", "/posts/:id/edit", edit_page, ACCESS_POST_AUTHOR, "edit form");
	router_add(r, "POST", "/posts/:id/edit", edit_post, ACCESS_POST_AUTHOR,
	           "save an edit (or preview)");
	router_add(r, "GET", "/posts/:id/delete", delete_page, ACCESS_POST_AUTHOR,
	           "what deleting would do; asks first");
	router_add(r, "POST", "/posts/:id/delete", delete_post, ACCESS_POST_AUTHOR,
	           "delete, from that page's form (a placeholder stays)");
	router_add(r, "POST", "/posts/:id/helpful", helpful_post, ACCESS_SPACE_MEMBER,
	           "mark helpful, or take it back");
	router_add(r, "GET", "/posts/:id/revisions", revisions_page,
	           ACCESS_POST_AUTHOR | ACCESS_SPACE_MODERATOR,
	           "earlier versions of a post");
	router_add(r, "GET", "/u/:handle", person_page, ACCESS_SHARES_SPACE, "a person");
}
