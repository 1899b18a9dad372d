/*
 * notify.h - notifications: someone mentioned you, replied to your thread,
 * or posted in a thread you follow. Each one is also an outbox message for
 * the email delivery that comes later.
 */
#ifndef CAIRN_NOTIFY_H
#define CAIRN_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/http.h"

void notify_routes(router *r);

/* Notify everyone a new post concerns, inside the caller's transaction:
 * the mentioned (mentions: user ids that can read the thread), the thread's
 * author (a reply), and followers. One notification per person per post,
 * the strongest reason winning (mention > reply > follow); never the actor.
 * origin is the site's URL for links in the messages. */
bool notify_post(PGconn *db, arena *a, int64_t thread_id, int64_t post_id, int post_number,
                 int64_t actor_id, const int64_t *mentioned, size_t mention_count,
                 const char *excerpt, const char *origin, long long now);

/* Unread notifications for the header badge; -1 on a DB error. */
int notify_unread_count(PGconn *db, int64_t user_id);

/* The latest notifications as a view list (for the home page). */
tv *notify_recent_view(PGconn *db, arena *a, int64_t user_id, int limit);

#endif
