/*
 * home.c - the learner's home: their account's loose ends (a recovery code
 * not yet confirmed, journal entries locked since a reset), their
 * enrollments (with what is left to do for one waiting for payment), and
 * the reflection prompts waiting for them (prompt.h), and the offerings
 * open for registration that they are not enrolled in.
 */
#include "cairn/home.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/forum.h"
#include "cairn/group.h"
#include "cairn/keys.h"
#include "cairn/notify.h"
#include "cairn/prompt.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdio.h>
#include <string.h>

/* Enrollments listed on the home; /enrollments has them all. */
enum { HOME_ENROLLMENTS = 5 };
/* Small groups listed on the home (a learner has one per series; staff may
 * oversee many); /groups has them all. */
enum { HOME_GROUPS = 5 };
/* Reflection prompts waiting, on the home; the journal lists more. */
enum { HOME_PROMPTS = 3 };

static void home_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)u->id);
	PGresult *c = db_q(db, "SELECT recovery_confirmed FROM credentials WHERE user_id = $1", uid);
	PGresult *o = c ? db_q(db,
		"SELECT o.slug, c.title, to_char(o.starts_on, 'FMMonth FMDD, YYYY')"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" WHERE coalesce(o.registration_deadline > to_timestamp($1), true)"
		" AND o.starts_on > (to_timestamp($1) AT TIME ZONE o.time_zone)::date"
		" AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.offering_id = o.id"
		"  AND e.user_id = $2 AND e.state <> 'cancelled')"
		" ORDER BY o.starts_on LIMIT 10",
		session_now_param(req), uid) : NULL;
	int locked = o ? keys_locked_versions(db, u->id) : -1;
	/* The next live session: the first non-break agenda item of any of my
	 * offerings that has not ended, showing the breakout of my track. */
	PGresult *nx = locked >= 0 ? db_q(db,
		"SELECT a.title, coalesce(b.title, ''), c.title, o.time_zone, o.slug,"
		" " ZONE_SQL("a.starts_at", "o.time_zone") ", " ZONE_SQL("a.ends_at", "o.time_zone") ","
		" " ZONE_SQL("a.starts_at", "$3") ", " ZONE_SQL("a.ends_at", "$3") ","
		" a.starts_at <= to_timestamp($2),"
		" a.day_number, o.time_zone = $3,"
		" (SELECT t.id FROM threads t WHERE t.agenda_item_id = a.id AND NOT t.hidden"
		"  AND " SPACE_READABLE_SQL("$1", "t.space_id") " ORDER BY t.id LIMIT 1)"
		" FROM agenda_items a JOIN offerings o ON o.id = a.offering_id"
		" JOIN courses c ON c.id = o.course_id"
		" JOIN enrollments e ON e.offering_id = o.id AND e.user_id = $1 AND e.state <> 'cancelled'"
		" LEFT JOIN agenda_breakouts b ON b.agenda_item_id = a.id"
		"  AND b.track = CASE WHEN $4 = 'pediatric' THEN 'pediatric' ELSE 'adult' END"
		" WHERE a.ends_at > to_timestamp($2) AND a.kind NOT IN ('break', 'lunch')"
		" ORDER BY a.starts_at LIMIT 1",
		uid, session_now_param(req), u->time_zone, u->track) : NULL;
	tv *spaces = nx ? forum_spaces_view(db, a, u->id, false) : NULL;
	tv *recent = spaces ? notify_recent_view(db, a, u->id, 5) : NULL;
	tv *mine = recent ? enroll_mine_view(db, a, u->id, 0, false, HOME_ENROLLMENTS) : NULL;
	tv *groups = mine ? group_mine_view(db, a, u->id, HOME_GROUPS + 1) : NULL;
	long long waiting = 0;
	tv *prompts = groups ? prompt_waiting_view(db, a, u->id, session_now_param(req), u->time_zone,
	                                           HOME_PROMPTS, &waiting) : NULL;
	if (!prompts) {
		PQclear(c);
		PQclear(o);
		PQclear(nx);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "display_name", u->display_name);
	tv_set_bool(v, "code_unconfirmed", PQntuples(c) && db_val(c, 0, 0)[0] != 't');
	tv_set_bool(v, "session_code", session_of(req)->pending_recovery);
	tv_set_bool(v, "locked", locked > 0);
	tv_set_bool(v, "is_admin", u->is_admin);
	tv *list = tv_set(v, "open_offerings", tv_list(a));
	for (int i = 0; i < PQntuples(o); i++) {
		tv *ov = tv_push(list, tv_obj(a));
		tv_set_str(ov, "slug", arena_strdup(a, db_val(o, i, 0)));
		tv_set_str(ov, "title", arena_strdup(a, db_val(o, i, 1)));
		tv_set_str(ov, "starts", arena_strdup(a, db_val(o, i, 2)));
	}
	tv_set_bool(v, "has_open", PQntuples(o) > 0);
	if (PQntuples(nx)) {
		tv *n = tv_set(v, "next", tv_obj(a));
		const char *breakout = db_val(nx, 0, 1);
		tv_set_str(n, "title", arena_strdup(a, *breakout ? breakout : db_val(nx, 0, 0)));
		tv_set_str(n, "course", arena_strdup(a, db_val(nx, 0, 2)));
		const char *zone = arena_strdup(a, db_val(nx, 0, 3)), *reader = u->time_zone;
		tv_set_str(n, "slug", arena_strdup(a, db_val(nx, 0, 4)));
		tv_set(n, "start", zone_time(a, db_val(nx, 0, 5), zone, reader, ZONE_DAY));
		tv_set(n, "end", zone_time(a, db_val(nx, 0, 6), zone, reader, ZONE_CLOCK));
		tv_set(n, "my_start", zone_time(a, db_val(nx, 0, 7), reader, reader, ZONE_DAY));
		tv_set(n, "my_end", zone_time(a, db_val(nx, 0, 8), reader, reader, ZONE_CLOCK));
		tv_set_str(n, "my_zone", zone_name(a, reader));
		tv_set_bool(n, "now", db_val(nx, 0, 9)[0] == 't');
		tv_set_str(n, "day", arena_strdup(a, db_val(nx, 0, 10)));
		tv_set_bool(n, "same_zone", db_val(nx, 0, 11)[0] == 't');
		const char *th = db_val(nx, 0, 12);
		tv_set(n, "thread", *th ? tv_str(a, arena_strdup(a, th)) : tv_null(a));
	} else {
		tv_set(v, "next", tv_null(a));
	}
	tv_set(v, "spaces", spaces);
	tv_set_bool(v, "has_spaces", spaces->n > 0);
	tv_set(v, "recent", recent);
	tv_set_bool(v, "has_recent", recent->n > 0);
	tv *own = tv_set(v, "groups", tv_list(a));
	bool oversees = false, moderates = false;
	for (size_t i = 0; i < groups->n; i++)
		moderates = moderates || tv_get(groups->items[i], "moderates")->b;
	for (size_t i = 0; i < groups->n && own->n < HOME_GROUPS; i++) {
		if (tv_get(groups->items[i], "mine")->b)
			tv_push(own, groups->items[i]);
		else
			oversees = true;
	}
	tv_set_bool(v, "has_groups", own->n > 0);
	tv_set_bool(v, "more_groups", oversees || groups->n > HOME_GROUPS);
	tv_set_bool(v, "dashboard", moderates);
	tv_set(v, "prompts", prompts);
	tv_set_bool(v, "has_prompts", prompts->n > 0);
	tv_set(v, "more_prompts", waiting > (long long)prompts->n
	                          ? tv_count(a, waiting - (long long)prompts->n, "more prompt",
	                                     "more prompts")
	                          : tv_null(a));
	tv_set(v, "enrollments", mine);
	tv_set_bool(v, "has_enrollments", mine->n > 0);
	PQclear(c);
	PQclear(o);
	PQclear(nx);
	http_render(req, 200, "learner_home", "Home", v);
}

void home_routes(router *r)
{
	router_add(r, "GET", "/home", home_page, ACCESS_SIGNED_IN, "your home between sessions");
}
