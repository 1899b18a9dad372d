/*
 * session.c - sessions, the signed-in user, CSRF. See session.h.
 *
 * An anonymous request without a session cookie never touches the
 * database here. A signed-in request reads its session row once and writes
 * last_seen_at at most every five minutes, so page views do not turn into a
 * stream of writes.
 */
#include "cairn/session.h"
#include "cairn/clock.h"
#include "cairn/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "cairn_session"
#define PRE_COOKIE "cairn_pre"
#define COOKIE_RAW_BYTES (CRYPTO_TOKEN_BYTES + CRYPTO_KEY_BYTES)
#define PRE_CSRF_KEY "cairn/pre-session-csrf/v1"

static void set_cookie(request *req, const char *name, const char *value, bool clear)
{
	const char *secure = req->app->cfg->secure_cookies ? "; Secure" : "";
	char *line = clear
		? arena_sprintf(req->a, "%s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s", name, secure)
		: arena_sprintf(req->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value, secure);
	http_add_header(req, "Set-Cookie", line);
}

const char *session_now_param(request *req)
{
	return arena_sprintf(req->a, "%lld", (long long)clock_now());
}

/* The pre-session form token: a keyed hash of the pre-session cookie. */
static bool pre_token(const char *cookie, char out[CRYPTO_TOKEN_TEXT_BYTES + 1])
{
	uint8_t raw[CRYPTO_TOKEN_BYTES], mac[32];
	size_t n = 0;
	if (!crypto_b64url_decode(cookie, strlen(cookie), raw, sizeof raw, &n) || n != sizeof raw)
		return false;
	crypto_generichash(mac, sizeof mac, raw, sizeof raw, (const uint8_t *)PRE_CSRF_KEY,
	                   strlen(PRE_CSRF_KEY));
	crypto_b64url_encode(mac, sizeof mac, out);
	sodium_memzero(raw, sizeof raw);
	return true;
}

const char *session_csrf(request *req)
{
	session *s = session_of(req);
	if (s)
		return s->csrf;
	char *tok = arena_alloc(req->a, CRYPTO_TOKEN_TEXT_BYTES + 1);
	const char *pre = http_cookie(req, PRE_COOKIE);
	if (pre && pre_token(pre, tok))
		return tok;
	/* No (valid) pre-session cookie yet: make one for this page's forms. */
	char *fresh = arena_alloc(req->a, CRYPTO_TOKEN_TEXT_BYTES + 1);
	crypto_token_new(fresh);
	set_cookie(req, PRE_COOKIE, fresh, false);
	/* Later calls in this request must give the same token. */
	form_field *f = arena_alloc(req->a, (req->cookies.n + 1) * sizeof *f);
	if (req->cookies.n)
		memcpy(f, req->cookies.fields, req->cookies.n * sizeof *f);
	f[req->cookies.n] = (form_field){PRE_COOKIE, fresh, strlen(fresh)};
	req->cookies.fields = f;
	req->cookies.n++;
	pre_token(fresh, tok);
	return tok;
}

static bool csrf_ok(request *req)
{
	const char *sent = http_form(req, "csrf");
	if (!sent || strlen(sent) != CRYPTO_TOKEN_TEXT_BYTES)
		return false;
	char want[CRYPTO_TOKEN_TEXT_BYTES + 1];
	session *s = session_of(req);
	if (s) {
		memcpy(want, s->csrf, sizeof want);
	} else {
		const char *pre = http_cookie(req, PRE_COOKIE);
		if (!pre || !pre_token(pre, want))
			return false;
	}
	return sodium_memcmp(want, sent, CRYPTO_TOKEN_TEXT_BYTES) == 0;
}

static char *copy_bytea(request *req, const PGresult *r, int row, int col, size_t *len)
{
	if (db_isnull(r, row, col)) {
		*len = 0;
		return NULL;
	}
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)db_val(r, row, col), &n);
	if (!raw)
		fatal("session: out of memory");
	char *out = arena_alloc(req->a, n ? n : 1);
	memcpy(out, raw, n);
	PQfreemem(raw);
	*len = n;
	return out;
}

/* Load the session named by the cookie, if it is valid. Returns false only
 * when the database could not be asked (the caller answers 503). */
static bool load_session(request *req, const char *cookie)
{
	uint8_t raw[COOKIE_RAW_BYTES];
	size_t n = 0;
	if (!crypto_b64url_decode(cookie, strlen(cookie), raw, sizeof raw, &n) ||
	    n != COOKIE_RAW_BYTES) {
		set_cookie(req, SESSION_COOKIE, "", true);
		return true;
	}
	uint8_t hash[CRYPTO_HASH_BYTES];
	crypto_digest(raw, COOKIE_RAW_BYTES, hash);
	PGconn *db = http_db(req);
	if (!db) {
		sodium_memzero(raw, sizeof raw);
		return false;
	}
	char hash_hex[2 * CRYPTO_HASH_BYTES + 3] = "\\x";
	sodium_bin2hex(hash_hex + 2, sizeof hash_hex - 2, hash, sizeof hash);
	char idle[16];
	snprintf(idle, sizeof idle, "%d", SESSION_IDLE_SECONDS);
	const char *now = session_now_param(req);
	PGresult *r = db_q(db,
		"SELECT s.id, s.user_id, s.csrf_secret, s.jmk_wrap, s.jmk_version,"
		" s.pending_recovery IS NOT NULL, s.last_seen_at < to_timestamp($2) - interval '5 minutes',"
		" u.email, u.handle, u.display_name, u.profession, u.pronouns, u.time_zone, u.track,"
		" u.is_admin, u.listed"
		" FROM web_sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = $1::bytea AND s.expires_at > to_timestamp($2)"
		" AND s.last_seen_at > to_timestamp($2) - make_interval(secs => $3::int)",
		hash_hex, now, idle);
	if (!r) {
		sodium_memzero(raw, sizeof raw);
		return false;
	}
	if (PQntuples(r) == 0) {
		/* Expired, signed out elsewhere, or forged: the visitor is anonymous. */
		PQclear(r);
		sodium_memzero(raw, sizeof raw);
		set_cookie(req, SESSION_COOKIE, "", true);
		return true;
	}
	session *s = arena_calloc(req->a, 1, sizeof *s);
	user *u = arena_calloc(req->a, 1, sizeof *u);
	s->id = atoll(db_val(r, 0, 0));
	s->user_id = atoll(db_val(r, 0, 1));
	size_t csrf_len = 0;
	char *csrf = copy_bytea(req, r, 0, 2, &csrf_len);
	if (!csrf || csrf_len != CRYPTO_TOKEN_BYTES) {
		PQclear(r);
		sodium_memzero(raw, sizeof raw);
		return true;
	}
	crypto_b64url_encode((const uint8_t *)csrf, csrf_len, s->csrf);
	memcpy(s->key, raw + CRYPTO_TOKEN_BYTES, CRYPTO_KEY_BYTES);
	sodium_memzero(raw, sizeof raw);
	s->jmk_wrap = (const uint8_t *)copy_bytea(req, r, 0, 3, &s->jmk_wrap_len);
	s->jmk_version = db_isnull(r, 0, 4) ? 0 : atoi(db_val(r, 0, 4));
	s->pending_recovery = db_val(r, 0, 5)[0] == 't';
	bool touch = db_val(r, 0, 6)[0] == 't';
	u->id = s->user_id;
	u->email = arena_strdup(req->a, db_val(r, 0, 7));
	u->handle = arena_strdup(req->a, db_val(r, 0, 8));
	u->display_name = arena_strdup(req->a, db_val(r, 0, 9));
	u->profession = arena_strdup(req->a, db_val(r, 0, 10));
	u->pronouns = arena_strdup(req->a, db_val(r, 0, 11));
	u->time_zone = arena_strdup(req->a, db_val(r, 0, 12));
	u->track = arena_strdup(req->a, db_val(r, 0, 13));
	u->is_admin = db_val(r, 0, 14)[0] == 't';
	u->listed = db_val(r, 0, 15)[0] == 't';
	PQclear(r);
	req->session = s;
	req->user = u;
	req->no_store = true;
	if (touch) {
		char sid[24];
		snprintf(sid, sizeof sid, "%lld", (long long)s->id);
		db_exec(db, "UPDATE web_sessions SET last_seen_at = to_timestamp($2) WHERE id = $1", 2,
		        (const char *[]){sid, now});
	}
	return true;
}

bool session_before(request *req)
{
	/* Static files are the same for everyone and cacheable: reading the
	 * session would only mark them no-store. */
	if (!strncmp(req->path, "/static/", 8))
		return true;
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	if (cookie && !load_session(req, cookie)) {
		http_db_error(req);
		return false;
	}
#ifdef CAIRN_TEST_HOOKS
	/* The test doors sign in without a form of their own. */
	if (!strncmp(req->path, "/__test/", 8))
		return true;
#endif
	if (!strcmp(req->method, "POST") && !csrf_ok(req)) {
		http_error(req, 403, "This form has expired or did not come from Cairn, so nothing "
		                     "was changed. Go back, reload the page and try again.");
		return false;
	}
	return true;
}

void session_after(request *req)
{
	session *s = session_of(req);
	if (s)
		sodium_memzero(s->key, sizeof s->key);
}

void session_decorate_layout(request *req, tv *layout)
{
	user *u = session_user(req);
	if (!u) {
		tv_set(layout, "user", tv_null(req->a));
		/* Signing in from the header comes back to this page (a team
		 * invitation, a thread someone sent), not to the home page. On the
		 * sign-in page itself the link keeps the page's own way back. */
		const char *back = http_return_path(req);
		if (!strcmp(req->path, "/signin")) {
			const char *next = http_query(req, "next");
			if (!next)
				next = http_form(req, "next");
			back = http_local_path(next) ? http_query_escape(req->a, next) : NULL;
		}
		tv_set_str(layout, "signin_href",
		           back ? arena_sprintf(req->a, "/signin?next=%s", back) : "/signin");
		return;
	}
	tv *uv = tv_set(layout, "user", tv_obj(req->a));
	tv_set_str(uv, "handle", u->handle);
	tv_set_str(uv, "display_name", u->display_name);
	tv_set_str(uv, "csrf", session_of(req)->csrf);
	tv_set_bool(uv, "is_admin", u->is_admin);
	tv_set(uv, "unread_notifications", tv_null(req->a));
}

static void session_ad(char *ad, size_t cap, size_t *len, const char *purpose, int64_t user_id,
                       int version, int64_t sid)
{
	*len = crypto_wrap_ad(ad, cap, purpose, user_id, version, sid);
}

/* A recovery code sealed under the session key, as a bytea parameter. */
static const char *seal_pending(request *req, const uint8_t *skey, int64_t sid, int64_t user_id,
                                const char *code)
{
	char ad[160];
	size_t n = strlen(code), sealed_len = 0;
	size_t ad_len = crypto_wrap_ad(ad, sizeof ad, "session-recovery-code", user_id, 0, sid);
	uint8_t sealed[512];
	if (crypto_entry_sealed_size(n) > sizeof sealed ||
	    !crypto_entry_seal(skey, (uint64_t)sid, code, n, ad, ad_len, sealed, &sealed_len))
		return NULL;
	return db_bytea_param(req->a, sealed, sealed_len);
}

bool session_set_pending(request *req, PGconn *db, const char *code)
{
	session *s = session_of(req);
	if (!s)
		return false;
	const char *hex = code ? seal_pending(req, s->key, s->id, s->user_id, code) : NULL;
	if (code && !hex)
		return false;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)s->id);
	if (!db_exec(db, "UPDATE web_sessions SET pending_recovery = $2::bytea WHERE id = $1", 2,
	             (const char *[]){sid, hex}))
		return false;
	s->pending_recovery = code != NULL;
	return true;
}

bool session_set_jmk(request *req, PGconn *db, const uint8_t jmk[CRYPTO_KEY_BYTES],
                     int version)
{
	session *s = session_of(req);
	if (!s)
		return false;
	char ad[160];
	size_t ad_len;
	uint8_t *wrap = arena_alloc(req->a, CRYPTO_WRAP_BYTES);
	session_ad(ad, sizeof ad, &ad_len, "session-jmk", s->user_id, version, s->id);
	crypto_wrap_key(s->key, jmk, ad, ad_len, wrap);
	char sid[24], ver[16];
	snprintf(sid, sizeof sid, "%lld", (long long)s->id);
	snprintf(ver, sizeof ver, "%d", version);
	if (!db_exec(db, "UPDATE web_sessions SET jmk_wrap = $2::bytea, jmk_version = $3 WHERE id = $1",
	             3, (const char *[]){sid, db_bytea_param(req->a, wrap, CRYPTO_WRAP_BYTES), ver}))
		return false;
	s->jmk_wrap = wrap;
	s->jmk_wrap_len = CRYPTO_WRAP_BYTES;
	s->jmk_version = version;
	return true;
}

bool session_create(request *req, PGconn *db, int64_t user_id, const uint8_t *jmk,
                    int jmk_version, const char *pending_code)
{
	bool ok = false;
	uint8_t raw[COOKIE_RAW_BYTES], csrf[CRYPTO_TOKEN_BYTES], hash[CRYPTO_HASH_BYTES];
	uint8_t wrap[CRYPTO_WRAP_BYTES];
	crypto_random(raw, sizeof raw);
	crypto_random(csrf, sizeof csrf);
	crypto_digest(raw, COOKIE_RAW_BYTES, hash);
	const uint8_t *skey = raw + CRYPTO_TOKEN_BYTES;

	PGresult *r = db_q0(db, "SELECT nextval('web_sessions_id_seq')");
	if (!r)
		goto out;
	int64_t sid = atoll(db_val(r, 0, 0));
	PQclear(r);

	const char *wrap_hex = NULL, *version = NULL, *pending_hex = NULL;
	char ad[160];
	size_t ad_len;
	if (jmk) {
		session_ad(ad, sizeof ad, &ad_len, "session-jmk", user_id, jmk_version, sid);
		crypto_wrap_key(skey, jmk, ad, ad_len, wrap);
		char *hex = arena_alloc(req->a, 2 * sizeof wrap + 3);
		memcpy(hex, "\\x", 2);
		sodium_bin2hex(hex + 2, 2 * sizeof wrap + 1, wrap, sizeof wrap);
		wrap_hex = hex;
		version = arena_sprintf(req->a, "%d", jmk_version);
	}
	if (pending_code && !(pending_hex = seal_pending(req, skey, sid, user_id, pending_code)))
		goto out;
	char hash_hex[2 * CRYPTO_HASH_BYTES + 3] = "\\x", csrf_hex[2 * CRYPTO_TOKEN_BYTES + 3] = "\\x";
	sodium_bin2hex(hash_hex + 2, sizeof hash_hex - 2, hash, sizeof hash);
	sodium_bin2hex(csrf_hex + 2, sizeof csrf_hex - 2, csrf, sizeof csrf);
	const char *ua = http_header(req, "User-Agent");
	char absolute[16];
	snprintf(absolute, sizeof absolute, "%d", SESSION_ABSOLUTE_SECONDS);
	const char *params[] = {
		arena_sprintf(req->a, "%lld", (long long)sid),
		hash_hex,
		arena_sprintf(req->a, "%lld", (long long)user_id),
		csrf_hex,
		wrap_hex,
		version,
		pending_hex,
		session_now_param(req),
		absolute,
		ua ? arena_strndup(req->a, ua, strnlen(ua, 300)) : "",
		req->client_addr,
	};
	/* A User-Agent that is not valid text is stored as nothing. */
	if (!utf8_valid(params[9], strlen(params[9])))
		params[9] = "";
	if (!db_exec(db,
	             "INSERT INTO web_sessions (id, token_hash, user_id, csrf_secret, jmk_wrap,"
	             " jmk_version, pending_recovery, created_at, last_seen_at, expires_at,"
	             " user_agent, client_addr)"
	             " VALUES ($1, $2::bytea, $3, $4::bytea, $5::bytea, $6, $7::bytea,"
	             " to_timestamp($8), to_timestamp($8),"
	             " to_timestamp($8) + make_interval(secs => $9::int), $10, $11)",
	             11, params))
		goto out;
	char cookie[2 * COOKIE_RAW_BYTES];
	crypto_b64url_encode(raw, sizeof raw, cookie);
	set_cookie(req, SESSION_COOKIE, cookie, false);
	sodium_memzero(cookie, sizeof cookie);
	ok = true;
out:
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(csrf, sizeof csrf);
	return ok;
}

bool session_destroy(request *req, PGconn *db)
{
	session *s = session_of(req);
	set_cookie(req, SESSION_COOKIE, "", true);
	if (!s)
		return true;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)s->id);
	return db_exec(db, "DELETE FROM web_sessions WHERE id = $1", 1, (const char *[]){sid});
}

bool session_jmk(request *req, uint8_t jmk[CRYPTO_KEY_BYTES])
{
	session *s = session_of(req);
	if (!s || !s->jmk_wrap)
		return false;
	char ad[160];
	size_t ad_len = crypto_wrap_ad(ad, sizeof ad, "session-jmk", s->user_id, s->jmk_version,
	                               s->id);
	return crypto_unwrap_key(s->key, s->jmk_wrap, s->jmk_wrap_len, ad, ad_len, jmk);
}

bool session_pending_code(request *req, PGconn *db, char out[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	session *s = session_of(req);
	if (!s || !s->pending_recovery)
		return false;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)s->id);
	PGresult *r = db_q(db, "SELECT pending_recovery FROM web_sessions WHERE id = $1", sid);
	if (!r)
		return false;
	bool ok = false;
	size_t len = 0;
	char *sealed = PQntuples(r) ? copy_bytea(req, r, 0, 0, &len) : NULL;
	PQclear(r);
	if (!sealed)
		return false;
	char ad[160];
	size_t ad_len = crypto_wrap_ad(ad, sizeof ad, "session-recovery-code", s->user_id, 0, s->id);
	size_t plain_len = 0;
	char *plain = crypto_entry_open(s->key, (uint64_t)s->id, (const uint8_t *)sealed, len, ad,
	                                ad_len, &plain_len);
	if (plain && plain_len <= CRYPTO_RECOVERY_TEXT_BYTES) {
		memcpy(out, plain, plain_len);
		out[plain_len] = '\0';
		ok = true;
	}
	if (plain)
		sodium_free(plain);
	return ok;
}
