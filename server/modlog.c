/*
 * modlog.c - see modlog.h. One INSERT; the database keeps the rest honest.
 */
#include "cairn/modlog.h"
#include "cairn/clock.h"
#include "cairn/db.h"

#include <stdio.h>
#include <stdlib.h>

/* An id as a parameter: NULL for 0 (none). */
static const char *id_param(char buf[24], int64_t id)
{
	if (!id)
		return NULL;
	snprintf(buf, 24, "%lld", (long long)id);
	return buf;
}

bool modlog_append(PGconn *db, const modlog_entry *e)
{
	int64_t id;
	return modlog_append_id(db, e, &id);
}

bool modlog_append_id(PGconn *db, const modlog_entry *e, int64_t *id)
{
	char actor[24], space[24], thread[24], post[24], subject[24], now[32];
	snprintf(now, sizeof now, "%.6f", (double)clock_now_us() / 1e6);
	const char *params[] = {
		id_param(actor, e->actor_id), id_param(space, e->space_id), e->action,
		id_param(thread, e->thread_id), id_param(post, e->post_id),
		id_param(subject, e->subject_id), e->reason ? e->reason : "",
		e->detail ? e->detail : "{}", now,
	};
	PGresult *r = db_query(db,
		"INSERT INTO moderation_log (at, actor_id, space_id, action, thread_id, post_id,"
		" subject_id, reason, detail)"
		" VALUES (to_timestamp($9::double precision), $1, $2, $3, $4, $5, $6, $7, $8::jsonb)"
		" RETURNING id",
		9, params);
	if (!r)
		return false;
	*id = atoll(db_val(r, 0, 0));
	PQclear(r);
	return true;
}
