/*
 * notify.c - notifications and their outbox copies. See notify.h.
 */
#include "cairn/notify.h"
#include "cairn/authz.h"
#include "cairn/away.h"
#include "cairn/clock.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

/* The words of a notification: lead and what come before the thread's
 * title ("Amara Obi" "mentioned you in", "3 mentions" "of you in", "5 new
 * replies" "in"); by names the newest post's writer where the lead does not
 * (NULL where it does). */
typedef struct headline {
	const char *lead, *what, *by;
} headline;

static headline headline_of(arena *a, const char *kind, long count, const char *actor)
{
	if (strcmp(kind, "mention"))
		return (headline){count == 1 ? "1 new reply"
		                             : arena_sprintf(a, "%ld new replies", count),
		                  "in", actor};
	if (count == 1)
		return (headline){actor, "mentioned you in", NULL};
	return (headline){arena_sprintf(a, "%ld mentions", count), "of you in", actor};
}

/* The words of a moderation notice (sql/014): what the moderator did
 * ("hid your post in", before the thread's title), and a line with the
 * reason and, for a move, where the thread is now ("" when neither). */
typedef struct notice_words {
	const char *what, *line, *consequence;
} notice_words;

static notice_words notice_words_of(arena *a, const char *action, bool own_thread,
                                    const char *reason, const char *moved_to)
{
	notice_words w = {"acted on your post in", "", ""};
	if (!strcmp(action, "post_hidden"))
		w = (notice_words){"hid your post in", "",
		                   "Other members no longer see it; you and the space's moderators "
		                   "still do."};
	else if (!strcmp(action, "post_restored"))
		w = (notice_words){"restored your post in", "",
		                   "Everyone who reads the space sees it again."};
	else if (!strcmp(action, "thread_locked"))
		w = (notice_words){own_thread ? "locked your thread" : "locked the thread", "",
		                   "Nobody but the space's moderators can reply in it now; it stays "
		                   "readable."};
	else if (!strcmp(action, "thread_unlocked"))
		w = (notice_words){own_thread ? "unlocked your thread" : "unlocked the thread", "",
		                   "Members can reply in it again."};
	else if (!strcmp(action, "thread_moved"))
		w = (notice_words){own_thread ? "moved your thread" : "moved a thread you wrote in",
		                   "", ""};
	if (*moved_to)
		w.line = arena_sprintf(a, "Now in %s.%s%s", moved_to, *reason ? " Reason: " : "",
		                       reason);
	else if (*reason)
		w.line = arena_sprintf(a, "Reason: %s", reason);
	return w;
}

/* The message about one thread for one person: their unread notifications
 * of it (rows first..first+n-1 of r, a mention first). */
static outbox_message message_of(arena *a, const PGresult *r, int first, int n, int64_t thread_id,
                                 const char *origin)
{
	int c_email = PQfnumber(r, "email"), c_kind = PQfnumber(r, "kind");
	int c_count = PQfnumber(r, "count"), c_first = PQfnumber(r, "first_number");
	int c_actor = PQfnumber(r, "actor"), c_excerpt = PQfnumber(r, "excerpt");
	int c_title = PQfnumber(r, "title"), c_note = PQfnumber(r, "content_note");
	const char *title = db_val(r, first, c_title);
	buf body;
	buf_init(&body, a, 0);
	const char *subject = NULL;
	for (int i = first; i < first + n; i++) {
		long count = atol(db_val(r, i, c_count));
		headline h = headline_of(a, db_val(r, i, c_kind), count, db_val(r, i, c_actor));
		const char *line = arena_sprintf(a, "%s %s “%s”", h.lead, h.what, title);
		if (!subject)
			subject = line;
		const char *excerpt = db_val(r, i, c_excerpt);
		const char *from = !h.by ? "" : count == 1 ? ", from " : ", the latest from ";
		buf_appendf(&body, "%s%s%s%s:\n\n", i > first ? "\n" : "", line, from,
		            h.by ? h.by : "");
		/* A message cannot fold: behind a content note, the excerpt is
		 * left out and the reader opens the thread when ready. */
		const char *note = c_note >= 0 ? db_val(r, i, c_note) : "";
		if (*excerpt && *note)
			buf_appendf(&body, "Content note: %s\n\n" NOTIFY_NOTED_SENTENCE "\n\n", note);
		else if (*excerpt)
			buf_appendf(&body, "%s\n\n", excerpt);
		buf_appendf(&body, "%s: %s/t/%lld/p/%s\n", count == 1 ? "Read it" : "Read them",
		            origin, (long long)thread_id, db_val(r, i, c_first));
	}
	return (outbox_message){
		.to = arena_strdup(a, db_val(r, first, c_email)),
		.kind = arena_sprintf(a, "notification-%s", db_val(r, first, c_kind)),
		.subject = subject,
		.body = body.data,
		.topic = arena_sprintf(a, "thread:%lld", (long long)thread_id),
	};
}

bool notify_post(PGconn *db, arena *a, int64_t thread_id, int64_t post_id, int post_number,
                 int64_t actor_id, const int64_t *mentioned, size_t mention_count,
                 const char *excerpt, const char *origin, long long now)
{
	/* Build the mention list as a SQL array literal of integers. */
	char *ids = arena_strdup(a, "{}");
	if (mention_count) {
		buf b;
		buf_init(&b, a, 0);
		buf_putc(&b, '{');
		for (size_t i = 0; i < mention_count; i++)
			buf_appendf(&b, "%s%lld", i ? "," : "", (long long)mentioned[i]);
		buf_putc(&b, '}');
		ids = b.data;
	}
	/* One row per person, strongest reason first, only people who can still
	 * read the thread; each adds the post to the person's open notification
	 * of that reason, or opens one. Rows go in user order so that two posts
	 * at once (in different threads) take row locks in the same order. */
	PGresult *r = db_q(db,
		"WITH t AS (SELECT id, space_id, author_id FROM threads WHERE id = $1),"
		" who AS ("
		"  SELECT unnest($3::bigint[]) AS user_id, 'mention' AS kind, 1 AS rank"
		"  UNION ALL SELECT f.user_id,"
		"   CASE WHEN f.user_id = t.author_id THEN 'reply' ELSE 'follow' END, 2"
		"   FROM follows f, t WHERE f.thread_id = t.id),"
		" best AS (SELECT DISTINCT ON (user_id) user_id, kind FROM who"
		"  WHERE user_id <> $4 ORDER BY user_id, rank)"
		" INSERT INTO notifications AS n (user_id, kind, thread_id, post_id, first_number,"
		"  actor_id, excerpt, created_at)"
		" SELECT b.user_id, b.kind, t.id, $2, $6, $4, $5, to_timestamp($7) FROM best b, t"
		" WHERE " SPACE_READABLE_SQL("b.user_id", "t.space_id")
		" AND NOT " AWAY_AT_SQL("b.user_id", "t.space_id", "t.id", "to_timestamp($7)")
		" ORDER BY b.user_id"
		" ON CONFLICT (user_id, thread_id, (kind = 'mention'))"
		"  WHERE read_at IS NULL AND kind <> 'moderation'"
		" DO UPDATE SET count = n.count + 1, post_id = EXCLUDED.post_id,"
		"  first_number = coalesce(n.first_number,"
		"   (SELECT p.number FROM posts p WHERE p.id = n.post_id)),"
		"  actor_id = EXCLUDED.actor_id, excerpt = EXCLUDED.excerpt,"
		"  created_at = EXCLUDED.created_at, bump = EXCLUDED.bump"
		" RETURNING user_id",
		num(a, thread_id), num(a, post_id), ids, num(a, actor_id), excerpt ? excerpt : "",
		num(a, post_number), num(a, now));
	if (!r)
		return false;
	int n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		return true;
	}
	buf told;
	buf_init(&told, a, 0);
	buf_putc(&told, '{');
	for (int i = 0; i < n; i++)
		buf_appendf(&told, "%s%s", i ? "," : "", db_val(r, i, 0));
	buf_putc(&told, '}');
	PQclear(r);
	/* Everything each of them has unread in this thread, for their message. */
	PGresult *st = db_q(db,
		"SELECT n.user_id, u.email, n.kind, n.count,"
		" coalesce(n.first_number, p.number) AS first_number, au.display_name AS actor,"
		" n.excerpt, t.title, p.content_note"
		" FROM notifications n JOIN users u ON u.id = n.user_id"
		" JOIN users au ON au.id = n.actor_id JOIN posts p ON p.id = n.post_id"
		" JOIN threads t ON t.id = n.thread_id"
		" WHERE n.user_id = ANY($2::bigint[]) AND n.thread_id = $1 AND n.read_at IS NULL"
		" AND n.kind <> 'moderation'"
		" ORDER BY n.user_id, n.kind = 'mention' DESC",
		num(a, thread_id), told.data);
	if (!st)
		return false;
	int rows = PQntuples(st);
	outbox_message *msgs = arena_calloc(a, (size_t)rows + 1, sizeof *msgs);
	size_t m = 0;
	for (int i = 0, j; i < rows; i = j) {
		for (j = i + 1; j < rows && !strcmp(db_val(st, j, 0), db_val(st, i, 0)); j++)
			;
		msgs[m++] = message_of(a, st, i, j - i, thread_id, origin);
	}
	PQclear(st);
	return outbox_queue(db, a, msgs, m, now);
}

bool notify_caught_up(PGconn *db, arena *a, int64_t user_id, int64_t thread_id, long long now)
{
	/* A notification is read once its newest post is; the thread's message
	 * is closed once nothing of the thread is left unread (a mention may
	 * be read while later replies are not). The statement's snapshot still
	 * sees the rows it marks as unread, hence NOT IN done. */
	PGresult *r = db_q(db,
		"WITH done AS ("
		"  UPDATE notifications n SET read_at = to_timestamp($3) FROM posts p, reads rd"
		"  WHERE n.user_id = $1 AND n.read_at IS NULL"
		"  AND ($2::bigint = 0 OR n.thread_id = $2) AND p.id = n.post_id"
		"  AND rd.user_id = $1 AND rd.thread_id = n.thread_id"
		"  AND rd.last_number >= p.number"
		"  RETURNING n.id, n.thread_id)"
		" SELECT 'thread:' || d.thread_id, (SELECT email FROM users WHERE id = $1)"
		" FROM (SELECT DISTINCT thread_id FROM done) d WHERE NOT EXISTS ("
		"  SELECT 1 FROM notifications o WHERE o.user_id = $1 AND o.thread_id = d.thread_id"
		"  AND o.read_at IS NULL AND o.id NOT IN (SELECT id FROM done))",
		num(a, user_id), num(a, thread_id), num(a, now));
	if (!r)
		return false;
	int n = PQntuples(r);
	const char **topics = arena_calloc(a, (size_t)n + 1, sizeof *topics);
	for (int i = 0; i < n; i++)
		topics[i] = arena_strdup(a, db_val(r, i, 0));
	const char *email = n ? arena_strdup(a, db_val(r, 0, 1)) : NULL;
	PQclear(r);
	return n == 0 || outbox_close_topics(db, a, email, topics, (size_t)n);
}

bool notify_post_deleted(PGconn *db, arena *a, int64_t post_id)
{
	return db_exec(db,
	               "WITH gone AS (DELETE FROM notifications WHERE post_id = $1 AND count = 1"
	               "  AND kind <> 'moderation')"
	               " UPDATE notifications SET excerpt = '' WHERE post_id = $1 AND count > 1",
	               1, (const char *[]){num(a, post_id)});
}

bool notify_moderation(PGconn *db, arena *a, int64_t modlog_id, notify_whom whom,
                       const char *origin, long long now)
{
	static const char *const whom_names[] = {"post", "thread", "authors"};
	/* The notice points at the post acted on, or at a thread's opening
	 * post; recipients in user order, as notify_post takes its locks. */
	PGresult *r = db_q(db,
		"WITH ml AS (SELECT * FROM moderation_log WHERE id = $1),"
		" who AS ("
		"  SELECT p.author_id AS user_id FROM posts p, ml WHERE $2 = 'post' AND p.id = ml.post_id"
		"  UNION SELECT t.author_id FROM threads t, ml WHERE $2 = 'thread' AND t.id = ml.thread_id"
		"  UNION SELECT p.author_id FROM posts p, ml WHERE $2 = 'authors'"
		"   AND p.thread_id = ml.thread_id AND p.deleted_at IS NULL),"
		" target AS (SELECT p.id, p.number FROM posts p, ml WHERE p.id = coalesce(ml.post_id,"
		"  (SELECT f.id FROM posts f WHERE f.thread_id = ml.thread_id AND f.number = 1))),"
		" ins AS (INSERT INTO notifications (user_id, kind, thread_id, post_id, first_number,"
		"   actor_id, excerpt, created_at, modlog_id)"
		"  SELECT w.user_id, 'moderation', ml.thread_id, target.id, target.number,"
		"   coalesce(ml.actor_id, w.user_id), '', to_timestamp($3), ml.id"
		"  FROM who w, ml, target WHERE w.user_id IS DISTINCT FROM ml.actor_id"
		"  ORDER BY w.user_id RETURNING user_id, first_number)"
		" SELECT u.email, ml.action, ml.reason, t.id AS thread_id, t.title,"
		" t.author_id = ins.user_id AS own_thread, ins.first_number,"
		" coalesce(ms.title || ' (' || " SPACE_CONTEXT_SQL " || ')', '') AS moved_to"
		" FROM ins JOIN users u ON u.id = ins.user_id CROSS JOIN ml"
		" JOIN threads t ON t.id = ml.thread_id"
		" LEFT JOIN spaces ms ON ms.id = (ml.detail->>'to')::bigint"
		" LEFT JOIN spaces s ON s.id = ms.id" SPACE_JOINS,
		num(a, modlog_id), whom_names[whom], num(a, now));
	if (!r)
		return false;
	int n = PQntuples(r);
	outbox_message *msgs = arena_calloc(a, (size_t)n + 1, sizeof *msgs);
	for (int i = 0; i < n; i++) {
		const char *title = db_col(r, i, "title"), *reason = db_col(r, i, "reason");
		const char *moved_to = db_col(r, i, "moved_to");
		notice_words w = notice_words_of(a, db_col(r, i, "action"),
		                                 db_col(r, i, "own_thread")[0] == 't', "", "");
		buf body;
		buf_init(&body, a, 0);
		const char *subject = arena_sprintf(a, "A moderator %s “%s”", w.what, title);
		buf_appendf(&body, "%s.\n\n", subject);
		if (*reason)
			buf_appendf(&body, "Reason: %s\n\n", reason);
		if (*moved_to)
			buf_appendf(&body, "It is now in %s, and is read by those who may read that "
			                   "space.\n\n", moved_to);
		if (*w.consequence)
			buf_appendf(&body, "%s\n\n", w.consequence);
		buf_appendf(&body, "See it: %s/t/%s/p/%s\n", origin, db_col(r, i, "thread_id"),
		            db_col(r, i, "first_number"));
		msgs[i] = (outbox_message){
			.to = arena_strdup(a, db_col(r, i, "email")),
			.kind = "moderation-notice",
			.subject = subject,
			.body = body.data,
		};
	}
	PQclear(r);
	return outbox_queue(db, a, msgs, (size_t)n, now);
}

bool notify_moderation_seen(PGconn *db, arena *a, int64_t user_id, int64_t thread_id,
                            long long now)
{
	return db_exec(db,
	               "UPDATE notifications SET read_at = to_timestamp($3) WHERE user_id = $1"
	               " AND thread_id = $2 AND kind = 'moderation' AND read_at IS NULL",
	               3, (const char *[]){num(a, user_id), num(a, thread_id), num(a, now)});
}

/* Take post_id's excerpts out of the queued, unsent messages that quoted it,
 * writing `instead` in their place; with clear, out of its notifications too. */
static bool scrub_excerpts(PGconn *db, arena *a, int64_t post_id, bool clear, const char *instead)
{
	/* The excerpts as they went into messages (message_of writes each
	 * notification's excerpt as a paragraph of its own after a colon), to
	 * whom, and under which thread title their subjects name. */
	PGresult *r = db_q(db,
		"WITH hit AS (SELECT n.id, n.excerpt, u.email, t.title FROM notifications n"
		"  JOIN users u ON u.id = n.user_id JOIN threads t ON t.id = n.thread_id"
		"  WHERE n.post_id = $1 AND n.kind <> 'moderation' AND n.excerpt <> ''),"
		" cleared AS (UPDATE notifications n SET excerpt = '' FROM hit WHERE $2 AND n.id = hit.id)"
		" SELECT DISTINCT 'e' AS what, excerpt AS value, title FROM hit"
		" UNION SELECT DISTINCT 'to', email, title FROM hit ORDER BY 1, 2",
		num(a, post_id), clear ? "true" : "false");
	if (!r)
		return false;
	int n = PQntuples(r);
	const char **texts = arena_calloc(a, (size_t)n + 1, sizeof *texts);
	const char **to = arena_calloc(a, (size_t)n + 1, sizeof *to);
	size_t nt = 0, nto = 0;
	const char *title = n ? arena_strdup(a, db_val(r, 0, 2)) : "";
	for (int i = 0; i < n; i++) {
		if (db_val(r, i, 0)[0] == 'e')
			texts[nt++] = arena_sprintf(a, ":\n\n%s\n\n", db_val(r, i, 1));
		else
			to[nto++] = arena_strdup(a, db_val(r, i, 1));
	}
	PQclear(r);
	return outbox_scrub(db, a, to, nto, "notification-", arena_sprintf(a, "“%s”", title), texts,
	                    nt, instead, NULL);
}

bool notify_post_hidden(PGconn *db, arena *a, int64_t post_id)
{
	return scrub_excerpts(db, a, post_id, true, ":\n\n(This post was hidden by a moderator.)\n\n");
}

bool notify_post_noted(PGconn *db, arena *a, int64_t post_id, const char *note)
{
	return scrub_excerpts(db, a, post_id, false,
	                      arena_sprintf(a, ":\n\nContent note: %s\n\n" NOTIFY_NOTED_SENTENCE
	                                       "\n\n", note));
}

bool notify_post_redacted(PGconn *db, arena *a, int64_t post_id, const char *excerpt,
                          const char *const *old_excerpts, size_t n, const char *passage,
                          const char *replacement, int *notifications, int *messages)
{
	if (notifications)
		*notifications = 0;
	if (messages)
		*messages = 0;
	/* A deleted post's notifications have no excerpt left (notify_post_deleted)
	 * and keep none. */
	PGresult *r = db_q(db,
		"UPDATE notifications SET excerpt = $2 WHERE post_id = $1 AND excerpt <> ''"
		" AND excerpt <> $2 RETURNING 1",
		num(a, post_id), excerpt);
	if (!r)
		return false;
	if (notifications)
		*notifications = PQntuples(r);
	PQclear(r);
	/* Everyone who was ever told of the thread may have a message about it
	 * queued (a read thread closes its message's topic but leaves the
	 * message); such a message's subject names the thread. */
	PGresult *who = db_q(db,
		"SELECT DISTINCT u.email, '“' || t.title || '”' AS subject_part"
		" FROM posts p JOIN threads t ON t.id = p.thread_id"
		" JOIN notifications n ON n.thread_id = t.id JOIN users u ON u.id = n.user_id"
		" WHERE p.id = $1 ORDER BY 1",
		num(a, post_id));
	if (!who)
		return false;
	size_t people = (size_t)PQntuples(who);
	const char **emails = arena_calloc(a, people + 1, sizeof *emails);
	for (size_t i = 0; i < people; i++)
		emails[i] = arena_strdup(a, db_val(who, (int)i, 0));
	const char *subject_part = people ? arena_strdup(a, db_val(who, 0, 1)) : "";
	PQclear(who);
	if (!people)
		return true;
	const char **olds = arena_calloc(a, n + 1, sizeof *olds);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (old_excerpts[i] && *old_excerpts[i] && strcmp(old_excerpts[i], excerpt))
			olds[k++] = old_excerpts[i];
	int c1 = 0, c2 = 0;
	bool ok = outbox_scrub(db, a, emails, people, "notification-", subject_part, olds, k, excerpt,
	                       &c1) &&
	          (!passage || outbox_scrub(db, a, emails, people, "notification-", subject_part,
	                                    &passage, 1, replacement, &c2));
	if (messages)
		*messages = c1 + c2;
	return ok;
}

int notify_unread_count(PGconn *db, int64_t user_id)
{
	char u[24];
	snprintf(u, sizeof u, "%lld", (long long)user_id);
	/* Only what the person can still open: an enrollment may have ended, a
	 * moderator may have hidden the thread or the newest post the
	 * notification tells of (a deleted one was dealt with when it was
	 * deleted: notify_post_deleted) -- except a moderation notice, which
	 * tells the author of the very post that was hidden. Every signed-in page
	 * runs this, so it costs O(my unread notifications): their rows come
	 * from the partial index of unread ones, each looks up its thread and
	 * post by key (OFFSET 0 keeps the planner from turning that into a scan
	 * of every thread, which it prefers when it guesses that a person has
	 * thousands unread), and the access check runs once per distinct space
	 * among them (never per thread of the forum). */
	PGresult *r = db_q(db,
		"WITH mine AS MATERIALIZED ("
		"  SELECT x.space_id FROM notifications n CROSS JOIN LATERAL ("
		"   SELECT t.space_id FROM threads t, posts p WHERE t.id = n.thread_id"
		"   AND p.id = n.post_id AND NOT t.hidden"
		"   AND (NOT (p.hidden OR p.held) OR n.kind = 'moderation')"
		"   AND (n.kind = 'moderation' OR NOT " AWAY_SQL("$1", "t.space_id", "t.id") ")"
		"   OFFSET 0) x"
		"  WHERE n.user_id = $1 AND n.read_at IS NULL),"
		" open AS MATERIALIZED (SELECT d.space_id FROM"
		"  (SELECT DISTINCT space_id FROM mine OFFSET 0) d"
		"  WHERE " SPACE_READABLE_SQL("$1", "d.space_id") ")"
		" SELECT count(*) FROM mine WHERE space_id IN (SELECT space_id FROM open)", u);
	if (!r)
		return -1;
	int n = atoi(db_val(r, 0, 0));
	PQclear(r);
	return n;
}

/* A page of the person's notifications, most recently active first, from
 * the one whose bump is below `before` (0: from the top). One of a thread
 * or space the person has stepped away from is listed, but not as new. */
static tv *notifications_list(PGconn *db, arena *a, int64_t user_id, const char *zone, int limit,
                              long long before)
{
	PGresult *r = db_q(db,
		"SELECT n.bump, n.kind, n.count, t.id AS thread_id,"
		" coalesce(n.first_number, p.number) AS number, t.title, au.display_name AS actor,"
		" n.excerpt, n.read_at IS NULL AND (n.kind = 'moderation'"
		"  OR NOT " AWAY_SQL("$1", "t.space_id", "t.id") ") AS unread,"
		" " ZONE_SQL("n.created_at", "$3") " AS at,"
		" coalesce(ml.action, '') AS action, coalesce(ml.reason, '') AS reason,"
		" t.author_id = n.user_id AS own_thread, coalesce(ms.title, '') AS moved_to,"
		" p.content_note"
		" FROM notifications n JOIN threads t ON t.id = n.thread_id"
		" JOIN posts p ON p.id = n.post_id JOIN users au ON au.id = n.actor_id"
		" LEFT JOIN moderation_log ml ON ml.id = n.modlog_id"
		" LEFT JOIN spaces ms ON ms.id = (ml.detail->>'to')::bigint"
		" WHERE n.user_id = $1 AND ($4::bigint = 0 OR n.bump < $4::bigint)"
		" AND " SPACE_READABLE_SQL("$1", "t.space_id") " AND NOT t.hidden"
		" AND (NOT (p.hidden OR p.held) OR n.kind = 'moderation')"
		" ORDER BY n.bump DESC LIMIT $2",
		num(a, user_id), num(a, limit), zone, num(a, before));
	if (!r)
		return NULL;
	int c_bump = PQfnumber(r, "bump"), c_kind = PQfnumber(r, "kind");
	int c_count = PQfnumber(r, "count"), c_thread = PQfnumber(r, "thread_id");
	int c_number = PQfnumber(r, "number"), c_title = PQfnumber(r, "title");
	int c_actor = PQfnumber(r, "actor"), c_excerpt = PQfnumber(r, "excerpt");
	int c_at = PQfnumber(r, "at"), c_unread = PQfnumber(r, "unread");
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		headline h = headline_of(a, db_val(r, i, c_kind), atol(db_val(r, i, c_count)),
		                         arena_strdup(a, db_val(r, i, c_actor)));
		const char *excerpt = db_val(r, i, c_excerpt);
		if (!strcmp(db_val(r, i, c_kind), "moderation")) {
			notice_words w = notice_words_of(a, db_col(r, i, "action"),
			                                 db_col(r, i, "own_thread")[0] == 't',
			                                 db_col(r, i, "reason"), db_col(r, i, "moved_to"));
			h = (headline){"A moderator", w.what, NULL};
			excerpt = w.line;
		}
		tv_set_str(o, "cursor", arena_strdup(a, db_val(r, i, c_bump)));
		tv_set_str(o, "lead", h.lead);
		tv_set_str(o, "what", h.what);
		tv_set_str(o, "by", *excerpt ? h.by : NULL);
		tv_set_str(o, "thread_id", arena_strdup(a, db_val(r, i, c_thread)));
		tv_set_str(o, "number", arena_strdup(a, db_val(r, i, c_number)));
		tv_set_str(o, "title", arena_strdup(a, db_val(r, i, c_title)));
		tv_set_str(o, "excerpt", *excerpt ? arena_strdup(a, excerpt) : NULL);
		/* The newest post's content note folds its excerpt (guard.h); a
		 * moderation notice's line is Cairn's words, never folded. */
		const char *note = db_col(r, i, "content_note");
		tv_set_str(o, "note", *excerpt && *note && strcmp(db_val(r, i, c_kind), "moderation")
		                          ? arena_strdup(a, note) : NULL);
		tv_set(o, "when", zone_time(a, db_val(r, i, c_at), zone, zone, ZONE_SHORT));
		tv_set_bool(o, "unread", db_val(r, i, c_unread)[0] == 't');
	}
	PQclear(r);
	return list;
}

tv *notify_recent_view(PGconn *db, arena *a, int64_t user_id, int limit)
{
	char u[24];
	snprintf(u, sizeof u, "%lld", (long long)user_id);
	PGresult *z = db_q(db, "SELECT time_zone FROM users WHERE id = $1", u);
	if (!z || PQntuples(z) != 1) {
		PQclear(z);
		return NULL;
	}
	const char *zone = arena_strdup(a, db_val(z, 0, 0));
	PQclear(z);
	return notifications_list(db, a, user_id, zone, limit, 0);
}

static void notifications_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long before = 0;
	if (http_query(req, "before") && !http_parse_id(http_query(req, "before"), &before)) {
		http_error(req, 400, "That page address is not valid.");
		return;
	}
	tv *list = notifications_list(db, req->a, u->id, u->time_zone, 51, before);
	if (!list) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(req->a);
	bool more = list->n > 50;
	if (more)
		list->n = 50;
	tv_set(v, "notifications", list);
	tv_set_bool(v, "has_notifications", list->n > 0);
	tv_set(v, "older", more ? tv_get(list->items[49], "cursor") : tv_null(req->a));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "notifications", "Notifications", v);
}

/* Mark all read: every notification, and every queued message about a
 * thread is closed (the next post starts new ones). */
static void notifications_read_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db(req);
	bool ok = db && db_begin(db);
	PGresult *r = ok ? db_q(db,
		"WITH done AS (UPDATE notifications SET read_at = to_timestamp($2)"
		"  WHERE user_id = $1 AND read_at IS NULL RETURNING thread_id)"
		" SELECT DISTINCT 'thread:' || thread_id FROM done",
		num(a, u->id), num(a, (long long)clock_now())) : NULL;
	ok = r != NULL;
	int n = ok ? PQntuples(r) : 0;
	const char **topics = arena_calloc(a, (size_t)n + 1, sizeof *topics);
	for (int i = 0; i < n; i++)
		topics[i] = arena_strdup(a, db_val(r, i, 0));
	PQclear(r);
	ok = ok && outbox_close_topics(db, a, u->email, topics, (size_t)n) && db_commit(db);
	if (!ok) {
		if (db)
			db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, "/notifications");
}

void notify_routes(router *r)
{
	router_add(r, "GET", "/notifications", notifications_page, ACCESS_SIGNED_IN,
	           "my notifications");
	router_add(r, "POST", "/notifications/read", notifications_read_post, ACCESS_SIGNED_IN,
	           "mark all my notifications read");
}
