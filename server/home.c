/*
 * home.c - the learner's home: their account's loose ends (a recovery code
 * not yet confirmed, journal entries locked since a reset) and the
 * offerings open for registration.
 */
#include "cairn/home.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/keys.h"
#include "cairn/session.h"

#include <stdio.h>
#include <string.h>

static void home_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db(req);
	if (!db) {
		http_db_error(req);
		return;
	}
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)u->id);
	PGresult *c = db_q(db, "SELECT recovery_confirmed FROM credentials WHERE user_id = $1", uid);
	PGresult *o = c ? db_q(db,
		"SELECT o.slug, c.title, to_char(o.starts_on, 'FMMonth FMDD, YYYY')"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" WHERE coalesce(o.registration_deadline > to_timestamp($1), true)"
		" AND o.starts_on > (to_timestamp($1) AT TIME ZONE o.time_zone)::date"
		" ORDER BY o.starts_on LIMIT 10",
		session_now_param(req)) : NULL;
	int locked = o ? keys_locked_versions(db, u->id) : -1;
	if (!o || locked < 0) {
		PQclear(c);
		PQclear(o);
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
	PQclear(c);
	PQclear(o);
	http_render(req, 200, "learner_home", "Home", v);
}

void home_routes(router *r)
{
	router_add(r, "GET", "/home", home_page, "signed-in", "your home between sessions");
}
