/*
 * invite.c - invitations: the sign-up page an invitation link opens, which
 * makes the account and then gives the person what the invitation names
 * (an offering's role or place, through enroll.h), and the admin's
 * invitation pages. See invite.h.
 *
 * A feature above both accounts (identity: making the account) and enroll
 * (what an offering's invitation grants), so that neither needs the other.
 * Every write is one transaction; a form with a problem is shown again with
 * what the person typed (except passwords) and a sentence saying what to fix.
 */
#include "cairn/invite.h"
#include "cairn/accounts.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/log.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INVITE_TTL_SECONDS = 14 * 86400 };

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* ---- invitations and sign-up ---- */

static void signup_form(request *req, int status, const char *token, account_fields *f,
                        const char *error)
{
	tv *v = tv_obj(req->a);
	accounts_detail_view(req, v, f);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "token", token);
	tv_set_str(v, "error", error);
	req->no_store = true;
	http_render(req, status, "signup", "Create your account", v);
}

static void invite_page(request *req)
{
	const char *token = http_query(req, "token");
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	token_row row;
	token_state st = token_find(db, req->a, token, "invite", false, (long long)clock_now(), &row);
	if (st != TOKEN_VALID) {
		accounts_link_error(req, st);
		return;
	}
	account_fields f = {.email = row.email};
	signup_form(req, 200, token, &f, NULL);
}

static void invite_post(request *req)
{
	const char *token = http_form(req, "token");
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long now = (long long)clock_now();
	token_row row;
	token_state st = token_find(db, req->a, token, "invite", false, now, &row);
	if (st != TOKEN_VALID) {
		accounts_link_error(req, st);
		return;
	}
	account_fields f = {.email = row.email, .is_admin = row.grants_admin};
	const char *password;
	const char *problem = accounts_read_new(req, db, &f, &password);
	if (problem) {
		signup_form(req, 422, token, &f, problem);
		return;
	}
	if (!auth_gate_enter()) {
		auth_busy(req);
		return;
	}
	int64_t uid = 0;
	const char *conflict = NULL;
	bool ok = db_begin(db);
	/* Lock the token: two tabs submitting at once create one account. */
	if (ok)
		st = token_find(db, req->a, token, "invite", true, now, &row);
	ok = ok && st == TOKEN_VALID && accounts_sign_up(req, db, &f, password, &uid, &conflict) &&
	     token_consume(db, row.id, now) &&
	     enroll_after_invite(db, req->a, row.id, uid, f.profession, now) && db_commit(db);
	auth_gate_leave();
	if (!ok) {
		db_rollback(db);
		if (conflict)
			signup_form(req, 422, token, &f, conflict);
		else if (st != TOKEN_VALID)
			accounts_link_error(req, st);
		else
			http_db_error(req);
		return;
	}
	log_info("accounts: user %lld signed up from invitation %lld", (long long)uid,
	         (long long)row.id);
	http_redirect(req, "/recovery-code");
}

/* ---- admin: invitations and users ---- */

static void admin_invites_view(request *req, int status, const char *error, const char *link,
                               const char *email)
{
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	PGresult *r = db_q(db,
		"SELECT t.id, t.email, t.grants_admin,"
		" " ZONE_SQL("t.created_at", "$2") ","
		" CASE WHEN t.consumed_at IS NOT NULL THEN 'accepted'"
		" WHEN t.revoked_at IS NOT NULL THEN 'withdrawn'"
		" WHEN t.expires_at <= to_timestamp($1) THEN 'expired' ELSE 'waiting' END,"
		" coalesce(u.handle, '')"
		" FROM tokens t LEFT JOIN users u ON u.id = t.created_by"
		" WHERE t.purpose = 'invite' ORDER BY t.created_at DESC LIMIT 100",
		session_now_param(req), session_user(req)->time_zone);
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "link", link);
	tv_set_str(v, "email", email ? email : "");
	tv *list = tv_set(v, "invites", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(o, "email", arena_strdup(a, db_val(r, i, 1)));
		tv_set_bool(o, "admin", db_val(r, i, 2)[0] == 't');
		tv_set(o, "created", zone_time(a, db_val(r, i, 3), session_user(req)->time_zone,
		                               session_user(req)->time_zone, ZONE_FULL));
		const char *state = arena_strdup(a, db_val(r, i, 4));
		tv_set_str(o, "state", state);
		tv_set_bool(o, "waiting", !strcmp(state, "waiting"));
		tv_set_str(o, "by", arena_strdup(a, db_val(r, i, 5)));
		tv_set_str(o, "csrf", session_csrf(req));
	}
	tv_set_bool(v, "has_invites", PQntuples(r) > 0);
	PQclear(r);
	req->no_store = true;
	http_render(req, status, "admin_invites", "Invitations", v);
}

static void admin_invites_page(request *req)
{
	if (!authz_require_admin(req))
		return;
	admin_invites_view(req, 200, NULL, NULL, NULL);
}

static void admin_invites_post(request *req)
{
	user *admin = authz_require_admin(req);
	if (!admin)
		return;
	const char *email = http_form(req, "email");
	bool grants_admin = http_form(req, "admin") != NULL;
	if (!email || !*email || strlen(email) > 254 || !strchr(email, '@') || strchr(email, ' ')) {
		admin_invites_view(req, 422, "Enter the email address of the person to invite.", NULL,
		                   email);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	PGresult *r = db_q(db, "SELECT 1 FROM users WHERE lower(email) = lower($1)", email);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	if (exists) {
		admin_invites_view(req, 422, "That person already has an account.", NULL, email);
		return;
	}
	long long now = (long long)clock_now();
	char token[CRYPTO_TOKEN_TEXT_BYTES + 1];
	bool ok = db_begin(db);
	int64_t id = ok ? token_issue(db, req->a, "invite", 0, email, grants_admin, admin->id,
	                              INVITE_TTL_SECONDS, NULL, now, token)
	                : 0;
	const char *link = accounts_link(req, "/invite", token);
	const char *body = arena_sprintf(req->a,
		"Hello,\n\n%s has invited you to Cairn, the community of the Palliative Care "
		"Education Series.\n\nCreate your account here (the link works once and expires in "
		"14 days):\n%s\n",
		admin->display_name, link);
	ok = ok && id && outbox_put(db, req->a, email, "invite", "Your invitation to Cairn", body,
	                            now) && db_commit(db);
	sodium_memzero(token, sizeof token);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	/* The token exists only here and in the sealed outbox message: show
	 * the link now, once, to the person who will pass it on. */
	admin_invites_view(req, 201, NULL, link, NULL);
}

static void admin_invite_revoke_post(request *req)
{
	if (!authz_require_admin(req))
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
	/* Only invitations are withdrawn here; other tokens have their own
	 * owners (reset links, team invitations). */
	PGresult *r = db_q(db, "SELECT consumed_at IS NULL AND revoked_at IS NULL FROM tokens"
	                       " WHERE id = $1 AND purpose = 'invite'", num(req, id));
	if (!r) {
		http_db_error(req);
		return;
	}
	int found = PQntuples(r);
	bool waiting = found && db_val(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!found) {
		http_error(req, 404, "There is no such invitation.");
		return;
	}
	if (!waiting) {
		http_error(req, 409, "This invitation was already accepted or withdrawn.");
		return;
	}
	if (!token_revoke(db, id, (long long)clock_now())) {
		http_db_error(req);
		return;
	}
	http_redirect(req, "/admin/invites");
}


void invite_routes(router *r)
{
	router_add(r, "GET", "/invite", invite_page, ACCESS_TOKEN,
	           "sign-up form for an invitation");
	router_add(r, "POST", "/invite", invite_post, ACCESS_TOKEN,
	           "accept an invitation: make the account");
	router_add(r, "GET", "/admin/invites", admin_invites_page, ACCESS_ADMIN, "invitations");
	router_add(r, "POST", "/admin/invites", admin_invites_post, ACCESS_ADMIN, "invite someone");
	router_add(r, "POST", "/admin/invites/:id/revoke", admin_invite_revoke_post, ACCESS_ADMIN,
	           "withdraw an invitation");
}
