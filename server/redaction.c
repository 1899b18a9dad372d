/*
 * redaction.c - redacting a post and purging its revisions. See
 * redaction.h.
 *
 * A redaction is one transaction: the post is rendered again from its
 * redacted source (mentions kept for the people it already named), its
 * search entry is rebuilt from the new text, its revisions lose every
 * occurrence of the passage, its notifications and queued messages lose
 * the excerpts that held the text (notify_post_redacted), open flags that
 * it identifies a patient are resolved, and the log gets an entry with
 * counts only. The passage is matched exactly as written in the Markdown
 * source, which the redaction page shows so that it can be copied.
 */
#include "cairn/redaction.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/forum.h"
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

/* The excerpt notifications carry (notify_post's, from forum.c). */
enum { EXCERPT_CHARS = 200 };

/* ---- the post ---- */

/* What a member who reads the space is told (403); anyone else gets 404. */
static const char *const moderators_only =
	"Only the space's moderators redact posts. Nothing was changed.";

/* Where the post is read: its number's address, or the end of its thread
 * while it waits for approval. */
static const char *post_address(arena *a, const forum_post *p)
{
	if (p->number)
		return arena_sprintf(a, "/t/%lld/p/%d", (long long)p->thread.id, p->number);
	return arena_sprintf(a, "/t/%lld?page=%d#h%lld", (long long)p->thread.id,
	                     p->thread.last_number ? (p->thread.last_number + 49) / 50 : 1,
	                     (long long)p->id);
}

static void set_post_view(tv *v, arena *a, const forum_post *p)
{
	tv *sv = tv_set(v, "space", tv_obj(a));
	tv_set_str(sv, "id", num(a, p->thread.space.id));
	tv_set_str(sv, "title", p->thread.space.title);
	tv_set_str(v, "post_id", num(a, p->id));
	tv_set_str(v, "thread_title", p->thread.title);
	tv_set_str(v, "address", post_address(a, p));
	tv_set_str(v, "author", p->author);
	tv_set(v, "number", p->number ? tv_int(a, p->number) : tv_null(a));
}

/* ---- text ---- */

/* The private-use characters of search highlights are not part of a post's
 * text (forum.c removes them the same way when a post is written). */
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

/* A version's plain text, as forum.c made it when the version was written
 * (mentions read "@handle" whether linked or not). NULL when the source
 * does not render, which a stored version always does. */
static const char *text_of(arena *a, const char *src)
{
	markdown_result md;
	size_t len = strlen(src);
	markdown_options opt = {.max_bytes = len + 1};
	if (!markdown_render(a, src, len, &opt, &md))
		return NULL;
	return strip_sentinels(a, md.text, md.text_len);
}

/* s with every occurrence of what replaced by with; *count says how many. */
static char *replace_all(arena *a, const char *s, const char *what, const char *with, int *count)
{
	buf b;
	buf_init(&b, a, 0);
	size_t wl = strlen(what);
	*count = 0;
	for (const char *p = s;;) {
		const char *hit = strstr(p, what);
		if (!hit) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(hit - p));
		buf_puts(&b, with);
		p = hit + wl;
		(*count)++;
	}
	return b.data;
}

/* The handles the post linked as mentions: a redacted body links them
 * again where they remain (nobody new is mentioned by a redaction). */
typedef struct known_mentions {
	const char **handles;
	int64_t *ids;
	size_t n;
	int64_t kept[MARKDOWN_MAX_MENTIONS];
	size_t n_kept;
} known_mentions;

static bool resolve_known(void *p, const char *handle)
{
	known_mentions *k = p;
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->handles[i], handle)) {
			if (k->n_kept < MARKDOWN_MAX_MENTIONS)
				k->kept[k->n_kept++] = k->ids[i];
			return true;
		}
	return false;
}

/* A passage a moderator typed: at least two characters that are not
 * white space, at most REDACTION_PASSAGE_MAX_CHARS. NULL when it will do,
 * else the sentence to show. */
static const char *passage_problem(const char *passage)
{
	if (!passage)
		return "Paste the words that identify the patient.";
	size_t visible = 0;
	for (const char *c = passage; *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n' && ((unsigned char)*c & 0xC0) != 0x80)
			visible++;
	if (visible < REDACTION_PASSAGE_MIN_CHARS)
		return "Paste the words that identify the patient: at least two characters.";
	if (utf8_length(passage, strlen(passage)) > REDACTION_PASSAGE_MAX_CHARS)
		return "Paste at most 2000 characters at a time.";
	return NULL;
}

/* The other posts, in spaces the moderator moderates, whose text holds the
 * passage (a quote of it, or the same words written again), newest first.
 * The full-text index finds the candidates when the passage has words it
 * indexes; held posts have no search entry and are looked at directly. */
static tv *quoting_posts(PGconn *db, arena *a, int64_t moderator, long long post_id,
                         const char *passage, bool *more)
{
	PGresult *r = db_q(db,
		"WITH mine AS MATERIALIZED (SELECT id, title FROM spaces"
		"  WHERE cairn_space_role($1, id) = 2),"
		" q AS (SELECT plainto_tsquery('english', $3) AS q)"
		" SELECT p.id, coalesce(p.number, 0) AS number, p.held, t.id AS thread_id, t.title,"
		" m.title AS space, au.display_name"
		" FROM posts p JOIN threads t ON t.id = p.thread_id JOIN mine m ON m.id = t.space_id"
		" JOIN users au ON au.id = p.author_id CROSS JOIN q"
		" WHERE p.id <> $2 AND p.deleted_at IS NULL"
		" AND (numnode(q.q) = 0 OR p.held OR p.search @@ q.q)"
		" AND strpos(lower(p.body_src), lower($3)) > 0"
		" ORDER BY p.id DESC LIMIT " "101",
		num(a, moderator), num(a, post_id), passage);
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r) && i < REDACTION_QUOTES_MAX; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
		int n = atoi(db_col(r, i, "number"));
		tv_set(o, "number", n ? tv_int(a, n) : tv_null(a));
		tv_set_bool(o, "held", db_col(r, i, "held")[0] == 't');
		tv_set_str(o, "thread_id", arena_strdup(a, db_col(r, i, "thread_id")));
		tv_set_str(o, "thread_title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_str(o, "space", arena_strdup(a, db_col(r, i, "space")));
		tv_set_str(o, "author", arena_strdup(a, db_col(r, i, "display_name")));
	}
	*more = PQntuples(r) > REDACTION_QUOTES_MAX;
	PQclear(r);
	return list;
}

/* ---- the redaction page ---- */

static void redact_view(request *req, PGconn *db, const forum_post *p, int status,
                        const char *passage, const char *scope, const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	PGresult *r = db_q(db,
		"SELECT id, body_src, " ZONE_SQL("created_at", "$2") " AS written,"
		" " ZONE_SQL("replaced_at", "$2") " AS replaced"
		" FROM post_revisions WHERE post_id = $1 ORDER BY id DESC LIMIT 100",
		num(a, p->id), u->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_post_view(v, a, p);
	tv_set_str(v, "current", p->src);
	tv_set_bool(v, "deleted", p->deleted);
	tv *list = tv_set(v, "revisions", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(o, "body", arena_strdup(a, db_col(r, i, "body_src")));
		tv_set(o, "written", zone_time(a, db_col(r, i, "written"), u->time_zone, u->time_zone,
		                               ZONE_FULL));
		tv_set(o, "replaced", zone_time(a, db_col(r, i, "replaced"), u->time_zone,
		                                u->time_zone, ZONE_FULL));
	}
	PQclear(r);
	tv_set_bool(v, "has_revisions", list->n > 0);
	tv_set_str(v, "passage", passage ? passage : "");
	tv_set_bool(v, "whole", scope && !strcmp(scope, "whole"));
	tv_set_str(v, "marker", REDACTION_MARKER);
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	http_render(req, status, "redaction", "Remove text that identifies a patient", v);
}

/* The post the path names, for a moderator: 404 when the person cannot see
 * it (held or hidden from them), 403 when they see it but do not moderate
 * its space (answered). */
static bool post_from_path(request *req, PGconn *db, forum_post *p)
{
	return forum_post_require_path(req, db, SPACE_MODERATE, moderators_only, p);
}

static void redact_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!post_from_path(req, db, &p))
		return;
	redact_view(req, db, &p, 200, NULL, NULL, NULL);
}

/* The page after a redaction or purge: what was done, where else the words
 * stand, and the backups' caveat. The passage itself is never shown back. */
static void done_view(request *req, PGconn *db, const forum_post *p, const char *what,
                      const char *passage, bool still_in_post)
{
	arena *a = req->a;
	bool more = false;
	tv *quotes = passage ? quoting_posts(db, a, session_user(req)->id, p->id, passage, &more)
	                     : tv_list(a);
	if (!quotes) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_post_view(v, a, p);
	tv_set_str(v, "what", what);
	tv_set_bool(v, "searched", passage != NULL);
	tv_set(v, "quotes", quotes);
	tv_set_bool(v, "has_quotes", quotes->n > 0);
	tv_set_bool(v, "more_quotes", more);
	tv_set_bool(v, "still_in_post", still_in_post);
	req->no_store = true;
	http_render(req, 200, "redaction_done", "Text removed", v);
}

static void redact_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	forum_post p;
	if (!post_from_path(req, db, &p))
		return;
	if (p.deleted) {
		http_error(req, 409, "Its author deleted this post: its text is already gone. Purge "
		                     "its earlier versions from the redaction page if they hold the "
		                     "text.");
		return;
	}
	/* Only the redaction page's form acts; anything else is shown it. */
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/posts/%lld/redact", (long long)p.id));
		return;
	}
	const char *passage = http_form(req, "passage"), *scope = http_form(req, "scope");
	const char *problem = passage_problem(passage);
	if (!problem && (!scope || (strcmp(scope, "passage") && strcmp(scope, "whole"))))
		problem = "Choose what to remove: the words, or the whole post.";
	if (!problem && !strstr(p.src, passage))
		problem = "Those words are not in the post as it is written. Copy them from its text "
		          "below (the Markdown source, as its author wrote it).";
	if (problem) {
		redact_view(req, db, &p, 422, passage, scope, arena_sprintf(a, "%s Nothing was changed.",
		                                                          problem));
		return;
	}
	bool whole = !strcmp(scope, "whole");
	int occurrences = 0;
	const char *src = whole ? REDACTION_MARKER
	                        : replace_all(a, p.src, passage, REDACTION_MARKER, &occurrences);
	if (whole)
		occurrences = 1;

	/* Render the redacted source, linking again the people it mentioned. */
	PGresult *mr = db_q(db,
		"SELECT u.handle, u.id FROM mentions m JOIN users u ON u.id = m.user_id"
		" WHERE m.post_id = $1 ORDER BY u.id", num(a, p.id));
	if (!mr) {
		http_db_error(req);
		return;
	}
	known_mentions km = {.n = (size_t)PQntuples(mr)};
	km.handles = arena_calloc(a, km.n + 1, sizeof *km.handles);
	km.ids = arena_calloc(a, km.n + 1, sizeof *km.ids);
	for (size_t i = 0; i < km.n; i++) {
		km.handles[i] = arena_strdup(a, db_val(mr, (int)i, 0));
		km.ids[i] = atoll(db_val(mr, (int)i, 1));
	}
	PQclear(mr);
	markdown_result md;
	size_t len = strlen(src);
	markdown_options opt = {.max_bytes = len + 1, .resolve_mention = resolve_known,
	                        .mention_ctx = &km};
	if (!markdown_render(a, src, len, &opt, &md)) {
		http_error(req, 500, "The redacted post could not be rendered. Nothing was changed.");
		return;
	}
	const char *text = strip_sentinels(a, md.text, md.text_len);
	const char **kept = arena_calloc(a, km.n_kept + 1, sizeof *kept);
	for (size_t i = 0; i < km.n_kept; i++)
		kept[i] = num(a, km.kept[i]);

	/* The excerpts of every version the text was in: the current body,
	 * and each revision (as written before this redaction). */
	PGresult *rv = db_q(db, "SELECT body_src FROM post_revisions WHERE post_id = $1 ORDER BY id",
	                    num(a, p.id));
	if (!rv) {
		http_db_error(req);
		return;
	}
	size_t nrev = (size_t)PQntuples(rv);
	const char **olds = arena_calloc(a, nrev + 2, sizeof *olds);
	size_t nold = 0;
	olds[nold++] = markdown_excerpt(a, p.text, EXCERPT_CHARS);
	for (size_t i = 0; i < nrev; i++) {
		const char *t = text_of(a, db_val(rv, (int)i, 0));
		if (t)
			olds[nold++] = markdown_excerpt(a, t, EXCERPT_CHARS);
	}
	PQclear(rv);
	const char *excerpt = markdown_excerpt(a, text, EXCERPT_CHARS);

	long long now = (long long)clock_now();
	PGresult *rr = NULL;
	int revisions = 0, notes = 0, messages = 0;
	bool ok = db_begin(db) &&
		db_exec(db,
		        "UPDATE posts SET body_src = $2, body_html = $3, body_text = $4,"
		        " search = CASE WHEN held THEN ''::tsvector ELSE"
		        " setweight(to_tsvector('english', CASE WHEN number = 1 THEN"
		        " (SELECT title FROM threads WHERE id = thread_id) ELSE '' END), 'A') ||"
		        " to_tsvector('english', $4) END WHERE id = $1",
		        4, (const char *[]){num(a, p.id), src, md.html, text}) &&
		(rr = db_q(db,
		           "UPDATE post_revisions SET body_src = replace(body_src, $2, $3)"
		           " WHERE post_id = $1 AND strpos(body_src, $2) > 0 RETURNING id",
		           num(a, p.id), passage, REDACTION_MARKER)) != NULL;
	if (ok)
		revisions = PQntuples(rr);
	PQclear(rr);
	ok = ok &&
		db_exec(db, "DELETE FROM mentions WHERE post_id = $1 AND NOT user_id = ANY($2::bigint[])",
		        2, (const char *[]){num(a, p.id), db_text_array_param(a, kept, km.n_kept)}) &&
		notify_post_redacted(db, a, p.id, excerpt, olds, nold, passage, REDACTION_MARKER, &notes,
		                     &messages) &&
		db_exec(db,
		        "UPDATE flags SET resolved_at = to_timestamp($2), resolved_by = $3,"
		        " resolution = 'redacted' WHERE post_id = $1 AND resolved_at IS NULL"
		        " AND reason = 'identifies_patient'",
		        3, (const char *[]){num(a, p.id), num(a, now), num(a, u->id)});
	modlog_entry e = {
		.actor_id = u->id, .space_id = p.thread.space.id, .action = "post_redacted",
		.thread_id = p.thread.id, .post_id = p.id, .subject_id = p.author_id,
		.reason = "identifies a patient",
		.detail = arena_sprintf(a, "{\"scope\": \"%s\", \"occurrences\": %d, \"revisions\": %d,"
		                           " \"notifications\": %d, \"message_rewrites\": %d}",
		                        whole ? "whole" : "passage", occurrences, revisions, notes,
		                        messages),
	};
	ok = ok && modlog_append(db, &e) &&
		(p.author_id == u->id ||
		 outbox_put(db, a, p.author_email, "post-redacted",
		            arena_sprintf(a, "A moderator removed text from your post in “%s”",
		                          p.thread.title),
		            arena_sprintf(a, "A moderator of %s removed %s of your post in “%s”: it "
		                             "identified a patient. Where it was, the post now reads "
		                             "“%s”. Please leave out names, dates, places and other "
		                             "details that could tell who a patient is.\n\n%s%s\n",
		                          p.thread.space.title, whole ? "the text" : "part",
		                          p.thread.title, REDACTION_MARKER, req->app->cfg->origin,
		                          post_address(a, &p)),
		            now)) &&
		db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	p.src = src;
	done_view(req, db, &p, whole ? "The post's text was replaced." :
	          occurrences == 1 ? "The words were removed from the post."
	                           : arena_sprintf(a, "The words were removed from the post "
	                                              "(%d places).", occurrences),
	          passage, false);
}

/* ---- purging a revision ---- */

typedef struct revision_ref {
	long long id;
	const char *src;
	forum_post post;
} revision_ref;

static bool revision_from_path(request *req, PGconn *db, revision_ref *rv)
{
	arena *a = req->a;
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db, "SELECT post_id, body_src FROM post_revisions WHERE id = $1",
	                   num(a, id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, NULL);
		return false;
	}
	rv->id = id;
	long long post_id = atoll(db_val(r, 0, 0));
	rv->src = arena_strdup(a, db_val(r, 0, 1));
	PQclear(r);
	return forum_post_require(req, db, post_id, SPACE_MODERATE, moderators_only, &rv->post);
}

static void purge_view(request *req, const revision_ref *rv, int status, const char *passage,
                       const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_post_view(v, a, &rv->post);
	tv_set_str(v, "id", num(a, rv->id));
	tv_set_str(v, "body", rv->src);
	tv_set_str(v, "passage", passage ? passage : "");
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	http_render(req, status, "redaction_purge", "Purge this version?", v);
}

static void purge_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	revision_ref rv;
	if (!revision_from_path(req, db, &rv))
		return;
	purge_view(req, &rv, 200, NULL, NULL);
}

static void purge_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	revision_ref rv;
	if (!revision_from_path(req, db, &rv))
		return;
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/revisions/%lld/purge", rv.id));
		return;
	}
	/* The passage is optional here: the whole version goes. Given, it finds
	 * the posts that quote it and leaves queued mail. */
	const char *passage = http_form(req, "passage");
	if (passage && !passage[strspn(passage, " \t\n")])
		passage = NULL;
	const char *problem = passage ? passage_problem(passage) : NULL;
	if (!problem && passage && !strstr(rv.src, passage))
		problem = "Those words are not in this version as it is written. Copy them from it, "
		          "below, or leave the field empty.";
	if (problem) {
		purge_view(req, &rv, 422, passage, arena_sprintf(a, "%s Nothing was changed.", problem));
		return;
	}
	const forum_post *p = &rv.post;
	const char *text = text_of(a, rv.src);
	const char *old = text ? markdown_excerpt(a, text, EXCERPT_CHARS) : "";
	const char *excerpt = markdown_excerpt(a, p->deleted ? "" : p->text, EXCERPT_CHARS);
	int notes = 0, messages = 0;
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		(r = db_q(db, "DELETE FROM post_revisions WHERE id = $1 RETURNING 1", num(a, rv.id))) != NULL;
	bool gone = ok && PQntuples(r) == 1;
	PQclear(r);
	if (ok && !gone) {
		db_rollback(db);
		http_error(req, 404, "This version was purged already.");
		return;
	}
	modlog_entry e = {.actor_id = u->id, .space_id = p->thread.space.id, .action = "revision_purged",
	                  .thread_id = p->thread.id, .post_id = p->id, .subject_id = p->author_id,
	                  .reason = "identifies a patient"};
	ok = ok &&
		notify_post_redacted(db, a, p->id, excerpt, &old, 1, passage, REDACTION_MARKER, &notes,
		                     &messages);
	e.detail = arena_sprintf(a, "{\"revision\": %lld, \"notifications\": %d,"
	                            " \"message_rewrites\": %d}", rv.id, notes, messages);
	ok = ok && modlog_append(db, &e) && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	done_view(req, db, p, "That earlier version was purged.", passage,
	          passage && strstr(p->src, passage));
}

void redaction_routes(router *r)
{
	router_add(r, "GET", "/posts/:id/redact", redact_page, ACCESS_SPACE_MODERATOR,
	           "remove text that identifies a patient: the post, its versions; asks first");
	router_add(r, "POST", "/posts/:id/redact", redact_post, ACCESS_SPACE_MODERATOR,
	           "redact a passage or the whole body, everywhere Cairn copied it");
	router_add(r, "GET", "/revisions/:id/purge", purge_page, ACCESS_SPACE_MODERATOR,
	           "what purging an earlier version does; asks first");
	router_add(r, "POST", "/revisions/:id/purge", purge_post, ACCESS_SPACE_MODERATOR,
	           "purge an earlier version, everywhere Cairn copied it");
}
