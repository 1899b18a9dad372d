/*
 * moderation.h - what a space's moderators do to posts and threads, and the
 * log that keeps every such action (issue 11 items 2-3).
 *
 * Hide a post with a reason and restore it; lock and unlock a thread; move
 * a thread to another space the moderator moderates. Each action asks
 * first where it takes something away, is appended to the moderation log
 * (modlog.h) in the same transaction, and tells the authors concerned with
 * the reason (notify.h). The log of a space is a page its moderators read
 * and nobody else finds.
 *
 * Moves: never out of a small group's space; into a space whose readers are
 * all readers of the thread's space now, or, when the move would show the
 * thread to anyone new, only once the moderator has seen its authors listed
 * and confirmed that they are told: each is sent a notice of the move as
 * part of it.
 */
#ifndef CAIRN_MODERATION_H
#define CAIRN_MODERATION_H

#include "cairn/http.h"

enum {
	MODERATION_REASON_MAX_CHARS = 500,
	MODERATION_LOG_PER_PAGE = 50,
	MODERATION_MOVE_AUTHORS = 100,  /* authors a move page lists by name */
};

void moderation_routes(router *r);

#endif
