/*
 * prompt.c - reflection prompts. See prompt.h for what a prompt is, when it
 * opens and to whom, and what facilitators may know of it.
 *
 * Who decides what, in SQL (one rule each, used by every statement here):
 *   - staff of a prompt's offering (STAFF_SQL): its confirmed facilitators
 *     and directors, the series' directors, administrators. They add, edit
 *     and delete the offering's prompts and see the counts of the groups they
 *     moderate (cairn_moderated_groups, sql/021).
 *   - a prompt is open to a learner (OPEN_TO_SQL) once its item has ended by
 *     the one clock, when they hold a confirmed learner enrollment in its
 *     offering and the prompt is for everyone or for their breakout's track.
 * Everyone else gets 404 for a prompt, as if it did not exist; a learner
 * who may read one but not change it gets 403 for its edit pages.
 *
 * The counts read only what is in clear (journal_entries.user_id,
 * prompt_id, created_at): nothing here opens an entry.
 */
#include "cairn/prompt.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/db.h"
#include "cairn/log.h"
#include "cairn/session.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The breakout a person attends: pediatric for a pediatric profile, adult
 * for adult and both (home.c and placement.c read profiles the same way). */
#define BREAKOUT_SQL(track) "(CASE WHEN " track " = 'pediatric' THEN 'pediatric' ELSE 'adult' END)"

/* Staff of offering `o` (with its course `c` in scope) for user `u`. */
#define STAFF_SQL(u)                                                                        \
	"(EXISTS (SELECT 1 FROM users su WHERE su.id = " u " AND su.is_admin)"                 \
	" OR EXISTS (SELECT 1 FROM enrollments se WHERE se.offering_id = o.id"                 \
	"  AND se.user_id = " u " AND se.state = 'confirmed'"                                   \
	"  AND se.role IN ('facilitator', 'director'))"                                         \
	" OR EXISTS (SELECT 1 FROM enrollments se JOIN offerings so ON so.id = se.offering_id" \
	"  JOIN courses sc ON sc.id = so.course_id WHERE sc.series_id = c.series_id"           \
	"  AND se.user_id = " u " AND se.role = 'director' AND se.state = 'confirmed'))"

/* Prompt `p` of item `ai` in offering `o` is for learner `u` (whether or not
 * it has opened yet). */
#define LEARNER_SQL(u)                                                                      \
	"(EXISTS (SELECT 1 FROM enrollments le WHERE le.offering_id = o.id"                    \
	"  AND le.user_id = " u " AND le.role = 'learner' AND le.state = 'confirmed')"          \
	" AND (p.track IS NULL OR p.track = (SELECT " BREAKOUT_SQL("lu.track")                  \
	"  FROM users lu WHERE lu.id = " u ")))"

/* The course as the journal names it: "Core Practice, May 2026". */
#define COURSE_SQL "(c.title || ', ' || to_char(o.starts_on, 'FMMonth YYYY'))"

/* The prompts open to learner `u` at `now` (seconds), with their item `ai`,
 * offering `o`, course `c` and the learner's breakout of the item `b`. */
#define OPEN_TO_FROM(u, now)                                                                \
	" FROM enrollments le JOIN offerings o ON o.id = le.offering_id"                        \
	" JOIN courses c ON c.id = o.course_id"                                                 \
	" JOIN agenda_items ai ON ai.offering_id = o.id"                                        \
	" JOIN journal_prompts p ON p.agenda_item_id = ai.id"                                   \
	" JOIN users lu ON lu.id = le.user_id"                                                  \
	" LEFT JOIN agenda_breakouts b ON b.agenda_item_id = ai.id"                             \
	"  AND b.track = " BREAKOUT_SQL("lu.track")                                             \
	" WHERE le.user_id = " u " AND le.role = 'learner' AND le.state = 'confirmed'"          \
	" AND ai.ends_at <= to_timestamp(" now ")"                                              \
	" AND (p.track IS NULL OR p.track = " BREAKOUT_SQL("lu.track") ")"

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static const char *audience_label(const char *track, bool tracks)
{
	if (track && !strcmp(track, "adult"))
		return "Adult breakout";
	if (track && !strcmp(track, "pediatric"))
		return "Pediatric breakout";
	return tracks ? "Both breakouts" : "Everyone in the course";
}

/* The same inside a sentence: "for the adult breakout". */
static const char *audience_phrase(const char *track, bool tracks)
{
	if (track && !strcmp(track, "adult"))
		return "the adult breakout";
	if (track && !strcmp(track, "pediatric"))
		return "the pediatric breakout";
	return tracks ? "both breakouts" : "everyone in the course";
}

static const char *kind_label(const char *kind)
{
	return strcmp(kind, "reflection") ? "Small group" : "Reflection";
}

/* ---- for learners ------------------------------------------------------ */

int prompt_for_learner(PGconn *db, arena *a, int64_t user_id, long long id, const char *now,
                       prompt_ref *out)
{
	PGresult *r = db_q(db,
		"SELECT p.id, o.id AS offering_id, p.body, coalesce(b.title, ai.title) AS session,"
		" " COURSE_SQL " AS course, ai.day_number"
		OPEN_TO_FROM("$1::bigint", "$2") " AND p.id = $3",
		num(a, user_id), now, num(a, id));
	if (!r)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		*out = (prompt_ref){
			.id = atoll(db_col(r, 0, "id")),
			.offering_id = atoll(db_col(r, 0, "offering_id")),
			.text = arena_strdup(a, db_col(r, 0, "body")),
			.session = arena_strdup(a, db_col(r, 0, "session")),
			.course = arena_strdup(a, db_col(r, 0, "course")),
			.day = arena_strdup(a, db_col(r, 0, "day_number")),
		};
	}
	PQclear(r);
	return found;
}

tv *prompt_waiting_view(PGconn *db, arena *a, int64_t user_id, const char *now,
                        const char *reader_zone, int limit, long long *total)
{
	PGresult *r = db_q(db,
		"SELECT p.id, p.body, coalesce(b.title, ai.title) AS session, " COURSE_SQL " AS course,"
		" ai.day_number, " ZONE_SQL("ai.ends_at", "$3") " AS opened, count(*) OVER () AS total"
		OPEN_TO_FROM("$1::bigint", "$2")
		" AND NOT EXISTS (SELECT 1 FROM journal_entries je WHERE je.prompt_id = p.id"
		"  AND je.user_id = le.user_id)"
		" ORDER BY ai.ends_at DESC, p.id DESC LIMIT $4::int",
		num(a, user_id), now, reader_zone, num(a, limit));
	if (!r)
		return NULL;
	tv *l = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(l, tv_obj(a));
		tv_set_str(o, "id", arena_strdup(a, db_col(r, i, "id")));
		tv_set_str(o, "text", arena_strdup(a, db_col(r, i, "body")));
		tv_set_str(o, "session", arena_strdup(a, db_col(r, i, "session")));
		tv_set_str(o, "course", arena_strdup(a, db_col(r, i, "course")));
		tv_set_str(o, "day", arena_strdup(a, db_col(r, i, "day_number")));
		tv_set(o, "opened", zone_time(a, db_col(r, i, "opened"), reader_zone, reader_zone,
		                              ZONE_SHORT));
	}
	if (total)
		*total = PQntuples(r) ? atoll(db_col(r, 0, "total")) : 0;
	PQclear(r);
	return l;
}

int prompt_open_list(PGconn *db, arena *a, int64_t user_id, const char *now,
                     const char *reader_zone, prompt_open **out)
{
	PGresult *r = db_q(db,
		"SELECT p.id, o.id AS offering_id, p.body, coalesce(b.title, ai.title) AS session,"
		" ai.day_number, " ZONE_SQL("ai.ends_at", "$3") " AS opened"
		OPEN_TO_FROM("$1::bigint", "$2")
		" ORDER BY o.starts_on, ai.starts_at, ai.id, p.id LIMIT $4::int",
		num(a, user_id), now, reader_zone, num(a, PROMPT_OPEN_MAX));
	if (!r)
		return -1;
	int n = PQntuples(r);
	prompt_open *l = arena_calloc(a, (size_t)(n ? n : 1), sizeof *l);
	for (int i = 0; i < n; i++) {
		l[i] = (prompt_open){
			.id = atoll(db_col(r, i, "id")),
			.offering_id = atoll(db_col(r, i, "offering_id")),
			.day = atoi(db_col(r, i, "day_number")),
			.text = arena_strdup(a, db_col(r, i, "body")),
			.session = arena_strdup(a, db_col(r, i, "session")),
			.opened = zone_time(a, db_col(r, i, "opened"), reader_zone, reader_zone, ZONE_SHORT),
		};
	}
	PQclear(r);
	*out = l;
	return n;
}

/* ---- what facilitators may know ------------------------------------------ */

/* For the groups of $1 (an array) at $2 (seconds): the prompts that have
 * opened in the offerings their members are confirmed learners of (only
 * prompt $5 when it is not 0), the newest $4 per group; for each, how many
 * of the group could write from it (size) and how many did within seven
 * days of its opening. Pairs seven days old without a frozen count get one
 * here (fr), in the same statement; a pair frozen by a concurrent request
 * this statement cannot see yet is computed by the same rule (n). */
static const char counts_sql[] =
	"WITH g AS (SELECT g.id, g.series_id, g.track FROM groups g WHERE g.id = ANY($1::bigint[])),"
	" go AS (SELECT DISTINCT m.group_id, e.offering_id FROM group_members m"
	"  JOIN enrollments e ON e.user_id = m.user_id AND e.role = 'learner'"
	"  AND e.state = 'confirmed'"
	"  WHERE m.group_id = ANY($1::bigint[]) AND m.left_at IS NULL),"
	" gp AS (SELECT g.id AS group_id, p.id AS prompt_id, p.track, ai.ends_at AS opened,"
	"  o.id AS offering_id, coalesce(b.title, ai.title) AS session, ai.day_number,"
	"  " COURSE_SQL " AS course,"
	"  row_number() OVER (PARTITION BY g.id ORDER BY ai.ends_at DESC, p.id DESC) AS k"
	"  FROM g JOIN go ON go.group_id = g.id JOIN offerings o ON o.id = go.offering_id"
	"  JOIN courses c ON c.id = o.course_id AND c.series_id = g.series_id"
	"  JOIN agenda_items ai ON ai.offering_id = o.id"
	"  JOIN journal_prompts p ON p.agenda_item_id = ai.id"
	"  LEFT JOIN agenda_breakouts b ON b.agenda_item_id = ai.id"
	"   AND b.track = coalesce(p.track, g.track)"
	"  WHERE ai.ends_at <= to_timestamp($2) AND ($5::bigint = 0 OR p.id = $5::bigint)"
	"  AND (p.track IS NULL OR p.track = g.track)),"
	" top AS (SELECT * FROM gp WHERE k <= $4::int),"
	" el AS (SELECT t.group_id, t.prompt_id, m.user_id, t.opened FROM top t"
	"  JOIN group_members m ON m.group_id = t.group_id AND m.left_at IS NULL"
	"  JOIN users u ON u.id = m.user_id"
	"  JOIN enrollments e ON e.user_id = m.user_id AND e.offering_id = t.offering_id"
	"  AND e.role = 'learner' AND e.state = 'confirmed'"
	"  WHERE t.track IS NULL OR t.track = " BREAKOUT_SQL("u.track") "),"
	" n AS (SELECT el.group_id, el.prompt_id, count(*) AS size,"
	"  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM journal_entries je"
	"   WHERE je.prompt_id = el.prompt_id AND je.user_id = el.user_id"
	"   AND je.created_at < el.opened + make_interval(days => $6::int))) AS reflected"
	"  FROM el GROUP BY el.group_id, el.prompt_id),"
	" shown AS (SELECT n.*, CASE WHEN n.reflected >= $7::int"
	"  AND n.reflected <= n.size - $8::int THEN n.reflected END AS visible FROM n),"
	" fr AS (INSERT INTO journal_prompt_counts (prompt_id, group_id, reflected, group_size,"
	"  frozen_at)"
	"  SELECT s.prompt_id, s.group_id, s.visible, s.size, to_timestamp($2)"
	"  FROM shown s JOIN top t ON t.group_id = s.group_id AND t.prompt_id = s.prompt_id"
	"  WHERE t.opened + make_interval(days => $6::int) <= to_timestamp($2)"
	"  ON CONFLICT (prompt_id, group_id) DO NOTHING"
	"  RETURNING prompt_id, group_id, reflected, group_size)"
	" SELECT t.group_id, t.prompt_id, t.session, t.day_number, t.course,"
	" " ZONE_SQL("t.opened + make_interval(days => $6::int)", "$3") " AS shows_at,"
	" t.opened + make_interval(days => $6::int) <= to_timestamp($2) AS due,"
	" coalesce(c.group_size, fr.group_size, s.size, 0) AS size,"
	" CASE WHEN c.prompt_id IS NOT NULL THEN c.reflected"
	"  WHEN fr.prompt_id IS NOT NULL THEN fr.reflected ELSE s.visible END AS reflected"
	" FROM top t"
	" LEFT JOIN shown s ON s.group_id = t.group_id AND s.prompt_id = t.prompt_id"
	" LEFT JOIN journal_prompt_counts c ON c.group_id = t.group_id AND c.prompt_id = t.prompt_id"
	" LEFT JOIN fr ON fr.group_id = t.group_id AND fr.prompt_id = t.prompt_id"
	" WHERE coalesce(s.size, 0) > 0 OR c.prompt_id IS NOT NULL"
	" ORDER BY t.group_id, t.k";

static PGresult *counts_query(PGconn *db, arena *a, const char *group_ids, const char *now,
                              const char *zone, int per_group, long long prompt_id)
{
	const char *p[] = {group_ids, now, zone, num(a, per_group), num(a, prompt_id),
	                   num(a, PROMPT_COUNT_DAYS), num(a, PROMPT_COUNT_MIN),
	                   num(a, PROMPT_COUNT_SPARE)};
	return db_query(db, counts_sql, 8, p);
}

/* The count of row i as the pages show it: {shown, pending, reflected, size,
 * shows_at}. */
static tv *count_view(arena *a, PGresult *r, int i, const char *zone)
{
	tv *c = tv_obj(a);
	bool due = db_col(r, i, "due")[0] == 't';
	const char *reflected = db_col(r, i, "reflected");
	tv_set_bool(c, "pending", !due);
	tv_set_bool(c, "shown", due && *reflected);
	tv_set_bool(c, "hidden", due && !*reflected);
	tv_set_str(c, "reflected", *reflected ? arena_strdup(a, reflected) : NULL);
	tv_set(c, "size", tv_count(a, atoll(db_col(r, i, "size")), "member", "members"));
	tv_set(c, "shows_at", zone_time(a, db_col(r, i, "shows_at"), zone, zone, ZONE_SHORT));
	return c;
}

bool prompt_group_counts(PGconn *db, arena *a, const char *group_ids, const char *now,
                         const char *reader_zone, int per_group, tv *out)
{
	PGresult *r = counts_query(db, a, group_ids, now, reader_zone, per_group, 0);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *gid = db_col(r, i, "group_id");
		tv *list = tv_get(out, gid);
		if (!list)
			list = tv_set(out, arena_strdup(a, gid), tv_list(a));
		tv *it = tv_push(list, tv_obj(a));
		tv_set_str(it, "id", arena_strdup(a, db_col(r, i, "prompt_id")));
		tv_set_str(it, "session", arena_strdup(a, db_col(r, i, "session")));
		tv_set_str(it, "course", arena_strdup(a, db_col(r, i, "course")));
		tv_set_str(it, "day", arena_strdup(a, db_col(r, i, "day_number")));
		tv_set(it, "count", count_view(a, r, i, reader_zone));
	}
	PQclear(r);
	return true;
}

/* ---- the offering's prompts, for its staff ----------------------------- */

tv *prompt_staff_offerings_view(PGconn *db, arena *a, int64_t user_id, int limit)
{
	PGresult *r = db_q(db,
		"SELECT o.slug, " COURSE_SQL " AS course FROM offerings o"
		" JOIN courses c ON c.id = o.course_id"
		" WHERE EXISTS (SELECT 1 FROM agenda_items ai WHERE ai.offering_id = o.id"
		"  AND ai.kind IN ('reflection', 'small_group'))"
		" AND (EXISTS (SELECT 1 FROM enrollments se WHERE se.offering_id = o.id"
		"   AND se.user_id = $1 AND se.state = 'confirmed'"
		"   AND se.role IN ('facilitator', 'director'))"
		"  OR EXISTS (SELECT 1 FROM enrollments se JOIN offerings so ON so.id = se.offering_id"
		"   JOIN courses sc ON sc.id = so.course_id WHERE sc.series_id = c.series_id"
		"   AND se.user_id = $1 AND se.role = 'director' AND se.state = 'confirmed')"
		"  OR (EXISTS (SELECT 1 FROM users su WHERE su.id = $1 AND su.is_admin)"
		"   AND cairn_offering_open(o.ends_on, o.time_zone)))"
		" ORDER BY o.starts_on DESC, o.id DESC LIMIT $2::int",
		num(a, user_id), num(a, limit));
	if (!r)
		return NULL;
	tv *l = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(l, tv_obj(a));
		tv_set_str(o, "slug", arena_strdup(a, db_col(r, i, "slug")));
		tv_set_str(o, "course", arena_strdup(a, db_col(r, i, "course")));
	}
	PQclear(r);
	return l;
}

typedef struct offering_ref {
	long long id;
	const char *slug, *zone, *course;
} offering_ref;

/* The offering of the path's :slug, when the signed-in person is its staff;
 * 404 (answered) otherwise. */
static bool staff_offering(request *req, PGconn *db, offering_ref *o)
{
	arena *a = req->a;
	PGresult *r = db_q(db,
		"SELECT o.id, o.slug, o.time_zone, " COURSE_SQL " AS course, " STAFF_SQL("$2::bigint")
		" AS staff FROM offerings o JOIN courses c ON c.id = o.course_id WHERE o.slug = $1",
		http_param(req, "slug"), num(a, session_user(req)->id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool ok = PQntuples(r) == 1 && db_col(r, 0, "staff")[0] == 't';
	if (ok)
		*o = (offering_ref){
			.id = atoll(db_col(r, 0, "id")),
			.slug = arena_strdup(a, db_col(r, 0, "slug")),
			.zone = arena_strdup(a, db_col(r, 0, "time_zone")),
			.course = arena_strdup(a, db_col(r, 0, "course")),
		};
	PQclear(r);
	if (!ok)
		http_error(req, 404, NULL);
	return ok;
}

static tv *offering_view(arena *a, const offering_ref *o)
{
	tv *v = tv_obj(a);
	tv_set_str(v, "slug", o->slug);
	tv_set_str(v, "course", o->course);
	return v;
}

static void offering_prompts_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	offering_ref o;
	if (!db || !staff_offering(req, db, &o))
		return;
	PGresult *r = db_q(db,
		"SELECT ai.id, ai.day_number, ai.title, ai.kind, ai.tracks,"
		" " ZONE_SQL("ai.starts_at", "$2") " AS starts, " ZONE_SQL("ai.ends_at", "$2") " AS ends,"
		" ai.ends_at <= to_timestamp($3) AS ended,"
		" p.id AS prompt_id, coalesce(p.track, '') AS track, p.body"
		" FROM agenda_items ai LEFT JOIN journal_prompts p ON p.agenda_item_id = ai.id"
		" WHERE ai.offering_id = $1 AND ai.kind IN ('reflection', 'small_group')"
		" ORDER BY ai.starts_at, ai.id, coalesce(p.track, '')",
		num(a, o.id), o.zone, session_now_param(req));
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *items = tv_list(a);
	tv *it = NULL;
	const char *last = "";
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = db_col(r, i, "id");
		bool tracks = db_col(r, i, "tracks")[0] == 't';
		if (strcmp(id, last)) {
			last = arena_strdup(a, id);
			it = tv_push(items, tv_obj(a));
			tv_set_str(it, "id", last);
			tv_set_str(it, "day", arena_strdup(a, db_col(r, i, "day_number")));
			tv_set_str(it, "title", arena_strdup(a, db_col(r, i, "title")));
			tv_set_str(it, "kind", kind_label(db_col(r, i, "kind")));
			tv_set(it, "starts", zone_time(a, db_col(r, i, "starts"), o.zone, u->time_zone,
			                               ZONE_DAY));
			tv_set(it, "ends", zone_time(a, db_col(r, i, "ends"), o.zone, u->time_zone,
			                             ZONE_CLOCK));
			tv_set_bool(it, "ended", db_col(r, i, "ended")[0] == 't');
			tv_set(it, "prompts", tv_list(a));
			/* What can still be added: one prompt per audience. */
			tv *add = tv_set(it, "add", tv_list(a));
			static const char *const tracked[] = {"", "adult", "pediatric"};
			for (size_t k = 0; k < (tracks ? 3u : 1u); k++) {
				tv *x = tv_push(add, tv_obj(a));
				tv_set_str(x, "key", tracked[k]);
				tv_set_str(x, "track", *tracked[k] ? tracked[k] : NULL);
				tv_set_str(x, "label", audience_phrase(tracked[k], tracks));
			}
		}
		if (db_isnull(r, i, PQfnumber(r, "prompt_id")))
			continue;
		const char *track = arena_strdup(a, db_col(r, i, "track"));
		tv *p = tv_push(tv_get(it, "prompts"), tv_obj(a));
		tv_set_str(p, "id", arena_strdup(a, db_col(r, i, "prompt_id")));
		tv_set_str(p, "text", arena_strdup(a, db_col(r, i, "body")));
		tv_set_str(p, "audience", audience_label(track, tracks));
		tv *add = tv_get(it, "add");
		for (size_t k = 0; k < add->n; k++) {
			if (!strcmp(tv_get(add->items[k], "key")->s, track)) {
				memmove(&add->items[k], &add->items[k + 1],
				        (add->n - k - 1) * sizeof add->items[0]);
				add->n--;
				break;
			}
		}
	}
	PQclear(r);
	tv *v = tv_obj(a);
	tv_set(v, "offering", offering_view(a, &o));
	tv_set(v, "items", items);
	tv_set_bool(v, "has_items", items->n > 0);
	tv_set_str(v, "zone", zone_name(a, o.zone));
	tv_set_int(v, "days", PROMPT_COUNT_DAYS);
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", !done ? NULL
	           : !strcmp(done, "added") ? "The prompt was added."
	           : !strcmp(done, "saved") ? "The prompt was saved."
	           : !strcmp(done, "deleted") ? "The prompt was deleted." : NULL);
	http_render(req, 200, "prompts", arena_sprintf(a, "Reflection prompts: %s", o.course), v);
}

/* ---- adding a prompt to an agenda item ------------------------------------ */

typedef struct item_ref {
	long long id;
	const char *title, *kind, *day;
	bool tracks, ended;
	tv *starts, *ends;
	offering_ref o;
} item_ref;

/* The agenda item of the path's :id, when the signed-in person is staff of
 * its offering and it is a reflection or small-group session; 404
 * (answered) otherwise. */
static bool staff_item(request *req, PGconn *db, item_ref *it)
{
	arena *a = req->a;
	user *u = session_user(req);
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT ai.id, ai.title, ai.kind, ai.tracks, ai.day_number,"
		" ai.ends_at <= to_timestamp($3) AS ended,"
		" " ZONE_SQL("ai.starts_at", "o.time_zone") " AS starts,"
		" " ZONE_SQL("ai.ends_at", "o.time_zone") " AS ends,"
		" o.id AS offering_id, o.slug, o.time_zone, " COURSE_SQL " AS course,"
		" " STAFF_SQL("$2::bigint") " AS staff"
		" FROM agenda_items ai JOIN offerings o ON o.id = ai.offering_id"
		" JOIN courses c ON c.id = o.course_id WHERE ai.id = $1",
		num(a, id), num(a, u->id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool staff = PQntuples(r) == 1 && db_col(r, 0, "staff")[0] == 't';
	bool kind_ok = staff && (!strcmp(db_col(r, 0, "kind"), "reflection") ||
	                         !strcmp(db_col(r, 0, "kind"), "small_group"));
	if (kind_ok) {
		const char *zone = arena_strdup(a, db_col(r, 0, "time_zone"));
		*it = (item_ref){
			.id = id,
			.title = arena_strdup(a, db_col(r, 0, "title")),
			.kind = kind_label(db_col(r, 0, "kind")),
			.day = arena_strdup(a, db_col(r, 0, "day_number")),
			.tracks = db_col(r, 0, "tracks")[0] == 't',
			.ended = db_col(r, 0, "ended")[0] == 't',
			.starts = zone_time(a, db_col(r, 0, "starts"), zone, u->time_zone, ZONE_DAY),
			.ends = zone_time(a, db_col(r, 0, "ends"), zone, u->time_zone, ZONE_CLOCK),
			.o = {.id = atoll(db_col(r, 0, "offering_id")),
			      .slug = arena_strdup(a, db_col(r, 0, "slug")), .zone = zone,
			      .course = arena_strdup(a, db_col(r, 0, "course"))},
		};
	}
	PQclear(r);
	if (!staff)
		http_error(req, 404, NULL);
	else if (!kind_ok)
		http_error(req, 404, "Prompts go with the reflection and small-group sessions of an "
		                     "agenda; this session is neither.");
	return kind_ok;
}

static tv *item_view(arena *a, const item_ref *it)
{
	tv *v = tv_obj(a);
	tv_set_str(v, "id", num(a, it->id));
	tv_set_str(v, "title", it->title);
	tv_set_str(v, "kind", it->kind);
	tv_set_str(v, "day", it->day);
	tv_set(v, "starts", it->starts);
	tv_set(v, "ends", it->ends);
	tv_set_bool(v, "ended", it->ended);
	return v;
}

/* s with every CR LF (and lone CR) as LF, surrounding white space trimmed:
 * counted and stored as it is shown. */
static char *clean_text(arena *a, const char *s)
{
	s = s ? s : "";
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			*o++ = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			*o++ = s[i];
		}
	}
	while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n'))
		o--;
	*o = '\0';
	return out;
}

/* Why the text cannot be a prompt, or NULL. */
static const char *text_problem(arena *a, const char *text)
{
	if (!*text)
		return "Write the prompt: it cannot be empty. Nothing was saved.";
	size_t chars = utf8_length(text, strlen(text));
	if (chars > PROMPT_MAX_CHARS)
		return arena_sprintf(a, "A prompt can be at most %d characters long; this one is %zu. "
		                        "Shorten it and save again. Nothing was saved.",
		                     PROMPT_MAX_CHARS, chars);
	return NULL;
}

static void new_form(request *req, const item_ref *it, int status, const char *track,
                     const char *text, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	tv_set(v, "offering", offering_view(a, &it->o));
	tv_set(v, "item", item_view(a, it));
	tv_set_bool(v, "tracks", it->tracks);
	tv *choices = tv_set(v, "audiences", tv_list(a));
	static const char *const tracked[] = {"", "adult", "pediatric"};
	for (size_t k = 0; it->tracks && k < 3; k++) {
		tv *c = tv_push(choices, tv_obj(a));
		tv_set_str(c, "value", tracked[k]);
		tv_set_str(c, "label", audience_label(tracked[k], true));
		tv_set_bool(c, "selected", !strcmp(track ? track : "", tracked[k]));
	}
	tv_set_str(v, "audience", audience_label(NULL, false));
	tv_set_str(v, "text", text);
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "max_chars", PROMPT_MAX_CHARS);
	http_render(req, status, "prompt_new", arena_sprintf(a, "New prompt: %s", it->title), v);
}

/* The track a form or query names: "" (everyone), adult or pediatric; NULL
 * when it names something else. */
static const char *read_track(const char *s)
{
	if (!s || !*s)
		return "";
	if (!strcmp(s, "adult") || !strcmp(s, "pediatric"))
		return s;
	return NULL;
}

static void prompt_new_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	item_ref it;
	if (!db || !staff_item(req, db, &it))
		return;
	const char *track = read_track(http_query(req, "track"));
	new_form(req, &it, 200, track && it.tracks ? track : "", "", NULL);
}

static void prompt_create(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	item_ref it;
	if (!db || !staff_item(req, db, &it))
		return;
	char *text = clean_text(a, http_form(req, "body"));
	const char *track = read_track(http_form(req, "track"));
	if (!track || (*track && !it.tracks)) {
		new_form(req, &it, 422, "", text,
		         it.tracks ? "Choose who the prompt is for: both breakouts, or one of them. "
		                     "Nothing was saved."
		                   : "This session has no breakouts: its prompt is for everyone in the "
		                     "course. Nothing was saved.");
		return;
	}
	const char *problem = text_problem(a, text);
	if (problem) {
		new_form(req, &it, 422, track, text, problem);
		return;
	}
	const char *now = session_now_param(req);
	PGresult *r = db_q(db,
		"INSERT INTO journal_prompts (agenda_item_id, track, body, created_by, created_at,"
		" updated_by, updated_at)"
		" VALUES ($1, nullif($2, ''), $3, $4, to_timestamp($5), $4, to_timestamp($5))"
		" ON CONFLICT (agenda_item_id, coalesce(track, '')) DO NOTHING RETURNING id",
		num(a, it.id), track, text, num(a, u->id), now);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool added = PQntuples(r) == 1;
	PQclear(r);
	if (!added) {
		new_form(req, &it, 409, track, text,
		         arena_sprintf(a, "This session already has a prompt for %s. Your text is "
		                          "below, not saved: edit that prompt instead (from the list of "
		                          "the course's prompts).",
		                       audience_phrase(track, it.tracks)));
		return;
	}
	log_info("prompt: user %lld added a prompt to agenda item %lld", (long long)u->id, it.id);
	http_redirect(req, arena_sprintf(a, "/offerings/%s/prompts?done=added#item-%lld", it.o.slug,
	                                 it.id));
}

/* ---- one prompt -------------------------------------------------------- */

typedef struct prompt_page_ref {
	long long id, item_id;
	int version;
	const char *text, *track, *session, *kind, *day, *course, *slug, *zone;
	bool tracks, open, staff, learner;
	tv *opened, *starts;
	long long offering_id;
} prompt_page_ref;

/* The prompt of the path's :id and the signed-in person's standing: staff
 * of its offering, or a learner it is open to. Everyone else gets 404
 * (answered), as for a prompt that does not exist. */
static bool path_prompt(request *req, PGconn *db, prompt_page_ref *p)
{
	arena *a = req->a;
	user *u = session_user(req);
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT p.id, p.body, coalesce(p.track, '') AS track, p.version, ai.id AS item_id,"
		" coalesce(b.title, ai.title) AS session, ai.kind, ai.tracks, ai.day_number,"
		" ai.ends_at <= to_timestamp($3) AS open,"
		" " ZONE_SQL("ai.ends_at", "o.time_zone") " AS opened,"
		" " ZONE_SQL("ai.starts_at", "o.time_zone") " AS starts,"
		" o.id AS offering_id, o.slug, o.time_zone, " COURSE_SQL " AS course,"
		" " STAFF_SQL("$2::bigint") " AS staff, " LEARNER_SQL("$2::bigint") " AS learner"
		" FROM journal_prompts p JOIN agenda_items ai ON ai.id = p.agenda_item_id"
		" JOIN offerings o ON o.id = ai.offering_id JOIN courses c ON c.id = o.course_id"
		" LEFT JOIN agenda_breakouts b ON b.agenda_item_id = ai.id AND b.track = p.track"
		" WHERE p.id = $1",
		num(a, id), num(a, u->id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool found = PQntuples(r) == 1;
	if (found) {
		const char *zone = arena_strdup(a, db_col(r, 0, "time_zone"));
		*p = (prompt_page_ref){
			.id = id,
			.item_id = atoll(db_col(r, 0, "item_id")),
			.version = atoi(db_col(r, 0, "version")),
			.text = arena_strdup(a, db_col(r, 0, "body")),
			.track = arena_strdup(a, db_col(r, 0, "track")),
			.session = arena_strdup(a, db_col(r, 0, "session")),
			.kind = kind_label(db_col(r, 0, "kind")),
			.day = arena_strdup(a, db_col(r, 0, "day_number")),
			.course = arena_strdup(a, db_col(r, 0, "course")),
			.slug = arena_strdup(a, db_col(r, 0, "slug")),
			.zone = zone,
			.tracks = db_col(r, 0, "tracks")[0] == 't',
			.open = db_col(r, 0, "open")[0] == 't',
			.staff = db_col(r, 0, "staff")[0] == 't',
			.learner = db_col(r, 0, "learner")[0] == 't',
			.opened = zone_time(a, db_col(r, 0, "opened"), zone, u->time_zone, ZONE_DAY),
			.starts = zone_time(a, db_col(r, 0, "starts"), zone, u->time_zone, ZONE_DAY),
			.offering_id = atoll(db_col(r, 0, "offering_id")),
		};
	}
	PQclear(r);
	if (!found || (!p->staff && !(p->learner && p->open))) {
		http_error(req, 404, NULL);
		return false;
	}
	return true;
}

/* Staff only: a learner who may read the prompt gets 403, and the page
 * says why. */
static bool staff_only(request *req, const prompt_page_ref *p, bool posting)
{
	if (p->staff)
		return true;
	http_error(req, 403, posting ? "Only the course's directors and facilitators change its "
	                               "prompts. Nothing was changed."
	                             : "Only the course's directors and facilitators change its "
	                               "prompts.");
	return false;
}

static tv *prompt_view(arena *a, const prompt_page_ref *p)
{
	tv *v = tv_obj(a);
	tv_set_str(v, "id", num(a, p->id));
	tv_set_str(v, "text", p->text);
	tv_set_str(v, "session", p->session);
	tv_set_str(v, "kind", p->kind);
	tv_set_str(v, "day", p->day);
	tv_set_str(v, "course", p->course);
	tv_set_str(v, "slug", p->slug);
	tv_set_str(v, "audience", audience_label(*p->track ? p->track : NULL, p->tracks));
	tv_set_bool(v, "open", p->open);
	tv_set(v, "opened", p->opened);
	tv_set(v, "starts", p->starts);
	return v;
}

/* The counts of the groups the reader moderates that have learners in the
 * prompt's offering. */
static tv *page_counts(request *req, PGconn *db, const prompt_page_ref *p, bool *failed)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv *l = tv_list(a);
	PGresult *g = db_q(db,
		"SELECT coalesce(array_agg(DISTINCT m.group_id)::text, '{}')"
		" FROM cairn_moderated_groups($1) m"
		" JOIN group_members gm ON gm.group_id = m.group_id AND gm.left_at IS NULL"
		" JOIN enrollments e ON e.user_id = gm.user_id AND e.offering_id = $2"
		" AND e.role = 'learner' AND e.state = 'confirmed'",
		num(a, u->id), num(a, p->offering_id));
	if (!g) {
		*failed = true;
		return l;
	}
	const char *ids = arena_strdup(a, db_val(g, 0, 0));
	PQclear(g);
	PGresult *r = counts_query(db, a, ids, session_now_param(req), u->time_zone, 1, p->id);
	if (!r) {
		*failed = true;
		return l;
	}
	PGresult *names = db_q(db, "SELECT id, name FROM groups WHERE id = ANY($1::bigint[])", ids);
	if (!names) {
		PQclear(r);
		*failed = true;
		return l;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(l, tv_obj(a));
		const char *gid = db_col(r, i, "group_id");
		tv_set_str(o, "group_id", arena_strdup(a, gid));
		for (int k = 0; k < PQntuples(names); k++)
			if (!strcmp(db_col(names, k, "id"), gid))
				tv_set_str(o, "group", arena_strdup(a, db_col(names, k, "name")));
		tv_set(o, "count", count_view(a, r, i, u->time_zone));
	}
	PQclear(names);
	PQclear(r);
	return l;
}

static void prompt_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	prompt_page_ref p;
	if (!db || !path_prompt(req, db, &p))
		return;
	tv *v = tv_obj(a);
	tv_set(v, "prompt", prompt_view(a, &p));
	tv_set_bool(v, "staff", p.staff);
	tv_set_int(v, "days", PROMPT_COUNT_DAYS);
	tv_set_int(v, "min", PROMPT_COUNT_MIN);
	tv_set_int(v, "spare", PROMPT_COUNT_SPARE);
	tv *mine = tv_set(v, "entries", tv_list(a));
	tv *counts = tv_set(v, "counts", tv_list(a));
	if (!p.staff) {
		/* The learner's own entries from it, by date: nothing is opened here. */
		PGresult *r = db_q(db,
			"SELECT id, to_char(created_at AT TIME ZONE $3, 'FMDD FMMonth YYYY') AS day"
			" FROM journal_entries WHERE user_id = $1 AND prompt_id = $2"
			" ORDER BY created_at, id LIMIT 50",
			num(a, u->id), num(a, p.id), u->time_zone);
		if (!r) {
			http_db_error(req);
			return;
		}
		for (int i = 0; i < PQntuples(r); i++) {
			tv *e = tv_push(mine, tv_obj(a));
			tv_set_str(e, "id", arena_strdup(a, db_col(r, i, "id")));
			tv_set_str(e, "day", arena_strdup(a, db_col(r, i, "day")));
		}
		PQclear(r);
	} else if (p.open) {
		bool failed = false;
		counts = tv_set(v, "counts", page_counts(req, db, &p, &failed));
		if (failed) {
			http_db_error(req);
			return;
		}
	}
	tv_set_bool(v, "has_entries", mine->n > 0);
	tv_set_bool(v, "has_counts", counts->n > 0);
	http_render(req, 200, "prompt",
	            arena_sprintf(a, "Reflection prompt: %s, day %s", p.course, p.day), v);
}

/* ---- editing and deleting ---------------------------------------------- */

static void edit_form(request *req, const prompt_page_ref *p, int status, const char *text,
                      int version, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	tv_set(v, "prompt", prompt_view(a, p));
	tv_set_str(v, "text", text);
	tv_set_str(v, "version", num(a, version));
	tv_set_str(v, "error", error);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_int(v, "max_chars", PROMPT_MAX_CHARS);
	http_render(req, status, "prompt_edit",
	            arena_sprintf(a, "Edit the prompt: %s, day %s", p->course, p->day), v);
}

static void prompt_edit_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	prompt_page_ref p;
	if (!db || !path_prompt(req, db, &p) || !staff_only(req, &p, false))
		return;
	edit_form(req, &p, 200, p.text, p.version, NULL);
}

static void prompt_edit_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	prompt_page_ref p;
	if (!db || !path_prompt(req, db, &p) || !staff_only(req, &p, true))
		return;
	char *text = clean_text(a, http_form(req, "body"));
	long long version = 0;
	if (!form_get_int(&req->body, "version", 1, 2000000000, &version)) {
		edit_form(req, &p, 422, text, p.version,
		          "This form is incomplete (it does not say which version it edits). Nothing "
		          "was saved: copy your text, reload the page and try again.");
		return;
	}
	const char *problem = text_problem(a, text);
	if (problem) {
		edit_form(req, &p, 422, text, (int)version, problem);
		return;
	}
	PGresult *r = db_q(db,
		"UPDATE journal_prompts SET body = $3, version = version + 1, updated_by = $4,"
		" updated_at = to_timestamp($5) WHERE id = $1 AND version = $2 RETURNING id",
		num(a, p.id), num(a, version), text, num(a, u->id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return;
	}
	bool saved = PQntuples(r) == 1;
	PQclear(r);
	if (!saved) {
		edit_form(req, &p, 409, text, p.version,
		          "Someone else saved this prompt meanwhile; it now reads as shown above. Your "
		          "text is below, not saved: compare the two, then save again.");
		return;
	}
	log_info("prompt: user %lld edited prompt %lld", (long long)u->id, p.id);
	http_redirect(req, arena_sprintf(a, "/offerings/%s/prompts?done=saved#item-%lld", p.slug,
	                                 p.item_id));
}

/* A prompt that has opened stays: learners may have written from it. */
static void opened_refusal(request *req, const prompt_page_ref *p)
{
	tv *v = tv_obj(req->a);
	tv_set(v, "prompt", prompt_view(req->a, p));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 409, "prompt_delete", "This prompt cannot be deleted", v);
}

static void prompt_delete_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	prompt_page_ref p;
	if (!db || !path_prompt(req, db, &p) || !staff_only(req, &p, false))
		return;
	if (p.open) {
		opened_refusal(req, &p);
		return;
	}
	tv *v = tv_obj(req->a);
	tv_set(v, "prompt", prompt_view(req->a, &p));
	tv_set_str(v, "csrf", session_csrf(req));
	http_render(req, 200, "prompt_delete", "Delete this prompt?", v);
}

static void prompt_delete_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	prompt_page_ref p;
	if (!db || !path_prompt(req, db, &p) || !staff_only(req, &p, true))
		return;
	if (p.open) {
		opened_refusal(req, &p);
		return;
	}
	const char *confirmed = http_form(req, "confirmed");
	if (!confirmed || strcmp(confirmed, "yes")) {
		http_redirect(req, arena_sprintf(a, "/prompts/%lld/delete", p.id));
		return;
	}
	/* Still not open at this statement's now: a prompt that opened since the
	 * page was read stays. */
	PGresult *r = db_q(db,
		"DELETE FROM journal_prompts p USING agenda_items ai"
		" WHERE p.id = $1 AND ai.id = p.agenda_item_id AND ai.ends_at > to_timestamp($2)"
		" RETURNING p.id",
		num(a, p.id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return;
	}
	bool deleted = PQntuples(r) == 1;
	PQclear(r);
	if (!deleted) {
		p.open = true;
		opened_refusal(req, &p);
		return;
	}
	log_info("prompt: user %lld deleted prompt %lld", (long long)u->id, p.id);
	http_redirect(req, arena_sprintf(a, "/offerings/%s/prompts?done=deleted#item-%lld", p.slug,
	                                 p.item_id));
}

void prompt_routes(router *r)
{
#define STAFF (ACCESS_OFFERING_STAFF | ACCESS_SERIES_DIRECTOR | ACCESS_ADMIN)
	router_add(r, "GET", "/offerings/:slug/prompts", offering_prompts_page, STAFF,
	           "the reflection prompts of an offering's agenda");
	router_add(r, "GET", "/agenda-items/:id/prompts/new", prompt_new_page, STAFF,
	           "write a prompt for a reflection or small-group session");
	router_add(r, "POST", "/agenda-items/:id/prompts", prompt_create, STAFF,
	           "add the prompt to the session");
	router_add(r, "GET", "/prompts/:id", prompt_page, ACCESS_ENROLLED | STAFF,
	           "a prompt: for its learners once open, for staff with their groups' counts");
	router_add(r, "GET", "/prompts/:id/edit", prompt_edit_page, STAFF, "edit a prompt's text");
	router_add(r, "POST", "/prompts/:id/edit", prompt_edit_post, STAFF, "save a prompt's text");
	router_add(r, "GET", "/prompts/:id/delete", prompt_delete_page, STAFF,
	           "asks before deleting a prompt that has not opened");
	router_add(r, "POST", "/prompts/:id/delete", prompt_delete_post, STAFF,
	           "delete a prompt that has not opened");
#undef STAFF
}
