/*
 * keys.c - password and journal-key lifecycle. See keys.h and DESIGN §6.
 *
 * Wrap purposes (in the associated data): "jmk-kek" (under the password's
 * KEK), "jmk-recovery" (under a recovery key; the AD also names the code's
 * generation as the session field), "jmk-newer" (an older JMK under a newer
 * one; the AD names both versions).
 */
#include "cairn/keys.h"
#include "cairn/arena.h"
#include "cairn/db.h"
#include "cairn/form.h"
#include "cairn/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Versions reachable from the current one. */
#define REACHABLE_SQL                                                                     \
	"WITH RECURSIVE reach(version) AS ("                                                  \
	" SELECT key_version FROM credentials WHERE user_id = $1"                            \
	" UNION SELECT k.version FROM journal_keys k JOIN reach r ON k.newer_version = r.version" \
	" WHERE k.user_id = $1 AND k.newer_wrap IS NOT NULL) "

typedef char num[24];

static const char *fmt_i64(num buf, int64_t v)
{
	snprintf(buf, sizeof(num), "%lld", (long long)v);
	return buf;
}

static const char *hex_of(char *out, const void *data, size_t len)
{
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 2 * len + 1, data, len);
	return out;
}

#define HEX_BUF(n) (2 * (n) + 3)

const char *keys_password_problem(const char *password, const char *email, const char *name)
{
	size_t len = strlen(password);
	if (len > CRYPTO_PASSWORD_MAX_BYTES)
		return "Passwords can be at most 1024 bytes long.";
	if (!utf8_valid(password, len))
		return "The password is not valid text.";
	if (utf8_length(password, len) < CRYPTO_PASSWORD_MIN_CHARS)
		return "Passwords need at least 10 characters. A few unrelated words make a good one.";
	if ((email && !strcasecmp(password, email)) || (name && !strcasecmp(password, name)))
		return "Your password cannot be your email address or your name.";
	return NULL;
}

static void ad_for(char *ad, size_t cap, size_t *len, const char *purpose, int64_t user_id,
                   int version, int64_t extra)
{
	*len = crypto_wrap_ad(ad, cap, purpose, user_id, version, extra);
}

/* Fresh salt and KEK for a password; writes credentials' salt/verifier. */
static bool set_password(PGconn *db, arena *a, int64_t user_id, const char *password,
                         uint8_t kek[CRYPTO_KEY_BYTES], bool insert, int key_version,
                         const uint8_t recovery_salt[CRYPTO_SALT_BYTES])
{
	uint8_t salt[CRYPTO_SALT_BYTES], verifier[CRYPTO_KEY_BYTES], vhash[CRYPTO_HASH_BYTES];
	crypto_random(salt, sizeof salt);
	if (!crypto_derive(password, strlen(password), salt, CRYPTO_PWHASH_OPSLIMIT,
	                   CRYPTO_PWHASH_MEMLIMIT, verifier, kek))
		return false;
	crypto_digest(verifier, sizeof verifier, vhash);
	sodium_memzero(verifier, sizeof verifier);
	num uid, ops, mem, ver;
	char salt_hex[HEX_BUF(CRYPTO_SALT_BYTES)], vh_hex[HEX_BUF(CRYPTO_HASH_BYTES)];
	char rs_hex[HEX_BUF(CRYPTO_SALT_BYTES)];
	(void)a;
	fmt_i64(uid, user_id);
	fmt_i64(ops, (int64_t)CRYPTO_PWHASH_OPSLIMIT);
	fmt_i64(mem, (int64_t)CRYPTO_PWHASH_MEMLIMIT);
	fmt_i64(ver, key_version);
	hex_of(salt_hex, salt, sizeof salt);
	hex_of(vh_hex, vhash, sizeof vhash);
	if (insert) {
		hex_of(rs_hex, recovery_salt, CRYPTO_SALT_BYTES);
		return db_exec(db,
		               "INSERT INTO credentials (user_id, salt, verifier_hash, opslimit, memlimit,"
		               " recovery_salt, key_version) VALUES ($1, $2::bytea, $3::bytea, $4, $5,"
		               " $6::bytea, $7)",
		               7, (const char *[]){uid, salt_hex, vh_hex, ops, mem, rs_hex, ver});
	}
	return db_exec(db,
	               "UPDATE credentials SET salt = $2::bytea, verifier_hash = $3::bytea,"
	               " opslimit = $4, memlimit = $5, key_version = $6, password_changed_at = now()"
	               " WHERE user_id = $1",
	               6, (const char *[]){uid, salt_hex, vh_hex, ops, mem, ver});
}

static bool store_kek_wrap(PGconn *db, int64_t user_id, int version,
                           const uint8_t kek[CRYPTO_KEY_BYTES], const uint8_t jmk[CRYPTO_KEY_BYTES])
{
	char ad[160];
	size_t ad_len;
	uint8_t wrap[CRYPTO_WRAP_BYTES];
	ad_for(ad, sizeof ad, &ad_len, "jmk-kek", user_id, version, 0);
	crypto_wrap_key(kek, jmk, ad, ad_len, wrap);
	num uid, ver;
	char hex[HEX_BUF(CRYPTO_WRAP_BYTES)];
	return db_exec(db,
	               "UPDATE journal_keys SET kek_wrap = $3::bytea WHERE user_id = $1 AND version = $2",
	               3, (const char *[]){fmt_i64(uid, user_id), fmt_i64(ver, version),
	                                   hex_of(hex, wrap, sizeof wrap)});
}

/* Wrap the current JMK under a new code of the next generation. */
static bool issue_code(PGconn *db, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES],
                       int version, char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	num uid, ver;
	fmt_i64(uid, user_id);
	fmt_i64(ver, version);
	PGresult *r = db_q(db,
		"UPDATE credentials SET recovery_generation = recovery_generation + 1,"
		" recovery_confirmed = false WHERE user_id = $1"
		" RETURNING recovery_salt, recovery_generation",
		uid);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return false;
	}
	uint8_t rsalt[CRYPTO_SALT_BYTES], raw[CRYPTO_RECOVERY_RAW_BYTES], rkey[CRYPTO_KEY_BYTES];
	bool ok = db_bytea_exact(r, 0, 0, rsalt, sizeof rsalt);
	int generation = atoi(db_val(r, 0, 1));
	PQclear(r);
	if (!ok)
		return false;
	crypto_recovery_new(raw, code);
	crypto_recovery_key(raw, rsalt, rkey);
	sodium_memzero(raw, sizeof raw);
	char ad[160];
	size_t ad_len;
	uint8_t wrap[CRYPTO_WRAP_BYTES];
	ad_for(ad, sizeof ad, &ad_len, "jmk-recovery", user_id, version, generation);
	crypto_wrap_key(rkey, jmk, ad, ad_len, wrap);
	sodium_memzero(rkey, sizeof rkey);
	num gen;
	char hex[HEX_BUF(CRYPTO_WRAP_BYTES)];
	/* Older versions that the current key reaches need no code of their
	 * own; dropping their wraps makes every earlier code useless for them.
	 * Locked versions keep theirs: only their old code can open them. */
	return db_exec(db,
	               "UPDATE journal_keys SET recovery_wrap = $3::bytea, recovery_generation = $4"
	               " WHERE user_id = $1 AND version = $2",
	               4, (const char *[]){uid, ver, hex_of(hex, wrap, sizeof wrap),
	                                   fmt_i64(gen, generation)}) &&
	       db_exec(db,
	               REACHABLE_SQL "UPDATE journal_keys SET recovery_wrap = NULL,"
	               " recovery_generation = NULL WHERE user_id = $1 AND version <> $2::int"
	               " AND version IN (SELECT version FROM reach)",
	               2, (const char *[]){uid, ver});
}

bool keys_create(PGconn *db, int64_t user_id, const char *password,
                 uint8_t jmk[CRYPTO_KEY_BYTES], char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	uint8_t kek[CRYPTO_KEY_BYTES], rsalt[CRYPTO_SALT_BYTES];
	num uid;
	fmt_i64(uid, user_id);
	crypto_random(rsalt, sizeof rsalt);
	crypto_random(jmk, CRYPTO_KEY_BYTES);
	/* Generation 0 is never used: issue_code moves to 1 before wrapping. */
	bool ok = set_password(db, NULL, user_id, password, kek, true, 1, rsalt) &&
	          db_exec(db, "UPDATE credentials SET recovery_generation = 0 WHERE user_id = $1", 1,
	                  (const char *[]){uid}) &&
	          db_exec(db, "INSERT INTO journal_keys (user_id, version) VALUES ($1, 1)", 1,
	                  (const char *[]){uid}) &&
	          store_kek_wrap(db, user_id, 1, kek, jmk) && issue_code(db, user_id, jmk, 1, code);
	sodium_memzero(kek, sizeof kek);
	if (!ok)
		sodium_memzero(jmk, CRYPTO_KEY_BYTES);
	return ok;
}

static PGresult *load_credentials(PGconn *db, int64_t user_id)
{
	num uid;
	return db_q(db,
	            "SELECT c.salt, c.verifier_hash, c.opslimit, c.memlimit, c.key_version, k.kek_wrap"
	            " FROM credentials c LEFT JOIN journal_keys k"
	            " ON k.user_id = c.user_id AND k.version = c.key_version"
	            " WHERE c.user_id = $1",
	            fmt_i64(uid, user_id));
}

keys_result keys_load(PGconn *db, int64_t user_id, keys_creds *c)
{
	memset(c, 0, sizeof *c);
	PGresult *r = load_credentials(db, user_id);
	if (!r)
		return KEYS_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return KEYS_WRONG;
	}
	c->user_id = user_id;
	c->ops = strtoull(db_val(r, 0, 2), NULL, 10);
	c->mem = strtoull(db_val(r, 0, 3), NULL, 10);
	c->version = atoi(db_val(r, 0, 4));
	c->has_wrap = db_bytea_exact(r, 0, 5, c->wrap, sizeof c->wrap);
	bool ok = db_bytea_exact(r, 0, 0, c->salt, sizeof c->salt) &&
	          db_bytea_exact(r, 0, 1, c->verifier_hash, sizeof c->verifier_hash);
	PQclear(r);
	c->found = ok;
	return ok ? KEYS_OK : KEYS_ERROR;
}

keys_result keys_check(const keys_creds *c, const char *password,
                       uint8_t jmk[CRYPTO_KEY_BYTES], int *version)
{
	uint8_t verifier[CRYPTO_KEY_BYTES], kek[CRYPTO_KEY_BYTES], vhash[CRYPTO_HASH_BYTES];
	if (!c->found) {
		/* No credentials (not yet signed up): the time spent must still
		 * match a real check. */
		keys_verify_nobody("", password);
		return KEYS_WRONG;
	}
	if (!crypto_derive(password, strlen(password), c->salt, c->ops, c->mem, verifier, kek))
		return KEYS_ERROR;
	crypto_digest(verifier, sizeof verifier, vhash);
	sodium_memzero(verifier, sizeof verifier);
	keys_result res = KEYS_OK;
	if (!crypto_equal32(vhash, c->verifier_hash)) {
		res = KEYS_WRONG;
	} else {
		char ad[160];
		size_t ad_len;
		ad_for(ad, sizeof ad, &ad_len, "jmk-kek", c->user_id, c->version, 0);
		if (!c->has_wrap ||
		    !crypto_unwrap_key(kek, c->wrap, sizeof c->wrap, ad, ad_len, jmk)) {
			log_error("keys: user %lld's key does not open with a correct password",
			          (long long)c->user_id);
			res = KEYS_ERROR;
		}
		*version = c->version;
	}
	sodium_memzero(kek, sizeof kek);
	return res;
}

keys_result keys_verify(PGconn *db, int64_t user_id, const char *password,
                        uint8_t jmk[CRYPTO_KEY_BYTES], int *version)
{
	keys_creds c;
	keys_result res = keys_load(db, user_id, &c);
	if (res == KEYS_ERROR)
		return KEYS_ERROR;
	res = keys_check(&c, password, jmk, version);
	sodium_memzero(&c, sizeof c);
	return res;
}

void keys_verify_nobody(const char *email, const char *password)
{
	/* A salt that depends on the email, so repeated tries for one unknown
	 * address behave like a real account's. */
	uint8_t salt[CRYPTO_SALT_BYTES], verifier[CRYPTO_KEY_BYTES], kek[CRYPTO_KEY_BYTES];
	crypto_generichash(salt, sizeof salt, (const uint8_t *)email, strlen(email),
	                   (const uint8_t *)"cairn/nobody-salt", 17);
	crypto_derive(password, strlen(password), salt, CRYPTO_PWHASH_OPSLIMIT,
	              CRYPTO_PWHASH_MEMLIMIT, verifier, kek);
	sodium_memzero(verifier, sizeof verifier);
	sodium_memzero(kek, sizeof kek);
}

bool keys_change_password(PGconn *db, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES],
                          int version, const char *new_password)
{
	uint8_t kek[CRYPTO_KEY_BYTES];
	bool ok = set_password(db, NULL, user_id, new_password, kek, false, version, NULL) &&
	          store_kek_wrap(db, user_id, version, kek, jmk);
	sodium_memzero(kek, sizeof kek);
	return ok;
}

/* A new JMK version for user_id: a random key (returned in jmk/version),
 * wrapped under a KEK from `password` with a fresh salt, and a recovery code
 * for it. Older versions lose their KEK wraps (the password they came from
 * no longer opens anything) but keep their recovery wraps: a reset leaves
 * them to be unlocked by the old code, a rotation re-encrypts and then drops
 * them (keys_drop_older). Runs inside the caller's transaction. */
static bool new_version(PGconn *db, int64_t user_id, const char *password,
                        uint8_t jmk[CRYPTO_KEY_BYTES], int *version,
                        char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	num uid, ver;
	fmt_i64(uid, user_id);
	PGresult *r = db_q(db, "SELECT key_version FROM credentials WHERE user_id = $1 FOR UPDATE",
	                   uid);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return false;
	}
	int next = atoi(db_val(r, 0, 0)) + 1;
	PQclear(r);
	*version = next;
	fmt_i64(ver, next);
	uint8_t kek[CRYPTO_KEY_BYTES];
	crypto_random(jmk, CRYPTO_KEY_BYTES);
	bool ok = db_exec(db, "UPDATE journal_keys SET kek_wrap = NULL WHERE user_id = $1", 1,
	                  (const char *[]){uid}) &&
	          db_exec(db, "INSERT INTO journal_keys (user_id, version) VALUES ($1, $2)", 2,
	                  (const char *[]){uid, ver}) &&
	          set_password(db, NULL, user_id, password, kek, false, next, NULL) &&
	          store_kek_wrap(db, user_id, next, kek, jmk) &&
	          issue_code(db, user_id, jmk, next, code);
	sodium_memzero(kek, sizeof kek);
	if (!ok)
		sodium_memzero(jmk, CRYPTO_KEY_BYTES);
	return ok;
}

bool keys_reset(PGconn *db, int64_t user_id, const char *new_password,
                uint8_t jmk[CRYPTO_KEY_BYTES], int *version,
                char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	return new_version(db, user_id, new_password, jmk, version, code);
}

bool keys_rotate(PGconn *db, int64_t user_id, const char *password,
                 uint8_t jmk[CRYPTO_KEY_BYTES], int *version,
                 char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	return new_version(db, user_id, password, jmk, version, code);
}

bool keys_drop_older(PGconn *db, int64_t user_id, int version)
{
	num uid, ver;
	/* Links of newer_wrap point downwards only (older under newer), so no
	 * remaining row refers to a deleted one. */
	return db_exec(db, "DELETE FROM journal_keys WHERE user_id = $1 AND version < $2", 2,
	               (const char *[]){fmt_i64(uid, user_id), fmt_i64(ver, version)});
}

bool keys_new_code(PGconn *db, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES], int version,
                   char code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	return issue_code(db, user_id, jmk, version, code);
}

int keys_locked_versions(PGconn *db, int64_t user_id)
{
	num uid;
	PGresult *r = db_q(db,
		REACHABLE_SQL "SELECT count(*) FROM journal_keys WHERE user_id = $1"
		" AND version NOT IN (SELECT version FROM reach)",
		fmt_i64(uid, user_id));
	if (!r)
		return -1;
	int n = atoi(db_val(r, 0, 0));
	PQclear(r);
	return n;
}

keys_result keys_recover(PGconn *db, int64_t user_id, const char *code_text,
                         const uint8_t jmk[CRYPTO_KEY_BYTES], int version, int *unlocked,
                         char new_code[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	*unlocked = 0;
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES];
	if (!crypto_recovery_parse(code_text, raw))
		return KEYS_WRONG;
	num uid;
	fmt_i64(uid, user_id);
	PGresult *r = db_q(db,
		REACHABLE_SQL "SELECT k.version, k.recovery_wrap, k.recovery_generation,"
		" k.version IN (SELECT version FROM reach), c.recovery_salt"
		" FROM journal_keys k JOIN credentials c ON c.user_id = k.user_id"
		" WHERE k.user_id = $1 AND k.recovery_wrap IS NOT NULL ORDER BY k.version DESC",
		uid);
	if (!r) {
		sodium_memzero(raw, sizeof raw);
		return KEYS_ERROR;
	}
	keys_result res = KEYS_WRONG;
	uint8_t rsalt[CRYPTO_SALT_BYTES], rkey[CRYPTO_KEY_BYTES], old[CRYPTO_KEY_BYTES];
	if (PQntuples(r) == 0 || !db_bytea_exact(r, 0, 4, rsalt, sizeof rsalt)) {
		PQclear(r);
		sodium_memzero(raw, sizeof raw);
		return KEYS_WRONG;
	}
	crypto_recovery_key(raw, rsalt, rkey);
	sodium_memzero(raw, sizeof raw);
	for (int i = 0; i < PQntuples(r); i++) {
		int v = atoi(db_val(r, i, 0));
		int gen = atoi(db_val(r, i, 2));
		bool reachable = db_val(r, i, 3)[0] == 't';
		char ad[160];
		size_t ad_len, wrap_len = 0;
		ad_for(ad, sizeof ad, &ad_len, "jmk-recovery", user_id, v, gen);
		unsigned char *wrap = PQunescapeBytea((const unsigned char *)db_val(r, i, 1), &wrap_len);
		bool opened = wrap && crypto_unwrap_key(rkey, wrap, wrap_len, ad, ad_len, old);
		if (wrap)
			PQfreemem(wrap);
		if (!opened)
			continue;
		res = KEYS_OK;
		if (reachable || v == version)
			continue;
		/* Link the recovered version to the current key, and retire the
		 * code's wrap of it: the code has now been used. */
		uint8_t link[CRYPTO_WRAP_BYTES];
		ad_for(ad, sizeof ad, &ad_len, "jmk-newer", user_id, v, version);
		crypto_wrap_key(jmk, old, ad, ad_len, link);
		num ver, cur;
		char hex[HEX_BUF(CRYPTO_WRAP_BYTES)];
		if (!db_exec(db,
		             "UPDATE journal_keys SET newer_wrap = $3::bytea, newer_version = $4,"
		             " recovery_wrap = NULL, recovery_generation = NULL"
		             " WHERE user_id = $1 AND version = $2",
		             4, (const char *[]){uid, fmt_i64(ver, v), hex_of(hex, link, sizeof link),
		                                 fmt_i64(cur, version)})) {
			res = KEYS_ERROR;
			break;
		}
		(*unlocked)++;
	}
	sodium_memzero(old, sizeof old);
	sodium_memzero(rkey, sizeof rkey);
	PQclear(r);
	if (res == KEYS_OK && !issue_code(db, user_id, jmk, version, new_code))
		res = KEYS_ERROR;
	return res;
}

bool keys_open_version(PGconn *db, int64_t user_id, const uint8_t current[CRYPTO_KEY_BYTES],
                       int current_version, int want, uint8_t out[CRYPTO_KEY_BYTES])
{
	if (want == current_version) {
		memcpy(out, current, CRYPTO_KEY_BYTES);
		return true;
	}
	num uid;
	PGresult *r = db_q(db,
		"SELECT version, newer_version, newer_wrap FROM journal_keys"
		" WHERE user_id = $1 AND newer_wrap IS NOT NULL ORDER BY version",
		fmt_i64(uid, user_id));
	if (!r)
		return false;
	/* Path upwards from want to the current version, then unwrap down. */
	enum { MAX_CHAIN = 64 };
	int chain[MAX_CHAIN], rows[MAX_CHAIN], n = 0;
	int v = want;
	while (v != current_version && n < MAX_CHAIN) {
		int row = -1;
		for (int i = 0; i < PQntuples(r); i++)
			if (atoi(db_val(r, i, 0)) == v)
				row = i;
		if (row < 0)
			break;
		chain[n] = v;
		rows[n] = row;
		n++;
		v = atoi(db_val(r, row, 1));
	}
	bool ok = v == current_version;
	uint8_t key[CRYPTO_KEY_BYTES];
	memcpy(key, current, sizeof key);
	for (int i = n - 1; ok && i >= 0; i--) {
		int newer = atoi(db_val(r, rows[i], 1));
		char ad[160];
		size_t ad_len, wrap_len = 0;
		ad_for(ad, sizeof ad, &ad_len, "jmk-newer", user_id, chain[i], newer);
		unsigned char *wrap = PQunescapeBytea((const unsigned char *)db_val(r, rows[i], 2),
		                                      &wrap_len);
		uint8_t next[CRYPTO_KEY_BYTES];
		ok = wrap && crypto_unwrap_key(key, wrap, wrap_len, ad, ad_len, next);
		if (wrap)
			PQfreemem(wrap);
		memcpy(key, next, sizeof key);
		sodium_memzero(next, sizeof next);
	}
	if (ok)
		memcpy(out, key, CRYPTO_KEY_BYTES);
	sodium_memzero(key, sizeof key);
	PQclear(r);
	return ok;
}
