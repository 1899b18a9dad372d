/*
 * profile.c - a person's own account pages: the password-reset link, the
 * profile with its details and sessions, and the password change. See
 * profile.h. What the person sees of their journal keys (the recovery code,
 * entering it, rotating the key) is the journal's (journal.c).
 *
 * Every write is one transaction; a form with a problem is shown again with
 * what the person typed (except passwords) and a sentence saying what to fix.
 */
#include "cairn/profile.h"
#include "cairn/accounts.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/keys.h"
#include "cairn/log.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* ---- password reset by an admin-issued link ---- */

static void reset_form(request *req, int status, const char *token, const char *error)
{
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "token", token);
	tv_set_str(v, "error", error);
	req->no_store = true;
	http_render(req, status, "reset", "Choose a new password", v);
}

static void reset_page(request *req)
{
	const char *token = http_query(req, "token");
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	token_row row;
	token_state st = token_find(db, req->a, token, "reset", false, (long long)clock_now(), &row);
	if (st != TOKEN_VALID) {
		accounts_link_error(req, st);
		return;
	}
	reset_form(req, 200, token, NULL);
}

static void reset_post(request *req)
{
	const char *token = http_form(req, "token");
	const char *password = http_form(req, "password");
	const char *password2 = http_form(req, "password_again");
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long now = (long long)clock_now();
	token_row row;
	token_state st = token_find(db, req->a, token, "reset", false, now, &row);
	if (st != TOKEN_VALID) {
		accounts_link_error(req, st);
		return;
	}
	PGresult *r = db_q(db, "SELECT email, display_name FROM users WHERE id = $1",
	                   num(req, row.user_id));
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		http_db_error(req);
		return;
	}
	const char *problem = keys_password_problem(password ? password : "", db_val(r, 0, 0),
	                                            db_val(r, 0, 1));
	PQclear(r);
	if (!problem && (!password2 || strcmp(password, password2)))
		problem = "The two passwords do not match.";
	if (problem) {
		reset_form(req, 422, token, problem);
		return;
	}
	if (!auth_gate_enter()) {
		auth_busy(req);
		return;
	}
	uint8_t jmk[CRYPTO_KEY_BYTES];
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	int version = 0;
	bool ok = db_begin(db);
	if (ok)
		st = token_find(db, req->a, token, "reset", true, now, &row);
	/* Signing out everywhere comes first so the new session survives it. */
	ok = ok && st == TOKEN_VALID && keys_reset(db, row.user_id, password, jmk, &version, code) &&
	     token_consume(db, row.id, now) &&
	     db_exec(db, "DELETE FROM web_sessions WHERE user_id = $1", 1,
	             (const char *[]){num(req, row.user_id)}) &&
	     session_create(req, db, row.user_id, jmk, version, code) && db_commit(db);
	auth_gate_leave();
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(code, sizeof code);
	if (!ok) {
		db_rollback(db);
		if (st != TOKEN_VALID)
			accounts_link_error(req, st);
		else
			http_db_error(req);
		return;
	}
	log_info("accounts: user %lld reset their password", (long long)row.user_id);
	http_redirect(req, "/recovery-code");
}

/* ---- profile, password change, sessions ---- */

static void profile_view(request *req, int status, account_fields *f, const char *error)
{
	user *u = session_user(req);
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	tv *v = tv_obj(a);
	account_fields current = {u->email, u->handle, u->display_name, u->profession, u->pronouns,
	                          u->time_zone, u->track, u->is_admin};
	accounts_detail_view(req, v, f ? f : &current);
	tv_set_str(v, "email", u->email);
	tv_set_bool(v, "listed", f ? http_form(req, "listed") != NULL : u->listed);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	const char *done = http_query(req, "done");
	const char *notice = NULL;
	if (done && !strcmp(done, "details"))
		notice = "Your details were saved.";
	else if (done && !strcmp(done, "password"))
		notice = "Your password was changed. Every other session was signed out.";
	else if (done && !strcmp(done, "revoked"))
		notice = "That session was signed out.";
	tv_set_str(v, "notice", notice);

	PGresult *c = db_q(db,
		"SELECT recovery_confirmed, " ZONE_SQL("password_changed_at", "$2")
		" FROM credentials WHERE user_id = $1",
		num(req, u->id), u->time_zone);
	PGresult *s = c ? db_q(db,
		"SELECT id, " ZONE_SQL("created_at", "$3") ", " ZONE_SQL("last_seen_at", "$3") ","
		" user_agent, client_addr, id = $2"
		" FROM web_sessions WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 50",
		num(req, u->id), num(req, session_of(req)->id), u->time_zone) : NULL;
	int locked = s ? keys_locked_versions(db, u->id) : -1;
	if (!s || locked < 0) {
		PQclear(c);
		PQclear(s);
		http_db_error(req);
		return;
	}
	tv_set_bool(v, "recovery_confirmed", PQntuples(c) && db_val(c, 0, 0)[0] == 't');
	tv_set(v, "password_changed", PQntuples(c) ? zone_time(a, db_val(c, 0, 1), u->time_zone,
	                                                       u->time_zone, ZONE_DATE)
	                                           : tv_null(a));
	tv_set_bool(v, "locked", locked > 0);
	tv_set_bool(v, "journal_open", session_of(req)->jmk_wrap != NULL);
	tv *sl = tv_set(v, "sessions", tv_list(a));
	for (int i = 0; i < PQntuples(s); i++) {
		tv *o = tv_push(sl, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_val(s, i, 0)));
		tv_set(o, "created", zone_time(a, db_val(s, i, 1), u->time_zone, u->time_zone, ZONE_FULL));
		tv_set(o, "last_seen",
		       zone_time(a, db_val(s, i, 2), u->time_zone, u->time_zone, ZONE_FULL));
		const char *ua = db_val(s, i, 3);
		const char *browser = strstr(ua, "Firefox") ? "Firefox"
		                      : strstr(ua, "Edg/") ? "Edge"
		                      : strstr(ua, "Chrome") ? "Chrome or Chromium"
		                      : strstr(ua, "Safari") ? "Safari"
		                      : *ua ? "Another browser" : "Unknown browser";
		const char *os = strstr(ua, "iPhone") || strstr(ua, "iPad") ? "iOS"
		                 : strstr(ua, "Android") ? "Android"
		                 : strstr(ua, "Windows") ? "Windows"
		                 : strstr(ua, "Mac OS") ? "macOS"
		                 : strstr(ua, "Linux") ? "Linux" : NULL;
		tv_set_str(o, "browser", os ? arena_sprintf(a, "%s on %s", browser, os) : browser);
		tv_set_str(o, "address", arena_strdup(a, db_val(s, i, 4)));
		tv_set_bool(o, "current", db_val(s, i, 5)[0] == 't');
		tv_set_str(o, "csrf", session_csrf(req));
	}
	PQclear(c);
	PQclear(s);
	http_render(req, status, "profile", "Your profile", v);
}

static void profile_page(request *req)
{
	if (!authz_require_user(req))
		return;
	profile_view(req, 200, NULL, NULL);
}

static void profile_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	account_fields f = {.email = u->email};
	accounts_read_details(req, &f);
	const char *problem = accounts_check(db, req->a, &f);
	if (problem) {
		profile_view(req, 422, &f, problem);
		return;
	}
	const char *listed = http_form(req, "listed") ? "true" : "false";
	if (!db_exec(db,
	             "UPDATE users SET handle = $2, display_name = $3, profession = $4, pronouns = $5,"
	             " time_zone = $6, track = $7, listed = $8 WHERE id = $1",
	             8, (const char *[]){num(req, u->id), f.handle, f.display_name, f.profession,
	                                 f.pronouns, f.time_zone, f.track, listed})) {
		if (!strcmp(db_last_sqlstate(), "23505")) {
			profile_view(req, 422, &f, "That handle is taken. Please choose another.");
			return;
		}
		http_db_error(req);
		return;
	}
	http_redirect(req, "/profile?done=details");
}

static void password_form(request *req, int status, const char *error)
{
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	req->no_store = true;
	http_render(req, status, "password", "Change your password", v);
}

static void password_page(request *req)
{
	if (!authz_require_user(req))
		return;
	password_form(req, 200, NULL);
}

static void password_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	const char *current = http_form(req, "current_password");
	const char *password = http_form(req, "password");
	const char *password2 = http_form(req, "password_again");
	if (!current || !*current) {
		password_form(req, 422, "Enter your current password.");
		return;
	}
	const char *problem = keys_password_problem(password ? password : "", u->email,
	                                            u->display_name);
	if (!problem && (!password2 || strcmp(password, password2)))
		problem = "The two new passwords do not match.";
	if (problem) {
		password_form(req, 422, problem);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long now = (long long)clock_now();
	/* The same counter as sign-in's. */
	const char *key = auth_email_key(req->a, u->email);
	if (!auth_check_enter(req, db, key, now))
		return;
	uint8_t jmk[CRYPTO_KEY_BYTES];
	int version = 0;
	keys_result res = keys_verify(db, u->id, current, jmk, &version);
	bool ok = false;
	if (res == KEYS_OK)
		ok = db_begin(db) && keys_change_password(db, u->id, jmk, version, password) &&
		     db_exec(db, "DELETE FROM web_sessions WHERE user_id = $1 AND id <> $2", 2,
		             (const char *[]){num(req, u->id), num(req, session_of(req)->id)}) &&
		     db_commit(db);
	auth_gate_leave();
	sodium_memzero(jmk, sizeof jmk);
	if (res == KEYS_WRONG) {
		if (!auth_throttle_fail(db, key, now)) {
			http_db_error(req);
			return;
		}
		password_form(req, 422, "Your current password is not right.");
		return;
	}
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, "/profile?done=password");
}

static void session_revoke_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	PGresult *r = db_q(db, "DELETE FROM web_sessions WHERE id = $1 AND user_id = $2 RETURNING id",
	                   num(req, id), num(req, u->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (n == 0) {
		/* Someone else's session, or one already gone: nothing to say. */
		http_error(req, 404, "There is no such session of yours.");
		return;
	}
	if (id == session_of(req)->id) {
		session_destroy(req, db);
		http_redirect(req, "/signin");
		return;
	}
	http_redirect(req, "/profile?done=revoked");
}


void profile_routes(router *r)
{
	router_add(r, "GET", "/reset", reset_page, ACCESS_TOKEN,
	           "choose a new password (reset link)");
	router_add(r, "POST", "/reset", reset_post, ACCESS_TOKEN, "set the new password");
	router_add(r, "GET", "/profile", profile_page, ACCESS_SIGNED_IN,
	           "your details, keys and sessions");
	router_add(r, "POST", "/profile", profile_post, ACCESS_SIGNED_IN, "save your details");
	router_add(r, "GET", "/profile/password", password_page, ACCESS_SIGNED_IN, "password form");
	router_add(r, "POST", "/profile/password", password_post, ACCESS_SIGNED_IN,
	           "change password (needs the current one)");
	router_add(r, "POST", "/sessions/:id/revoke", session_revoke_post, ACCESS_SIGNED_IN,
	           "sign out one of your sessions");
}
