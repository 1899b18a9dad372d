/*
 * flag.h - flags on posts and the moderators' review queue (issue 11
 * item 1; sql/013_moderation.sql).
 *
 * Anyone who may react in a space (SPACE_REACT) can flag a post of someone
 * else once, with a reason: disrespectful, off-topic, identifies a patient,
 * or something else (which needs a note of at most 500 characters); not a
 * post that is hidden or waits for approval (the moderators have it). The
 * space's moderators review open flags, per space and across every space
 * they moderate, each with the post in context and what they can do about
 * it: hide the post, dismiss the flags, lock the thread. Who flagged is
 * shown to moderators only.
 */
#ifndef CAIRN_FLAG_H
#define CAIRN_FLAG_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/http.h"

enum {
	FLAG_NOTE_MAX_CHARS = 500,
	FLAG_QUEUE_POSTS = 50,     /* flagged posts a queue page shows, oldest flag first */
};

void flag_routes(router *r);

/* Close every open flag on post_id as `resolution` ("hidden", "dismissed",
 * "redacted", "approved", as sql/013 allows) by moderator_id at now, inside
 * the caller's transaction. *closed (may be NULL) is how many it closed. */
bool flag_resolve_post(PGconn *db, arena *a, int64_t post_id, int64_t moderator_id,
                       const char *resolution, long long now, int *closed);

#endif
