/*
 * people.c - the admin's pages about people: everyone with an account (and
 * a password-reset link for one of them), and the outbox of messages Cairn
 * would send. See people.h.
 */
#include "cairn/people.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RESET_TTL_SECONDS = 3 * 86400 };

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

static void admin_users_view(request *req, int status, const char *link, const char *who)
{
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *zone = session_user(req)->time_zone;
	PGresult *r = db_q(db,
		"SELECT u.id, u.handle, u.display_name, u.email, u.profession, u.is_admin,"
		" " ZONE_SQL("u.created_at", "$1") ","
		" (SELECT count(*) FROM web_sessions s WHERE s.user_id = u.id)"
		" FROM users u ORDER BY u.display_name LIMIT 500", zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "link", link);
	tv_set_str(v, "who", who ? who : "");
	tv *list = tv_set(v, "users", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(o, "handle", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(o, "display_name", arena_strdup(a, db_val(r, i, 2)));
		tv_set_str(o, "email", arena_strdup(a, db_val(r, i, 3)));
		tv_set_str(o, "profession", accounts_profession_label(db_val(r, i, 4)));
		tv_set_bool(o, "admin", db_val(r, i, 5)[0] == 't');
		tv_set(o, "joined", zone_time(a, db_val(r, i, 6), zone, zone, ZONE_DATE));
		tv_set_str(o, "sessions", arena_strdup(a, db_val(r, i, 7)));
		tv_set_str(o, "csrf", session_csrf(req));
	}
	PQclear(r);
	req->no_store = true;
	http_render(req, status, "admin_users", "People", v);
}

static void admin_users_page(request *req)
{
	if (!authz_require_admin(req))
		return;
	admin_users_view(req, 200, NULL, NULL);
}

static void admin_user_reset_post(request *req)
{
	user *admin = authz_require_admin(req);
	if (!admin)
		return;
	long long id = 0;
	bool id_ok = http_parse_id(http_param(req, "id"), &id);
	if (!id_ok) {
		http_error(req, 404, NULL);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	PGresult *r = db_q(db, "SELECT email, display_name FROM users WHERE id = $1", num(req, id));
	if (!r) {
		http_db_error(req);
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		http_error(req, 404, "There is no such person.");
		return;
	}
	const char *email = arena_strdup(req->a, db_val(r, 0, 0));
	const char *name = arena_strdup(req->a, db_val(r, 0, 1));
	PQclear(r);
	long long now = (long long)clock_now();
	char token[CRYPTO_TOKEN_TEXT_BYTES + 1];
	bool ok = db_begin(db);
	int64_t tid = ok ? token_issue(db, req->a, "reset", id, email, false, admin->id,
	                               RESET_TTL_SECONDS, NULL, now, token)
	                 : 0;
	const char *link = accounts_link(req, "/reset", token);
	const char *body = arena_sprintf(req->a,
		"Hello %s,\n\nA Cairn administrator has issued a password reset for your account.\n"
		"Choose a new password here (the link works once and expires in 3 days):\n%s\n\n"
		"Your journal key stays locked after a reset until you enter your recovery code.\n",
		name, link);
	ok = ok && tid && outbox_put(db, req->a, email, "reset", "Reset your Cairn password", body,
	                             now) && db_commit(db);
	sodium_memzero(token, sizeof token);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	admin_users_view(req, 201, link, name);
}

/* One page of the outbox, newest first, all kinds or one. Keyset pages
 * (?before=<id>): each page costs the same however long the outbox has
 * grown. The kinds offered are those in the outbox, read by skipping
 * through the (kind, id) index from one kind to the next. */
#define OUTBOX_PER_PAGE 50

static void admin_outbox_page(request *req)
{
	if (!authz_require_admin(req))
		return;
	arena *a = req->a;
	long long before = 0;
	if (http_query(req, "before") && !http_parse_id(http_query(req, "before"), &before)) {
		http_error(req, 400, "That page of the outbox does not exist: “before” must be a "
		                     "message number.");
		return;
	}
	const char *kind = http_query(req, "kind");
	if (kind && !*kind)
		kind = NULL;
	PGconn *db = http_db(req);
	const char *zone = session_user(req)->time_zone;
	PGresult *kinds = db ? db_q0(db,
		"WITH RECURSIVE k AS (SELECT min(kind) AS kind FROM outbox"
		" UNION ALL SELECT (SELECT min(o.kind) FROM outbox o WHERE o.kind > k.kind)"
		" FROM k WHERE k.kind IS NOT NULL)"
		" SELECT kind FROM k WHERE kind IS NOT NULL") : NULL;
	bool known = !kind;
	for (int i = 0; kinds && !known && i < PQntuples(kinds); i++)
		known = !strcmp(db_val(kinds, i, 0), kind);
	if (kinds && !known) {
		PQclear(kinds);
		http_error(req, 400, "The outbox holds no messages of that kind.");
		return;
	}
	const char *b = arena_sprintf(a, "%lld", before), *limit = "51";
#define OUTBOX_COLUMNS(z) \
	"SELECT id, to_email, kind, subject, body," \
	" " ZONE_SQL("created_at", z) " AS created," \
	" " ZONE_SQL("updated_at", z) " AS updated," \
	" sent_at IS NOT NULL AS sent FROM outbox"
	PGresult *r = !kinds ? NULL
		: kind ? db_q(db, OUTBOX_COLUMNS("$4") " WHERE kind = $1"
		                  " AND ($2::bigint = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
		              kind, b, limit, zone)
		       : db_q(db, OUTBOX_COLUMNS("$3") " WHERE $1::bigint = 0 OR id < $1"
		                  " ORDER BY id DESC LIMIT $2", b, limit, zone);
#undef OUTBOX_COLUMNS
	if (!r) {
		PQclear(kinds);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv *kl = tv_set(v, "kinds", tv_list(a));
	for (int i = 0; i < PQntuples(kinds); i++) {
		tv *o = tv_push(kl, tv_obj(a));
		const char *k = arena_strdup(a, db_val(kinds, i, 0));
		tv_set_str(o, "kind", k);
		tv_set_bool(o, "selected", kind && !strcmp(k, kind));
	}
	PQclear(kinds);
	int c_id = PQfnumber(r, "id"), c_to = PQfnumber(r, "to_email");
	int c_kind = PQfnumber(r, "kind");
	int c_subject = PQfnumber(r, "subject"), c_body = PQfnumber(r, "body");
	int c_created = PQfnumber(r, "created"), c_updated = PQfnumber(r, "updated");
	int c_sent = PQfnumber(r, "sent");
	int n = PQntuples(r);
	bool more = n > OUTBOX_PER_PAGE;
	if (more)
		n = OUTBOX_PER_PAGE;
	tv *list = tv_set(v, "messages", tv_list(a));
	for (int i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		const char *to = arena_strdup(a, db_val(r, i, c_to));
		const char *k = arena_strdup(a, db_val(r, i, c_kind));
		const char *subject = arena_strdup(a, db_val(r, i, c_subject));
		size_t len = 0;
		unsigned char *sealed = db_bytea(a, r, i, c_body, &len);
		const char *body = sealed ? outbox_open_body(a, sealed, len, to, k, subject) : NULL;
		tv_set_str(o, "to", to);
		tv_set_str(o, "kind", k);
		tv_set_str(o, "subject", subject);
		tv_set_str(o, "body", body ? body : "(this message was sealed with another key)");
		tv_set(o, "created", zone_time(a, db_val(r, i, c_created), zone, zone, ZONE_FULL));
		tv_set(o, "updated", zone_time(a, db_val(r, i, c_updated), zone, zone, ZONE_FULL));
		tv_set_bool(o, "sent", db_val(r, i, c_sent)[0] == 't');
	}
	tv_set_bool(v, "has_messages", n > 0);
	tv_set_str(v, "kind", kind);
	tv_set_bool(v, "paged", before > 0);
	tv_set(v, "older", more ? tv_str(a, arena_strdup(a, db_val(r, n - 1, c_id))) : tv_null(a));
	PQclear(r);
	req->no_store = true;
	http_render(req, 200, "admin_outbox", "Outbox", v);
}

void people_routes(router *r)
{
	router_add(r, "GET", "/admin/users", admin_users_page, ACCESS_ADMIN, "people");
	router_add(r, "POST", "/admin/users/:id/reset", admin_user_reset_post, ACCESS_ADMIN,
	           "issue a password-reset link");
	router_add(r, "GET", "/admin/outbox", admin_outbox_page, ACCESS_ADMIN,
	           "messages Cairn would send");
}
