/*
 * away.h - stepping away from a thread or a whole space for a while
 * (issue 12 item 5).
 *
 * A member who needs a break from a hard conversation steps away from it
 * for 1, 3, 7, 14, 30 or 90 days (sql/018_stepping_away.sql). Until then
 * nothing of it reaches them: no notification (a mention of them included),
 * so no outbox message, and nothing of it counts as unread in the header's
 * badge, the discussions list, the home page, the group lists and the
 * thread lists. Reading it is never refused, and they may come back early.
 * A moderator's notice about their own post still reaches them: it is about
 * them, not the conversation.
 *
 * This module has the pages and forms; the features that notify and count
 * (notify.c, forum.c, group.c) leave stepped-away threads out with the SQL
 * conditions below, so the rule lives here and costs them one condition.
 */
#ifndef CAIRN_AWAY_H
#define CAIRN_AWAY_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/router.h"
#include "cairn/template.h"

enum { AWAY_MAX_DAYS = 90 }; /* the longest break one may choose */

/* The SQL condition "user u has stepped away, now, from space `space` or
 * from thread `thread`" (three SQL expressions; "now" is cairn_now(), the
 * one clock). u must not depend on the row (a parameter such as "$1"): the
 * person's stepped-away spaces and threads are then read once per statement
 * (two index scans on step_aways' partial indexes) and each row costs two
 * lookups in short arrays. For hot pages: thread lists, unread sums, the
 * notification badge. */
#define AWAY_SQL(u, space, thread)                                                          \
	"(" space " = ANY (ARRAY(SELECT sa.space_id FROM step_aways sa WHERE sa.user_id = " u   \
	" AND sa.space_id IS NOT NULL AND sa.until > cairn_now()))"                             \
	" OR " thread " = ANY (ARRAY(SELECT sa.thread_id FROM step_aways sa"                    \
	" WHERE sa.user_id = " u " AND sa.thread_id IS NOT NULL AND sa.until > cairn_now())))"

/* The SQL condition "person u (an expression that may depend on the row)
 * had stepped away from space `space` or thread `thread` at instant `at` (a
 * timestamptz expression)", for a statement over many people: whom a new
 * post notifies. Each person is one probe of the partial indexes. */
#define AWAY_AT_SQL(u, space, thread, at)                                                   \
	"EXISTS (SELECT 1 FROM step_aways sa WHERE sa.user_id = " u " AND sa.until > " at      \
	" AND sa.created_at <= " at " AND (sa.space_id = " space " OR sa.thread_id = " thread  \
	"))"

/* Routes: GET/POST /t/:id/away, POST /t/:id/back, and the same under
 * /s/:id for a whole space. */
void away_routes(router *r);

/* Set v's "away" for the page of a space (thread_id 0) or of a thread in
 * space space_id, as user_id sees it in zone: {stepped: [{what, until,
 * back}] (the step-aways in force: the thread's, and the space's), offer
 * (the address of the form to step away from this thread or space, or
 * null when already away from it), notice (after coming back: done is
 * the page's ?away= value, or NULL)}. Rendered by
 * templates/partials/away.html. false after a database error. */
bool away_view(PGconn *db, arena *a, int64_t user_id, const char *zone, int64_t space_id,
               int64_t thread_id, const char *done, tv *v);

#endif
