/*
 * auth.h - signing in and out, throttling, and the Argon2id gate.
 *
 * Argon2id is deliberately expensive (64 MiB, ~0.1-0.2 s of one core), so
 * at most one run per core happens at a time; a short queue waits its turn
 * and anything beyond it is answered 503 with Retry-After rather than tying
 * up every worker thread. Throttling by email (known or not) and by client
 * address is checked before Argon2id runs: a delay that grows with recent
 * failures and lifts by itself, never a lockout a stranger could trigger.
 */
#ifndef CAIRN_AUTH_H
#define CAIRN_AUTH_H

#include <stdbool.h>

#include "cairn/http.h"

enum {
	AUTH_WINDOW_SECONDS = 15 * 60,   /* failures older than this are forgotten */
	AUTH_FREE_FAILURES_EMAIL = 5,    /* failures per email before delays start */
	AUTH_FREE_FAILURES_ADDR = 30,    /* failures per client address */
	AUTH_MAX_DELAY_SECONDS = 15 * 60,
};

/* Register /signin, /signout, /signout-everywhere. */
void auth_routes(router *r);

/* Enter the Argon2id gate (gate.h: one run per core, four per core may
 * wait up to 3 s); false if the queue is full or the wait ran out (answer
 * 503 with Retry-After). Every successful enter needs a leave. */
bool auth_gate_enter(void);
void auth_gate_leave(void);

/* Seconds the client must still wait before another attempt for key
 * (0: go ahead), -1 on a database error. */
int auth_throttle_wait(PGconn *db, const char *key, int free_failures, long long now);
bool auth_throttle_fail(PGconn *db, const char *key, long long now);
bool auth_throttle_clear(PGconn *db, const char *key);

/* The throttle key of an email address ("email:" and the address folded to
 * lower case, as sign-in counts it), in a. */
const char *auth_email_key(arena *a, const char *email);

/* Before a password check outside sign-in (password change, key rotation):
 * answer 429 if `key` must still wait, or 503 if the Argon2id gate is full,
 * or the database error page, and return false; true when the caller may
 * check the password (and must call auth_gate_leave afterwards). */
bool auth_check_enter(request *req, PGconn *db, const char *key, long long now);

/* Answer 503 "busy" with Retry-After (the gate was full). */
void auth_busy(request *req);
/* Answer 429 with Retry-After and re-render nothing else. */
void auth_too_many(request *req, int seconds);

#endif
