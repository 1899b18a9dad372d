/*
 * test_crypto.c - unit tests for the key schedule in crypto.c (DESIGN §6).
 *
 * The primitives are tested against published vectors where there are any
 * (BLAKE2b, RFC 4648 base32/base64url), then for the properties the design
 * relies on: a wrap or sealed entry opens only with its key and its exact
 * associated data, and any changed bit is refused. The key lifecycle test
 * composes the primitives the way auth and journal will, on rows kept in
 * memory: sign-up, password change, admin reset, recovery, sessions.
 *
 * Argon2id at the DESIGN limits is slow on purpose, so every derivation goes
 * through derive(), which counts them: the whole file may run at most
 * DERIVE_BUDGET of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/crypto.h"

#define DERIVE_BUDGET 8

static int derive_calls;

/* --- helpers ------------------------------------------------------------- */

static void fill_salt(uint8_t salt[CRYPTO_SALT_BYTES], uint8_t seed)
{
	for (int i = 0; i < CRYPTO_SALT_BYTES; i++)
		salt[i] = (uint8_t)(seed + i);
}

/* Argon2id at the production limits, counted against the budget. */
static void derive(const char *password, size_t len, const uint8_t salt[CRYPTO_SALT_BYTES],
                   uint8_t verifier[CRYPTO_KEY_BYTES], uint8_t kek[CRYPTO_KEY_BYTES])
{
	assert_true(++derive_calls <= DERIVE_BUDGET);
	assert_true(crypto_derive(password, len, salt, CRYPTO_PWHASH_OPSLIMIT,
	                          CRYPTO_PWHASH_MEMLIMIT, verifier, kek));
}

static void wrap_as(const uint8_t wk[CRYPTO_KEY_BYTES], const uint8_t key[CRYPTO_KEY_BYTES],
                    const char *purpose, int64_t user, int version, int64_t session,
                    uint8_t out[CRYPTO_WRAP_BYTES])
{
	char ad[CRYPTO_AD_MAX_BYTES];
	size_t n = crypto_wrap_ad(ad, sizeof ad, purpose, user, version, session);

	crypto_wrap_key(wk, key, ad, n, out);
}

static bool unwrap_as(const uint8_t wk[CRYPTO_KEY_BYTES], const uint8_t *wrap, size_t wrap_len,
                      const char *purpose, int64_t user, int version, int64_t session,
                      uint8_t key[CRYPTO_KEY_BYTES])
{
	char ad[CRYPTO_AD_MAX_BYTES];
	size_t n = crypto_wrap_ad(ad, sizeof ad, purpose, user, version, session);

	return crypto_unwrap_key(wk, wrap, wrap_len, ad, n, key);
}

static bool is_zero(const uint8_t *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

static void hex_to_bin(const char *hex, uint8_t *out, size_t n)
{
	size_t got = 0;

	assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static bool in_b64url_alphabet(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Seal, checking the promised size; returns a malloc'd sealed entry. */
static uint8_t *seal(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t id, const void *plain,
                     size_t len, const char *ad, size_t *sealed_len)
{
	size_t cap = crypto_entry_sealed_size(len);
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	assert_true(crypto_entry_seal(jmk, id, plain, len, ad, strlen(ad), out, sealed_len));
	assert_int_equal(*sealed_len, cap);
	return out;
}

/* Open and compare with the expected plaintext. */
static void assert_opens(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t id, const uint8_t *sealed,
                         size_t sealed_len, const char *ad, const void *plain, size_t len)
{
	size_t got = SIZE_MAX;
	char *p = crypto_entry_open(jmk, id, sealed, sealed_len, ad, strlen(ad), &got);

	assert_non_null(p);
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(p, plain, len);
	assert_int_equal(p[len], '\0');
	sodium_free(p);

	/* The same into the caller's memory: exactly the capacity asked for is enough. */
	size_t cap = crypto_entry_open_cap(sealed_len);
	assert_int_equal(cap, sealed_len - CRYPTO_NONCE_BYTES - CRYPTO_TAG_BYTES);
	char *buf = malloc(cap);
	assert_non_null(buf);
	got = SIZE_MAX;
	assert_true(crypto_entry_open_into(jmk, id, sealed, sealed_len, ad, strlen(ad), buf, cap,
	                                   &got));
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(buf, plain, len);
	assert_int_equal(buf[len], '\0');
	/* One byte short of the capacity is refused before anything is written. */
	memset(buf, 'z', cap);
	got = SIZE_MAX;
	assert_false(crypto_entry_open_into(jmk, id, sealed, sealed_len, ad, strlen(ad), buf,
	                                    cap - 1, &got));
	assert_int_equal(got, 0);
	assert_int_equal(buf[0], 'z');
	free(buf);
}

static void assert_refused(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t id,
                           const uint8_t *sealed, size_t sealed_len, const void *ad,
                           size_t ad_len)
{
	size_t got = SIZE_MAX;

	assert_null(crypto_entry_open(jmk, id, sealed, sealed_len, ad, ad_len, &got));
	assert_int_equal(got, 0);

	/* Into the caller's memory: refused too, and nothing of a plaintext is left there
	 * (what was decrypted is wiped; refused arguments write nothing at all). */
	size_t cap = crypto_entry_open_cap(sealed_len);
	char *buf = malloc(cap ? cap : 1);
	assert_non_null(buf);
	memset(buf, 'z', cap ? cap : 1);
	got = SIZE_MAX;
	assert_false(crypto_entry_open_into(jmk, id, sealed, sealed_len, ad, ad_len, buf,
	                                    cap ? cap : 1, &got));
	assert_int_equal(got, 0);
	for (size_t i = 0; cap && i < cap; i++)
		assert_true(buf[i] == 0 || buf[i] == 'z');
	free(buf);
}

/* --- hashing ------------------------------------------------------------- */

static void test_hash_vectors(void **state)
{
	uint8_t got[CRYPTO_HASH_BYTES], want[CRYPTO_HASH_BYTES];

	crypto_digest("", 0, got);
	hex_to_bin("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", want,
	           sizeof want);
	assert_memory_equal(got, want, sizeof want);
	crypto_digest("abc", 3, got);
	hex_to_bin("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", want,
	           sizeof want);
	assert_memory_equal(got, want, sizeof want);
}

static void test_equal32(void **state)
{
	uint8_t a[32], b[32];

	crypto_random(a, sizeof a);
	memcpy(b, a, sizeof b);
	assert_true(crypto_equal32(a, b));
	for (size_t i = 0; i < sizeof b; i++) {
		b[i] ^= 0x80;
		assert_false(crypto_equal32(a, b));
		b[i] ^= 0x80;
	}
	assert_true(crypto_equal32(a, b));
}

/* --- password derivation --------------------------------------------------- */

static void test_derive(void **state)
{
	static char long_password[CRYPTO_PASSWORD_MAX_BYTES];
	const char *pw = "correct horse battery staple";
	uint8_t s1[CRYPTO_SALT_BYTES], s2[CRYPTO_SALT_BYTES];
	uint8_t v1[32], k1[32], v2[32], k2[32], v3[32], k3[32], v4[32], k4[32], v5[32], k5[32];

	fill_salt(s1, 1);
	fill_salt(s2, 2);
	memset(long_password, 'x', sizeof long_password);

	derive(pw, strlen(pw), s1, v1, k1);
	assert_false(crypto_equal32(v1, k1));
	assert_false(is_zero(v1, 32));
	assert_false(is_zero(k1, 32));

	derive(pw, strlen(pw), s1, v2, k2);   /* deterministic */
	assert_true(crypto_equal32(v1, v2));
	assert_true(crypto_equal32(k1, k2));

	derive(pw, strlen(pw), s2, v3, k3);   /* another salt */
	assert_false(crypto_equal32(v1, v3));
	assert_false(crypto_equal32(k1, k3));

	derive(long_password, sizeof long_password, s1, v4, k4);   /* 1024 bytes */
	assert_false(crypto_equal32(v1, v4));
	assert_false(crypto_equal32(k1, k4));
	assert_false(crypto_equal32(v4, k4));

	derive(NULL, 0, s1, v5, k5);   /* empty: policy is auth's, no crash here */
	assert_false(crypto_equal32(v1, v5));
	assert_false(crypto_equal32(k1, k5));
	assert_false(crypto_equal32(v5, k5));
}

static void test_derive_bad_limits(void **state)
{
	uint8_t salt[CRYPTO_SALT_BYTES], v[32], k[32];

	fill_salt(salt, 3);
	memset(v, 0xAA, sizeof v);
	memset(k, 0xAA, sizeof k);
	assert_false(crypto_derive("password1234", 12, salt, 0, CRYPTO_PWHASH_MEMLIMIT, v, k));
	assert_true(is_zero(v, 32) && is_zero(k, 32));
	memset(v, 0xAA, sizeof v);
	assert_false(crypto_derive("password1234", 12, salt, CRYPTO_PWHASH_OPSLIMIT, 1024, v, k));
	assert_true(is_zero(v, 32));
	assert_false(crypto_derive(NULL, 5, salt, CRYPTO_PWHASH_OPSLIMIT, CRYPTO_PWHASH_MEMLIMIT,
	                           v, k));
}

/* --- wraps ----------------------------------------------------------------- */

static void test_wrap_ad_text(void **state)
{
	char ad[CRYPTO_AD_MAX_BYTES];
	char purpose[CRYPTO_AD_PURPOSE_MAX + 1];
	size_t n;

	n = crypto_wrap_ad(ad, sizeof ad, "kek", 42, 1, 0);
	assert_string_equal(ad, "cairn/kek/v1|user=42|version=1");
	assert_int_equal(n, strlen(ad));
	n = crypto_wrap_ad(ad, sizeof ad, "session", 42, 3, 1001);
	assert_string_equal(ad, "cairn/session/v1|user=42|version=3|session=1001");
	assert_int_equal(n, strlen(ad));
	crypto_wrap_ad(ad, sizeof ad, "kek", 42, 1, -5);   /* no session below 1 */
	assert_string_equal(ad, "cairn/kek/v1|user=42|version=1");

	/* The longest text there can be fits CRYPTO_AD_MAX_BYTES. */
	memset(purpose, 'z', CRYPTO_AD_PURPOSE_MAX);
	purpose[CRYPTO_AD_PURPOSE_MAX] = '\0';
	n = crypto_wrap_ad(ad, sizeof ad, purpose, INT64_MIN, INT_MIN, INT64_MAX);
	assert_int_equal(n, strlen(ad));
	assert_true(n < CRYPTO_AD_MAX_BYTES);
}

static void test_wrap_round_trip(void **state)
{
	uint8_t wk[32], key[32], got[32], wrap[CRYPTO_WRAP_BYTES], wrap2[CRYPTO_WRAP_BYTES];

	crypto_random(wk, sizeof wk);
	crypto_random(key, sizeof key);
	wrap_as(wk, key, "kek", 7, 1, 0, wrap);
	assert_true(unwrap_as(wk, wrap, sizeof wrap, "kek", 7, 1, 0, got));
	assert_memory_equal(got, key, sizeof key);
	/* The key is not visible in the wrap, and the nonce is fresh each time. */
	assert_null(memmem(wrap, sizeof wrap, key, sizeof key));
	wrap_as(wk, key, "kek", 7, 1, 0, wrap2);
	assert_memory_not_equal(wrap, wrap2, CRYPTO_NONCE_BYTES);
	assert_true(unwrap_as(wk, wrap2, sizeof wrap2, "kek", 7, 1, 0, got));
	assert_memory_equal(got, key, sizeof key);
}

static void test_wrap_every_bit_flip_fails(void **state)
{
	uint8_t wk[32], key[32], got[32], wrap[CRYPTO_WRAP_BYTES];

	crypto_random(wk, sizeof wk);
	crypto_random(key, sizeof key);
	wrap_as(wk, key, "kek", 7, 1, 0, wrap);
	for (size_t i = 0; i < sizeof wrap; i++) {
		for (int bit = 0; bit < 8; bit++) {
			wrap[i] ^= (uint8_t)(1U << bit);
			memset(got, 0xAA, sizeof got);
			assert_false(unwrap_as(wk, wrap, sizeof wrap, "kek", 7, 1, 0, got));
			assert_true(is_zero(got, sizeof got));
			wrap[i] ^= (uint8_t)(1U << bit);
		}
	}
	assert_true(unwrap_as(wk, wrap, sizeof wrap, "kek", 7, 1, 0, got));
}

static void test_wrap_refuses_wrong_context(void **state)
{
	uint8_t wk[32], other[32], key[32], got[32], wrap[CRYPTO_WRAP_BYTES + 1];
	uint8_t swrap[CRYPTO_WRAP_BYTES];

	crypto_random(wk, sizeof wk);
	crypto_random(other, sizeof other);
	crypto_random(key, sizeof key);
	wrap_as(wk, key, "kek", 7, 1, 0, wrap);
	wrap[CRYPTO_WRAP_BYTES] = 0;

	assert_false(unwrap_as(other, wrap, CRYPTO_WRAP_BYTES, "kek", 7, 1, 0, got));  /* key */
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES, "kek", 8, 1, 0, got));     /* row */
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES, "kek", 7, 2, 0, got));     /* version */
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES, "recovery", 7, 1, 0, got));
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES, "kek", 7, 1, 1, got));
	assert_false(crypto_unwrap_key(wk, wrap, CRYPTO_WRAP_BYTES, NULL, 0, got));
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES - 1, "kek", 7, 1, 0, got)); /* short */
	assert_false(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES + 1, "kek", 7, 1, 0, got)); /* long */
	assert_false(unwrap_as(wk, wrap, 0, "kek", 7, 1, 0, got));
	assert_false(unwrap_as(wk, NULL, CRYPTO_WRAP_BYTES, "kek", 7, 1, 0, got));
	assert_true(unwrap_as(wk, wrap, CRYPTO_WRAP_BYTES, "kek", 7, 1, 0, got));

	/* A session wrap moved to another session, user or version. */
	wrap_as(wk, key, "session", 7, 1, 500, swrap);
	assert_true(unwrap_as(wk, swrap, sizeof swrap, "session", 7, 1, 500, got));
	assert_memory_equal(got, key, sizeof key);
	assert_false(unwrap_as(wk, swrap, sizeof swrap, "session", 7, 1, 501, got));
	assert_false(unwrap_as(wk, swrap, sizeof swrap, "session", 7, 1, 0, got));
	assert_false(unwrap_as(wk, swrap, sizeof swrap, "session", 8, 1, 500, got));
	assert_false(unwrap_as(wk, swrap, sizeof swrap, "session", 7, 2, 500, got));
}

/* --- the key lifecycle of DESIGN §6, on rows in memory --------------------- */

enum { MAX_VERSION = 2 };

typedef struct user_row {
	int64_t id;
	uint8_t salt[CRYPTO_SALT_BYTES];
	uint8_t verifier_hash[CRYPTO_HASH_BYTES];
	uint8_t recovery_salt[CRYPTO_SALT_BYTES];
	int key_version;
	uint8_t kek_wrap[MAX_VERSION + 1][CRYPTO_WRAP_BYTES];
	uint8_t recovery_wrap[MAX_VERSION + 1][CRYPTO_WRAP_BYTES];
} user_row;

typedef struct session_row {
	int64_t id, user_id;
	uint8_t token_hash[CRYPTO_HASH_BYTES];
	uint8_t jmk_wrap[CRYPTO_WRAP_BYTES];
	int key_version;
} session_row;

static void set_password(user_row *u, const char *pw, uint8_t kek[32])
{
	uint8_t verifier[32];

	crypto_random(u->salt, sizeof u->salt);
	derive(pw, strlen(pw), u->salt, verifier, kek);
	crypto_digest(verifier, sizeof verifier, u->verifier_hash);
	sodium_memzero(verifier, sizeof verifier);
}

static void test_lifecycle(void **state)
{
	user_row u = {.id = 42};
	uint8_t kek_a[32], kek_b[32], kek_c[32];
	uint8_t jmk1[32], jmk2[32], got[32], rk1[32], rk2[32];
	uint8_t raw1[CRYPTO_RECOVERY_RAW_BYTES], raw2[CRYPTO_RECOVERY_RAW_BYTES];
	uint8_t typed_raw[CRYPTO_RECOVERY_RAW_BYTES], old_verifier_hash[32];
	char code1[CRYPTO_RECOVERY_TEXT_BYTES + 1], code2[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	char typed[2 * CRYPTO_RECOVERY_TEXT_BYTES];
	const char *ad = "user=42|entry=7|version=1|format=1";
	const char *text = "Today the ward was quiet.";
	size_t sealed_len;

	/* Sign-up: a JMK (version 1) wrapped under KEK(password) and under the
	 * recovery key; the code is shown once. */
	set_password(&u, "first password 1", kek_a);
	crypto_random(u.recovery_salt, sizeof u.recovery_salt);
	u.key_version = 1;
	crypto_random(jmk1, sizeof jmk1);
	crypto_recovery_new(raw1, code1);
	crypto_recovery_key(raw1, u.recovery_salt, rk1);
	wrap_as(kek_a, jmk1, "kek", u.id, 1, 0, u.kek_wrap[1]);
	wrap_as(rk1, jmk1, "recovery", u.id, 1, 0, u.recovery_wrap[1]);
	sodium_memzero(raw1, sizeof raw1);
	uint8_t *entry = seal(jmk1, 7, text, strlen(text), ad, &sealed_len);

	/* Password change (the current password gave kek_a): new salt, new
	 * KEK, the SAME JMK re-wrapped. */
	memcpy(old_verifier_hash, u.verifier_hash, sizeof old_verifier_hash);
	uint8_t old_salt[CRYPTO_SALT_BYTES];
	memcpy(old_salt, u.salt, sizeof old_salt);
	set_password(&u, "second password 2", kek_b);
	assert_memory_not_equal(u.salt, old_salt, sizeof old_salt);
	assert_memory_not_equal(u.verifier_hash, old_verifier_hash, sizeof old_verifier_hash);
	assert_true(unwrap_as(kek_a, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, 1, 0, got));
	wrap_as(kek_b, got, "kek", u.id, 1, 0, u.kek_wrap[1]);
	assert_true(unwrap_as(kek_b, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, 1, 0, got));
	assert_memory_equal(got, jmk1, sizeof jmk1);
	assert_opens(got, 7, entry, sealed_len, ad, text, strlen(text));
	assert_false(unwrap_as(kek_a, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, 1, 0, got));

	/* Admin reset: a new password and a new JMK version; the learner holds
	 * only kek_c, which opens version 2 and nothing of version 1. */
	set_password(&u, "third password 3", kek_c);
	u.key_version = 2;
	crypto_random(jmk2, sizeof jmk2);
	wrap_as(kek_c, jmk2, "kek", u.id, 2, 0, u.kek_wrap[2]);
	crypto_recovery_new(raw2, code2);   /* a new code after a reset */
	crypto_recovery_key(raw2, u.recovery_salt, rk2);
	wrap_as(rk2, jmk2, "recovery", u.id, 2, 0, u.recovery_wrap[2]);
	sodium_memzero(raw2, sizeof raw2);

	for (int v = 1; v <= 2; v++) {
		assert_false(unwrap_as(kek_c, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, v, 0, got));
		assert_false(unwrap_as(kek_c, u.recovery_wrap[1], CRYPTO_WRAP_BYTES, "recovery", u.id,
		                       v, 0, got));
		assert_false(unwrap_as(rk2, u.recovery_wrap[1], CRYPTO_WRAP_BYTES, "recovery", u.id,
		                       v, 0, got));
	}
	assert_true(unwrap_as(kek_c, u.kek_wrap[2], CRYPTO_WRAP_BYTES, "kek", u.id, 2, 0, got));
	assert_memory_equal(got, jmk2, sizeof jmk2);
	assert_memory_not_equal(jmk2, jmk1, sizeof jmk1);
	assert_refused(got, 7, entry, sealed_len, ad, strlen(ad));

	/* The old recovery code, typed casually, opens version 1, which is then
	 * re-wrapped under the new KEK and the new recovery key. */
	snprintf(typed, sizeof typed, " %s ", code1);
	for (char *p = typed; *p; p++)
		*p = (char)(*p == '-' ? ' ' : (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	assert_true(crypto_recovery_parse(typed, typed_raw));
	crypto_recovery_key(typed_raw, u.recovery_salt, got);
	assert_memory_equal(got, rk1, sizeof rk1);
	assert_true(unwrap_as(rk1, u.recovery_wrap[1], CRYPTO_WRAP_BYTES, "recovery", u.id, 1, 0,
	                      got));
	assert_memory_equal(got, jmk1, sizeof jmk1);
	wrap_as(kek_c, got, "kek", u.id, 1, 0, u.kek_wrap[1]);
	wrap_as(rk2, got, "recovery", u.id, 1, 0, u.recovery_wrap[1]);
	assert_true(unwrap_as(kek_c, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, 1, 0, got));
	assert_memory_equal(got, jmk1, sizeof jmk1);
	assert_opens(got, 7, entry, sealed_len, ad, text, strlen(text));
	assert_true(unwrap_as(rk2, u.recovery_wrap[1], CRYPTO_WRAP_BYTES, "recovery", u.id, 1, 0,
	                      got));
	assert_memory_equal(got, jmk1, sizeof jmk1);
	assert_false(unwrap_as(kek_b, u.kek_wrap[1], CRYPTO_WRAP_BYTES, "kek", u.id, 1, 0, got));

	free(entry);
}

static void test_session_wrap(void **state)
{
	session_row s = {.id = 1001, .user_id = 42, .key_version = 1};
	uint8_t jmk[32], skey[32], back[32], other[32], got[32];
	char token[CRYPTO_TOKEN_TEXT_BYTES + 1], cookie_key[CRYPTO_TOKEN_TEXT_BYTES + 1];
	uint8_t lookup[CRYPTO_HASH_BYTES];
	size_t n;

	/* Sign-in: the cookie gets a token and a session key; the row keeps
	 * only the token's hash and the JMK wrapped under the session key. */
	crypto_random(jmk, sizeof jmk);
	crypto_token_new(token);
	crypto_token_hash(token, strlen(token), s.token_hash);
	crypto_random(skey, sizeof skey);
	crypto_b64url_encode(skey, sizeof skey, cookie_key);
	assert_int_equal(strlen(cookie_key), CRYPTO_TOKEN_TEXT_BYTES);
	wrap_as(skey, jmk, "session", s.user_id, s.key_version, s.id, s.jmk_wrap);

	/* A later request: find the row by the token, open with the cookie's key. */
	crypto_token_hash(token, strlen(token), lookup);
	assert_true(crypto_equal32(lookup, s.token_hash));
	assert_true(crypto_b64url_decode(cookie_key, strlen(cookie_key), back, sizeof back, &n));
	assert_int_equal(n, sizeof back);
	assert_true(unwrap_as(back, s.jmk_wrap, sizeof s.jmk_wrap, "session", 42, 1, 1001, got));
	assert_memory_equal(got, jmk, sizeof jmk);

	crypto_random(other, sizeof other);
	assert_false(unwrap_as(other, s.jmk_wrap, sizeof s.jmk_wrap, "session", 42, 1, 1001, got));
	assert_false(unwrap_as(back, s.jmk_wrap, sizeof s.jmk_wrap, "session", 42, 1, 1002, got));
	assert_false(unwrap_as(back, s.jmk_wrap, sizeof s.jmk_wrap, "session", 43, 1, 1001, got));
	assert_false(unwrap_as(back, s.jmk_wrap, sizeof s.jmk_wrap, "kek", 42, 1, 1001, got));
	assert_false(unwrap_as(back, s.jmk_wrap, sizeof s.jmk_wrap, "session", 42, 1, 0, got));
}

/* --- recovery codes -------------------------------------------------------- */

/* RFC 6238's test secret "12345678901234567890" in base32. */
static const char vector_code[] = "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ";
static const char vector_raw[] = "12345678901234567890";

static void test_recovery_new_format(void **state)
{
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES], back[CRYPTO_RECOVERY_RAW_BYTES];
	uint8_t prev[CRYPTO_RECOVERY_RAW_BYTES] = {0};
	char text[CRYPTO_RECOVERY_TEXT_BYTES + 1];

	for (int round = 0; round < 200; round++) {
		crypto_recovery_new(raw, text);
		assert_int_equal(strlen(text), CRYPTO_RECOVERY_TEXT_BYTES);
		assert_int_equal(strlen(text), 39);
		for (size_t i = 0; i < CRYPTO_RECOVERY_TEXT_BYTES; i++) {
			char c = text[i];
			if (i % 5 == 4)
				assert_int_equal(c, '-');
			else
				assert_true((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'));
		}
		assert_true(crypto_recovery_parse(text, back));
		assert_memory_equal(back, raw, sizeof raw);
		assert_memory_not_equal(raw, prev, sizeof raw);
		memcpy(prev, raw, sizeof prev);
	}
}

static void test_recovery_vector(void **state)
{
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES];

	assert_true(crypto_recovery_parse(vector_code, raw));
	assert_memory_equal(raw, vector_raw, sizeof raw);
}

static void test_recovery_forgiving(void **state)
{
	static const char *const forms[] = {
		"gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
		"  GeZd-GnBv gy3tqojq--gezd\tgnbv-gy3t-qojq  ",
		"G-E-Z-D-G-N-B-V-G-Y-3-T-Q-O-J-Q-GEZDGNBVGY3TQOJQ",
		"GEZDGNBVGY3TQ0JQGEZDGNBVGY3TQ0JQ",   /* zero for O */
	};
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES];

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		assert_true(crypto_recovery_parse(forms[i], raw));
		assert_memory_equal(raw, vector_raw, sizeof raw);
	}
}

static void test_recovery_confusables(void **state)
{
	uint8_t letters[CRYPTO_RECOVERY_RAW_BYTES], digits[CRYPTO_RECOVERY_RAW_BYTES];
	uint8_t with_i[CRYPTO_RECOVERY_RAW_BYTES], want[CRYPTO_RECOVERY_RAW_BYTES];

	/* Python: base64.b32decode("IIIIBBBBLLLLOOOOAAAA22227777ZZZZ"). */
	hex_to_bin("42108084215ad6b739ce00000d6b5afffffce739", want, sizeof want);
	assert_true(crypto_recovery_parse("IIII-BBBB-LLLL-OOOO-AAAA-2222-7777-ZZZZ", letters));
	assert_memory_equal(letters, want, sizeof want);
	/* 0, 1 and 8 are not in the alphabet: they read as O, I and B. */
	assert_true(crypto_recovery_parse("1111-8888-llll-0000-aaaa-2222-7777-zzzz", digits));
	assert_memory_equal(digits, letters, sizeof letters);
	/* L is a letter of the alphabet and stays L. */
	assert_true(crypto_recovery_parse("IIII-BBBB-IIII-OOOO-AAAA-2222-7777-ZZZZ", with_i));
	assert_memory_not_equal(with_i, letters, sizeof letters);
}

static void test_recovery_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"----  ",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ",     /* 31 */
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQA",   /* 33 */
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ-GEZD",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ9",    /* 9 */
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ=",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ!",
		"GEZD_GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
		"GEZD.GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
		"GEZD\nGNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ\xc3\x89",   /* É */
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJ\xcf\x8f",
	};
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(raw, 0xAA, sizeof raw);
		assert_false(crypto_recovery_parse(bad[i], raw));
		assert_true(is_zero(raw, sizeof raw));
	}
	assert_false(crypto_recovery_parse(NULL, raw));
}

static void test_recovery_key(void **state)
{
	uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES], s1[16], s2[16];
	uint8_t k1[32], k1b[32], k2[32], k3[32], want[32];

	memcpy(raw, vector_raw, sizeof raw);
	fill_salt(s1, 0);
	fill_salt(s2, 1);
	crypto_recovery_key(raw, s1, k1);
	/* Python: blake2b(raw, digest_size=32, key=bytes(range(16))). */
	hex_to_bin("cb094ebca39c2d9bb40d6760ff13cfec75de492cbfeb3f62dc535aa7b567c9a4", want,
	           sizeof want);
	assert_memory_equal(k1, want, sizeof want);
	crypto_recovery_key(raw, s1, k1b);
	assert_memory_equal(k1, k1b, sizeof k1);
	crypto_recovery_key(raw, s2, k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	raw[19] ^= 1;
	crypto_recovery_key(raw, s1, k3);
	assert_memory_not_equal(k1, k3, sizeof k1);
}

/* --- tokens and base64url -------------------------------------------------- */

static void test_token_new(void **state)
{
	char a[CRYPTO_TOKEN_TEXT_BYTES + 1], b[CRYPTO_TOKEN_TEXT_BYTES + 1];
	uint8_t raw[CRYPTO_TOKEN_BYTES + 8];
	size_t n = 0;

	crypto_token_new(a);
	crypto_token_new(b);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strlen(b), CRYPTO_TOKEN_TEXT_BYTES);
	assert_string_not_equal(a, b);
	for (size_t i = 0; i < CRYPTO_TOKEN_TEXT_BYTES; i++)
		assert_true(in_b64url_alphabet(a[i]));
	assert_true(crypto_b64url_decode(a, strlen(a), raw, sizeof raw, &n));
	assert_int_equal(n, CRYPTO_TOKEN_BYTES);
}

static void test_token_hash(void **state)
{
	char a[CRYPTO_TOKEN_TEXT_BYTES + 1], b[CRYPTO_TOKEN_TEXT_BYTES + 1];
	uint8_t h1[32], h2[32], h3[32], plain[32];

	crypto_token_new(a);
	crypto_token_new(b);
	crypto_token_hash(a, strlen(a), h1);
	crypto_token_hash(a, strlen(a), h2);
	assert_memory_equal(h1, h2, sizeof h1);
	crypto_digest(a, strlen(a), plain);
	assert_memory_equal(h1, plain, sizeof h1);
	crypto_token_hash(b, strlen(b), h3);
	assert_memory_not_equal(h1, h3, sizeof h1);
	crypto_token_hash(a, strlen(a) - 1, h3);
	assert_memory_not_equal(h1, h3, sizeof h1);
}

static void test_b64url_vectors(void **state)
{
	/* RFC 4648 §10, without padding; the last uses both URL-safe characters. */
	static const struct { const char *bin; size_t n; const char *text; } v[] = {
		{"", 0, ""},
		{"f", 1, "Zg"},
		{"fo", 2, "Zm8"},
		{"foo", 3, "Zm9v"},
		{"foob", 4, "Zm9vYg"},
		{"fooba", 5, "Zm9vYmE"},
		{"foobar", 6, "Zm9vYmFy"},
		{"\xfb\xff\xfe", 3, "-__-"},
	};
	char text[16];
	uint8_t bin[16];
	size_t n;

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		memset(text, 'Z', sizeof text);
		crypto_b64url_encode((const uint8_t *)v[i].bin, v[i].n, text);
		assert_string_equal(text, v[i].text);
		n = SIZE_MAX;
		assert_true(crypto_b64url_decode(v[i].text, strlen(v[i].text), bin, sizeof bin, &n));
		assert_int_equal(n, v[i].n);
		assert_memory_equal(bin, v[i].bin, v[i].n);
	}
	/* Exactly enough room is enough; out_len may be NULL. */
	assert_true(crypto_b64url_decode("Zm9vYmFy", 8, bin, 6, NULL));
}

static void test_b64url_rejects(void **state)
{
	static const char *const bad[] = {
		"Zm9v+mFy", "Zm9v/mFy", "Zg==", "Zm8=", "Zg=",   /* alphabet, padding */
		"Z", "Zm9vY",                                    /* 1 mod 4 */
		"Zh", "Zm9",                                     /* non-zero unused bits */
		"Zm9 v", " Zm9v", "Zm9v\n", "Zm9v.",
	};
	uint8_t bin[16];
	size_t n;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = 99;
		assert_false(crypto_b64url_decode(bad[i], strlen(bad[i]), bin, sizeof bin, &n));
		assert_int_equal(n, 0);
	}
	assert_false(crypto_b64url_decode("Zm9v\0Zm9v", 9, bin, sizeof bin, &n)); /* NUL */
	assert_false(crypto_b64url_decode("Zm9vYmFy", 8, bin, 5, &n));          /* no room */
	assert_true(crypto_b64url_decode("Zg==", 2, bin, sizeof bin, &n));       /* len wins */
	assert_int_equal(n, 1);
}

/* --- journal entries ------------------------------------------------------- */

static const char entry_ad[] = "user=42|entry=9|version=1|format=1";

static void test_entry_round_trip(void **state)
{
	static const size_t lens[] = {0, 1, 255, 256, 257, 10000};
	uint8_t jmk[32];

	crypto_random(jmk, sizeof jmk);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		size_t len = lens[i], sealed_len;
		uint8_t *plain = malloc(len + 1);
		assert_non_null(plain);
		crypto_random(plain, len);
		if (len > 1)
			plain[len / 2] = '\0';   /* embedded NUL survives */
		uint8_t *sealed = seal(jmk, 9, plain, len, entry_ad, &sealed_len);
		assert_opens(jmk, 9, sealed, sealed_len, entry_ad, plain, len);
		if (len >= 16)
			assert_null(memmem(sealed, sealed_len, plain, 16));
		free(sealed);
		free(plain);
	}
	/* NULL plaintext is fine when empty. */
	size_t sealed_len;
	uint8_t *sealed = seal(jmk, 9, NULL, 0, entry_ad, &sealed_len);
	assert_opens(jmk, 9, sealed, sealed_len, entry_ad, "", 0);
	free(sealed);
}

static void test_entry_sizes_leak_only_blocks(void **state)
{
	const size_t overhead = CRYPTO_NONCE_BYTES + CRYPTO_TAG_BYTES;
	uint8_t jmk[32], plain[1100], out[1400];
	size_t out_len;

	crypto_random(jmk, sizeof jmk);
	memset(plain, 'a', sizeof plain);
	for (size_t len = 0; len <= 1040; len++) {
		size_t want = (len / 256 + 1) * 256 + overhead;
		assert_int_equal(crypto_entry_sealed_size(len), want);
		assert_true(crypto_entry_seal(jmk, 1, plain, len, "", 0, out, &out_len));
		assert_int_equal(out_len, want);
	}
	assert_int_equal(crypto_entry_sealed_size(0), 296);
	assert_int_equal(crypto_entry_sealed_size(255), 296);
	assert_int_equal(crypto_entry_sealed_size(256), 552);
	assert_int_equal(crypto_entry_sealed_size(257), 552);
	/* Near SIZE_MAX: refused (0) or a true size, never a wrapped-around one. */
	static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 40, SIZE_MAX - 255,
	                              SIZE_MAX - 256, SIZE_MAX - 300, SIZE_MAX - 600, SIZE_MAX / 2};
	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		size_t s = crypto_entry_sealed_size(huge[i]);
		assert_true(s == 0 || s >= huge[i] + 1 + overhead);
	}
	assert_int_equal(crypto_entry_sealed_size(SIZE_MAX), 0);
	out_len = 1;
	assert_false(crypto_entry_seal(jmk, 1, plain, SIZE_MAX, "", 0, out, &out_len));
	assert_int_equal(out_len, 0);
}

static void test_entry_refuses(void **state)
{
	uint8_t jmk[32], other[32];
	const char *text = "a line about the night shift";
	size_t sealed_len, n = strlen(text);
	char ad2[sizeof entry_ad];

	crypto_random(jmk, sizeof jmk);
	crypto_random(other, sizeof other);
	uint8_t *sealed = seal(jmk, 9, text, n, entry_ad, &sealed_len);
	uint8_t *longer = malloc(sealed_len + 256);
	assert_non_null(longer);
	memcpy(longer, sealed, sealed_len);
	memset(longer + sealed_len, 0, 256);

	assert_refused(jmk, 10, sealed, sealed_len, entry_ad, strlen(entry_ad));   /* entry id */
	assert_refused(other, 9, sealed, sealed_len, entry_ad, strlen(entry_ad));  /* JMK */
	memcpy(ad2, entry_ad, sizeof ad2);
	ad2[5] = '3';                                                    /* user=32 */
	assert_refused(jmk, 9, sealed, sealed_len, ad2, strlen(ad2));
	assert_refused(jmk, 9, sealed, sealed_len, entry_ad, strlen(entry_ad) - 1);
	assert_refused(jmk, 9, sealed, sealed_len, NULL, 0);
	assert_refused(jmk, 9, sealed, sealed_len - 1, entry_ad, strlen(entry_ad));
	assert_refused(jmk, 9, sealed, sealed_len - 256, entry_ad, strlen(entry_ad));
	assert_refused(jmk, 9, longer, sealed_len + 256, entry_ad, strlen(entry_ad));
	assert_refused(jmk, 9, sealed, 0, entry_ad, strlen(entry_ad));
	assert_refused(jmk, 9, NULL, sealed_len, entry_ad, strlen(entry_ad));
	for (size_t i = 0; i < sealed_len; i++) {
		sealed[i] ^= 0x01;
		assert_refused(jmk, 9, sealed, sealed_len, entry_ad, strlen(entry_ad));
		sealed[i] ^= 0x01;
	}
	assert_opens(jmk, 9, sealed, sealed_len, entry_ad, text, n);

	/* The same plaintext seals differently each time (fresh nonce). */
	size_t len2;
	uint8_t *again = seal(jmk, 9, text, n, entry_ad, &len2);
	assert_int_equal(len2, sealed_len);
	assert_memory_not_equal(again, sealed, sealed_len);
	free(again);
	free(longer);
	free(sealed);
}

int main(void)
{
	if (!crypto_init()) {
		fprintf(stderr, "libsodium would not start\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_equal32),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_derive_bad_limits),
		cmocka_unit_test(test_wrap_ad_text),
		cmocka_unit_test(test_wrap_round_trip),
		cmocka_unit_test(test_wrap_every_bit_flip_fails),
		cmocka_unit_test(test_wrap_refuses_wrong_context),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_session_wrap),
		cmocka_unit_test(test_recovery_new_format),
		cmocka_unit_test(test_recovery_vector),
		cmocka_unit_test(test_recovery_forgiving),
		cmocka_unit_test(test_recovery_confusables),
		cmocka_unit_test(test_recovery_rejects),
		cmocka_unit_test(test_recovery_key),
		cmocka_unit_test(test_token_new),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_b64url_vectors),
		cmocka_unit_test(test_b64url_rejects),
		cmocka_unit_test(test_entry_round_trip),
		cmocka_unit_test(test_entry_sizes_leak_only_blocks),
		cmocka_unit_test(test_entry_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
