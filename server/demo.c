/*
 * demo.c - see demo.h. The people are fictional; the faculty named on the
 * course page are not turned into accounts.
 */
#include "cairn/demo.h"
#include "cairn/accounts.h"
#include "cairn/arena.h"
#include "cairn/db.h"
#include "cairn/log.h"
#include "cairn/migrate.h"

#include <sodium.h>
#include <string.h>

#define DEMO_PASSWORD "cairn-demo-2026"

static const account_fields people[] = {
	{"admin@cairn.test", "admin", "Morgan Admin", "other", "", "America/New_York", "both", true},
	{"director@cairn.test", "rivera", "Dr. Elena Rivera", "physician", "she/her",
	 "America/New_York", "both", false},
	{"facilitator@cairn.test", "okafor", "Chidi Okafor, RN", "nurse", "he/him",
	 "America/Chicago", "adult", false},
	{"nurse@cairn.test", "priya", "Priya Natarajan, RN", "nurse", "she/her",
	 "America/New_York", "adult", false},
	{"chaplain@cairn.test", "sam", "Sam Whitfield", "chaplain", "they/them",
	 "America/Denver", "adult", false},
	{"pediatrics@cairn.test", "lee", "Dr. Jordan Lee", "physician", "he/him",
	 "America/Los_Angeles", "pediatric", false},
	{"socialwork@cairn.test", "amara", "Amara Osei, LICSW", "social_worker", "she/her",
	 "America/New_York", "pediatric", false},
	{"pharmacist@cairn.test", "tomas", "Tomás Herrera, PharmD", "pharmacist", "",
	 "America/New_York", "adult", false},
};

bool demo_load(PGconn *db, const char *sql_dir, FILE *out)
{
	PGresult *r = db_q0(db, "SELECT count(*) FROM series WHERE slug = 'palliative-care'");
	if (!r)
		return false;
	bool loaded = strcmp(db_val(r, 0, 0), "0") != 0;
	PQclear(r);
	if (!loaded) {
		char path[4096];
		snprintf(path, sizeof path, "%s/demo/series.sql", sql_dir);
		if (!migrate_run_file(db, path))
			return false;
		fprintf(out, "Loaded the demo series (Palliative Care Education Series).\n");
	}

	arena a;
	arena_init(&a, 0);
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof people / sizeof people[0]; i++) {
		r = db_q(db, "SELECT 1 FROM users WHERE lower(email) = $1", people[i].email);
		if (!r) {
			ok = false;
			break;
		}
		bool exists = PQntuples(r) > 0;
		PQclear(r);
		if (exists)
			continue;
		int64_t uid;
		uint8_t jmk[32];
		char code[64];
		const char *conflict = NULL;
		ok = db_begin(db) &&
		     accounts_create(db, &a, &people[i], DEMO_PASSWORD, &uid, jmk, code, &conflict) &&
		     db_exec(db, "UPDATE credentials SET recovery_confirmed = true WHERE user_id = $1",
		             1, (const char *[]){arena_sprintf(&a, "%lld", (long long)uid)}) &&
		     db_commit(db);
		sodium_memzero(jmk, sizeof jmk);
		sodium_memzero(code, sizeof code);
		if (!ok) {
			db_rollback(db);
			log_error("demo: cannot create %s%s%s", people[i].email, conflict ? ": " : "",
			          conflict ? conflict : "");
		}
	}
	arena_free(&a);
	if (!ok)
		return false;
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/enrollments.sql", sql_dir);
	if (!migrate_run_file(db, path))
		return false;
	fprintf(out, "\nDemo logins (password for every account: %s)\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
		fprintf(out, "  %-24s %s%s\n", people[i].email, people[i].display_name,
		        people[i].is_admin ? " (administrator)" : "");
	return true;
}
