/*
 * tokens.h - single-use tokens: invitations, password resets, team
 * invitations (DESIGN §7).
 *
 * The token text (43 base64url characters) goes into a link and nowhere
 * else; the database keeps only its BLAKE2b hash. A token is looked at by a
 * GET (which changes nothing, since mail scanners follow links) and
 * consumed by the POST of the confirmation form, inside the transaction
 * that does what the token allows.
 */
#ifndef CAIRN_TOKENS_H
#define CAIRN_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/crypto.h"

typedef enum token_state {
	TOKEN_VALID,
	TOKEN_UNKNOWN,   /* never issued, or tampered with */
	TOKEN_USED,
	TOKEN_REVOKED,
	TOKEN_EXPIRED,
	TOKEN_DB_ERROR,
} token_state;

typedef struct token_row {
	int64_t id;
	const char *purpose;
	int64_t user_id;          /* 0 if none */
	const char *email;        /* "" if none */
	bool grants_admin;
	const char *data;         /* jsonb as text */
} token_row;

/* What a token carries for whoever consumes it (tokens.data, jsonb), by
 * the keys they read. A field that is 0, NULL or false is left out, and the
 * fees only go with an import. PostgreSQL builds the JSON from these as
 * parameters: no text is ever spliced into JSON, so a value with quotes,
 * backslashes or braces is stored as it is. */
typedef struct token_data {
	int64_t offering_id;        /* an invitation to an offering (enroll_after_invite) */
	const char *role;           /* learner, facilitator or director */
	bool import;                /* from an enrollment import: the portal's terms follow */
	const char *fee_category;
	int64_t team_id;
	const char *price_kind;     /* "early" or "regular" */
	long long course_fee_cents, processing_fee_cents;
	int64_t team_member_id;     /* a team invitation */
} token_data;

/* Issue a token; text receives the link's token. Returns the row id, or 0
 * on a database error. ttl_seconds from now (the app clock). data may be
 * NULL (nothing carried: {}). */
int64_t token_issue(PGconn *db, arena *a, const char *purpose, int64_t user_id,
                    const char *email, bool grants_admin, int64_t created_by, long ttl_seconds,
                    const token_data *data, long long now, char text[CRYPTO_TOKEN_TEXT_BYTES + 1]);

/* Look a token up by its text for purpose. for_update locks the row (use
 * inside the consuming transaction). */
token_state token_find(PGconn *db, arena *a, const char *text, const char *purpose,
                       bool for_update, long long now, token_row *out);

bool token_consume(PGconn *db, int64_t id, long long now);
bool token_revoke(PGconn *db, int64_t id, long long now);

/* A sentence for a person about a token that cannot be used. */
const char *token_state_text(token_state st);

#endif
