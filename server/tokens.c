/*
 * tokens.c - see tokens.h.
 */
#include "cairn/tokens.h"
#include "cairn/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An id as a parameter: 0 (none) is SQL NULL. */
static const char *id_param(arena *a, int64_t id)
{
	return id ? arena_sprintf(a, "%lld", (long long)id) : NULL;
}

int64_t token_issue(PGconn *db, arena *a, const char *purpose, int64_t user_id,
                    const char *email, bool grants_admin, int64_t created_by, long ttl_seconds,
                    const token_data *data, long long now, char text[CRYPTO_TOKEN_TEXT_BYTES + 1])
{
	static const token_data none;
	const token_data *d = data ? data : &none;
	uint8_t hash[CRYPTO_HASH_BYTES];
	crypto_token_new(text);
	crypto_token_hash(text, strlen(text), hash);
	const char *params[] = {
		db_bytea_param(a, hash, sizeof hash),
		purpose,
		user_id ? arena_sprintf(a, "%lld", (long long)user_id) : NULL,
		email,
		grants_admin ? "true" : "false",
		created_by ? arena_sprintf(a, "%lld", (long long)created_by) : NULL,
		arena_sprintf(a, "%lld", now),
		arena_sprintf(a, "%ld", ttl_seconds),
		id_param(a, d->offering_id),
		d->role,
		d->import ? "true" : NULL,
		d->fee_category,
		id_param(a, d->team_id),
		d->price_kind,
		d->import ? arena_sprintf(a, "%lld", d->course_fee_cents) : NULL,
		d->import ? arena_sprintf(a, "%lld", d->processing_fee_cents) : NULL,
		id_param(a, d->team_member_id),
	};
	PGresult *r = db_query(db,
		"INSERT INTO tokens (token_hash, purpose, user_id, email, grants_admin, created_by,"
		" created_at, expires_at, data) VALUES ($1::bytea, $2, $3, $4, $5, $6,"
		" to_timestamp($7), to_timestamp($7) + make_interval(secs => $8::int),"
		" jsonb_strip_nulls(jsonb_build_object('offering_id', $9::bigint, 'role', $10::text,"
		"  'import', $11::boolean, 'fee_category', $12::text, 'team_id', $13::bigint,"
		"  'price_kind', $14::text, 'course_fee_cents', $15::bigint,"
		"  'processing_fee_cents', $16::bigint, 'team_member_id', $17::bigint)))"
		" RETURNING id",
		17, params);
	if (!r)
		return 0;
	int64_t id = atoll(db_val(r, 0, 0));
	PQclear(r);
	return id;
}

token_state token_find(PGconn *db, arena *a, const char *text, const char *purpose,
                       bool for_update, long long now, token_row *out)
{
	memset(out, 0, sizeof *out);
	if (!text || strlen(text) != CRYPTO_TOKEN_TEXT_BYTES)
		return TOKEN_UNKNOWN;
	uint8_t raw[CRYPTO_TOKEN_BYTES];
	size_t n = 0;
	if (!crypto_b64url_decode(text, strlen(text), raw, sizeof raw, &n) || n != sizeof raw)
		return TOKEN_UNKNOWN;
	uint8_t hash[CRYPTO_HASH_BYTES];
	crypto_token_hash(text, strlen(text), hash);
	const char *sql = for_update
		? "SELECT id, purpose, coalesce(user_id, 0), coalesce(email, ''), grants_admin,"
		  " data::text, consumed_at IS NOT NULL, revoked_at IS NOT NULL,"
		  " expires_at <= to_timestamp($3) FROM tokens"
		  " WHERE token_hash = $1::bytea AND purpose = $2 FOR UPDATE"
		: "SELECT id, purpose, coalesce(user_id, 0), coalesce(email, ''), grants_admin,"
		  " data::text, consumed_at IS NOT NULL, revoked_at IS NOT NULL,"
		  " expires_at <= to_timestamp($3) FROM tokens"
		  " WHERE token_hash = $1::bytea AND purpose = $2";
	PGresult *r = db_query(db, sql, 3,
	                       (const char *[]){db_bytea_param(a, hash, sizeof hash), purpose,
	                                        arena_sprintf(a, "%lld", now)});
	if (!r)
		return TOKEN_DB_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return TOKEN_UNKNOWN;
	}
	out->id = atoll(db_val(r, 0, 0));
	out->purpose = arena_strdup(a, db_val(r, 0, 1));
	out->user_id = atoll(db_val(r, 0, 2));
	out->email = arena_strdup(a, db_val(r, 0, 3));
	out->grants_admin = db_val(r, 0, 4)[0] == 't';
	out->data = arena_strdup(a, db_val(r, 0, 5));
	token_state st = db_val(r, 0, 6)[0] == 't'   ? TOKEN_USED
	                 : db_val(r, 0, 7)[0] == 't' ? TOKEN_REVOKED
	                 : db_val(r, 0, 8)[0] == 't' ? TOKEN_EXPIRED
	                                             : TOKEN_VALID;
	PQclear(r);
	return st;
}

bool token_consume(PGconn *db, int64_t id, long long now)
{
	char ids[24], nows[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(nows, sizeof nows, "%lld", now);
	PGresult *r = db_q(db,
	                   "UPDATE tokens SET consumed_at = to_timestamp($2) WHERE id = $1"
	                   " AND consumed_at IS NULL AND revoked_at IS NULL RETURNING id",
	                   ids, nows);
	bool ok = r && PQntuples(r) == 1;
	PQclear(r);
	return ok;
}

bool token_revoke(PGconn *db, int64_t id, long long now)
{
	char ids[24], nows[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(nows, sizeof nows, "%lld", now);
	return db_exec(db,
	               "UPDATE tokens SET revoked_at = to_timestamp($2) WHERE id = $1"
	               " AND consumed_at IS NULL AND revoked_at IS NULL",
	               2, (const char *[]){ids, nows});
}

const char *token_state_text(token_state st)
{
	switch (st) {
	case TOKEN_VALID: return "This link is valid.";
	case TOKEN_USED: return "This link has already been used. Each link works once.";
	case TOKEN_REVOKED: return "This link was withdrawn by the person who sent it.";
	case TOKEN_EXPIRED: return "This link has expired. Ask for a new one.";
	case TOKEN_DB_ERROR: return "Cairn cannot check this link right now.";
	case TOKEN_UNKNOWN:
	default: return "This link is not valid. Check that you copied all of it, or ask for a "
	                "new one.";
	}
}
