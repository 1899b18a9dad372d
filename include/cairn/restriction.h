/*
 * restriction.h - what a space's moderators restrict (issue 11 item 2): a
 * member muted for a while, a space whose new posts are held for approval
 * (and the approval or rejection of each held post), a thread in slow mode.
 *
 * This module sets the restrictions and acts on held posts; the forum
 * enforces them where posts are written (forum.c), from what space_load
 * reports (space.h: muted_until, premoderated, SPACE_HELD) and from the
 * thread's slow_minutes. Only the space's moderators (SPACE_MODERATE) act
 * here; everyone else who can read the space is refused (403), the rest get
 * 404. Every action is appended to the moderation log (modlog.h) in the
 * same transaction, and the person acted on is told through the outbox.
 *
 * A held post has no number until it is approved (sql/016_held_posts.sql):
 * approving it gives it the thread's next number, moves the thread's
 * counters, enters it in search and notifies as a new post would, dated
 * when it was written.
 */
#ifndef CAIRN_RESTRICTION_H
#define CAIRN_RESTRICTION_H

#include "cairn/http.h"

enum {
	RESTRICTION_MUTE_MIN_HOURS = 1,        /* a mute lasts at least an hour */
	RESTRICTION_MUTE_MAX_HOURS = 30 * 24,  /* and at most 30 days */
	RESTRICTION_SLOW_MAX_MINUTES = 1440,   /* slow mode: at most a day between posts */
	RESTRICTION_REASON_MAX_CHARS = 500,    /* as moderation_log.reason allows */
};

void restriction_routes(router *r);

#endif
