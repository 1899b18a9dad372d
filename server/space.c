/*
 * space.c - see space.h. The one place where standing in a space becomes
 * what a person may do there.
 */
#include "cairn/space.h"
#include "cairn/db.h"
#include "cairn/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned space_caps(const char *kind, int role, space_state st)
{
	if (role < 1)
		return 0;
	if (role >= 2)
		return SPACE_READ | SPACE_POST | SPACE_START | SPACE_MODERATE | SPACE_REACT;
	unsigned caps = SPACE_READ | SPACE_REACT;
	if (st.muted)
		return caps;
	caps |= SPACE_POST;
	/* Announcements are the staff's to start; everyone may reply. */
	if (strcmp(kind, "announcements"))
		caps |= SPACE_START;
	if (st.premoderated)
		caps |= SPACE_HELD;
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
		" cairn_space_role($2, s.id) AS role, s.premoderated,"
		" coalesce((SELECT floor(extract(epoch FROM m.until))::bigint FROM mutes m"
		"  WHERE m.space_id = s.id AND m.user_id = $2 AND m.until > cairn_now()), 0) AS muted_until"
		" FROM spaces s" SPACE_JOINS " WHERE s.id = $1",
		sid, uid);
	if (!r)
		return false;
	*found = false;
	if (PQntuples(r) == 1) {
		const char *kind = db_val(r, 0, PQfnumber(r, "kind"));
		int64_t muted_until = atoll(db_val(r, 0, PQfnumber(r, "muted_until")));
		bool premoderated = db_val(r, 0, PQfnumber(r, "premoderated"))[0] == 't';
		unsigned caps = space_caps(kind, atoi(db_val(r, 0, PQfnumber(r, "role"))),
		                           (space_state){.muted = muted_until > 0,
		                                         .premoderated = premoderated});
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
				.muted_until = muted_until,
				.premoderated = premoderated,
				.caps = caps,
			};
		}
	}
	PQclear(r);
	return true;
}

bool space_allow(request *req, const space *s, unsigned caps, const char *refusal)
{
	if (space_can(s, caps))
		return true;
	http_error(req, refusal ? 403 : 404, refusal);
	return false;
}

bool space_require(request *req, PGconn *db, int64_t id, unsigned caps, const char *refusal,
                   space *out)
{
	bool found;
	if (!space_load(db, req->a, session_user(req)->id, id, out, &found)) {
		http_db_error(req);
		return false;
	}
	if (!found) {
		http_error(req, 404, NULL);
		return false;
	}
	return space_allow(req, out, caps, refusal);
}

bool space_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                        space *out)
{
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	return space_require(req, db, id, caps, refusal, out);
}
