/*
 * space.c - see space.h. The one place where standing in a space becomes
 * what a person may do there.
 */
#include "cairn/space.h"
#include "cairn/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned space_caps(const char *kind, int role)
{
	if (role < 1)
		return 0;
	unsigned caps = SPACE_READ | SPACE_POST;
	/* Announcements are the staff's to start; everyone may reply. */
	if (strcmp(kind, "announcements") || role >= 2)
		caps |= SPACE_START;
	if (role >= 2)
		caps |= SPACE_MODERATE;
	return caps;
}

bool space_load(PGconn *db, arena *a, int64_t user_id, int64_t id, space *out, bool *found)
{
	char sid[24], uid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(uid, sizeof uid, "%lld", (long long)user_id);
	PGresult *r = db_q(db,
		"SELECT s.kind, s.title, " SPACE_CONTEXT_SQL " AS context,"
		" coalesce(o.slug, '') AS offering_slug, coalesce(s.offering_id, 0) AS offering_id,"
		" coalesce(s.group_id, 0) AS group_id,"
		" cairn_space_role($2, s.id) AS role"
		" FROM spaces s" SPACE_JOINS " WHERE s.id = $1",
		sid, uid);
	if (!r)
		return false;
	*found = false;
	if (PQntuples(r) == 1) {
		const char *kind = db_val(r, 0, PQfnumber(r, "kind"));
		unsigned caps = space_caps(kind, atoi(db_val(r, 0, PQfnumber(r, "role"))));
		if (caps & SPACE_READ) {
			*found = true;
			*out = (space){
				.id = id,
				.kind = arena_strdup(a, kind),
				.title = arena_strdup(a, db_val(r, 0, PQfnumber(r, "title"))),
				.context = arena_strdup(a, db_val(r, 0, PQfnumber(r, "context"))),
				.offering_slug = arena_strdup(a, db_val(r, 0, PQfnumber(r, "offering_slug"))),
				.offering_id = atoll(db_val(r, 0, PQfnumber(r, "offering_id"))),
				.group_id = atoll(db_val(r, 0, PQfnumber(r, "group_id"))),
				.caps = caps,
			};
		}
	}
	PQclear(r);
	return true;
}
