/*
 * crypto.h - the key schedule of DESIGN §6, on libsodium.
 *
 * Passwords: one Argon2id run per sign-in (crypto_pwhash, ALG_ARGON2ID13,
 * 64 MiB, 3 passes, a random 16-byte salt per user, 64 bytes out). The first
 * 32 bytes verify the password (only their BLAKE2b hash is stored, compared
 * in constant time); the last 32 bytes are the key-encryption key (KEK),
 * never stored.
 *
 * Wrapping: XChaCha20-Poly1305 (IETF) with a random 24-byte nonce; a wrap is
 * nonce || ciphertext || tag. Associated data always names the purpose, the
 * user and the key version (and the session for session wraps), so a wrap
 * copied to another user's or session's row fails to open.
 *
 * Recovery codes: 160 random bits, shown as 32 base32 characters (RFC 4648
 * alphabet A-Z 2-7, without padding) in 8 groups of 4 joined by '-'.
 * Parsing is forgiving: case, spaces, tabs and dashes are ignored, and the
 * digits 0, 1 and 8, which never appear in a code, are read as the letters
 * they are mistaken for: O, I and B. Letters (I, L, O and B included) always
 * stand for themselves. The recovery key is BLAKE2b-256(code bytes, keyed
 * with the user's 16-byte recovery salt).
 *
 * Tokens (sessions, invites, resets, CSRF) are random bytes encoded as
 * base64url without padding; the server stores only BLAKE2b-256(token).
 *
 * All functions return true on success. Secrets passed in are not kept;
 * callers wipe their own buffers with sodium_memzero after use. The module
 * keeps no state: after crypto_init every function may be called from any
 * thread.
 */
#ifndef CAIRN_CRYPTO_H
#define CAIRN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CRYPTO_KEY_BYTES = 32,
	CRYPTO_SALT_BYTES = 16,
	CRYPTO_HASH_BYTES = 32,
	CRYPTO_NONCE_BYTES = 24,
	CRYPTO_TAG_BYTES = 16,
	/* A wrapped 32-byte key: nonce + key + tag. */
	CRYPTO_WRAP_BYTES = CRYPTO_NONCE_BYTES + CRYPTO_KEY_BYTES + CRYPTO_TAG_BYTES,
	CRYPTO_RECOVERY_RAW_BYTES = 20,        /* 160 bits */
	CRYPTO_RECOVERY_TEXT_BYTES = 32 + 7,   /* 8 groups of 4, 7 dashes */
	CRYPTO_TOKEN_BYTES = 32,
	CRYPTO_TOKEN_TEXT_BYTES = 43,          /* base64url of 32 bytes, no padding */
	CRYPTO_PASSWORD_MIN_CHARS = 10,
	CRYPTO_PASSWORD_MAX_BYTES = 1024,
	/* Room for any crypto_wrap_ad text, NUL included. */
	CRYPTO_AD_MAX_BYTES = 128,
	/* Longest purpose crypto_wrap_ad accepts. */
	CRYPTO_AD_PURPOSE_MAX = 32,
};

/* Argon2id limits; fixed by DESIGN §6 and stored with each credential so
 * they can be raised later without locking anyone out. */
#define CRYPTO_PWHASH_OPSLIMIT 3ULL
#define CRYPTO_PWHASH_MEMLIMIT (64ULL * 1024 * 1024)

/* Call once at start (sodium_init); false if libsodium cannot start. */
bool crypto_init(void);

void crypto_random(void *out, size_t n);

/* Argon2id(password, salt) -> verifier (32) and KEK (32). Slow by design:
 * about 0.2 s at the DESIGN limits on the 2-core development VM when idle,
 * twice that under load; callers pass through the KDF gate (auth.c) first. The
 * password may be empty (NULL with length 0); the length policy is auth's.
 * False (outputs zeroed) if the limits are outside libsodium's range or
 * Argon2id cannot get its memory. */
bool crypto_derive(const char *password, size_t password_len,
                   const uint8_t salt[CRYPTO_SALT_BYTES], uint64_t opslimit, uint64_t memlimit,
                   uint8_t verifier[CRYPTO_KEY_BYTES], uint8_t kek[CRYPTO_KEY_BYTES]);

/* BLAKE2b-256 of data (unkeyed). (Not "crypto_hash": libsodium owns that name.) */
void crypto_digest(const void *data, size_t len, uint8_t out[CRYPTO_HASH_BYTES]);
/* Constant-time equality of two 32-byte values. */
bool crypto_equal32(const uint8_t a[32], const uint8_t b[32]);

/* Seal a 32-byte key under wrapping_key with associated data. */
void crypto_wrap_key(const uint8_t wrapping_key[CRYPTO_KEY_BYTES],
                     const uint8_t key[CRYPTO_KEY_BYTES], const void *ad, size_t ad_len,
                     uint8_t out[CRYPTO_WRAP_BYTES]);
/* Open a wrap; false (key zeroed) if it was tampered with, moved, has the
 * wrong length, or the key is wrong. */
bool crypto_unwrap_key(const uint8_t wrapping_key[CRYPTO_KEY_BYTES],
                       const uint8_t *wrap, size_t wrap_len, const void *ad, size_t ad_len,
                       uint8_t key[CRYPTO_KEY_BYTES]);

/* Associated data for a wrap: "cairn/<purpose>/v1|user=<id>|version=<v>"
 * plus "|session=<sid>" when session_id > 0, NUL-terminated; returns its
 * length (without the NUL). purpose is a constant of the caller's: 1 to
 * CRYPTO_AD_PURPOSE_MAX characters of [a-z0-9_-], so no two argument lists
 * give the same text. A purpose outside that set or a cap below what the text
 * needs (CRYPTO_AD_MAX_BYTES always suffices) is a programming error and
 * fatal: a wrap must never go out with missing or truncated associated data. */
size_t crypto_wrap_ad(char *out, size_t cap, const char *purpose, int64_t user_id,
                      int key_version, int64_t session_id);

/* A fresh recovery code: raw bytes and its display text (NUL-terminated). */
void crypto_recovery_new(uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES],
                         char text[CRYPTO_RECOVERY_TEXT_BYTES + 1]);
/* Parse what a person typed back into raw bytes; false (raw zeroed) if it
 * is not exactly 32 code characters once separators are dropped, or holds
 * any character other than a base32 letter or digit, 0, 1, 8, space, tab or
 * '-'. Separators may sit anywhere. */
bool crypto_recovery_parse(const char *text, uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES]);
/* The recovery key for raw code bytes under the user's recovery salt. */
void crypto_recovery_key(const uint8_t raw[CRYPTO_RECOVERY_RAW_BYTES],
                         const uint8_t salt[CRYPTO_SALT_BYTES], uint8_t key[CRYPTO_KEY_BYTES]);

/* A fresh random token as base64url text (NUL-terminated). */
void crypto_token_new(char text[CRYPTO_TOKEN_TEXT_BYTES + 1]);
/* Hash a token's text for storage or lookup. */
void crypto_token_hash(const char *text, size_t len, uint8_t out[CRYPTO_HASH_BYTES]);

/* base64url without padding. encode: out must hold 4*ceil(n/3)+1 bytes;
 * the text is NUL-terminated. decode: strict - false on any character
 * outside A-Z a-z 0-9 '-' '_' (padding '=' included), a length that is 1 mod
 * 4, unused trailing bits that are not zero, or more than out_cap bytes of
 * output. out_len may be NULL. */
void crypto_b64url_encode(const uint8_t *in, size_t n, char *out);
bool crypto_b64url_decode(const char *in, size_t len, uint8_t *out, size_t out_cap,
                          size_t *out_len);

/* Journal entries (used by the journal module): pad to 256-byte blocks and
 * seal under a per-entry subkey of the JMK derived with crypto_kdf
 * (context "cairnjnl", subkey id = entry id). A sealed entry is
 * nonce || ciphertext || tag; every plaintext of 0..255 bytes seals to the
 * same size, 256..511 to the next, and so on (padding always adds at least
 * one byte). out must hold crypto_entry_sealed_size(len) bytes, which is 0
 * if len is too large to seal (seal then returns false), and must not
 * overlap plain. On failure *out_len is 0 and out is wiped. */
size_t crypto_entry_sealed_size(size_t plain_len);
bool crypto_entry_seal(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                       const void *plain, size_t plain_len, const void *ad, size_t ad_len,
                       uint8_t *out, size_t *out_len);
/* Opens into a sodium_malloc'd buffer the caller frees with sodium_free
 * (after the plaintext is no longer needed). NULL on failure. */
char *crypto_entry_open(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                        const uint8_t *sealed, size_t sealed_len, const void *ad, size_t ad_len,
                        size_t *plain_len);
/* The same, into the caller's out (at least crypto_entry_open_cap(sealed_len)
 * bytes; the plaintext is NUL-terminated there): for a page that opens many
 * entries at once, where a sodium_malloc per entry (guard pages, mlock,
 * mprotect: several system calls and TLB shootdowns each) cost more than
 * everything else together. The caller owns wiping out, e.g. by opening
 * into a request arena that arena_wipe zeroes (journal.h). false on
 * failure: what was decrypted into out is wiped, and arguments refused
 * (a length no sealed entry has, out_cap too small) write nothing.
 * crypto_entry_open_cap is 0 for a length no sealed entry can have. */
size_t crypto_entry_open_cap(size_t sealed_len);
bool crypto_entry_open_into(const uint8_t jmk[CRYPTO_KEY_BYTES], uint64_t entry_id,
                            const uint8_t *sealed, size_t sealed_len, const void *ad,
                            size_t ad_len, char *out, size_t out_cap, size_t *plain_len);

#endif
