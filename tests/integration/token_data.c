/*
 * token_data - token data is built by PostgreSQL from parameters: values
 * with quotes, backslashes and braces come back from tokens.data exactly as
 * given. Formatting such a value into JSON text in C (as token data once
 * was) would have made an invalid document, or a different one.
 *
 * Against the integration fixture's database (argv[1]: a libpq conninfo),
 * through token_issue and token_find themselves; the token is deleted after.
 */
#include "cairn/db.h"
#include "cairn/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(const char *what, const char *got, const char *want)
{
	if (got && want && !strcmp(got, want))
		return;
	fprintf(stderr, "FAIL %s: got %s, want %s\n", what, got ? got : "(null)",
	        want ? want : "(null)");
	failures++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: token_data CONNINFO\n");
		return 2;
	}
	PGconn *db = db_connect(argv[1]);
	if (!db)
		return 2;
	arena ar;
	arena_init(&ar, 1 << 16);
	arena *a = &ar;
	const char *role = "a \"quoted\" role\\ with {braces}, [brackets] and \": \"\\\"";
	const char *category = "\"}, \"import\": true, \"x\": {\"";
	const char *kind = "\\u0000 \\n not an escape";
	token_data d = {.offering_id = 9007199254740993LL, .role = role, .import = true,
	                .fee_category = category, .price_kind = kind, .course_fee_cents = -1,
	                .processing_fee_cents = 0};
	char text[CRYPTO_TOKEN_TEXT_BYTES + 1];
	int64_t id = token_issue(db, a, "invite", 0, "token-data@example.test", false, 0, 60, &d,
	                         1700000000, text);
	if (!id) {
		fprintf(stderr, "FAIL token_issue refused the data\n");
		return 1;
	}
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	PGresult *r = db_q(db,
		"SELECT data->>'role', data->>'fee_category', data->>'price_kind',"
		" data->>'offering_id', data->>'course_fee_cents', data->>'processing_fee_cents',"
		" data->>'import', (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(data) k)"
		" FROM tokens WHERE id = $1", ids);
	if (!r || PQntuples(r) != 1) {
		fprintf(stderr, "FAIL the token row is not there\n");
		return 1;
	}
	expect("role", db_val(r, 0, 0), role);
	expect("fee_category", db_val(r, 0, 1), category);
	expect("price_kind", db_val(r, 0, 2), kind);
	expect("offering_id", db_val(r, 0, 3), "9007199254740993");
	expect("course_fee_cents", db_val(r, 0, 4), "-1");
	expect("processing_fee_cents", db_val(r, 0, 5), "0");
	expect("import", db_val(r, 0, 6), "true");
	/* Only the keys given: no key made out of a value, none left empty. */
	expect("keys", db_val(r, 0, 7),
	       "course_fee_cents,fee_category,import,offering_id,price_kind,processing_fee_cents,role");
	PQclear(r);

	/* What a consumer reads through token_find is the same document. */
	token_row row;
	if (token_find(db, a, text, "invite", false, 1700000001, &row) != TOKEN_VALID) {
		fprintf(stderr, "FAIL token_find did not find the token\n");
		failures++;
	} else {
		r = db_q(db, "SELECT $1::jsonb = data FROM tokens WHERE id = $2", row.data, ids);
		expect("token_find's data", r ? db_val(r, 0, 0) : NULL, "t");
		if (r)
			PQclear(r);
	}

	/* A token without data carries {}. */
	int64_t empty = token_issue(db, a, "reset", 0, "token-data@example.test", false, 0, 60, NULL,
	                            1700000000, text);
	char eids[24];
	snprintf(eids, sizeof eids, "%lld", (long long)empty);
	r = empty ? db_q(db, "SELECT data::text FROM tokens WHERE id = $1", eids) : NULL;
	expect("no data", r ? db_val(r, 0, 0) : NULL, "{}");
	if (r)
		PQclear(r);

	if (!db_exec(db, "DELETE FROM tokens WHERE id IN ($1, $2)", 2, (const char *[]){ids, eids}))
		failures++;
	PQfinish(db);
	arena_free(a);
	if (failures)
		return 1;
	printf("token data round-trips: quotes, backslashes, braces, a big id, negative cents\n");
	return 0;
}
