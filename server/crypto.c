/*
 * crypto.c - the key schedule of DESIGN §6 on libsodium: Argon2id for
 * passwords, XChaCha20-Poly1305 wraps for the journal master key, base32
 * recovery codes, base64url tokens and padded, sealed journal entries.
 *
 * Every intermediate secret (the 64-byte Argon2id output, per-entry subkeys,
 * padded plaintext left behind by a failure, the base32 bit accumulator) is
 * wiped with sodium_memzero before the function returns, on every path.
 * The base32 codec works on secrets (the recovery code), so it maps
 * characters with masks rather than table lookups or data-dependent branches,
 * as libsodium's own base64 codec does; only separators, which carry no
 * secret, are found with a branch.
 */
#include "cairn/crypto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cairn/arena.h"

/* Sealed entries: pad to this block size so lengths leak only in blocks. */
#define ENTRY_BLOCK 256U
/* crypto_kdf context: exactly crypto_kdf_CONTEXTBYTES (8) characters. */
static const char entry_kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "cairnjnl";

static const char *recovery_separators = " \t-";

static char b32_char(unsigned v);
static int b32_value(unsigned c);
static bool purpose_valid(const char *purpose);
static bool entry_subkey(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                         uint8_t subkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES]);

/* The sizes crypto.h promises must be libsodium's. */
_Static_assert(CRYPTO_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
_Static_assert(CRYPTO_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag");
_Static_assert(CRYPTO_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key");
_Static_assert(CRYPTO_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key");
_Static_assert(CRYPTO_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt");
_Static_assert(CRYPTO_SALT_BYTES >= crypto_generichash_KEYBYTES_MIN, "recovery salt as key");
_Static_assert(CRYPTO_HASH_BYTES >= crypto_generichash_BYTES_MIN, "hash");
_Static_assert(CRYPTO_RECOVERY_RAW_BYTES * 8 == 32 * 5, "recovery code is 32 base32 chars");
_Static_assert(CRYPTO_TOKEN_TEXT_BYTES + 1 ==
               sodium_base64_ENCODED_LEN(CRYPTO_TOKEN_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               "token text");

/* Branch-free comparisons of byte values (as in libsodium's codecs.c):
 * each yields 0xFF when true and 0 when false, for x and y in 0..255. */
#define CT_EQ(x, y) ((((0U - ((unsigned)(x) ^ (unsigned)(y))) >> 8) & 0xFFU) ^ 0xFFU)
#define CT_GT(x, y) ((((unsigned)(y) - (unsigned)(x)) >> 8) & 0xFFU)
#define CT_GE(x, y) (CT_GT(y, x) ^ 0xFFU)
#define CT_LT(x, y) CT_GT(y, x)
#define CT_LE(x, y) CT_GE(y, x)

bool crypto_init(void)
{
	return sodium_init() >= 0;
}

void crypto_random(void *out, size_t n)
{
	randombytes_buf(out, n);
}

bool crypto_derive(const char *password, size_t password_len,
                   const uint8_t salt[CRYPTO_SALT_BYTES], uint64_t opslimit, uint64_t memlimit,
                   uint8_t verifier[CRYPTO_KEY_BYTES], uint8_t kek[CRYPTO_KEY_BYTES])
{
	uint8_t out[2 * CRYPTO_KEY_BYTES];
	bool ok = false;

	if (!password) {
		if (password_len != 0)
			goto fail;
		password = "";
	}
	if (password_len > crypto_pwhash_PASSWD_MAX ||
	    opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_MAX ||
	    memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_MAX)
		goto fail;
	if (crypto_pwhash(out, sizeof out, password, password_len, salt, opslimit,
	                  (size_t)memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		goto fail;
	memcpy(verifier, out, CRYPTO_KEY_BYTES);
	memcpy(kek, out + CRYPTO_KEY_BYTES, CRYPTO_KEY_BYTES);
	ok = true;
fail:
	sodium_memzero(out, sizeof out);
	if (!ok) {
		sodium_memzero(verifier, CRYPTO_KEY_BYTES);
		sodium_memzero(kek, CRYPTO_KEY_BYTES);
	}
	return ok;
}

void crypto_digest(const void *data, size_t len, uint8_t out[CRYPTO_HASH_BYTES])
{
	crypto_generichash(out, CRYPTO_HASH_BYTES, data, len, NULL, 0);
}

bool crypto_equal32(const uint8_t a[32], const uint8_t b[32])
{
	return sodium_memcmp(a, b, 32) == 0;
}

void crypto_wrap_key(const uint8_t wrapping_key[CRYPTO_KEY_BYTES],
                     const uint8_t key[CRYPTO_KEY_BYTES], const void *ad, size_t ad_len,
                     uint8_t out[CRYPTO_WRAP_BYTES])
{
	randombytes_buf(out, CRYPTO_NONCE_BYTES);
	/* Cannot fail: the message is 32 bytes, far below the AEAD's limit. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + CRYPTO_NONCE_BYTES, NULL, key,
	                                           CRYPTO_KEY_BYTES, ad, ad_len, NULL, out,
	                                           wrapping_key);
}

bool crypto_unwrap_key(const uint8_t wrapping_key[CRYPTO_KEY_BYTES],
                       const uint8_t *wrap, size_t wrap_len, const void *ad, size_t ad_len,
                       uint8_t key[CRYPTO_KEY_BYTES])
{
	if (!wrap || wrap_len != CRYPTO_WRAP_BYTES)
		goto fail;
	/* libsodium verifies the tag before it writes any plaintext. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, wrap + CRYPTO_NONCE_BYTES,
	                                               wrap_len - CRYPTO_NONCE_BYTES, ad, ad_len,
	                                               wrap, wrapping_key) != 0)
		goto fail;
	return true;
fail:
	sodium_memzero(key, CRYPTO_KEY_BYTES);
	return false;
}

/* Purposes are constants such as "kek", "recovery", "session". The charset
 * keeps '/' and '|' out, so the text parses back to one argument list. */
static bool purpose_valid(const char *purpose)
{
	size_t n = 0;

	if (!purpose)
		return false;
	for (; purpose[n]; n++) {
		char c = purpose[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= CRYPTO_AD_PURPOSE_MAX;
}

size_t crypto_wrap_ad(char *out, size_t cap, const char *purpose, int64_t user_id,
                      int key_version, int64_t session_id)
{
	int n;

	if (!purpose_valid(purpose))
		fatal("crypto_wrap_ad: invalid purpose");
	if (session_id > 0)
		n = snprintf(out, cap, "cairn/%s/v1|user=%" PRId64 "|version=%d|session=%" PRId64,
		             purpose, user_id, key_version, session_id);
	else
		n = snprintf(out, cap, "cairn/%s/v1|user=%" PRId64 "|version=%d", purpose, user_id,
		             key_version);
	if (n < 0 || (size_t)n >= cap)
		fatal("crypto_wrap_ad: %zu bytes are too few for the associated data", cap);
	return (size_t)n;
}

/* 0..31 -> 'A'..'Z', '2'..'7', without branching on v. */
static char b32_char(unsigned v)
{
	unsigned letter = CT_LT(v, 26) & ('A' + v);
	unsigned digit = CT_GE(v, 26) & ('2' + v - 26);

	return (char)(letter | digit);
}

/* A typed character's 5-bit value, or -1 if it is not a code character.
 * Case is folded; the digits 0, 1 and 8 read as O, I and B. */
static int b32_value(unsigned c)
{
	c &= 0xFFU;
	c ^= CT_GE(c, 'a') & CT_LE(c, 'z') & 0x20U;
	unsigned is_letter = CT_GE(c, 'A') & CT_LE(c, 'Z');
	unsigned is_digit = CT_GE(c, '2') & CT_LE(c, '7');
	unsigned is_0 = CT_EQ(c, '0'), is_1 = CT_EQ(c, '1'), is_8 = CT_EQ(c, '8');
	unsigned v = (is_letter & (c - 'A')) | (is_digit & (c - '2' + 26)) |
	             (is_0 & ('O' - 'A')) | (is_1 & ('I' - 'A')) | (is_8 & ('B' - 'A'));
	unsigned valid = is_letter | is_digit | is_0 | is_1 | is_8;

	return valid ? (int)v : -1;
}

void crypto_recovery_new(uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES],
                         char text[CRYPTO_RECOVERY_TEXT_BYTES + 1])
{
	uint64_t acc = 0;
	size_t t = 0;

	randombytes_buf(raw, CRYPTO_RECOVERY_RAW_BYTES);
	/* Five bytes make exactly eight characters: two groups of four. */
	for (size_t i = 0; i < CRYPTO_RECOVERY_RAW_BYTES; i += 5) {
		acc = 0;
		for (size_t j = 0; j < 5; j++)
			acc = (acc << 8) | raw[i + j];
		for (int k = 7; k >= 0; k--) {
			if (t % 5 == 4)
				text[t++] = '-';
			text[t++] = b32_char((unsigned)(acc >> (5 * k)) & 31U);
		}
	}
	text[t] = '\0';
	sodium_memzero(&acc, sizeof acc);
}

bool crypto_recovery_parse(const char *text, uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES])
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t chars = 0, out = 0;
	bool ok = false;

	if (!text)
		goto fail;
	for (const char *p = text; *p; p++) {
		if (strchr(recovery_separators, *p))
			continue;
		int v = b32_value((unsigned char)*p);
		if (v < 0 || ++chars > 32)
			goto fail;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			raw[out++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1U;
		}
	}
	ok = chars == 32;
fail:
	if (!ok)
		sodium_memzero(raw, CRYPTO_RECOVERY_RAW_BYTES);
	sodium_memzero(&acc, sizeof acc);
	return ok;
}

void crypto_recovery_key(const uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES],
                         const uint8_t salt[CRYPTO_SALT_BYTES], uint8_t key[CRYPTO_KEY_BYTES])
{
	crypto_generichash(key, CRYPTO_KEY_BYTES, raw, CRYPTO_RECOVERY_RAW_BYTES, salt,
	                   CRYPTO_SALT_BYTES);
}

void crypto_token_new(char text[CRYPTO_TOKEN_TEXT_BYTES + 1])
{
	uint8_t raw[CRYPTO_TOKEN_BYTES];

	randombytes_buf(raw, sizeof raw);
	crypto_b64url_encode(raw, sizeof raw, text);
	sodium_memzero(raw, sizeof raw);
}

void crypto_token_hash(const char *text, size_t len, uint8_t out[CRYPTO_HASH_BYTES])
{
	crypto_digest(text, len, out);
}

void crypto_b64url_encode(const uint8_t *in, size_t n, char *out)
{
	const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

	sodium_bin2base64(out, sodium_base64_encoded_len(n, variant), in, n, variant);
}

bool crypto_b64url_decode(const char *in, size_t len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
	size_t n = 0;

	/* No characters to ignore and no end pointer: libsodium then refuses
	 * anything but the whole input as canonical unpadded base64url. */
	if ((!in && len) ||
	    sodium_base642bin(out, out_cap, in ? in : "", len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		if (out_len)
			*out_len = 0;
		return false;
	}
	if (out_len)
		*out_len = n;
	return true;
}

/* The per-entry key: crypto_kdf (BLAKE2b) of the JMK, subkey id = entry id. */
static bool entry_subkey(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                         uint8_t subkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES])
{
	return crypto_kdf_derive_from_key(subkey, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	                                  entry_id, entry_kdf_context, jmk) == 0;
}

size_t crypto_entry_sealed_size(size_t plain_len)
{
	const size_t overhead = CRYPTO_NONCE_BYTES + CRYPTO_TAG_BYTES;
	/* The largest plaintext whose padded size and overhead fit in size_t
	 * and the AEAD's message limit. */
	size_t limit = crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX;

	if (limit > SIZE_MAX - overhead)
		limit = SIZE_MAX - overhead;
	limit = limit / ENTRY_BLOCK * ENTRY_BLOCK;
	if (plain_len >= limit)
		return 0;
	return (plain_len / ENTRY_BLOCK + 1) * ENTRY_BLOCK + overhead;
}

bool crypto_entry_seal(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                       const void *plain, size_t plain_len, const void *ad, size_t ad_len,
                       uint8_t *out, size_t *out_len)
{
	uint8_t subkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t sealed = crypto_entry_sealed_size(plain_len);
	size_t padded_cap, padded = 0;
	uint8_t *body = out + CRYPTO_NONCE_BYTES;
	bool ok = false;

	*out_len = 0;
	if (sealed == 0 || (!plain && plain_len))
		return false;
	padded_cap = sealed - CRYPTO_NONCE_BYTES - CRYPTO_TAG_BYTES;
	if (!entry_subkey(jmk, entry_id, subkey))
		goto fail;
	/* Pad and encrypt in place in out, so the plaintext is never copied
	 * anywhere that outlives this call. */
	if (plain_len)
		memcpy(body, plain, plain_len);
	if (sodium_pad(&padded, body, plain_len, ENTRY_BLOCK, padded_cap) != 0 ||
	    padded != padded_cap)
		goto fail;
	randombytes_buf(out, CRYPTO_NONCE_BYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(body, NULL, body, padded, ad, ad_len, NULL,
	                                               out, subkey) != 0)
		goto fail;
	*out_len = sealed;
	ok = true;
fail:
	sodium_memzero(subkey, sizeof subkey);
	if (!ok)
		sodium_memzero(out, sealed);
	return ok;
}

size_t crypto_entry_open_cap(size_t sealed_len)
{
	const size_t overhead = CRYPTO_NONCE_BYTES + CRYPTO_TAG_BYTES;
	if (sealed_len < overhead + ENTRY_BLOCK || (sealed_len - overhead) % ENTRY_BLOCK != 0)
		return 0;
	return sealed_len - overhead;
}

bool crypto_entry_open_into(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                            const uint8_t *sealed, size_t sealed_len, const void *ad,
                            size_t ad_len, char *out, size_t out_cap, size_t *plain_len)
{
	uint8_t subkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t padded = crypto_entry_open_cap(sealed_len), unpadded = 0;
	bool ok = false;

	if (plain_len)
		*plain_len = 0;
	if (!sealed || !padded || !out || out_cap < padded)
		return false;
	if (!entry_subkey(jmk, entry_id, subkey))
		goto fail;
	/* padded > unpadded always (padding adds at least one byte), so the
	 * buffer has room for the terminating NUL. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, NULL, NULL,
	                                               sealed + CRYPTO_NONCE_BYTES,
	                                               sealed_len - CRYPTO_NONCE_BYTES, ad, ad_len,
	                                               sealed, subkey) != 0)
		goto fail;
	if (sodium_unpad(&unpadded, (const unsigned char *)out, padded, ENTRY_BLOCK) != 0 ||
	    unpadded >= padded)
		goto fail;
	out[unpadded] = '\0';
	if (plain_len)
		*plain_len = unpadded;
	ok = true;
fail:
	sodium_memzero(subkey, sizeof subkey);
	if (!ok)
		sodium_memzero(out, padded);
	return ok;
}

char *crypto_entry_open(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                        const uint8_t *sealed, size_t sealed_len, const void *ad, size_t ad_len,
                        size_t *plain_len)
{
	size_t cap = crypto_entry_open_cap(sealed_len);
	if (plain_len)
		*plain_len = 0;
	if (!sealed || !cap)
		return NULL;
	char *plain = sodium_malloc(cap);
	if (!plain)
		fatal("crypto_entry_open: out of memory (%zu bytes)", cap);
	if (!crypto_entry_open_into(jmk, entry_id, sealed, sealed_len, ad, ad_len, plain, cap,
	                            plain_len)) {
		sodium_free(plain);
		return NULL;
	}
	return plain;
}
