/*
 * session.h - who is signing the request: sessions, the signed-in user, and
 * CSRF tokens (DESIGN §6 "Sessions", §7).
 *
 * The session cookie carries a random 32-byte token and a random 32-byte
 * session key (base64url, 86 characters). The server keeps BLAKE2b of both
 * (so a cookie with either half changed finds no session),
 * the expiry, a CSRF secret and the journal master key wrapped under the
 * session key; the session key itself is never stored, so a database dump
 * cannot open the wrapped journal key.
 *
 * Forms used before there is a session (sign-in, sign-up, invitations)
 * carry a token derived from a short-lived pre-session cookie, so a foreign
 * site cannot sign a victim into the attacker's account.
 */
#ifndef CAIRN_SESSION_H
#define CAIRN_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/http.h"

enum {
	SESSION_IDLE_SECONDS = 12 * 3600,       /* signed out after 12 h without a request */
	SESSION_ABSOLUTE_SECONDS = 14 * 86400,  /* and after 14 days whatever happens */
};

typedef struct user {
	int64_t id;
	const char *email, *handle, *display_name, *profession, *pronouns, *time_zone, *track;
	bool is_admin, listed;
} user;

typedef struct session {
	int64_t id;
	int64_t user_id;
	char csrf[CRYPTO_TOKEN_TEXT_BYTES + 1];
	uint8_t key[CRYPTO_KEY_BYTES];   /* from the cookie; wiped after the request */
	const uint8_t *jmk_wrap;         /* NULL when the journal is locked */
	size_t jmk_wrap_len;
	int jmk_version;
	bool pending_recovery;           /* a new recovery code waits to be shown */
} session;

/* The app's before/after hooks and layout decoration (see http.h). */
bool session_before(request *req);
void session_after(request *req);
void session_decorate_layout(request *req, tv *layout);

static inline user *session_user(request *req) { return (user *)req->user; }
static inline session *session_of(request *req) { return (session *)req->session; }

/* The CSRF token for forms on this page: the session's, or a pre-session
 * token (setting the pre-session cookie if there is none yet). */
const char *session_csrf(request *req);

/* Sign in: a new session row and cookie for user_id. jmk (may be NULL) is
 * wrapped under the new session key; pending_code (may be NULL) is a fresh
 * recovery code to show once. Inside the caller's transaction. */
bool session_create(request *req, PGconn *db, int64_t user_id, const uint8_t *jmk,
                    int jmk_version, const char *pending_code);
/* Sign out this session (delete the row, clear the cookie). */
bool session_destroy(request *req, PGconn *db);
/* Open the journal key held by this session into jmk; false if locked. */
bool session_jmk(request *req, uint8_t jmk[CRYPTO_KEY_BYTES]);
/* Hold a new journal key in this session (after a key rotation): wrapped
 * under the session key, as session_create does. */
bool session_set_jmk(request *req, PGconn *db, const uint8_t jmk[CRYPTO_KEY_BYTES],
                     int version);
/* Replace the session's pending recovery code (NULL clears it). */
bool session_set_pending(request *req, PGconn *db, const char *code);
/* Read (and decrypt) the pending recovery code into out; false if none. */
bool session_pending_code(request *req, PGconn *db, char out[CRYPTO_RECOVERY_TEXT_BYTES + 1]);

/* "Now" as decimal seconds for SQL parameters (to_timestamp($n)). */
const char *session_now_param(request *req);

#endif
