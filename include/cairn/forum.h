/*
 * forum.h - cohort discussion (issue 5): spaces, threads and posts with
 * Markdown, replies and quotes, edits with revisions, deletion, the
 * "helpful" reaction, follows, reading state, pins, agenda links, search.
 *
 * What a person may do in a space is space.h's capabilities (read, post,
 * start threads, moderate), computed in one place from DESIGN §5's rule. A
 * person who cannot read a space gets 404 for everything in it, so the
 * existence of a thread is not revealed either.
 */
#ifndef CAIRN_FORUM_H
#define CAIRN_FORUM_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/guard.h"
#include "cairn/http.h"
#include "cairn/session.h"
#include "cairn/space.h"

enum {
	FORUM_POSTS_PER_PAGE = 50,
	FORUM_THREADS_PER_PAGE = 30,
	FORUM_TITLE_MAX_CHARS = 200,
};

void forum_routes(router *r);

/* Who wrote the last post of threads t, and when, as one reader sees them
 * (u: their id, mod: whether they moderate the space; SQL parameter
 * references), for thread lists: join FORUM_LAST_POST_JOINS, then read
 * "lp.display_name" (NULL: they see no post of the thread) and
 * FORUM_LAST_POST_AT (NULL likewise). The thread's last post is its
 * counters' (last_poster_id, last_post_at) unless it is hidden or held and
 * the reader neither wrote it nor moderates the space: then it is the last
 * post they can see, so the list does not name whom a moderator hid. */
#define FORUM_LAST_POST_JOINS(u, mod)                                                      \
	" CROSS JOIN LATERAL (SELECT NOT " mod " AND EXISTS (SELECT 1 FROM posts x"             \
	"  WHERE x.thread_id = t.id AND x.number = t.last_number AND (x.hidden OR x.held)"     \
	"  AND x.author_id <> " u ") AS veiled) lx"                                            \
	" LEFT JOIN LATERAL (SELECT v.author_id, v.created_at FROM posts v"                    \
	"  WHERE v.thread_id = t.id AND v.number IS NOT NULL"                                   \
	"  AND (NOT (v.hidden OR v.held) OR v.author_id = " u ")"                               \
	"  ORDER BY v.number DESC LIMIT 1) lv ON lx.veiled"                                     \
	" LEFT JOIN users lp ON lp.id = CASE WHEN lx.veiled THEN lv.author_id"                 \
	"  ELSE t.last_poster_id END"
#define FORUM_LAST_POST_AT "CASE WHEN lx.veiled THEN lv.created_at ELSE t.last_post_at END"

/* The spaces the user can read, with unread counts: a list of {id, title,
 * context, unread, has_unread}. Small groups' spaces only when with_groups
 * (the home lists the groups themselves). NULL on a DB error. */
tv *forum_spaces_view(PGconn *db, arena *a, int64_t user_id, bool with_groups);

/* A post written outside a request: the demo's history. */
typedef struct forum_post_in {
	int64_t author_id;
	int64_t space_id;   /* where a new thread starts */
	int64_t thread_id;  /* the thread replied to; 0 starts a thread in space_id */
	const char *title;  /* a new thread's title */
	const char *body;   /* Markdown */
	const char *content_note; /* NULL or "": none; else 1-100 characters (guard.h) */
	long long at;       /* when, in Unix seconds */
	const char *origin; /* the site's URL, for links in notification messages */
} forum_post_in;

/* Write a post exactly as the reply and new-thread forms do (rendering,
 * mentions of people who can read the space, notifications, the writer's
 * reading state), inside the caller's transaction. It does not check that
 * the author may post there: the caller vouches for that. On success sets
 * *thread_id and *number. On failure *problem is the sentence a writer
 * would see, or NULL after a database error. */
bool forum_write_post(PGconn *db, arena *a, const forum_post_in *in, int64_t *thread_id,
                      int *number, const char **problem);

/* A reply as the thread's reply form sends it, for features that publish
 * into a thread on the writer's behalf (sharing a journal excerpt). */
typedef struct forum_reply_in {
	int64_t thread_id;
	const char *body;      /* Markdown, as typed */
	const char *note;      /* the content note as typed; NULL or "": none */
	bool preview;          /* render and check only: nothing is written */
	bool publish_anyway;   /* the writer's "publish anyway" over the privacy guard */
} forum_reply_in;

typedef enum forum_reply_result {
	FORUM_REPLY_POSTED,    /* published: out->number, out->address */
	FORUM_REPLY_HELD,      /* written, waiting for a moderator (pre-moderation, or the
	                        * guard's warning published anyway): out->address */
	FORUM_REPLY_PREVIEW,   /* in->preview and nothing stands in the way: out->html */
	FORUM_REPLY_GUARDED,   /* the privacy guard found something (out->found) and the
	                        * writer has not chosen to publish anyway: nothing written */
	FORUM_REPLY_REFUSED,   /* out->status and out->problem; nothing written */
	FORUM_REPLY_NOT_FOUND, /* no such thread, or u may not see it (answer 404) */
	FORUM_REPLY_FAILED,    /* a database error; nothing written */
} forum_reply_result;

typedef struct forum_reply_out {
	int status;            /* REFUSED: 403 locked, muted or no posting; 409 the thread's
	                        * first post waits for approval; 422 the text or note;
	                        * 429 slow mode (retry_after seconds) */
	const char *problem;   /* REFUSED: the sentence to show, naming no text */
	long long retry_after;
	const char *html;      /* PREVIEW: the post as it would read */
	guard_report found;    /* what the privacy guard found (n == 0: nothing, or not
	                        * checked because the reply was refused first) */
	int64_t post_id;       /* POSTED, HELD */
	int number;            /* POSTED: the post's number */
	int page;              /* the thread page the post (or the reply box) is on */
	const char *address;   /* POSTED, HELD: where the post is read (a local path) */
	int64_t space_id;      /* the thread's space, its title and the thread's title,  */
	const char *space_title; /* once the thread was found */
	const char *title;
} forum_reply_out;

/* Reply to in->thread_id as u, exactly as the thread's reply form does,
 * with every rule it obeys: the thread must be one u may read, not locked
 * (moderators excepted), not waiting for its first post's approval, in a
 * space where u is not muted; the text is rendered and checked, and the
 * privacy guard and content note apply; slow mode is judged under the
 * thread's lock; a pre-moderated space, or a warning published anyway,
 * holds the post (guard_hold). Mentions and notifications as for any post.
 * Its own transaction: call it outside one. Strings are arena copies;
 * origin is the site's URL for links in notification messages. */
forum_reply_result forum_reply(PGconn *db, arena *a, const user *u, const char *origin,
                               const forum_reply_in *in, forum_reply_out *out);

/* A thread and a post as one person sees them, for features that act on
 * them (flags, moderation). Strings are arena copies. */
typedef struct forum_thread {
	int64_t id, author_id, agenda_item_id;
	const char *title;
	int last_number;
	int slow_minutes;     /* slow mode: one post per member per this many minutes; 0 off */
	bool pinned, locked, hidden;
	space space;          /* loaded for the person: space.caps says what they may do */
} forum_thread;

typedef struct forum_post {
	int64_t id, author_id;
	int number;
	bool deleted, hidden, held;
	const char *html;          /* as rendered; "" once deleted */
	const char *src, *text;    /* the Markdown as written, and its plain text */
	const char *hidden_reason; /* "" unless hidden */
	const char *author, *author_handle;
	const char *author_email;  /* for the messages of moderators' actions */
	const char *written;       /* a ZONE_SQL value in the person's zone, for zone_time */
	forum_thread thread;
} forum_post;

/* Load thread `id` as u sees it. Returns false on a database error.
 * Otherwise *found is false when the thread does not exist or u may not see
 * it (its space is not u's to read; it is hidden, or its opening post waits
 * for approval and u did not write it, and u does not moderate the space):
 * the caller answers 404. */
bool forum_thread_find(PGconn *db, arena *a, const user *u, int64_t id, forum_thread *out,
                       bool *found);

/* Load post `id` as u sees it, with its thread; as forum_thread_find, and
 * a hidden or held post is found only by its author and the space's
 * moderators. */
bool forum_post_find(PGconn *db, arena *a, const user *u, int64_t id, forum_post *out,
                     bool *found);

/* The prologue of a handler that acts on a post or a thread, as
 * space_require is for a space (space.h): post `id` (or the path's :id) as
 * the signed-in person sees it (forum_post_find, forum_thread_find), and
 * `caps` in its space. When there is none for them, the request is answered
 * 404 (or the database error); when they see it but lack caps, as
 * space_allow answers (403 with refusal, 404 when it is NULL). SPACE_READ
 * asks only that they see it. */
bool forum_post_require(request *req, PGconn *db, int64_t id, unsigned caps,
                        const char *refusal, forum_post *out);
bool forum_post_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                             forum_post *out);
bool forum_thread_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                               forum_thread *out);

#endif
