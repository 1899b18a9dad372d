/*
 * keys.h - the life of a user's password and journal keys in the database
 * (DESIGN §6): creation at sign-up, verification at sign-in, password
 * change, admin-issued reset, and unlocking with the recovery code.
 *
 * Every function runs inside the caller's transaction and touches only the
 * credentials and journal_keys rows of one user. Keys handed back to the
 * caller are the caller's to wipe (sodium_memzero).
 *
 * Key versions: a reset starts a new journal master key (JMK) version,
 * because the old one cannot be opened without the old password or the
 * recovery code. Older versions stay reachable from the current one through
 * newer_wrap; a version that is not reachable is "locked" until its
 * recovery code is entered.
 */
#ifndef CAIRN_KEYS_H
#define CAIRN_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/crypto.h"

typedef enum keys_result {
	KEYS_OK,
	KEYS_WRONG,   /* wrong password or code */
	KEYS_ERROR,   /* the database failed */
} keys_result;

/* Why a password is not acceptable, or NULL if it is: at least 10
 * characters, at most 1024 bytes, valid text, not the email or the name. */
const char *keys_password_problem(const char *password, const char *email, const char *name);

/* New user: salt, verifier, JMK version 1, recovery code (text out). */
bool keys_create(PGconn *db, int64_t user_id, const char *password,
                 uint8_t jmk[CRYPTO_KEY_BYTES], char code[CRYPTO_RECOVERY_TEXT_BYTES + 1]);

/* A user's stored credentials, read once so the slow check can run with no
 * database connection held (sign-ins must not starve page requests of
 * pool connections while Argon2id works). */
typedef struct keys_creds {
	bool found;                 /* false: no credentials (check still costs one run) */
	int64_t user_id;
	uint8_t salt[CRYPTO_SALT_BYTES];
	uint8_t verifier_hash[CRYPTO_HASH_BYTES];
	uint64_t ops, mem;
	int version;
	bool has_wrap;
	uint8_t wrap[CRYPTO_WRAP_BYTES];
} keys_creds;

/* Read the credentials; KEYS_WRONG when there are none (c->found false). */
keys_result keys_load(PGconn *db, int64_t user_id, keys_creds *c);
/* Check a password against loaded credentials (one Argon2id run, no
 * database). On KEYS_OK the current JMK and its version are returned. */
keys_result keys_check(const keys_creds *c, const char *password,
                       uint8_t jmk[CRYPTO_KEY_BYTES], int *version);

/* Check a password (one Argon2id run). On KEYS_OK the current JMK and its
 * version are returned. */
keys_result keys_verify(PGconn *db, int64_t user_id, const char *password,
                        uint8_t jmk[CRYPTO_KEY_BYTES], int *version);

/* Spend the same Argon2id work as keys_verify for an unknown email, so the
 * answer takes the same time. Always "wrong". */
void keys_verify_nobody(const char *email, const char *password);

/* Re-wrap the (unchanged) JMK under a KEK from the new password. */
bool keys_change_password(PGconn *db, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES],
                          int version, const char *new_password);

/* Admin-issued reset: new password, a new JMK version (older ones become
 * locked), a new recovery code for the new version. */
bool keys_reset(PGconn *db, int64_t user_id, const char *new_password,
                uint8_t jmk[CRYPTO_KEY_BYTES], int *version,
                char code[CRYPTO_RECOVERY_TEXT_BYTES + 1]);

/* Enter a recovery code: every locked version it opens is linked to the
 * current JMK again, and a new code is issued for the current version.
 * *unlocked counts the versions it brought back. */
keys_result keys_recover(PGconn *db, int64_t user_id, const char *code_text,
                         const uint8_t jmk[CRYPTO_KEY_BYTES], int version, int *unlocked,
                         char new_code[CRYPTO_RECOVERY_TEXT_BYTES + 1]);

/* Issue a fresh recovery code for the current version (old codes stop
 * opening it). */
bool keys_new_code(PGconn *db, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES], int version,
                   char code[CRYPTO_RECOVERY_TEXT_BYTES + 1]);

/* Rotation, first half: a new JMK version (returned in jmk/version) wrapped
 * under a KEK from the (already verified) password with a fresh salt, and a
 * new recovery code for it. The caller re-encrypts everything under the
 * new key, then calls keys_drop_older, in the same transaction. */
bool keys_rotate(PGconn *db, int64_t user_id, const char *password,
                 uint8_t jmk[CRYPTO_KEY_BYTES], int *version,
                 char code[CRYPTO_RECOVERY_TEXT_BYTES + 1]);
/* Delete every key version older than `version` (with their recovery
 * wraps: no earlier code opens anything afterwards). Fails while anything
 * still refers to one of them. */
bool keys_drop_older(PGconn *db, int64_t user_id, int version);

/* How many older key versions are locked; -1 on a database error. */
int keys_locked_versions(PGconn *db, int64_t user_id);

/* Open the JMK of an older version via the chain from the current one.
 * false if locked or the database failed. */
bool keys_open_version(PGconn *db, int64_t user_id, const uint8_t current[CRYPTO_KEY_BYTES],
                       int current_version, int want, uint8_t out[CRYPTO_KEY_BYTES]);

#endif
