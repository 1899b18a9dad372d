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
