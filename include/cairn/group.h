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
 * series, space_id, unread, has_unread, mine} ("mine": a member or
 * facilitator, not seeing it as director or admin), own groups first.
 * NULL on a database error. */
tv *group_mine_view(PGconn *db, arena *a, int64_t user_id, int limit);

void group_routes(router *r);

#endif
