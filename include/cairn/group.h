/*
 * group.h - small groups: the page a group's people meet on, and the list
 * of groups a person can see (issue 10 items 3-4).
 *
 * A group belongs to a series and one track and persists across the
 * series' courses (sql/011_groups.sql). Who may see it is the group space's
 * standing (cairn_space_role through space.h): its current members while
 * they hold a confirmed enrollment in a current or upcoming offering of the
 * series, its facilitators while assigned for an offering that has not
 * ended, the series' directors and admins. Everyone else is answered 404,
 * exactly as for a group that does not exist. Placing learners into groups
 * is placement's work; this module only shows them.
 */
#ifndef CAIRN_GROUP_H
#define CAIRN_GROUP_H

#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/http.h"
#include "cairn/template.h"

/* The SQL condition "an open member u of a group of series s reads it
 * now": they hold a confirmed learner's place in a current or upcoming
 * offering of the series. cairn_space_role's group branch (sql/021) asks the
 * same; a member for whom it does not hold is between courses, keeps their
 * place and the group's history, and is not counted among its voices. */
#define GROUP_MEMBER_READS_SQL(u, s)                                                        \
	"EXISTS (SELECT 1 FROM enrollments e JOIN offerings o ON o.id = e.offering_id"          \
	" JOIN courses c ON c.id = o.course_id WHERE c.series_id = " s " AND e.user_id = " u    \
	" AND e.role = 'learner' AND e.state = 'confirmed'"                                     \
	" AND cairn_offering_open(o.ends_on, o.time_zone))"

/* The groups user_id may read, at most `limit`, each {id, name, track,
 * series, space_id, unread, has_unread, mine, moderates} ("mine": a member
 * or facilitator, not seeing it as director or admin; "moderates": may
 * moderate it), own groups first.
 * NULL on a database error. */
tv *group_mine_view(PGconn *db, arena *a, int64_t user_id, int limit);

/* The small-group and reflection agenda items still ahead, for each group
 * of group_ids (a SQL array literal, "{1,2}"), at most per_group each: the
 * items of every current offering of the group's series that one of its
 * members is confirmed in, showing the breakout of the group's track. Each
 * item is {title, kind, day, course, slug, now, same_zone, start, end,
 * my_start, my_end} with times for reader_zone; lists are set in `out` (an
 * object) under the group's id as a string, and groups with none get no
 * key. now is seconds since the epoch as text (session_now_param). false
 * on a database error. */
bool group_upcoming(PGconn *db, arena *a, const char *group_ids, const char *now,
                    const char *reader_zone, int per_group, tv *out);

void group_routes(router *r);

#endif
