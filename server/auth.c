/*
 * auth.c - sign in, sign out, throttling, the Argon2id gate. See auth.h.
 */
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/gate.h"
#include "cairn/keys.h"
#include "cairn/log.h"
#include "cairn/session.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The Argon2id gate is process-wide by nature (it guards the machine's
 * cores), so it is the one piece of mutable state this module keeps. */
static gate argon = GATE_INIT;
static pthread_once_t argon_sized = PTHREAD_ONCE_INIT;

/* One run per core; a short queue of four per core waits up to 3 s. */
static void argon_default_size(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cores > 0 ? (int)cores : 1;
	gate_configure(&argon, n, 4 * n, 3000);
}

bool auth_gate_enter(void)
{
	pthread_once(&argon_sized, argon_default_size);
	return gate_enter(&argon);
}

void auth_gate_leave(void)
{
	gate_leave(&argon);
}

int auth_throttle_wait(PGconn *db, const char *key, int free_failures, long long now)
{
	char now_s[24], window[16];
	snprintf(now_s, sizeof now_s, "%lld", now);
	snprintf(window, sizeof window, "%d", AUTH_WINDOW_SECONDS);
	PGresult *r = db_q(db,
		"SELECT count(*), coalesce(extract(epoch FROM max(at))::bigint, 0)"
		" FROM login_attempts WHERE key = $1"
		" AND at > to_timestamp($2) - make_interval(secs => $3::int)",
		key, now_s, window);
	if (!r)
		return -1;
	int failures = atoi(db_val(r, 0, 0));
	long long last = atoll(db_val(r, 0, 1));
	PQclear(r);
	if (failures < free_failures)
		return 0;
	/* 30 s after the first failure past the allowance, doubling after
	 * each further one, capped. */
	int over = failures - free_failures;
	long long delay = over >= 5 ? AUTH_MAX_DELAY_SECONDS : 30LL << over;
	if (delay > AUTH_MAX_DELAY_SECONDS)
		delay = AUTH_MAX_DELAY_SECONDS;
	long long wait = last + delay - now;
	return wait > 0 ? (int)wait : 0;
}

const char *auth_email_key(arena *a, const char *email)
{
	char *key = arena_sprintf(a, "email:%s", email);
	for (char *k = key; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	return key;
}

bool auth_check_enter(request *req, PGconn *db, const char *key, long long now)
{
	int wait = auth_throttle_wait(db, key, AUTH_FREE_FAILURES_EMAIL, now);
	if (wait) {
		if (wait < 0)
			http_db_error(req);
		else
			auth_too_many(req, wait);
		return false;
	}
	if (!auth_gate_enter()) {
		auth_busy(req);
		return false;
	}
	return true;
}

bool auth_throttle_fail(PGconn *db, const char *key, long long now)
{
	char now_s[24];
	snprintf(now_s, sizeof now_s, "%lld", now);
	return db_exec(db,
	               "DELETE FROM login_attempts WHERE key = $1"
	               " AND at < to_timestamp($2) - interval '1 day'",
	               2, (const char *[]){key, now_s}) &&
	       db_exec(db, "INSERT INTO login_attempts (key, at) VALUES ($1, to_timestamp($2))", 2,
	               (const char *[]){key, now_s});
}

bool auth_throttle_clear(PGconn *db, const char *key)
{
	return db_exec(db, "DELETE FROM login_attempts WHERE key = $1", 1, (const char *[]){key});
}

void auth_busy(request *req)
{
	http_error(req, 503, "Cairn is handling many sign-ins right now. Please try again in a "
	                     "few seconds.");
	http_add_header(req, "Retry-After", "5");
}

void auth_too_many(request *req, int seconds)
{
	char s[16];
	snprintf(s, sizeof s, "%d", seconds);
	http_error(req, 429,
	           arena_sprintf(req->a,
	                         "Too many unsuccessful attempts. Please wait %d %s and try again.",
	                         seconds >= 120 ? (seconds + 59) / 60 : seconds,
	                         seconds >= 120 ? "minutes" : "seconds"));
	http_add_header(req, "Retry-After", s);
}

/* A local path to return to after signing in, or "/home". */
static const char *safe_next(const char *next)
{
	if (!http_local_path(next))
		return "/home";
	return next;
}

static void signin_form(request *req, int status, const char *email, const char *error)
{
	tv *v = tv_obj(req->a);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "email", email ? email : "");
	tv_set_str(v, "error", error);
	tv_set_str(v, "next", safe_next(http_query(req, "next") ? http_query(req, "next")
	                                                        : http_form(req, "next")));
	req->no_store = true;
	http_render(req, status, "signin", "Sign in", v);
}

static void signin_page(request *req)
{
	if (session_user(req)) {
		http_redirect(req, safe_next(http_query(req, "next")));
		return;
	}
	signin_form(req, 200, NULL, NULL);
}

static const char wrong_words[] = "That email and password do not match an account.";

static void signin_post(request *req)
{
	const char *email = http_form(req, "email");
	const char *password = http_form(req, "password");
	if (!email || !password || !*email || !*password) {
		signin_form(req, 422, email, "Enter your email and your password.");
		return;
	}
	if (strlen(email) > 254 || strlen(password) > 1024) {
		signin_form(req, 422, NULL, wrong_words);
		return;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long now = (long long)clock_now();
	const char *email_key = auth_email_key(req->a, email);
	const char *lower = email_key + strlen("email:");
	const char *addr_key = arena_sprintf(req->a, "addr:%s", req->client_addr);
	int wait_email = auth_throttle_wait(db, email_key, AUTH_FREE_FAILURES_EMAIL, now);
	int wait_addr = auth_throttle_wait(db, addr_key, AUTH_FREE_FAILURES_ADDR, now);
	if (wait_email < 0 || wait_addr < 0) {
		http_db_error(req);
		return;
	}
	if (wait_email || wait_addr) {
		auth_too_many(req, wait_email > wait_addr ? wait_email : wait_addr);
		return;
	}
	PGresult *r = db_q(db, "SELECT id FROM users WHERE lower(email) = $1", lower);
	if (!r) {
		http_db_error(req);
		return;
	}
	int64_t uid = PQntuples(r) ? atoll(db_val(r, 0, 0)) : 0;
	PQclear(r);
	keys_creds creds = {0};
	if (uid && keys_load(db, uid, &creds) == KEYS_ERROR) {
		http_db_error(req);
		return;
	}
	/* Argon2id needs no database: the pool connection goes back while it
	 * runs, so a wave of sign-ins cannot starve page requests. */
	http_db_release(req);
	db = NULL;

	if (!auth_gate_enter()) {
		sodium_memzero(&creds, sizeof creds);
		auth_busy(req);
		return;
	}
	uint8_t jmk[CRYPTO_KEY_BYTES];
	int version = 0;
	keys_result res = KEYS_WRONG;
	if (uid)
		res = keys_check(&creds, password, jmk, &version);
	else
		keys_verify_nobody(lower, password);
	auth_gate_leave();
	sodium_memzero(&creds, sizeof creds);

	db = http_db_required(req);
	if (!db) {
		sodium_memzero(jmk, sizeof jmk);
		return;
	}
	if (res == KEYS_ERROR) {
		http_db_error(req);
		return;
	}
	if (res == KEYS_WRONG) {
		if (!auth_throttle_fail(db, email_key, now) || !auth_throttle_fail(db, addr_key, now)) {
			http_db_error(req);
			return;
		}
		signin_form(req, 422, email, wrong_words);
		return;
	}
	bool ok = db_begin(db) && session_create(req, db, uid, jmk, version, NULL) &&
	          auth_throttle_clear(db, email_key) && db_commit(db);
	sodium_memzero(jmk, sizeof jmk);
	if (!ok) {
		http_db_error(req);
		return;
	}
	log_info("auth: user %lld signed in", (long long)uid);
	http_redirect(req, safe_next(http_form(req, "next")));
}

static void signout_post(request *req)
{
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!session_destroy(req, db)) {
		http_db_error(req);
		return;
	}
	http_redirect(req, "/");
}

static void signout_everywhere_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db(req);
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)u->id);
	if (!db || !db_exec(db, "DELETE FROM web_sessions WHERE user_id = $1", 1,
	                    (const char *[]){uid})) {
		http_db_error(req);
		return;
	}
	session_destroy(req, db);
	http_redirect(req, "/signin");
}

void auth_routes(router *r)
{
	router_add(r, "GET", "/signin", signin_page, ACCESS_ANYONE, "the sign-in form");
	router_add(r, "POST", "/signin", signin_post, ACCESS_ANYONE,
	           "sign in (throttled, Argon2id)");
	router_add(r, "POST", "/signout", signout_post, ACCESS_ANYONE, "sign out this session");
	router_add(r, "POST", "/signout-everywhere", signout_everywhere_post, ACCESS_SIGNED_IN,
	           "sign out every session of mine");
}
