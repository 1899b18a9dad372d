/*
 * share.c - "Share an excerpt with my group": from a journal entry to an
 * ordinary reply, only when the learner says so. See share.h.
 *
 * This module holds no text of its own: the entry comes from the journal
 * (journal_text_of, opened in the request's arena, which is wiped), the
 * excerpt from the form, and publishing is forum_reply's. What is written,
 * and only on Publish, is the post the forum writes for any reply.
 */
#include "cairn/share.h"
#include "cairn/authz.h"
#include "cairn/forum.h"
#include "cairn/guard.h"
#include "cairn/journal.h"
#include "cairn/session.h"
#include "cairn/space.h"

#include <stdlib.h>
#include <string.h>

enum {
	SHARE_THREADS_PER_SPACE = 20,  /* the most recently active of each space */
	SHARE_THREADS_MAX = 200,
};

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* The threads the reader could reply to, by space, their small groups'
 * first: [{label, threads: [{id, title, selected}]}]. Locked and hidden
 * threads, threads waiting for their first post's approval and spaces the
 * reader is muted in are left out (a moderator keeps locked ones); the
 * reply path checks all of it again on Publish. NULL on a database error. */
static tv *thread_choices(request *req, PGconn *db, long long chosen, bool *chosen_listed)
{
	*chosen_listed = false;
	PGresult *r = db_q(db,
		"WITH mine AS MATERIALIZED ("
		"  SELECT s.id, cairn_space_role($1, s.id) AS role FROM spaces s),"
		" open AS (SELECT m.id, m.role FROM mine m WHERE m.role >= 1 AND (m.role >= 2 OR"
		"  NOT EXISTS (SELECT 1 FROM mutes mu WHERE mu.space_id = m.id AND mu.user_id = $1"
		"  AND mu.until > cairn_now()))),"
		" ranked AS (SELECT t.id, t.title, t.space_id, t.last_post_at, row_number() OVER"
		"  (PARTITION BY t.space_id ORDER BY t.last_post_at DESC, t.id DESC) AS k"
		"  FROM threads t JOIN open ON open.id = t.space_id"
		"  WHERE NOT t.hidden AND t.last_number > 0 AND (NOT t.locked OR open.role >= 2))"
		" SELECT s.id AS space_id, s.title AS space_title, " SPACE_CONTEXT_SQL " AS context,"
		" r.id, r.title FROM ranked r JOIN spaces s ON s.id = r.space_id" SPACE_JOINS
		" WHERE r.k <= $2"
		" ORDER BY CASE s.kind WHEN 'group' THEN 0 WHEN 'cohort' THEN 1 WHEN 'series' THEN 2"
		"  ELSE 3 END, s.id DESC, r.last_post_at DESC, r.id DESC LIMIT $3",
		num(req, session_user(req)->id), num(req, SHARE_THREADS_PER_SPACE),
		num(req, SHARE_THREADS_MAX));
	if (!r)
		return NULL;
	tv *spaces = tv_list(req->a), *threads = NULL;
	long long current = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		long long sid = atoll(db_col(r, i, "space_id"));
		if (!threads || sid != current) {
			tv *s = tv_push(spaces, tv_obj(req->a));
			const char *context = db_col(r, i, "context");
			tv_set_str(s, "label", *context
				? arena_sprintf(req->a, "%s (%s)", db_col(r, i, "space_title"), context)
				: arena_strdup(req->a, db_col(r, i, "space_title")));
			threads = tv_set(s, "threads", tv_list(req->a));
			current = sid;
		}
		tv *t = tv_push(threads, tv_obj(req->a));
		long long id = atoll(db_col(r, i, "id"));
		tv_set_int(t, "id", id);
		tv_set_str(t, "title", arena_strdup(req->a, db_col(r, i, "title")));
		tv_set_bool(t, "selected", id == chosen);
		*chosen_listed = *chosen_listed || id == chosen;
	}
	PQclear(r);
	return spaces;
}

/* What the share page shows: the form with what was typed, the error, and
 * the draft (a preview) or the guard's findings. */
typedef struct share_page {
	const journal_text *entry;
	const char *body, *note;
	long long thread;
	const char *error;
	const forum_reply_out *out;  /* the reply path's answer, or NULL before any */
	bool preview;                /* out->html is the draft */
} share_page;

static void render_page(request *req, PGconn *db, int status, const share_page *p)
{
	arena *a = req->a;
	bool listed;
	tv *spaces = thread_choices(req, db, p->thread, &listed);
	if (!spaces) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "entry_id", p->entry->id);
	tv_set_str(v, "day", p->entry->day);
	tv_set_str(v, "body", p->body ? p->body : "");
	tv_set_str(v, "note", p->note ? p->note : "");
	tv_set_int(v, "note_max", GUARD_NOTE_MAX_CHARS);
	tv_set(v, "spaces", spaces);
	tv_set_bool(v, "has_threads", spaces->n > 0);
	tv_set_bool(v, "none_chosen", !listed);
	tv_set_str(v, "error", p->error);
	guard_view(v, a, p->out && !p->error ? &p->out->found : NULL);
	bool draft = p->preview && p->out && p->out->html;
	tv_set_str(v, "preview", draft ? p->out->html : NULL);
	tv_set_str(v, "thread_title", draft ? p->out->title : NULL);
	tv_set_str(v, "space_title", draft ? p->out->space_title : NULL);
	tv_set_str(v, "author", session_user(req)->display_name);
	tv_set_str(v, "draft_note", draft && p->note && *p->note ? p->note : NULL);
	http_render(req, status, "share",
	            arena_sprintf(a, "Share an excerpt: journal entry, %s", p->entry->day), v);
}

/* The reader's entry named by the path; 404 for anyone else's (answered,
 * as is a database error: false). */
static bool path_entry(request *req, PGconn *db, journal_text *t)
{
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	int found = journal_text_of(req, db, id, t);
	if (found == 0)
		http_error(req, 404, NULL);
	return found == 1;
}

static void share_form(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	journal_text t;
	if (!path_entry(req, db, &t))
		return;
	if (!t.open) {
		http_error(req, 409, t.locked
			? "This entry is locked, so there is nothing to share from it yet: enter your "
			  "recovery code first."
			: "This entry cannot be opened, so there is nothing to share from it.");
		return;
	}
	render_page(req, db, 200, &(share_page){.entry = &t, .body = t.body});
}

static void share_post(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	journal_text t;
	if (!path_entry(req, db, &t))
		return;
	const char *action = http_form(req, "action"), *thread_text = http_form(req, "thread");
	share_page p = {
		.entry = &t,
		.body = http_form(req, "body"),
		.note = http_form(req, "note"),
	};
	if (!thread_text || !*thread_text || !http_parse_id(thread_text, &p.thread)) {
		p.thread = 0;
		p.error = "Choose the thread to share it in. Nothing was posted; your text is below.";
		render_page(req, db, 422, &p);
		return;
	}
	forum_reply_in in = {
		.thread_id = p.thread,
		.body = p.body,
		.note = p.note,
		.preview = action && !strcmp(action, "preview"),
		.publish_anyway = guard_confirmed(http_form(req, "privacy")),
	};
	forum_reply_out out;
	p.out = &out;
	switch (forum_reply(db, req->a, session_user(req), req->app->cfg->origin, &in, &out)) {
	case FORUM_REPLY_FAILED:
		http_db_error(req);
		return;
	case FORUM_REPLY_NOT_FOUND:
		/* Not a thread of a space the reader is in (or no thread at all):
		 * said the same way, so nothing about other spaces leaks. */
		p.error = "You cannot post in that thread: it is not in a space you belong to. Choose "
		          "one from the list. Nothing was posted; your text is below.";
		render_page(req, db, 422, &p);
		return;
	case FORUM_REPLY_REFUSED:
		if (out.status == 429)
			http_add_header(req, "Retry-After", num(req, out.retry_after));
		p.error = out.problem;
		render_page(req, db, out.status, &p);
		return;
	case FORUM_REPLY_PREVIEW:
		p.preview = true;
		render_page(req, db, 200, &p);
		return;
	case FORUM_REPLY_GUARDED:
		render_page(req, db, 200, &p);
		return;
	case FORUM_REPLY_POSTED:
	case FORUM_REPLY_HELD:
		http_redirect(req, out.address);
		return;
	}
}

void share_routes(router *r)
{
	router_add(r, "GET", "/journal/:id/share", share_form, ACCESS_SIGNED_IN,
	           "share an excerpt of your entry with a group: the form");
	router_mark_sensitive(r);
	router_add(r, "POST", "/journal/:id/share", share_post, ACCESS_SIGNED_IN,
	           "preview the excerpt as a draft post, or publish it as a reply");
	router_mark_sensitive(r);
}
