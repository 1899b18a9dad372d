/*
 * notify.c - notifications and their outbox copies. See notify.h.
 */
#include "cairn/notify.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
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
	/* One row per person, strongest reason first; only people who can still
	 * read the thread. */
	PGresult *r = db_q(db,
		"WITH t AS (SELECT id, space_id, author_id, title FROM threads WHERE id = $1),"
		" who AS ("
		"  SELECT unnest($3::bigint[]) AS user_id, 'mention' AS kind, 1 AS rank"
		"  UNION ALL SELECT author_id, 'reply', 2 FROM t WHERE $6::int > 1"
		"  UNION ALL SELECT f.user_id, 'follow', 3 FROM follows f WHERE f.thread_id = $1),"
		" best AS (SELECT DISTINCT ON (user_id) user_id, kind FROM who"
		"  WHERE user_id <> $4 ORDER BY user_id, rank)"
		" INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, excerpt, created_at)"
		" SELECT b.user_id, b.kind, t.id, $2, $4, $5, to_timestamp($7) FROM best b, t"
		" WHERE cairn_space_role(b.user_id, t.space_id) >= 1"
		" ON CONFLICT (user_id, post_id) DO NOTHING"
		" RETURNING user_id, kind",
		num(a, thread_id), num(a, post_id), ids, num(a, actor_id), excerpt ? excerpt : "",
		num(a, post_number), num(a, now));
	if (!r)
		return false;
	int n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		return true;
	}
	PGresult *info = db_q(db,
		"SELECT t.title, u.display_name FROM threads t, users u WHERE t.id = $1 AND u.id = $2",
		num(a, thread_id), num(a, actor_id));
	if (!info || PQntuples(info) != 1) {
		PQclear(info);
		PQclear(r);
		return false;
	}
	const char *title = arena_strdup(a, db_val(info, 0, 0));
	const char *actor = arena_strdup(a, db_val(info, 0, 1));
	PQclear(info);
	bool ok = true;
	for (int i = 0; ok && i < n; i++) {
		const char *uid = db_val(r, i, 0), *kind = db_val(r, i, 1);
		PGresult *e = db_q(db, "SELECT email FROM users WHERE id = $1", uid);
		ok = e && PQntuples(e) == 1;
		if (ok) {
			const char *what = !strcmp(kind, "mention") ? "mentioned you in"
			                   : !strcmp(kind, "reply") ? "replied to your thread"
			                                            : "posted in";
			ok = outbox_put(db, a, db_val(e, 0, 0), arena_sprintf(a, "notification-%s", kind),
			                arena_sprintf(a, "%s %s “%s”", actor, what, title),
			                arena_sprintf(a, "%s %s “%s”:\n\n%s\n\nRead it: %s/t/%lld/p/%d\n",
			                              actor, what, title, excerpt ? excerpt : "", origin,
			                              (long long)thread_id, post_number),
			                now);
		}
		PQclear(e);
	}
	PQclear(r);
	return ok;
}

int notify_unread_count(PGconn *db, int64_t user_id)
{
	char u[24];
	snprintf(u, sizeof u, "%lld", (long long)user_id);
	/* Only what the person can still open: an enrollment may have ended, a
	 * moderator may have hidden the thread or the post. Every signed-in page
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
		"   AND p.id = n.post_id AND NOT t.hidden AND NOT p.hidden AND p.deleted_at IS NULL"
		"   OFFSET 0) x"
		"  WHERE n.user_id = $1 AND n.read_at IS NULL),"
		" open AS MATERIALIZED (SELECT d.space_id FROM"
		"  (SELECT DISTINCT space_id FROM mine OFFSET 0) d"
		"  WHERE cairn_space_role($1, d.space_id) >= 1)"
		" SELECT count(*) FROM mine WHERE space_id IN (SELECT space_id FROM open)", u);
	if (!r)
		return -1;
	int n = atoi(db_val(r, 0, 0));
	PQclear(r);
	return n;
}

static tv *notifications_list(PGconn *db, arena *a, int64_t user_id, const char *zone, int limit,
                              long long before)
{
	PGresult *r = db_q(db,
		"SELECT n.id, n.kind, t.id, p.number, t.title, au.display_name, n.excerpt,"
		" " ZONE_SQL("n.created_at", "$3") ", n.read_at IS NULL"
		" FROM notifications n JOIN threads t ON t.id = n.thread_id"
		" JOIN posts p ON p.id = n.post_id JOIN users au ON au.id = n.actor_id"
		" WHERE n.user_id = $1 AND ($4::bigint = 0 OR n.id < $4::bigint)"
		" AND cairn_space_role($1, t.space_id) >= 1"
		" AND NOT t.hidden AND NOT p.hidden AND p.deleted_at IS NULL"
		" ORDER BY n.id DESC LIMIT $2",
		num(a, user_id), num(a, limit), zone, num(a, before));
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		const char *kind = db_val(r, i, 1);
		tv_set_str(o, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(o, "what", !strcmp(kind, "mention") ? "mentioned you in"
		                      : !strcmp(kind, "reply") ? "replied to" : "posted in");
		tv_set_str(o, "thread_id", arena_strdup(a, db_val(r, i, 2)));
		tv_set_str(o, "number", arena_strdup(a, db_val(r, i, 3)));
		tv_set_str(o, "title", arena_strdup(a, db_val(r, i, 4)));
		tv_set_str(o, "actor", arena_strdup(a, db_val(r, i, 5)));
		tv_set_str(o, "excerpt", arena_strdup(a, db_val(r, i, 6)));
		tv_set(o, "when", zone_time(a, db_val(r, i, 7), zone, zone, ZONE_SHORT));
		tv_set_bool(o, "unread", db_val(r, i, 8)[0] == 't');
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
	if (http_query(req, "before") &&
	    !form_get_int(&req->query, "before", 1, 9000000000000000000LL, &before)) {
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
	tv_set(v, "older", more ? tv_get(list->items[49], "id") : tv_null(req->a));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "notifications", "Notifications", v);
}

static void notifications_read_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db(req);
	if (!db || !db_exec(db, "UPDATE notifications SET read_at = to_timestamp($2)"
	                        " WHERE user_id = $1 AND read_at IS NULL", 2,
	                    (const char *[]){num(req->a, u->id), num(req->a, (long long)clock_now())})) {
		http_db_error(req);
		return;
	}
	http_redirect(req, "/notifications");
}

void notify_routes(router *r)
{
	router_add(r, "GET", "/notifications", notifications_page, "signed-in", "my notifications");
	router_add(r, "POST", "/notifications/read", notifications_read_post, "signed-in",
	           "mark all my notifications read");
}
