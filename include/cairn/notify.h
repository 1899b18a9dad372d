/*
 * notify.h - notifications: someone mentioned you, replied in your thread,
 * or posted in a thread you follow. They coalesce: while unread, a person
 * has at most one notification per thread for new posts ("5 new replies in
 * ...") and one for mentions of them, each keeping its count; a new post
 * updates it and moves it to the top. Each person also has at most one
 * queued outbox message per thread (kept up to date by later posts) until
 * they read the thread, for the email delivery that comes later.
 */
#ifndef CAIRN_NOTIFY_H
#define CAIRN_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/http.h"

void notify_routes(router *r);

/* Tell everyone a new post concerns, inside the caller's transaction: the
 * mentioned (mentioned: user ids that can read the thread) and the thread's
 * followers (its author among them unless they unfollowed). Each post counts
 * once per person, in their mention notification if it mentions them, else
 * in their new-posts one; never the actor's, nor anyone who cannot read the
 * thread. Each person's queued message about the thread is written or
 * rewritten to match their unread notifications of it. origin is the site's
 * URL for links in the messages. Safe against concurrent posts: one unread
 * notification per person, thread and reason is enforced by a unique index. */
bool notify_post(PGconn *db, arena *a, int64_t thread_id, int64_t post_id, int post_number,
                 int64_t actor_id, const int64_t *mentioned, size_t mention_count,
                 const char *excerpt, const char *origin, long long now);

/* The person's reading state (the reads table) has moved: mark read their
 * notifications of thread_id (0: of every thread) whose newest post they
 * have now read, and close the queued message of each thread left with
 * nothing unread, so that the next post starts a new notification and a
 * new message. Call after writing reads, in the same transaction. */
bool notify_caught_up(PGconn *db, arena *a, int64_t user_id, int64_t thread_id, long long now);

/* A post was deleted by its author, inside the caller's transaction: a
 * notification of that post alone goes; one that counts more posts keeps
 * its count and loses the deleted post's excerpt. */
bool notify_post_deleted(PGconn *db, arena *a, int64_t post_id);

/* Who a moderation notice goes to: the author of the log entry's post, the
 * author of its thread, or everyone who wrote a post in the thread still
 * standing (a move changes who reads all of them). */
typedef enum notify_whom {
	NOTIFY_POST_AUTHOR,
	NOTIFY_THREAD_AUTHOR,
	NOTIFY_THREAD_AUTHORS,
} notify_whom;

/* Tell the people `whom` names of the moderation_log entry modlog_id (which
 * names a thread, and a post for actions on one), inside the caller's
 * transaction: a notification of kind "moderation" each (never coalesced),
 * and an outbox message with what was done, the reason and what it means.
 * Never the moderator who acted. The notice names "a moderator", not who. */
bool notify_moderation(PGconn *db, arena *a, int64_t modlog_id, notify_whom whom,
                       const char *origin, long long now);

/* The SQL condition "user u has an unread moderation notice about thread
 * t" (a probe of a small partial index, sql/014), for the thread page. */
#define NOTIFY_MODERATION_UNREAD_SQL(u, t)                                              \
	"EXISTS (SELECT 1 FROM notifications mn WHERE mn.user_id = " u                      \
	" AND mn.thread_id = " t " AND mn.kind = 'moderation' AND mn.read_at IS NULL)"

/* The person has seen the thread a moderation notice tells of: mark their
 * notices about thread_id read, inside the caller's transaction. */
bool notify_moderation_seen(PGconn *db, arena *a, int64_t user_id, int64_t thread_id,
                            long long now);

/* A moderator hid post_id, inside the caller's transaction: its excerpt
 * leaves every notification that carried it (to others than its author:
 * the author's moderation notice has none) and every queued, unsent message
 * that quoted it, where it becomes a sentence saying it was hidden. Not
 * undone by restoring the post: later posts bring excerpts again. */
bool notify_post_hidden(PGconn *db, arena *a, int64_t post_id);
/* What a message says instead of the excerpt of a post behind a content
 * note (mail cannot fold; guard.h). */
#define NOTIFY_NOTED_SENTENCE \
	"The post is not quoted here: open the thread when you are ready to read it."

/* post_id was given a content note after it was published (an edit),
 * inside the caller's transaction: in every queued, unsent message that
 * quoted it, the excerpt becomes "Content note: <note>" and
 * NOTIFY_NOTED_SENTENCE, as a message written now would say. Its
 * notifications keep their excerpts: the notifications page folds them. */
bool notify_post_noted(PGconn *db, arena *a, int64_t post_id, const char *note);

/* A moderator took text out of post_id (a redaction of its body, or a
 * purged revision), inside the caller's transaction. Every notification of
 * the post that still carries an excerpt carries `excerpt` (the post's own
 * now) instead. In every queued, unsent message about the post's thread,
 * each of old_excerpts[0..n-1] (the post's excerpt in the versions the text
 * was in; a message holds the excerpt of the version it was written from)
 * becomes `excerpt`, and then every occurrence of passage (NULL: none)
 * becomes replacement, for what an excerpt could not account for. The
 * number of notifications changed goes to *notifications, the number of
 * message rewrites (one for its excerpt, one for the passage: a message can
 * count twice) to *messages; either may be NULL. */
bool notify_post_redacted(PGconn *db, arena *a, int64_t post_id, const char *excerpt,
                          const char *const *old_excerpts, size_t n, const char *passage,
                          const char *replacement, int *notifications, int *messages);

/* Unread notifications for the header badge; -1 on a DB error. */
int notify_unread_count(PGconn *db, int64_t user_id);

/* The latest notifications as a view list (for the home page). */
tv *notify_recent_view(PGconn *db, arena *a, int64_t user_id, int limit);

#endif
