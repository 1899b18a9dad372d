/*
 * support.c - the series' support pages. See support.h.
 *
 * The page is rendered from its newest version's Markdown when shown (at
 * most 20,000 characters: well under a millisecond), with markdown.h's
 * rules and no mentions. Saving checks the version the editor started
 * from: when someone else saved meanwhile, the form comes back (409) with
 * the editor's text in it, unsaved, so two directors never overwrite each
 * other unseen; nothing is lost either way, since every version is kept.
 */
#include "cairn/support.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/db.h"
#include "cairn/markdown.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a series shows before its directors write its page: where to turn
 * at once. The directors' own page replaces it (and should say more). */
static const char default_page[] =
	"This series' directors have not written this page yet.\n"
	"\n"
	"If you are struggling after a death, a hard case or a hard week, you are not alone, and "
	"it is not a weakness to ask for help.\n"
	"\n"
	"- **In an emergency, call 911.**\n"
	"- **988 Suicide & Crisis Lifeline** (US): call or text **988**, any time.\n"
	"- **Physician Support Line**: **1-888-409-0141**, free and confidential, for physicians "
	"and medical students.\n"
	"- Your workplace's employee assistance program (EAP), and its chaplains, are there for staff "
	"too.\n";

/* The zone a page is shown in for someone not signed in: the series' live
 * sessions are on US Eastern time. The time names its zone for them. */
#define SUPPORT_ANON_ZONE "America/New_York"

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

const char *support_path(arena *a, const char *series_slug)
{
	return arena_sprintf(a, "/series/%s/support", series_slug);
}

typedef struct series_ref {
	long long id;
	const char *slug, *title;
	bool may_edit; /* a confirmed director of an offering of the series, or an admin */
} series_ref;

/* The series named by the path's :slug, and whether the signed-in person
 * (if any) may edit its page. 404 (answered) when there is none. */
static bool series_from_path(request *req, PGconn *db, series_ref *s)
{
	arena *a = req->a;
	user *u = session_user(req);
	PGresult *r = db_q(db,
		"SELECT se.id, se.slug, se.title, EXISTS (SELECT 1 FROM enrollments e"
		"  JOIN offerings o ON o.id = e.offering_id JOIN courses c ON c.id = o.course_id"
		"  WHERE c.series_id = se.id AND e.user_id = $2::bigint AND e.role = 'director'"
		"  AND e.state = 'confirmed') AS directs"
		" FROM series se WHERE se.slug = $1",
		http_param(req, "slug"), num(a, u ? u->id : 0));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool found = PQntuples(r) == 1;
	if (found) {
		*s = (series_ref){
			.id = atoll(db_col(r, 0, "id")),
			.slug = arena_strdup(a, db_col(r, 0, "slug")),
			.title = arena_strdup(a, db_col(r, 0, "title")),
			.may_edit = u && (authz_is_admin(u) || db_col(r, 0, "directs")[0] == 't'),
		};
	}
	PQclear(r);
	if (!found)
		http_error(req, 404, NULL);
	return found;
}

/* The newest version of the page: its id (0: none yet), Markdown, and when
 * and by whom it was saved (a ZONE_SQL value in zone, and a name). NULL
 * after a database error; the caller clears it. */
static PGresult *latest(PGconn *db, arena *a, long long series_id, const char *zone)
{
	return db_q(db,
		"SELECT v.id, v.body, " ZONE_SQL("v.edited_at", "$2") " AS at,"
		" coalesce(u.display_name, 'someone no longer on Cairn') AS by"
		" FROM support_page_versions v LEFT JOIN users u ON u.id = v.edited_by"
		" WHERE v.series_id = $1 ORDER BY v.id DESC LIMIT 1",
		num(a, series_id), zone);
}

static void set_series(tv *v, arena *a, const series_ref *s)
{
	tv *o = tv_set(v, "series", tv_obj(a));
	tv_set_str(o, "title", s->title);
	tv_set_str(o, "slug", s->slug);
}

static void support_page(request *req)
{
	arena *a = req->a;
	user *u = session_user(req);
	PGconn *db = http_db_required(req);
	series_ref s;
	if (!db || !series_from_path(req, db, &s))
		return;
	const char *zone = u ? u->time_zone : SUPPORT_ANON_ZONE;
	PGresult *r = latest(db, a, s.id, zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool written = PQntuples(r) == 1;
	const char *body = written ? db_col(r, 0, "body") : default_page;
	markdown_options opt = {.max_bytes = 4 * SUPPORT_MAX_CHARS};
	markdown_result md;
	if (!markdown_render(a, body, strlen(body), &opt, &md)) {
		/* Saved text was checked when it was saved; this cannot happen. */
		PQclear(r);
		http_error(req, 500, NULL);
		return;
	}
	tv *v = tv_obj(a);
	set_series(v, a, &s);
	tv_set_str(v, "html", md.html);
	tv *upd = tv_null(a);
	if (written) {
		upd = tv_obj(a);
		tv_set(upd, "at", zone_time(a, db_col(r, 0, "at"), zone, u ? u->time_zone : NULL,
		                            ZONE_FULL));
		tv_set_str(upd, "by", arena_strdup(a, db_col(r, 0, "by")));
	}
	PQclear(r);
	tv_set(v, "updated", upd);
	tv_set_bool(v, "can_edit", s.may_edit);
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", done && !strcmp(done, "saved") ? "Saved. This is the page everyone "
	                                                         "now sees." : NULL);
	http_render(req, 200, "support", arena_sprintf(a, "Support for clinicians: %s", s.title), v);
}

/* The edit form with body in it. version is the version it starts from (0:
 * none yet); preview (HTML made here, or NULL) is shown above it. */
static void edit_form(request *req, const series_ref *s, int status, const char *body,
                      long long version, const char *preview, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_series(v, a, s);
	tv_set_str(v, "preview", preview);
	tv_set_str(v, "body", body);
	tv_set_str(v, "version", num(a, version));
	tv_set_int(v, "max_chars", SUPPORT_MAX_CHARS);
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, status, "support_edit",
	            arena_sprintf(a, "Edit the support page: %s", s->title), v);
}

/* The signed-in person may edit s's page; else 403 (answered): the page
 * itself is public, so nothing is hidden by saying no. */
static bool may_edit(request *req, const series_ref *s, bool posting)
{
	if (s->may_edit)
		return true;
	http_error(req, 403, posting ? "Only the series' directors and Cairn's administrators edit "
	                               "this page. Nothing was changed."
	                             : "Only the series' directors and Cairn's administrators edit "
	                               "this page.");
	return false;
}

static void edit_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	series_ref s;
	if (!db || !series_from_path(req, db, &s) || !may_edit(req, &s, false))
		return;
	PGresult *r = latest(db, req->a, s.id, u->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool written = PQntuples(r) == 1;
	const char *body = arena_strdup(req->a, written ? db_col(r, 0, "body") : default_page);
	long long version = written ? atoll(db_col(r, 0, "id")) : 0;
	PQclear(r);
	edit_form(req, &s, 200, body, version, NULL, NULL);
}

/* s with every CR LF (and lone CR) as LF: what a textarea sends is counted
 * and stored as the reader will see it. */
static char *lf_only(arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			*o++ = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\n", *s))
			return false;
	return true;
}

static void edit_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	series_ref s;
	if (!db || !series_from_path(req, db, &s) || !may_edit(req, &s, true))
		return;
	const char *sent = http_form(req, "body");
	char *body = lf_only(a, sent ? sent : "");
	long long version = 0;
	if (!form_get_int(&req->body, "version", 0, 999999999999999999LL, &version)) {
		edit_form(req, &s, 422, body, 0, NULL,
		          "This form is incomplete (it does not say which version it edits). Nothing "
		          "was changed: copy your text, reload the page and try again.");
		return;
	}
	size_t chars = utf8_length(body, strlen(body));
	if (blank(body)) {
		edit_form(req, &s, 422, body, version, NULL,
		          "Write the page: it cannot be empty. Nothing was changed.");
		return;
	}
	if (chars > SUPPORT_MAX_CHARS) {
		edit_form(req, &s, 422, body, version, NULL,
		          arena_sprintf(a, "The page can be at most 20,000 characters; this text has "
		                           "%zu. Shorten it and save again. Nothing was changed.",
		                        chars));
		return;
	}
	markdown_options opt = {.max_bytes = 4 * SUPPORT_MAX_CHARS};
	markdown_result md;
	if (!markdown_render(a, body, strlen(body), &opt, &md)) {
		edit_form(req, &s, 422, body, version, NULL,
		          "The text is not valid UTF-8. Nothing was changed.");
		return;
	}
	const char *action = http_form(req, "action");
	if (action && !strcmp(action, "preview")) {
		edit_form(req, &s, 200, body, version, md.html, NULL);
		return;
	}
	/* The series' row lock orders two saves of one page; the newest version
	 * must still be the one the editor started from. */
	PGresult *r = NULL;
	bool ok = db_begin(db) &&
		db_exec(db, "SELECT 1 FROM series WHERE id = $1 FOR UPDATE", 1,
		        (const char *[]){num(a, s.id)}) &&
		(r = latest(db, a, s.id, u->time_zone)) != NULL;
	if (!ok) {
		PQclear(r);
		db_rollback(db);
		http_db_error(req);
		return;
	}
	long long newest = PQntuples(r) ? atoll(db_col(r, 0, "id")) : 0;
	if (newest != version) {
		const char *by = arena_strdup(a, db_col(r, 0, "by"));
		const char *at = zone_text(a, db_col(r, 0, "at"), u->time_zone, u->time_zone,
		                           ZONE_FULL);
		PQclear(r);
		db_rollback(db);
		edit_form(req, &s, 409, body, newest, NULL,
		          arena_sprintf(a, "%s saved this page meanwhile (%s). Your text is below, not "
		                           "saved: compare it with the page as it is now, then save "
		                           "again.",
		                        by, at ? at : "just now"));
		return;
	}
	PQclear(r);
	ok = db_exec(db,
	             "INSERT INTO support_page_versions (series_id, body, edited_by, edited_at)"
	             " VALUES ($1, $2, $3, to_timestamp($4))",
	             4, (const char *[]){num(a, s.id), body, num(a, u->id),
	                                 num(a, (long long)clock_now())}) &&
	     db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "%s?done=saved", support_path(a, s.slug)));
}

void support_routes(router *r)
{
	router_add(r, "GET", "/series/:slug/support", support_page, ACCESS_ANYONE,
	           "a series' support page: resources for clinicians in distress");
	router_add(r, "GET", "/series/:slug/support/edit", edit_page,
	           ACCESS_SERIES_DIRECTOR | ACCESS_ADMIN, "edit a series' support page (Markdown)");
	router_add(r, "POST", "/series/:slug/support/edit", edit_post,
	           ACCESS_SERIES_DIRECTOR | ACCESS_ADMIN, "save a series' support page");
}
