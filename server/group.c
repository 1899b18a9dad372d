/*
 * group.c - see group.h. The group page gathers what a small group's people
 * need between live sessions: who is in it, who facilitates it this course,
 * its latest conversations, and when it next meets.
 *
 * Every query here is bounded by one group (its members, facilitators and
 * threads) or by a LIMIT, so a page costs the same in a series of a
 * thousand groups as in one of three.
 */
#include "cairn/group.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/away.h"
#include "cairn/db.h"
#include "cairn/forum.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/support.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Threads and agenda items shown on a group page; the space has them all. */
enum { GROUP_THREADS = 5, GROUP_AGENDA = 12, GROUP_HISTORY = 50, GROUP_LIST = 200 };

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static const char *track_label(const char *track)
{
	return strcmp(track, "pediatric") ? "Adult" : "Pediatric";
}

tv *group_mine_view(PGconn *db, arena *a, int64_t user_id, int limit)
{
	PGresult *r = db_q(db,
		"WITH standing AS (SELECT g.id, g.name, g.track, se.title AS series, s.id AS space_id,"
		"  cairn_space_role($1, s.id) AS role,"
		"  (EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = $1"
		"           AND m.left_at IS NULL)"
		"   OR EXISTS (SELECT 1 FROM group_facilitators gf WHERE gf.group_id = g.id"
		"              AND gf.user_id = $1)) AS mine"
		"  FROM groups g JOIN spaces s ON s.group_id = g.id JOIN series se ON se.id = g.series_id),"
		" seen AS (SELECT * FROM standing WHERE role >= 1)"
		" SELECT seen.*, coalesce((SELECT sum(t.last_number - coalesce(rd.last_number, 0))"
		"   FROM threads t LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $1"
		"   WHERE t.space_id = seen.space_id AND NOT t.hidden"
		"   AND NOT " AWAY_SQL("$1", "t.space_id", "t.id") "), 0) AS unread"
		" FROM seen ORDER BY mine DESC, series, track, name, id LIMIT $2",
		num(a, user_id), num(a, limit));
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *g = tv_push(list, tv_obj(a));
		tv_set_str(g, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(g, "name", arena_strdup(a, db_col(r, i, "name")));
		tv_set_str(g, "track", track_label(db_col(r, i, "track")));
		tv_set_str(g, "series", arena_strdup(a, db_col(r, i, "series")));
		tv_set_str(g, "space_id", arena_strdup(a, db_col(r, i, "space_id")));
		tv_set_bool(g, "mine", db_col(r, i, "mine")[0] == 't');
		tv_set_bool(g, "moderates", atoi(db_col(r, i, "role")) >= 2);
		long long unread = atoll(db_col(r, i, "unread"));
		tv_set_int(g, "unread", unread);
		tv_set_bool(g, "has_unread", unread > 0);
	}
	PQclear(r);
	return list;
}

static void groups_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	tv *groups = group_mine_view(db, req->a, u->id, GROUP_LIST);
	if (!groups) {
		http_db_error(req);
		return;
	}
	tv *mine = tv_list(req->a), *others = tv_list(req->a);
	bool moderates = false;
	for (size_t i = 0; i < groups->n; i++) {
		tv *g = groups->items[i];
		tv_push(tv_get(g, "mine")->b ? mine : others, g);
		moderates = moderates || tv_get(g, "moderates")->b;
	}
	/* Where a director (or an admin) places learners: the offerings of the
	 * series they direct that have not ended, soonest first. The placement
	 * pages decide again who may use them. */
	PGresult *r = db_q(db,
		"SELECT o.slug, c.title AS course, to_char(o.starts_on, 'FMDD Mon YYYY') AS starts,"
		" o.starts_on <= (cairn_now() AT TIME ZONE o.time_zone)::date AS started"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" WHERE cairn_offering_open(o.ends_on, o.time_zone)"
		" AND (EXISTS (SELECT 1 FROM users a WHERE a.id = $1 AND a.is_admin)"
		"   OR c.series_id IN (SELECT dc.series_id FROM enrollments e"
		"     JOIN offerings d ON d.id = e.offering_id JOIN courses dc ON dc.id = d.course_id"
		"     WHERE e.user_id = $1 AND e.role = 'director' AND e.state = 'confirmed'))"
		" ORDER BY o.starts_on, o.id LIMIT 20",
		arena_sprintf(req->a, "%lld", (long long)u->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *placing = tv_list(req->a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(placing, tv_obj(req->a));
		tv_set_str(o, "slug", arena_strdup(req->a, db_col(r, i, "slug")));
		tv_set_str(o, "course", arena_strdup(req->a, db_col(r, i, "course")));
		tv_set_str(o, "starts", arena_strdup(req->a, db_col(r, i, "starts")));
		tv_set_bool(o, "started", db_col(r, i, "started")[0] == 't');
	}
	PQclear(r);
	tv *v = tv_obj(req->a);
	tv_set(v, "placing", placing);
	tv_set_bool(v, "has_placing", placing->n > 0);
	tv_set(v, "mine", mine);
	tv_set_bool(v, "has_mine", mine->n > 0);
	tv_set(v, "others", others);
	tv_set_bool(v, "has_others", others->n > 0);
	tv_set_bool(v, "full", groups->n >= GROUP_LIST);
	tv_set_bool(v, "moderates", moderates);
	http_render(req, 200, "groups", "Small groups", v);
}

/* The group's current members, each with whether they hold a place in a
 * current or upcoming course of the series (and so can read the group). */
static tv *members_view(PGconn *db, arena *a, const char *gid, const char *series_id)
{
	PGresult *r = db_q(db,
		"SELECT u.display_name, u.handle, u.profession, u.track, u.pronouns,"
		" " GROUP_MEMBER_READS_SQL("u.id", "$2") " AS active"
		" FROM group_members m JOIN users u ON u.id = m.user_id"
		" WHERE m.group_id = $1 AND m.left_at IS NULL ORDER BY u.display_name, u.id",
		gid, series_id);
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *m = tv_push(list, tv_obj(a));
		tv_set_str(m, "name", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_str(m, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set_str(m, "profession", accounts_profession_label(db_col(r, i, "profession")));
		const char *track = db_col(r, i, "track");
		tv_set_str(m, "track", !strcmp(track, "both") ? "Adult and pediatric" : track_label(track));
		const char *pronouns = db_col(r, i, "pronouns");
		tv_set(m, "pronouns", *pronouns ? tv_str(a, arena_strdup(a, pronouns)) : tv_null(a));
		tv_set_bool(m, "away", db_col(r, i, "active")[0] != 't');
	}
	PQclear(r);
	return list;
}

/* Facilitators by course: those of courses that have not ended, then
 * earlier ones (the group stays while its facilitators change). */
static bool facilitators_view(PGconn *db, arena *a, const char *gid, tv *v)
{
	PGresult *r = db_q(db,
		"SELECT u.display_name, u.handle, u.pronouns, u.profession, c.title AS course,"
		" to_char(o.starts_on, 'FMMonth YYYY') AS starts,"
		" cairn_offering_open(o.ends_on, o.time_zone) AS current"
		" FROM group_facilitators gf JOIN users u ON u.id = gf.user_id"
		" JOIN offerings o ON o.id = gf.offering_id JOIN courses c ON c.id = o.course_id"
		" WHERE gf.group_id = $1"
		" ORDER BY current DESC, o.starts_on DESC, u.display_name, u.id LIMIT 50",
		gid);
	if (!r)
		return false;
	tv *now = tv_set(v, "facilitators", tv_list(a));
	tv *before = tv_set(v, "past_facilitators", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		bool current = db_col(r, i, "current")[0] == 't';
		tv *f = tv_push(current ? now : before, tv_obj(a));
		tv_set_str(f, "name", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_str(f, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set_str(f, "profession", accounts_profession_label(db_col(r, i, "profession")));
		const char *pronouns = db_col(r, i, "pronouns");
		tv_set(f, "pronouns", *pronouns ? tv_str(a, arena_strdup(a, pronouns)) : tv_null(a));
		tv_set_str(f, "course", arena_strdup(a, db_col(r, i, "course")));
		tv_set_str(f, "starts", arena_strdup(a, db_col(r, i, "starts")));
	}
	tv_set_bool(v, "has_facilitators", now->n > 0);
	tv_set_bool(v, "has_past_facilitators", before->n > 0);
	PQclear(r);
	return true;
}

/* The group's space's threads as its thread list begins (pinned first, then
 * by latest activity: the threads_list index's order), with my unread
 * counts. */
static bool threads_view(PGconn *db, arena *a, const char *space_id, const user *u, bool mod,
                         tv *v)
{
	PGresult *r = db_q(db,
		"SELECT t.id, t.title, t.pinned, t.locked, CASE WHEN " AWAY_SQL("$2", "t.space_id", "t.id")
		" THEN 0 ELSE t.last_number - coalesce(rd.last_number, 0) END AS unread,"
		" lp.display_name AS last_poster, " ZONE_SQL(FORUM_LAST_POST_AT, "$3") " AS last_at"
		" FROM threads t" FORUM_LAST_POST_JOINS("$2", "$4")
		" LEFT JOIN reads rd ON rd.thread_id = t.id AND rd.user_id = $2"
		" WHERE t.space_id = $1 AND (NOT t.hidden OR $4)"
		" AND (t.last_number > 0 OR t.author_id = $2 OR $4)"
		" ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT " "5",
		space_id, num(a, u->id), u->time_zone, mod ? "true" : "false");
	if (!r)
		return false;
	tv *list = tv_set(v, "threads", tv_list(a));
	for (int i = 0; i < PQntuples(r) && i < GROUP_THREADS; i++) {
		tv *t = tv_push(list, tv_obj(a));
		tv_set_str(t, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(t, "title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_bool(t, "pinned", db_col(r, i, "pinned")[0] == 't');
		tv_set_bool(t, "locked", db_col(r, i, "locked")[0] == 't');
		int unread = atoi(db_col(r, i, "unread"));
		tv_set_int(t, "unread", unread);
		tv_set_bool(t, "has_unread", unread > 0);
		/* NULL when I see none of its posts (FORUM_LAST_POST_JOINS). */
		const char *last = db_col(r, i, "last_poster"), *at = db_col(r, i, "last_at");
		tv_set_bool(t, "has_last", *last);
		tv_set_str(t, "last_poster", arena_strdup(a, last));
		tv_set(t, "last_at", *at ? zone_time(a, at, u->time_zone, u->time_zone, ZONE_SHORT)
		                         : tv_null(a));
	}
	tv_set_bool(v, "has_threads", list->n > 0);
	PQclear(r);
	return true;
}

bool group_upcoming(PGconn *db, arena *a, const char *group_ids, const char *now,
                    const char *reader_zone, int per_group, tv *out)
{
	char limit[16];
	snprintf(limit, sizeof limit, "%d", per_group);
	/* Set-based for a page of groups: the offerings their members are
	 * confirmed in (each offering's "has not ended" asked once, not once
	 * per agenda item and group), their small-group and reflection items
	 * still to end, and the first per_group of each group's. */
	PGresult *r = db_q(db,
		"WITH go AS (SELECT DISTINCT m.group_id, e.offering_id FROM group_members m"
		"  JOIN enrollments e ON e.user_id = m.user_id AND e.role = 'learner'"
		"  AND e.state = 'confirmed'"
		"  WHERE m.group_id = ANY($1::bigint[]) AND m.left_at IS NULL),"
		" op AS (SELECT o.id, o.slug, o.time_zone, c.title AS course, c.series_id"
		"  FROM offerings o JOIN courses c ON c.id = o.course_id"
		"  WHERE o.id IN (SELECT offering_id FROM go)"
		"  AND cairn_offering_open(o.ends_on, o.time_zone)),"
		" x AS (SELECT g.id AS group_id, coalesce(b.title, a.title) AS title, a.kind,"
		"  a.day_number, op.course, op.slug, op.time_zone, a.starts_at, a.ends_at,"
		"  row_number() OVER (PARTITION BY g.id ORDER BY a.starts_at, a.id) AS k"
		"  FROM groups g JOIN go ON go.group_id = g.id"
		"  JOIN op ON op.id = go.offering_id AND op.series_id = g.series_id"
		"  JOIN agenda_items a ON a.offering_id = op.id"
		"  LEFT JOIN agenda_breakouts b ON b.agenda_item_id = a.id AND b.track = g.track"
		"  WHERE g.id = ANY($1::bigint[]) AND a.kind IN ('small_group', 'reflection')"
		"  AND a.ends_at > to_timestamp($2) AND (NOT a.tracks OR b.title IS NOT NULL))"
		" SELECT x.group_id, x.title, x.kind, x.day_number, x.course, x.slug, x.time_zone,"
		"  x.time_zone = $3 AS same_zone, x.starts_at <= to_timestamp($2) AS now,"
		"  x.starts_at AS at,"
		"  " ZONE_SQL("x.starts_at", "x.time_zone") " AS starts,"
		"  " ZONE_SQL("x.ends_at", "x.time_zone") " AS ends,"
		"  " ZONE_SQL("x.starts_at", "$3") " AS my_starts,"
		"  " ZONE_SQL("x.ends_at", "$3") " AS my_ends"
		" FROM x WHERE x.k <= $4::int ORDER BY x.group_id, x.starts_at, x.title",
		group_ids, now, reader_zone, limit);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *gid = db_col(r, i, "group_id");
		tv *list = tv_get(out, gid);
		if (!list)
			list = tv_set(out, arena_strdup(a, gid), tv_list(a));
		tv *it = tv_push(list, tv_obj(a));
		const char *zone = arena_strdup(a, db_col(r, i, "time_zone"));
		tv_set_str(it, "title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_str(it, "kind", strcmp(db_col(r, i, "kind"), "reflection") ? "Small group"
		                                                                  : "Reflection");
		tv_set_str(it, "day", arena_strdup(a, db_col(r, i, "day_number")));
		tv_set_str(it, "course", arena_strdup(a, db_col(r, i, "course")));
		tv_set_str(it, "slug", arena_strdup(a, db_col(r, i, "slug")));
		tv_set_bool(it, "now", db_col(r, i, "now")[0] == 't');
		tv_set_bool(it, "same_zone", db_col(r, i, "same_zone")[0] == 't');
		tv_set(it, "start", zone_time(a, db_col(r, i, "starts"), zone, reader_zone, ZONE_DAY));
		tv_set(it, "end", zone_time(a, db_col(r, i, "ends"), zone, reader_zone, ZONE_CLOCK));
		tv_set(it, "my_start", zone_time(a, db_col(r, i, "my_starts"), reader_zone,
		                                 reader_zone, ZONE_DAY));
		tv_set(it, "my_end", zone_time(a, db_col(r, i, "my_ends"), reader_zone, reader_zone,
		                               ZONE_CLOCK));
	}
	PQclear(r);
	return true;
}

/* The group page's meetings: group_upcoming for one group. */
static bool agenda_view(request *req, PGconn *db, const char *gid, tv *v)
{
	arena *a = req->a;
	const user *u = req->user;
	tv *by_group = tv_obj(a);
	if (!group_upcoming(db, a, arena_sprintf(a, "{%s}", gid), session_now_param(req),
	                    u->time_zone, GROUP_AGENDA, by_group))
		return false;
	tv *list = tv_get(by_group, gid);
	tv_set(v, "agenda", list ? list : tv_list(a));
	tv_set_bool(v, "has_agenda", list && list->n > 0);
	tv_set_str(v, "my_zone", zone_name(a, u->time_zone));
	return true;
}

/* Who joined and left, when and why: for the group's moderators only. */
static bool history_view(PGconn *db, arena *a, const char *gid, const user *u, tv *v)
{
	PGresult *r = db_q(db,
		"SELECT u.display_name, m.reason, coalesce(c.title, '') AS course,"
		" coalesce(pb.display_name, '') AS placed_by,"
		" " ZONE_SQL("m.joined_at", "$2") " AS joined, " ZONE_SQL("m.left_at", "$2") " AS left"
		" FROM group_members m JOIN users u ON u.id = m.user_id"
		" LEFT JOIN offerings o ON o.id = m.offering_id LEFT JOIN courses c ON c.id = o.course_id"
		" LEFT JOIN users pb ON pb.id = m.placed_by"
		" WHERE m.group_id = $1 ORDER BY coalesce(m.left_at, m.joined_at) DESC, m.id DESC"
		" LIMIT " "50",
		gid, u->time_zone);
	if (!r)
		return false;
	tv *list = tv_set(v, "history", tv_list(a));
	for (int i = 0; i < PQntuples(r) && i < GROUP_HISTORY; i++) {
		tv *h = tv_push(list, tv_obj(a));
		tv_set_str(h, "name", arena_strdup(a, db_col(r, i, "display_name")));
		const char *reason = db_col(r, i, "reason"), *course = db_col(r, i, "course"),
		           *by = db_col(r, i, "placed_by");
		tv_set(h, "reason", *reason ? tv_str(a, arena_strdup(a, reason)) : tv_null(a));
		tv_set(h, "course", *course ? tv_str(a, arena_strdup(a, course)) : tv_null(a));
		tv_set(h, "by", *by ? tv_str(a, arena_strdup(a, by)) : tv_null(a));
		tv_set(h, "joined", zone_time(a, db_col(r, i, "joined"), u->time_zone, u->time_zone,
		                              ZONE_DATE));
		tv_set(h, "left", zone_time(a, db_col(r, i, "left"), u->time_zone, u->time_zone,
		                            ZONE_DATE));
	}
	tv_set_bool(v, "has_history", list->n > 0);
	PQclear(r);
	return true;
}

static void group_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	long long id;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return;
	}
	const char *gid = num(a, id);
	PGresult *g = db_q(db,
		"SELECT g.name, g.track, g.series_id, se.title AS series, se.slug AS series_slug,"
		" s.id AS space_id, cairn_space_role($2, s.id) AS role"
		" FROM groups g JOIN spaces s ON s.group_id = g.id JOIN series se ON se.id = g.series_id"
		" WHERE g.id = $1",
		gid, num(a, u->id));
	if (!g) {
		http_db_error(req);
		return;
	}
	unsigned caps = PQntuples(g) == 1 ? space_caps("group", atoi(db_col(g, 0, "role")), (space_state){0}) : 0;
	if (!(caps & SPACE_READ)) {
		PQclear(g);
		http_error(req, 404, NULL);
		return;
	}
	const char *name = arena_strdup(a, db_col(g, 0, "name"));
	const char *track = arena_strdup(a, db_col(g, 0, "track"));
	const char *series_id = arena_strdup(a, db_col(g, 0, "series_id"));
	const char *space_id = arena_strdup(a, db_col(g, 0, "space_id"));
	tv *v = tv_obj(a);
	tv_set_str(v, "id", gid);
	tv_set_str(v, "name", name);
	tv_set_str(v, "track", track_label(track));
	tv_set_str(v, "series", arena_strdup(a, db_col(g, 0, "series")));
	tv_set_str(v, "space_id", space_id);
	tv_set_str(v, "support", support_path(a, db_col(g, 0, "series_slug")));
	PQclear(g);
	bool mod = caps & SPACE_MODERATE;
	tv_set_bool(v, "moderator", mod);
	tv *members = members_view(db, a, gid, series_id);
	if (!members || !facilitators_view(db, a, gid, v) ||
	    !threads_view(db, a, space_id, u, mod, v) ||
	    !agenda_view(req, db, gid, v) ||
	    (mod && !history_view(db, a, gid, u, v))) {
		http_db_error(req);
		return;
	}
	tv_set(v, "members", members);
	tv_set_bool(v, "has_members", members->n > 0);
	tv_set(v, "member_count", tv_count(a, (long long)members->n, "member", "members"));
	tv_set_bool(v, "can_start", caps & SPACE_START);
	http_render(req, 200, "group", name, v);
}

void group_routes(router *r)
{
	router_add(r, "GET", "/groups", groups_page, ACCESS_SIGNED_IN,
	           "the small groups I belong to, facilitate or direct");
	router_add(r, "GET", "/groups/:id", group_page, ACCESS_SPACE_MEMBER,
	           "a small group: members, facilitators, threads, next meetings");
}
