/*
 * dashboard.c - see dashboard.h. Five statements a page, whatever the
 * number of groups on it: the groups, their members with kept activity,
 * each group's last live session and open items, its unanswered threads,
 * and its next sessions (group_upcoming).
 */
#include "cairn/dashboard.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/db.h"
#include "cairn/group.h"
#include "cairn/prompt.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Groups to a page; the next page starts after the last one's id. */
enum { DASH_GROUPS = 40, DASH_UNANSWERED = 3, DASH_UPCOMING = 2, DASH_PROMPTS = 4,
       DASH_PROMPT_OFFERINGS = 10 };

/* "This week": the last seven days, by the one clock. */
#define WEEK_SECONDS (7 * 86400)

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

/* The groups this page shows: those the user moderates, after cursor, by
 * id. cairn_moderated_groups (sql/021) is the rule cairn_space_role's
 * group branch asks too, as one set-based statement for the page. */
static PGresult *groups_query(PGconn *db, arena *a, int64_t user_id, long long after)
{
	return db_q(db,
		"SELECT g.id, g.name, g.track, s.id AS space_id, se.title AS series"
		" FROM cairn_moderated_groups($1) m JOIN groups g ON g.id = m.group_id"
		" JOIN spaces s ON s.group_id = g.id JOIN series se ON se.id = g.series_id"
		" WHERE g.id > $2::bigint"
		" ORDER BY g.id LIMIT " "41",
		num(a, user_id), num(a, after));
}

/* Find the group object of id in the page's list (at most DASH_GROUPS),
 * starting where the previous row's was (*at): the statements return rows
 * in group order, so a page of 480 members costs one comparison a row, not
 * a search of the list for each. */
static tv *group_of(tv *groups, size_t *at, const char *id)
{
	for (size_t k = 0; k < groups->n; k++) {
		size_t i = (*at + k) % groups->n;
		tv *g = groups->items[i];
		if (!strcmp(tv_get(g, "id")->s, id)) {
			*at = i;
			return g;
		}
	}
	return NULL;
}

/* Members with their kept activity: who posted when, how often, who was
 * last seen when; and from them the professions heard this week. Only those
 * who read the group now: one whose course ended (or whose place was
 * cancelled) keeps their place in the group between courses, but neither
 * is a voice to hear nor someone who has not posted. */
static bool members_into(PGconn *db, arena *a, const char *ids, const char *zone,
                         const char *now, tv *groups)
{
	PGresult *r = db_q(db,
		"SELECT m.group_id, u.display_name, u.handle, u.profession,"
		" coalesce(sa.posts, 0) AS posts,"
		" coalesce(floor(extract(epoch FROM sa.last_post_at))::bigint, 0) AS last_post_s,"
		" " ZONE_SQL("greatest(sa.last_post_at, sa.last_read_at)", "$2") " AS last_seen"
		" FROM group_members m JOIN spaces s ON s.group_id = m.group_id"
		" JOIN users u ON u.id = m.user_id"
		" LEFT JOIN space_activity sa ON sa.space_id = s.id AND sa.user_id = m.user_id"
		" WHERE m.group_id = ANY($1::bigint[]) AND m.left_at IS NULL"
		" AND " GROUP_MEMBER_READS_SQL("m.user_id", "m.series_id")
		" ORDER BY m.group_id, u.display_name, u.id",
		ids, zone);
	if (!r)
		return false;
	long long week_ago = atoll(now) - WEEK_SECONDS;
	size_t at = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *g = group_of(groups, &at, db_col(r, i, "group_id"));
		if (!g)
			continue;
		tv *m = tv_push(tv_get(g, "members"), tv_obj(a));
		const char *profession = db_col(r, i, "profession");
		tv_set_str(m, "name", arena_strdup(a, db_col(r, i, "display_name")));
		tv_set_str(m, "handle", arena_strdup(a, db_col(r, i, "handle")));
		tv_set_str(m, "profession", accounts_profession_label(profession));
		long long posts = atoll(db_col(r, i, "posts"));
		tv_set(m, "posts", tv_count(a, posts, "post", "posts"));
		tv_set(m, "last_seen", zone_time(a, db_col(r, i, "last_seen"), zone, zone, ZONE_SHORT));
		long long last_post = atoll(db_col(r, i, "last_post_s"));
		tv_set_int(m, "last_post_s", last_post);
		/* Professions: heard if anyone of it posted in the last seven days. */
		tv *prof = tv_get(g, "professions");
		tv *p = tv_get(prof, profession);
		if (!p)
			p = tv_set(prof, arena_strdup(a, profession), tv_bool(a, false));
		if (last_post >= week_ago)
			p->b = true;
	}
	PQclear(r);
	return true;
}

/* Each group's last live session that has ended, its open flags and its
 * posts waiting for approval. */
static bool figures_into(PGconn *db, arena *a, const char *ids, const char *zone,
                         const char *now, tv *groups)
{
	/* One statement for the page: the offerings the groups' members are
	 * confirmed in, each group's latest ended session of those (for its
	 * track), and the open flags and waiting posts, counted from their
	 * partial indexes (flags_open, posts_held: few rows, whatever the size
	 * of the spaces). */
	PGresult *r = db_q(db,
		"WITH g AS (SELECT g.id, g.series_id, g.track, s.id AS space_id FROM groups g"
		"  JOIN spaces s ON s.group_id = g.id WHERE g.id = ANY($1::bigint[])),"
		" go AS (SELECT DISTINCT m.group_id, e.offering_id FROM group_members m"
		"  JOIN enrollments e ON e.user_id = m.user_id AND e.role = 'learner'"
		"  AND e.state = 'confirmed'"
		"  WHERE m.group_id = ANY($1::bigint[]) AND m.left_at IS NULL),"
		" ls AS (SELECT DISTINCT ON (g.id) g.id, coalesce(b.title, ai.title) AS title,"
		"  ai.ends_at FROM g JOIN go ON go.group_id = g.id"
		"  JOIN offerings o ON o.id = go.offering_id"
		"  JOIN courses c ON c.id = o.course_id AND c.series_id = g.series_id"
		"  JOIN agenda_items ai ON ai.offering_id = o.id"
		"  LEFT JOIN agenda_breakouts b ON b.agenda_item_id = ai.id AND b.track = g.track"
		"  WHERE ai.ends_at <= to_timestamp($3) AND ai.kind NOT IN ('break', 'lunch')"
		"  AND (NOT ai.tracks OR b.title IS NOT NULL)"
		"  ORDER BY g.id, ai.ends_at DESC),"
		" fl AS (SELECT t.space_id, count(*) AS n FROM flags f"
		"  JOIN posts p ON p.id = f.post_id JOIN threads t ON t.id = p.thread_id"
		"  WHERE f.resolved_at IS NULL AND t.space_id IN (SELECT space_id FROM g)"
		"  GROUP BY t.space_id),"
		" he AS (SELECT t.space_id, count(*) AS n FROM posts p"
		"  JOIN threads t ON t.id = p.thread_id"
		"  WHERE p.held AND NOT p.hidden AND t.space_id IN (SELECT space_id FROM g)"
		"  GROUP BY t.space_id)"
		" SELECT g.id, coalesce(ls.title, '') AS last_session,"
		" " ZONE_SQL("ls.ends_at", "$2") " AS last_session_at,"
		" coalesce(floor(extract(epoch FROM ls.ends_at))::bigint, 0) AS last_session_s,"
		" coalesce(fl.n, 0) AS open_flags, coalesce(he.n, 0) AS held"
		" FROM g LEFT JOIN ls ON ls.id = g.id LEFT JOIN fl ON fl.space_id = g.space_id"
		" LEFT JOIN he ON he.space_id = g.space_id ORDER BY g.id",
		ids, zone, now);
	if (!r)
		return false;
	size_t at = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *g = group_of(groups, &at, db_col(r, i, "id"));
		if (!g)
			continue;
		const char *title = db_col(r, i, "last_session");
		long long since = atoll(db_col(r, i, "last_session_s"));
		if (*title) {
			tv *ls = tv_set(g, "last_session", tv_obj(a));
			tv_set_str(ls, "title", arena_strdup(a, title));
			tv_set(ls, "at", zone_time(a, db_col(r, i, "last_session_at"), zone, zone,
			                           ZONE_SHORT));
		} else {
			tv_set(g, "last_session", tv_null(a));
		}
		/* Who has not posted since that session ended. */
		tv *quiet = tv_set(g, "quiet", tv_list(a));
		tv *members = tv_get(g, "members");
		for (size_t k = 0; since && k < members->n; k++) {
			tv *m = members->items[k];
			if (atoll(tv_get(m, "last_post_s")->s) < since)
				tv_push(quiet, m);
		}
		tv_set_bool(g, "has_quiet", quiet->n > 0);
		tv_set_bool(g, "all_posted", since && quiet->n == 0 && members->n > 0);
		long long flags = atoll(db_col(r, i, "open_flags"));
		long long held = atoll(db_col(r, i, "held"));
		tv_set(g, "open_flags", flags ? tv_count(a, flags, "open flag", "open flags")
		                              : tv_null(a));
		tv_set(g, "held", held ? tv_count(a, held, "post waiting for approval",
		                                  "posts waiting for approval")
		                       : tv_null(a));
		tv_set_bool(g, "nothing_open", !flags && !held);
	}
	PQclear(r);
	return true;
}

/* The newest threads of each group that nobody has answered. */
static bool unanswered_into(PGconn *db, arena *a, const char *ids, const char *zone,
                            tv *groups)
{
	PGresult *r = db_q(db,
		"SELECT g.id AS group_id, t.id, t.title, t.author, " ZONE_SQL("t.created_at", "$2")
		" AS created"
		" FROM groups g JOIN spaces s ON s.group_id = g.id CROSS JOIN LATERAL ("
		"  SELECT t.id, t.title, t.created_at, u.display_name AS author FROM threads t"
		"  JOIN users u ON u.id = t.author_id"
		"  WHERE t.space_id = s.id AND t.last_number = 1 AND NOT t.hidden"
		"  ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT " "3" ") t"
		" WHERE g.id = ANY($1::bigint[]) ORDER BY g.id, t.created_at DESC",
		ids, zone);
	if (!r)
		return false;
	size_t at = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *g = group_of(groups, &at, db_col(r, i, "group_id"));
		if (!g)
			continue;
		tv *t = tv_push(tv_get(g, "unanswered"), tv_obj(a));
		tv_set_str(t, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(t, "title", arena_strdup(a, db_col(r, i, "title")));
		tv_set_str(t, "author", arena_strdup(a, db_col(r, i, "author")));
		tv_set(t, "created", zone_time(a, db_col(r, i, "created"), zone, zone, ZONE_SHORT));
	}
	PQclear(r);
	return true;
}

/* The professions of a group's members, heard this week or not, as two
 * lists of labels in a stable order (the labels' alphabetical order). */
static void professions_out(arena *a, tv *g)
{
	tv *prof = tv_get(g, "professions");
	tv *heard = tv_set(g, "heard", tv_list(a)), *unheard = tv_set(g, "unheard", tv_list(a));
	/* Sort keys by label: n is a handful. */
	size_t n = prof->n;
	const char **labels = arena_alloc(a, (n ? n : 1) * sizeof *labels);
	bool *was = arena_alloc(a, (n ? n : 1) * sizeof *was);
	for (size_t i = 0; i < n; i++) {
		labels[i] = accounts_profession_label(prof->keys[i]);
		was[i] = prof->items[i]->b;
	}
	for (size_t i = 1; i < n; i++) {
		for (size_t k = i; k > 0 && strcmp(labels[k - 1], labels[k]) > 0; k--) {
			const char *l = labels[k];
			labels[k] = labels[k - 1];
			labels[k - 1] = l;
			bool w = was[k];
			was[k] = was[k - 1];
			was[k - 1] = w;
		}
	}
	for (size_t i = 0; i < n; i++)
		tv_push(was[i] ? heard : unheard, tv_str(a, labels[i]));
	tv_set_bool(g, "has_heard", heard->n > 0);
	tv_set_bool(g, "has_unheard", unheard->n > 0);
}

static void dashboard_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	long long after = 0;
	const char *cursor = http_query(req, "after");
	if (cursor && !http_parse_id(cursor, &after)) {
		http_error(req, 400, "That page address is not valid.");
		return;
	}
	PGresult *r = groups_query(db, a, u->id, after);
	if (!r) {
		http_db_error(req);
		return;
	}
	int n = PQntuples(r);
	bool more = n > DASH_GROUPS;
	if (more)
		n = DASH_GROUPS;
	tv *groups = tv_list(a);
	char *ids = arena_strdup(a, "{");
	for (int i = 0; i < n; i++) {
		tv *g = tv_push(groups, tv_obj(a));
		const char *id = arena_strdup(a, db_col(r, i, "id"));
		tv_set_str(g, "id", id);
		tv_set_str(g, "name", arena_strdup(a, db_col(r, i, "name")));
		tv_set_str(g, "track", strcmp(db_col(r, i, "track"), "pediatric") ? "Adult" : "Pediatric");
		tv_set_str(g, "series", arena_strdup(a, db_col(r, i, "series")));
		tv_set_str(g, "space_id", arena_strdup(a, db_col(r, i, "space_id")));
		tv_set(g, "members", tv_list(a));
		tv_set(g, "professions", tv_obj(a));
		tv_set(g, "unanswered", tv_list(a));
		ids = arena_sprintf(a, "%s%s%s", ids, i ? "," : "", id);
	}
	const char *next = more ? arena_strdup(a, db_col(r, n - 1, "id")) : NULL;
	PQclear(r);
	ids = arena_sprintf(a, "%s}", ids);
	const char *now = session_now_param(req), *zone = u->time_zone;
	tv *upcoming = tv_obj(a), *prompts = tv_obj(a);
	tv *prompt_offerings = prompt_staff_offerings_view(db, a, u->id, DASH_PROMPT_OFFERINGS);
	if (!prompt_offerings ||
	    (n && (!members_into(db, a, ids, zone, now, groups) ||
	           !figures_into(db, a, ids, zone, now, groups) ||
	           !unanswered_into(db, a, ids, zone, groups) ||
	           !group_upcoming(db, a, ids, now, zone, DASH_UPCOMING, upcoming) ||
	           !prompt_group_counts(db, a, ids, now, zone, DASH_PROMPTS, prompts)))) {
		http_db_error(req);
		return;
	}
	for (size_t i = 0; i < groups->n; i++) {
		tv *g = groups->items[i];
		tv *members = tv_get(g, "members");
		tv_set(g, "member_count", tv_count(a, (long long)members->n, "member", "members"));
		tv_set_bool(g, "has_members", members->n > 0);
		professions_out(a, g);
		tv *unanswered = tv_get(g, "unanswered");
		tv_set_bool(g, "has_unanswered", unanswered->n > 0);
		tv *up = tv_get(upcoming, tv_get(g, "id")->s);
		tv_set(g, "upcoming", up ? up : tv_list(a));
		tv_set_bool(g, "has_upcoming", up && up->n > 0);
		tv *pr = tv_get(prompts, tv_get(g, "id")->s);
		tv_set(g, "prompts", pr ? pr : tv_list(a));
		tv_set_bool(g, "has_prompts", pr && pr->n > 0);
		if (!tv_get(g, "last_session"))
			tv_set(g, "last_session", tv_null(a));
	}
	tv *v = tv_obj(a);
	tv_set(v, "groups", groups);
	tv_set_bool(v, "has_groups", groups->n > 0);
	tv_set(v, "prompt_offerings", prompt_offerings);
	tv_set_bool(v, "has_prompt_offerings", prompt_offerings->n > 0);
	tv_set(v, "next", next ? tv_str(a, next) : tv_null(a));
	tv_set_bool(v, "paged", after > 0);
	tv_set_str(v, "my_zone", zone_name(a, zone));
	http_render(req, 200, "dashboard", "Your groups this week", v);
}

void dashboard_routes(router *r)
{
	router_add(r, "GET", "/dashboard", dashboard_page, ACCESS_SIGNED_IN,
	           "the facilitator's dashboard: the groups I moderate, this week");
}
