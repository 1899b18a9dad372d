/*
 * accounts.c - invitations, sign-up, recovery codes, password change and
 * reset, profile and sessions, and the admin's user and invitation pages.
 * See accounts.h.
 *
 * Every write is one transaction; a form with a problem is shown again with
 * what the person typed (except passwords) and a sentence saying what to
 * fix, so nothing is lost.
 */
#include "cairn/accounts.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/keys.h"
#include "cairn/log.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	INVITE_TTL_SECONDS = 14 * 86400,
	RESET_TTL_SECONDS = 3 * 86400,
};

static const struct { const char *value, *label; } professions[] = {
	{"physician", "Physician"},
	{"nurse", "Nurse"},
	{"np", "Nurse practitioner"},
	{"pa", "Physician assistant"},
	{"psychologist", "Psychologist"},
	{"psychiatrist", "Psychiatrist"},
	{"social_worker", "Social worker"},
	{"chaplain", "Chaplain"},
	{"pharmacist", "Pharmacist"},
	{"resident_fellow", "Resident or fellow"},
	{"other", "Other"},
};

static const struct { const char *value, *label; } tracks[] = {
	{"adult", "Adult"},
	{"pediatric", "Pediatric"},
	{"both", "Both adult and pediatric"},
};

bool accounts_profession_valid(const char *p)
{
	for (size_t i = 0; p && i < sizeof professions / sizeof professions[0]; i++)
		if (!strcmp(p, professions[i].value))
			return true;
	return false;
}

const char *accounts_profession_label(const char *p)
{
	for (size_t i = 0; p && i < sizeof professions / sizeof professions[0]; i++)
		if (!strcmp(p, professions[i].value))
			return professions[i].label;
	return "Other";
}

static const char *num(request *req, long long v)
{
	return arena_sprintf(req->a, "%lld", v);
}

/* ---- shared form pieces ---- */

static tv *options(arena *a, const char *selected, const char *const *values,
                   const char *const *labels, size_t n)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", values[i]);
		tv_set_str(o, "label", labels ? labels[i] : values[i]);
		tv_set_bool(o, "selected", selected && !strcmp(selected, values[i]));
	}
	return list;
}

void accounts_detail_view(request *req, tv *v, const account_fields *f)
{
	arena *a = req->a;
	const char *pv[sizeof professions / sizeof professions[0]], *pl[sizeof pv / sizeof pv[0]];
	for (size_t i = 0; i < sizeof pv / sizeof pv[0]; i++) {
		pv[i] = professions[i].value;
		pl[i] = professions[i].label;
	}
	const char *tv_[3], *tl[3];
	for (size_t i = 0; i < 3; i++) {
		tv_[i] = tracks[i].value;
		tl[i] = tracks[i].label;
	}
	tv_set(v, "professions", options(a, f->profession, pv, pl, sizeof pv / sizeof pv[0]));
	tv_set(v, "tracks", options(a, f->track ? f->track : "adult", tv_, tl, 3));
	/* Any IANA zone PostgreSQL knows is accepted; the form offers the list. */
	tv_set(v, "zones", zone_options(a, f->time_zone ? f->time_zone : "America/New_York"));
	tv_set_str(v, "email", f->email ? f->email : "");
	tv_set_str(v, "handle", f->handle ? f->handle : "");
	tv_set_str(v, "display_name", f->display_name ? f->display_name : "");
	tv_set_str(v, "pronouns", f->pronouns ? f->pronouns : "");
}

void accounts_read_details(request *req, account_fields *f)
{
	f->handle = http_form(req, "handle");
	f->display_name = http_form(req, "display_name");
	f->profession = http_form(req, "profession");
	f->pronouns = http_form(req, "pronouns");
	f->time_zone = http_form(req, "time_zone");
	f->track = http_form(req, "track");
}

const char *accounts_check(PGconn *db, arena *a, account_fields *f)
{
	if (!f->email || !*f->email || strlen(f->email) > 254 || !strchr(f->email, '@') ||
	    strchr(f->email, ' '))
		return "Enter a valid email address.";
	if (!f->handle || !*f->handle)
		return "Choose a handle: it is how people mention you (@handle).";
	char *h = arena_strdup(a, *f->handle == '@' ? f->handle + 1 : f->handle);
	size_t hl = strlen(h);
	if (hl < 2 || hl > 30)
		return "Handles are 2 to 30 characters: letters, digits and underscores.";
	for (char *p = h; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return "Handles are 2 to 30 characters: letters, digits and underscores.";
	}
	f->handle = h;
	if (!f->display_name || !*f->display_name || utf8_length(f->display_name,
	                                                          strlen(f->display_name)) > 100)
		return "Enter your name as you would like others to see it (up to 100 characters).";
	if (!accounts_profession_valid(f->profession))
		return "Choose your profession.";
	if (f->pronouns && utf8_length(f->pronouns, strlen(f->pronouns)) > 40)
		return "Pronouns can be at most 40 characters.";
	if (!f->pronouns)
		f->pronouns = "";
	if (!f->track || (strcmp(f->track, "adult") && strcmp(f->track, "pediatric") &&
	                  strcmp(f->track, "both")))
		return "Choose the track you practise in: adult, pediatric, or both.";
	if (!f->time_zone || !*f->time_zone || strlen(f->time_zone) > 64)
		return "Choose your time zone.";
	PGresult *r = db_q(db, "SELECT 1 FROM time_zones WHERE name = $1", f->time_zone);
	if (!r)
		return "Cairn cannot check the time zone right now. Please try again.";
	bool known = PQntuples(r) > 0;
	PQclear(r);
	if (!known)
		return "Choose a time zone from the list.";
	return NULL;
}

bool accounts_create(PGconn *db, arena *a, const account_fields *f, const char *password,
                     int64_t *user_id, uint8_t jmk[CRYPTO_KEY_BYTES],
                     char code[CRYPTO_RECOVERY_TEXT_BYTES + 1], const char **conflict)
{
	*conflict = NULL;
	PGresult *r = db_query(db,
		"INSERT INTO users (email, handle, display_name, profession, pronouns, time_zone,"
		" track, is_admin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
		8, (const char *[]){f->email, f->handle, f->display_name, f->profession, f->pronouns,
		                    f->time_zone, f->track, f->is_admin ? "true" : "false"});
	if (!r) {
		if (!strcmp(db_last_sqlstate(), "23505"))
			*conflict = !strcmp(db_last_constraint(), "users_email_lower")
			                ? "An account with this email address already exists."
			                : "That handle is taken. Please choose another.";
		return false;
	}
	*user_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	(void)a;
	return keys_create(db, *user_id, password, jmk, code);
}

const char *accounts_read_new(request *req, PGconn *db, account_fields *f,
                              const char **password)
{
	accounts_read_details(req, f);
	*password = http_form(req, "password");
	const char *again = http_form(req, "password_again");
	const char *problem = accounts_check(db, req->a, f);
	if (!problem)
		problem = keys_password_problem(*password ? *password : "", f->email, f->display_name);
	if (!problem && (!again || strcmp(*password, again)))
		problem = "The two passwords do not match.";
	return problem;
}

bool accounts_sign_up(request *req, PGconn *db, const account_fields *f, const char *password,
                      int64_t *user_id, const char **conflict)
{
	uint8_t jmk[CRYPTO_KEY_BYTES];
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	bool ok = accounts_create(db, req->a, f, password, user_id, jmk, code, conflict) &&
	          session_create(req, db, *user_id, jmk, 1, code);
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(code, sizeof code);
	return ok;
}

/* ---- invitations and sign-up ---- */

static void invalid_link(request *req, token_state st)
{
	if (st == TOKEN_DB_ERROR) {
		http_db_error(req);
		return;
	}
	http_error(req, st == TOKEN_UNKNOWN ? 404 : 410, token_state_text(st));
}

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
		invalid_link(req, st);
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
		invalid_link(req, st);
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
			invalid_link(req, st);
		else
			http_db_error(req);
		return;
	}
	log_info("accounts: user %lld signed up from invitation %lld", (long long)uid,
	         (long long)row.id);
	http_redirect(req, "/recovery-code");
}

/* ---- the recovery code, shown once ---- */

static void recovery_code_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	if (!session_pending_code(req, db, code)) {
		http_redirect(req, "/profile");
		return;
	}
	tv *v = tv_obj(req->a);
	tv_set(v, "code", tv_str(req->a, arena_strdup(req->a, code)));
	sodium_memzero(code, sizeof code);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set(v, "error", tv_null(req->a));
	int locked = keys_locked_versions(db, u->id);
	tv_set_bool(v, "locked", locked > 0);
	req->no_store = true;
	http_render(req, 200, "recovery_code", "Your recovery code", v);
}

static void recovery_code_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!http_form(req, "saved")) {
		char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
		if (!session_pending_code(req, db, code)) {
			http_redirect(req, "/profile");
			return;
		}
		tv *v = tv_obj(req->a);
		tv_set(v, "code", tv_str(req->a, arena_strdup(req->a, code)));
		sodium_memzero(code, sizeof code);
		tv_set_str(v, "csrf", session_csrf(req));
		tv_set_str(v, "error", "Tick the box to confirm you have saved the code somewhere safe.");
		tv_set_bool(v, "locked", false);
		req->no_store = true;
		http_render(req, 422, "recovery_code", "Your recovery code", v);
		return;
	}
	bool ok = db_begin(db) && session_set_pending(req, db, NULL) &&
	          db_exec(db, "UPDATE credentials SET recovery_confirmed = true WHERE user_id = $1",
	                  1, (const char *[]){num(req, u->id)}) &&
	          db_commit(db);
	if (!ok) {
		http_db_error(req);
		return;
	}
	http_redirect(req, "/home");
}

/* ---- entering a recovery code ---- */

static void recover_form(request *req, int status, const char *error)
{
	user *u = session_user(req);
	PGconn *db = http_db(req);
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	int locked = db ? keys_locked_versions(db, u->id) : -1;
	tv_set_bool(v, "locked", locked > 0);
	tv_set_bool(v, "has_key", session_of(req)->jmk_wrap != NULL);
	req->no_store = true;
	http_render(req, status, "recover", "Enter your recovery code", v);
}

static void recover_page(request *req)
{
	if (!authz_require_user(req))
		return;
	recover_form(req, 200, NULL);
}

static void recover_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *code = http_form(req, "code");
	if (!code || !*code) {
		recover_form(req, 422, "Enter the recovery code you saved.");
		return;
	}
	long long now = (long long)clock_now();
	const char *key = arena_sprintf(req->a, "recovery:%lld", (long long)u->id);
	int wait = auth_throttle_wait(db, key, AUTH_FREE_FAILURES_EMAIL, now);
	if (wait < 0) {
		http_db_error(req);
		return;
	}
	if (wait) {
		auth_too_many(req, wait);
		return;
	}
	uint8_t jmk[CRYPTO_KEY_BYTES];
	if (!session_jmk(req, jmk)) {
		recover_form(req, 422, "Sign out and sign in again with your password first, then "
		                       "enter the code.");
		return;
	}
	int unlocked = 0;
	char fresh[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	keys_result res = KEYS_ERROR;
	bool ok = db_begin(db);
	if (ok)
		res = keys_recover(db, u->id, code, jmk, session_of(req)->jmk_version, &unlocked,
		                   fresh);
	ok = ok && res == KEYS_OK && session_set_pending(req, db, fresh) &&
	     auth_throttle_clear(db, key) && db_commit(db);
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(fresh, sizeof fresh);
	if (!ok) {
		db_rollback(db);
		if (res == KEYS_WRONG) {
			if (!auth_throttle_fail(db, key, now)) {
				http_db_error(req);
				return;
			}
			recover_form(req, 422, "That code does not open your journal keys. Check it and "
			                       "try again.");
			return;
		}
		http_db_error(req);
		return;
	}
	log_info("accounts: user %lld used a recovery code (%d key versions unlocked)",
	         (long long)u->id, unlocked);
	http_redirect(req, "/recovery-code");
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
		invalid_link(req, st);
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
		invalid_link(req, st);
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
			invalid_link(req, st);
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
	/* The same counter as sign-in's, which folds the email to lower case. */
	char *key = arena_sprintf(req->a, "email:%s", u->email);
	for (char *k = key; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	int wait = auth_throttle_wait(db, key, AUTH_FREE_FAILURES_EMAIL, now);
	if (wait) {
		if (wait < 0)
			http_db_error(req);
		else
			auth_too_many(req, wait);
		return;
	}
	if (!auth_gate_enter()) {
		auth_busy(req);
		return;
	}
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

static const char *site_link(request *req, const char *path, const char *token)
{
	return arena_sprintf(req->a, "%s%s?token=%s", req->app->cfg->origin, path, token);
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
	const char *link = site_link(req, "/invite", token);
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
	const char *link = site_link(req, "/reset", token);
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
	if (http_query(req, "before") &&
	    !form_get_int(&req->query, "before", 1, 9000000000000000000LL, &before)) {
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

void accounts_routes(router *r)
{
	router_add(r, "GET", "/invite", invite_page, "token", "sign-up form for an invitation");
	router_add(r, "POST", "/invite", invite_post, "token", "accept an invitation: make the account");
	router_add(r, "GET", "/recovery-code", recovery_code_page, "signed-in",
	           "the new recovery code, shown until confirmed");
	router_add(r, "POST", "/recovery-code", recovery_code_post, "signed-in",
	           "confirm the recovery code is saved");
	router_add(r, "GET", "/recover", recover_page, "signed-in", "enter a recovery code");
	router_add(r, "POST", "/recover", recover_post, "signed-in",
	           "unlock older journal keys with the recovery code");
	router_add(r, "GET", "/reset", reset_page, "token", "choose a new password (reset link)");
	router_add(r, "POST", "/reset", reset_post, "token", "set the new password");
	router_add(r, "GET", "/profile", profile_page, "signed-in", "your details, keys and sessions");
	router_add(r, "POST", "/profile", profile_post, "signed-in", "save your details");
	router_add(r, "GET", "/profile/password", password_page, "signed-in", "password form");
	router_add(r, "POST", "/profile/password", password_post, "signed-in",
	           "change password (needs the current one)");
	router_add(r, "POST", "/sessions/:id/revoke", session_revoke_post, "signed-in",
	           "sign out one of your sessions");
	router_add(r, "GET", "/admin/invites", admin_invites_page, "admin", "invitations");
	router_add(r, "POST", "/admin/invites", admin_invites_post, "admin", "invite someone");
	router_add(r, "POST", "/admin/invites/:id/revoke", admin_invite_revoke_post, "admin",
	           "withdraw an invitation");
	router_add(r, "GET", "/admin/users", admin_users_page, "admin", "people");
	router_add(r, "POST", "/admin/users/:id/reset", admin_user_reset_post, "admin",
	           "issue a password-reset link");
	router_add(r, "GET", "/admin/outbox", admin_outbox_page, "admin", "messages Cairn would send");
}
