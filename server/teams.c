/*
 * teams.c - team registration, quotes, invitations and acceptance. See
 * teams.h.
 *
 * The quote is per member (fee category, early or regular price, the group
 * discount when the team is large enough) and frozen when the coordinator
 * confirms: a member who accepts later pays what the coordinator was
 * quoted, and a replacement is quoted as of the confirmation too. The
 * coordinator's confirmation commits the team to its quote, so a member's
 * enrollment is confirmed when they accept (a cohort member at once).
 */
#include "cairn/teams.h"
#include "cairn/accounts.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/enroll.h"
#include "cairn/log.h"
#include "cairn/money.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/tokens.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

/* ---- the registration form ---- */

typedef struct member_in {
	const char *name, *email, *profession, *category, *track;
} member_in;

static tv *category_options(request *req, PGconn *db, long long offering_id, const char *selected)
{
	arena *a = req->a;
	PGresult *r = db_q(db,
		"SELECT fc.code, fc.label FROM offering_fees f JOIN fee_categories fc"
		" ON fc.code = f.category WHERE f.offering_id = $1 ORDER BY fc.position",
		num(a, offering_id));
	if (!r)
		return NULL;
	tv *list = tv_list(a);
	for (int i = 0; i < PQntuples(r); i++) {
		tv *o = tv_push(list, tv_obj(a));
		const char *code = arena_strdup(a, db_val(r, i, 0));
		tv_set_str(o, "value", code);
		tv_set_str(o, "label", arena_strdup(a, db_val(r, i, 1)));
		tv_set_bool(o, "selected", selected && !strcmp(selected, code));
	}
	PQclear(r);
	return list;
}

static tv *simple_options(arena *a, const char *selected, const char *const *values,
                          const char *const *labels, size_t n)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", values[i]);
		tv_set_str(o, "label", labels[i]);
		tv_set_bool(o, "selected", selected && !strcmp(selected, values[i]));
	}
	return list;
}

static const char *profession_values[] = {"physician", "nurse", "np", "pa", "psychologist",
	"psychiatrist", "social_worker", "chaplain", "pharmacist", "resident_fellow", "other"};
static const char *track_values[] = {"adult", "pediatric", "both"};
static const char *track_labels[] = {"Adult", "Pediatric", "Both"};

/* One member row's view (fields, choices, ids for labels). */
static tv *member_row_view(request *req, PGconn *db, long long offering_id, int index,
                           const member_in *m)
{
	arena *a = req->a;
	const char *plabels[sizeof profession_values / sizeof profession_values[0]];
	for (size_t i = 0; i < sizeof plabels / sizeof plabels[0]; i++)
		plabels[i] = accounts_profession_label(profession_values[i]);
	tv *row = tv_obj(a);
	tv_set_int(row, "n", index + 1);
	tv_set_str(row, "name", m && m->name ? m->name : "");
	tv_set_str(row, "email", m && m->email ? m->email : "");
	tv_set(row, "professions", simple_options(a, m ? m->profession : NULL, profession_values,
	                                          plabels, sizeof plabels / sizeof plabels[0]));
	tv *cats = category_options(req, db, offering_id, m ? m->category : NULL);
	if (!cats)
		return NULL;
	tv_set(row, "categories", cats);
	tv_set(row, "tracks", simple_options(a, m && m->track ? m->track : "adult", track_values,
	                                     track_labels, 3));
	return row;
}

typedef struct offering_min {
	long long id;
	const char *slug, *title, *dates, *policy;
	bool open;
	int discount_min, discount_percent;
} offering_min;

static bool load_offering(request *req, PGconn *db, const char *where_sql, const char *key,
                          offering_min *o)
{
	arena *a = req->a;
	char *sql = arena_sprintf(a,
		"SELECT o.id, o.slug, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY'),"
		" coalesce(o.registration_deadline > to_timestamp($2), true)"
		" AND o.starts_on > (to_timestamp($2) AT TIME ZONE o.time_zone)::date,"
		" coalesce(o.group_discount_min_size, 0), o.group_discount_percent, o.cancellation_policy"
		" FROM offerings o JOIN courses c ON c.id = o.course_id WHERE %s", where_sql);
	PGresult *r = db_q(db, sql, key, session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, "There is no offering at this address.");
		return false;
	}
	o->id = atoll(db_val(r, 0, 0));
	o->slug = arena_strdup(a, db_val(r, 0, 1));
	o->title = arena_strdup(a, db_val(r, 0, 2));
	o->dates = arena_strdup(a, db_val(r, 0, 3));
	o->open = db_val(r, 0, 4)[0] == 't';
	o->discount_min = atoi(db_val(r, 0, 5));
	o->discount_percent = atoi(db_val(r, 0, 6));
	o->policy = arena_strdup(a, db_val(r, 0, 7));
	PQclear(r);
	return true;
}

static void team_form(request *req, PGconn *db, const offering_min *o, int status, int rows,
                      const char *name, const char *institution, const member_in *members,
                      int given, const char *error)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	tv *ov = tv_set(v, "offering", tv_obj(a));
	tv_set_str(ov, "slug", o->slug);
	tv_set_str(ov, "title", o->title);
	tv_set_str(ov, "dates", o->dates);
	tv_set(v, "discount", o->discount_min
	                          ? tv_strf(a, "Teams of %d or more get %d%% off each member's course fee.",
	                                    o->discount_min, o->discount_percent)
	                          : tv_null(a));
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "name", name ? name : "");
	tv_set_str(v, "institution", institution ? institution : "");
	tv *list = tv_set(v, "rows", tv_list(a));
	for (int i = 0; i < rows; i++) {
		tv *row = member_row_view(req, db, o->id, i, i < given ? &members[i] : NULL);
		if (!row) {
			http_db_error(req);
			return;
		}
		tv_push(list, row);
	}
	tv_set_int(v, "row_count", rows);
	tv_set(v, "more_rows", rows < TEAM_MAX_MEMBERS ? tv_int(a, rows + 5 > TEAM_MAX_MEMBERS
	                                                                ? TEAM_MAX_MEMBERS
	                                                                : rows + 5)
	                                               : tv_null(a));
	req->no_store = true;
	http_render(req, status, "team_new", "Register a team", v);
}

static void team_new_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_min o;
	if (!load_offering(req, db, "o.slug = $1", http_param(req, "slug"), &o))
		return;
	if (!o.open) {
		http_error(req, 409, enroll_result_text(ENROLL_CLOSED));
		return;
	}
	long long rows = 5;
	if (http_query(req, "rows") && !form_get_int(&req->query, "rows", 1, TEAM_MAX_MEMBERS, &rows))
		rows = 5;
	team_form(req, db, &o, 200, (int)rows, NULL, NULL, NULL, 0, NULL);
}

static bool valid_email(const char *e)
{
	const char *at = e ? strchr(e, '@') : NULL;
	return at && at != e && at[1] && !strchr(at + 1, '@') && strlen(e) <= 254 &&
	       !strpbrk(e, " \t<>,;\"");
}

static void team_create_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_min o;
	if (!load_offering(req, db, "o.slug = $1", http_param(req, "slug"), &o))
		return;
	if (!o.open) {
		http_error(req, 409, enroll_result_text(ENROLL_CLOSED));
		return;
	}
	const char *name = http_form(req, "name"), *institution = http_form(req, "institution");
	long long rows = 0;
	if (!form_get_int(&req->body, "rows", 1, TEAM_MAX_MEMBERS, &rows)) {
		http_error(req, 400, "The form is incomplete. Go back and try again.");
		return;
	}
	member_in *m = arena_calloc(a, (size_t)rows, sizeof *m);
	int given = 0;
	const char *problem = NULL;
	for (int i = 0; i < rows; i++) {
		member_in in = {
			http_form(req, arena_sprintf(a, "m%d_name", i + 1)),
			http_form(req, arena_sprintf(a, "m%d_email", i + 1)),
			http_form(req, arena_sprintf(a, "m%d_profession", i + 1)),
			http_form(req, arena_sprintf(a, "m%d_category", i + 1)),
			http_form(req, arena_sprintf(a, "m%d_track", i + 1)),
		};
		bool blank = (!in.name || !*in.name) && (!in.email || !*in.email);
		m[i] = in;
		if (blank)
			continue;
		given = i + 1;
		if (problem)
			continue;
		if (!in.name || !*in.name || utf8_length(in.name, strlen(in.name)) > 100)
			problem = arena_sprintf(a, "Member %d needs a name (up to 100 characters).", i + 1);
		else if (!valid_email(in.email))
			problem = arena_sprintf(a, "Member %d needs a valid email address.", i + 1);
		else if (!accounts_profession_valid(in.profession))
			problem = arena_sprintf(a, "Choose member %d's profession.", i + 1);
		else if (!in.track || (strcmp(in.track, "adult") && strcmp(in.track, "pediatric") &&
		                       strcmp(in.track, "both")))
			problem = arena_sprintf(a, "Choose member %d's track.", i + 1);
		else {
			fee_rule rule;
			bool failed;
			if (!enroll_fee_rule(db, o.id, in.category, &rule, &failed)) {
				if (failed) {
					http_db_error(req);
					return;
				}
				problem = arena_sprintf(a, "Choose member %d's fee category.", i + 1);
			}
			for (int j = 0; !problem && j < i; j++)
				if (m[j].email && !strcasecmp(m[j].email, in.email))
					problem = arena_sprintf(a, "Members %d and %d have the same email address.",
					                        j + 1, i + 1);
		}
	}
	int count = 0;
	for (int i = 0; i < rows; i++)
		if ((m[i].name && *m[i].name) || (m[i].email && *m[i].email))
			count++;
	if (!problem && (!name || !*name || utf8_length(name, strlen(name)) > 120))
		problem = "Give the team a name (up to 120 characters).";
	if (!problem && institution && utf8_length(institution, strlen(institution)) > 200)
		problem = "The institution's name can be at most 200 characters.";
	if (!problem && count == 0)
		problem = "List at least one member.";
	if (problem) {
		team_form(req, db, &o, 422, (int)rows, name, institution, m, given, problem);
		return;
	}
	long long now = (long long)clock_now();
	bool ok = db_begin(db);
	PGresult *r = ok ? db_q(db,
		"INSERT INTO teams (offering_id, name, institution, coordinator_id, state, created_at)"
		" VALUES ($1, $2, $3, $4, 'draft', to_timestamp($5)) RETURNING id",
		num(a, o.id), name, institution ? institution : "", num(a, u->id), num(a, now)) : NULL;
	ok = r != NULL;
	long long team_id = ok ? atoll(db_val(r, 0, 0)) : 0;
	PQclear(r);
	int position = 0;
	for (int i = 0; ok && i < rows; i++) {
		if (!((m[i].name && *m[i].name) || (m[i].email && *m[i].email)))
			continue;
		ok = db_exec(db,
			"INSERT INTO team_members (team_id, position, name, email, profession, fee_category,"
			" track, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'listed',"
			" to_timestamp($8))",
			8, (const char *[]){num(a, team_id), num(a, ++position), m[i].name, m[i].email,
			                    m[i].profession, m[i].category, m[i].track, num(a, now)});
	}
	ok = ok && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/teams/%lld", team_id));
}

/* ---- the team page ---- */

typedef struct team_ref {
	long long id, offering_id, coordinator_id;
	const char *name, *institution, *state;
	long long confirmed_at; /* 0 while a draft */
	int confirmed_size;     /* live members when confirmed */
	bool started;
} team_ref;

/* Load a team the signed-in person coordinates (or any, for an admin).
 * Answers 404 itself for teams that are not theirs. */
static bool load_team(request *req, PGconn *db, user *u, team_ref *t)
{
	long long id;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	arena *a = req->a;
	PGresult *r = db_q(db,
		"SELECT t.id, t.offering_id, t.coordinator_id, t.name, t.institution, t.state,"
		" coalesce(extract(epoch FROM t.confirmed_at)::bigint, 0),"
		" o.starts_on <= (to_timestamp($2) AT TIME ZONE o.time_zone)::date,"
		" coalesce(t.confirmed_size, 0)"
		" FROM teams t JOIN offerings o ON o.id = t.offering_id WHERE t.id = $1",
		num(a, id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1 || (!u->is_admin && atoll(db_val(r, 0, 2)) != u->id)) {
		PQclear(r);
		http_error(req, 404, "There is no such team of yours.");
		return false;
	}
	t->id = id;
	t->offering_id = atoll(db_val(r, 0, 1));
	t->coordinator_id = atoll(db_val(r, 0, 2));
	t->name = arena_strdup(a, db_val(r, 0, 3));
	t->institution = arena_strdup(a, db_val(r, 0, 4));
	t->state = arena_strdup(a, db_val(r, 0, 5));
	t->confirmed_at = atoll(db_val(r, 0, 6));
	t->started = db_val(r, 0, 7)[0] == 't';
	t->confirmed_size = atoi(db_val(r, 0, 8));
	PQclear(r);
	return true;
}

static int live_members(PGconn *db, arena *a, long long team_id)
{
	PGresult *r = db_q(db, "SELECT count(*) FROM team_members WHERE team_id = $1"
	                       " AND state IN ('listed', 'invited', 'accepted')", num(a, team_id));
	if (!r)
		return -1;
	int n = atoi(db_val(r, 0, 0));
	PQclear(r);
	return n;
}

/* Render the team page; links (may be NULL) are freshly issued invitation
 * links to show once: a list of {name, link}. error and notice (what was
 * just done) may be NULL. */
static void team_view(request *req, PGconn *db, const team_ref *t, int status, tv *links,
                      const char *error, const char *notice)
{
	arena *a = req->a;
	offering_min o;
	if (!load_offering(req, db, "o.id = $1::bigint", num(a, t->offering_id), &o))
		return;
	int size = live_members(db, a, t->id);
	PGresult *r = size >= 0 ? db_q(db,
		"SELECT m.id, m.name, m.email, m.profession, coalesce(fc.label, m.fee_category), m.track,"
		" m.state, m.fee_category, m.course_fee_cents, m.discount_cents, m.processing_fee_cents,"
		" m.amount_cents, m.price_kind FROM team_members m"
		" LEFT JOIN fee_categories fc ON fc.code = m.fee_category"
		" WHERE m.team_id = $1 ORDER BY m.position, m.id",
		num(a, t->id)) : NULL;
	if (!r) {
		http_db_error(req);
		return;
	}
	bool draft = !strcmp(t->state, "draft"), cancelled = !strcmp(t->state, "cancelled");
	/* A team never confirmed is quoted for today; a confirmed one shows its
	 * frozen quote. */
	bool quoted_now = t->confirmed_at == 0;
	long long quote_at = quoted_now ? (long long)clock_now() : t->confirmed_at;
	tv *v = tv_obj(a);
	tv *ov = tv_set(v, "offering", tv_obj(a));
	tv_set_str(ov, "slug", o.slug);
	tv_set_str(ov, "title", o.title);
	tv_set_str(ov, "dates", o.dates);
	tv_set_str(v, "id", num(a, t->id));
	tv_set_str(v, "name", t->name);
	tv_set(v, "institution", *t->institution ? tv_str(a, t->institution) : tv_null(a));
	tv_set_bool(v, "draft", draft);
	tv_set_bool(v, "confirmed", !strcmp(t->state, "confirmed"));
	tv_set_bool(v, "can_change", !strcmp(t->state, "confirmed") && !t->started);
	tv_set_bool(v, "cancelled", cancelled);
	tv_set_bool(v, "was_confirmed", !quoted_now);
	tv_set_str(v, "notice", notice);
	tv_set_bool(v, "open", o.open);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set(v, "links", links ? links : tv_list(a));
	tv_set_bool(v, "has_links", links && links->n > 0);
	tv_set_int(v, "size", size);
	tv_set(v, "discount_note",
	       o.discount_min && !cancelled ? (size >= o.discount_min
	                             ? tv_strf(a, "The group discount (%d%%) applies: the team has %d "
	                                          "members.", o.discount_percent, size)
	                             : tv_strf(a, "Teams of %d or more get %d%% off; this team has %d.",
	                                       o.discount_min, o.discount_percent, size))
	                      : tv_null(a));
	tv *list = tv_set(v, "members", tv_list(a));
	long long total = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *m = tv_push(list, tv_obj(a));
		const char *state = db_val(r, i, 6);
		tv_set_str(m, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(m, "name", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(m, "email", arena_strdup(a, db_val(r, i, 2)));
		tv_set_str(m, "profession", accounts_profession_label(db_val(r, i, 3)));
		tv_set_str(m, "category", arena_strdup(a, db_val(r, i, 4)));
		tv_set_str(m, "track", arena_strdup(a, db_val(r, i, 5)));
		bool live = !strcmp(state, "listed") || !strcmp(state, "invited") ||
		            !strcmp(state, "accepted");
		tv_set_str(m, "state", !strcmp(state, "listed") ? "not yet invited"
		                       : !strcmp(state, "invited") ? "invited"
		                       : !strcmp(state, "accepted") ? "accepted"
		                       : !strcmp(state, "revoked") ? "revoked" : "replaced");
		tv_set_bool(m, "live", live);
		tv_set_bool(m, "invited", !strcmp(state, "invited"));
		tv_set_bool(m, "accepted", !strcmp(state, "accepted"));
		fee_quote q;
		if (quoted_now) {
			fee_rule rule;
			bool failed;
			if (!enroll_fee_rule(db, t->offering_id, db_val(r, i, 7), &rule, &failed)) {
				PQclear(r);
				http_db_error(req);
				return;
			}
			q = fees_quote(&rule, (time_t)quote_at, size);
		} else {
			q.course_fee_cents = atoll(db_val(r, i, 8));
			q.discount_cents = atoll(db_val(r, i, 9));
			q.processing_cents = atoll(db_val(r, i, 10));
			q.total_cents = atoll(db_val(r, i, 11));
			q.early = !strcmp(db_val(r, i, 12), "early");
		}
		tv_set_str(m, "fee", money_format(a, q.course_fee_cents));
		tv_set_bool(m, "early", q.early);
		tv_set(m, "discount", q.discount_cents ? tv_str(a, money_format(a, q.discount_cents))
		                                       : tv_null(a));
		tv_set_str(m, "processing", money_format(a, q.processing_cents));
		tv_set_str(m, "total", money_format(a, q.total_cents));
		tv_set_str(m, "csrf", session_csrf(req));
		tv_set_str(m, "team_id", num(a, t->id));
		if (live)
			total += q.total_cents;
	}
	tv_set_str(v, "total", money_format(a, total));
	PQclear(r);
	req->no_store = true;
	http_render(req, status, "team", arena_sprintf(a, "Team %s", t->name), v);
}

static void team_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	team_ref t;
	if (!load_team(req, db, u, &t))
		return;
	/* What the action that redirected here did (POST-redirect-GET). */
	static const struct { const char *done, *notice; } notices[] = {
		{"revoked", "The member was taken off the team, and a message telling them is queued."},
		{"discarded", "The team was discarded. Everyone who had been invited is sent a message "
		              "saying so."},
	};
	const char *done = http_query(req, "done"), *notice = NULL;
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
		if (!strcmp(done, notices[i].done))
			notice = notices[i].notice;
	team_view(req, db, &t, 200, NULL, NULL, notice);
}

/* Issue an invitation for member mid and queue its message. Appends
 * {name, link} to links. Inside the caller's transaction. */
static bool invite_member(request *req, PGconn *db, const team_ref *t, long long mid,
                          long long now, tv *links)
{
	arena *a = req->a;
	PGresult *r = db_q(db,
		"SELECT m.name, m.email, c.title, u.display_name FROM team_members m"
		" JOIN teams t ON t.id = m.team_id JOIN offerings o ON o.id = t.offering_id"
		" JOIN courses c ON c.id = o.course_id JOIN users u ON u.id = t.coordinator_id"
		" WHERE m.id = $1 AND m.team_id = $2",
		num(a, mid), num(a, t->id));
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return false;
	}
	const char *name = arena_strdup(a, db_val(r, 0, 0));
	const char *email = arena_strdup(a, db_val(r, 0, 1));
	const char *course = arena_strdup(a, db_val(r, 0, 2));
	const char *coordinator = arena_strdup(a, db_val(r, 0, 3));
	PQclear(r);
	char token[CRYPTO_TOKEN_TEXT_BYTES + 1];
	token_data data = {.team_member_id = mid};
	int64_t tid = token_issue(db, a, "team_invite", 0, email, false, t->coordinator_id,
	                          TEAM_INVITE_TTL_SECONDS, &data, now, token);
	const char *link = arena_sprintf(a, "%s/team-invite?token=%s", req->app->cfg->origin, token);
	sodium_memzero(token, sizeof token);
	bool ok = tid &&
		db_exec(db, "UPDATE team_members SET state = 'invited', token_id = $2 WHERE id = $1", 2,
		        (const char *[]){num(a, mid), num(a, tid)}) &&
		outbox_put(db, a, email, "team-invite",
		           arena_sprintf(a, "Join team %s for %s", t->name, course),
		           arena_sprintf(a,
		                         "Hello %s,\n\n%s has registered team %s for %s and listed you as a "
		                         "member.\nAccept your place here (the link works once and expires "
		                         "in 21 days):\n%s\n",
		                         name, coordinator, t->name, course, link),
		           now);
	if (ok) {
		tv *l = tv_push(links, tv_obj(a));
		tv_set_str(l, "name", name);
		tv_set_str(l, "email", email);
		tv_set_str(l, "link", link);
	}
	return ok;
}

static void team_confirm_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	team_ref t;
	if (!load_team(req, db, u, &t))
		return;
	if (strcmp(t.state, "draft")) {
		http_error(req, 409, "This team is already confirmed.");
		return;
	}
	long long now = (long long)clock_now();
	bool failed;
	if (!enroll_is_open(db, t.offering_id, now, &failed)) {
		if (failed)
			http_db_error(req);
		else
			http_error(req, 409, enroll_result_text(ENROLL_CLOSED));
		return;
	}
	tv *links = tv_list(a);
	bool ok = db_begin(db);
	int size = ok ? live_members(db, a, t.id) : -1;
	PGresult *r = size > 0 ? db_q(db, "SELECT id, fee_category FROM team_members WHERE team_id = $1"
	                                  " AND state = 'listed' ORDER BY position FOR UPDATE",
	                              num(a, t.id)) : NULL;
	ok = r != NULL;
	for (int i = 0; ok && i < PQntuples(r); i++) {
		long long mid = atoll(db_val(r, i, 0));
		fee_rule rule;
		ok = enroll_fee_rule(db, t.offering_id, db_val(r, i, 1), &rule, &failed);
		if (!ok)
			break;
		fee_quote q = fees_quote(&rule, (time_t)now, size);
		ok = db_exec(db,
			"UPDATE team_members SET price_kind = $2, course_fee_cents = $3, discount_cents = $4,"
			" processing_fee_cents = $5, amount_cents = $6 WHERE id = $1",
			6, (const char *[]){num(a, mid), q.early ? "early" : "regular",
			                    num(a, q.course_fee_cents), num(a, q.discount_cents),
			                    num(a, q.processing_cents), num(a, q.total_cents)}) &&
		     invite_member(req, db, &t, mid, now, links);
	}
	PQclear(r);
	ok = ok && db_exec(db, "UPDATE teams SET state = 'confirmed', confirmed_at = to_timestamp($2),"
	                       " confirmed_size = $3 WHERE id = $1", 3,
	                   (const char *[]){num(a, t.id), num(a, now), num(a, size)}) &&
	     db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	t.state = "confirmed";
	t.confirmed_at = now;
	t.confirmed_size = size;
	log_info("teams: team %lld confirmed with %d members", t.id, size);
	team_view(req, db, &t, 201, links, NULL, NULL);
}

/* ---- taking people off a team: each change asks first, and tells them ---- */

static const char started_words[] =
	"Members can be changed only on a confirmed team, until the offering starts.";

/* A member a change is about, and what accepting made of them. */
typedef struct member_ref {
	long long id, enrollment_id, token_id, amount, processing;
	const char *state, *name, *email;
	const char *enrollment_state, *source; /* "" without an enrollment */
} member_ref;

#define MEMBER_SQL                                                                         \
	"SELECT m.id, m.state, m.name, m.email, coalesce(m.enrollment_id, 0) AS enrollment_id," \
	" coalesce(m.token_id, 0) AS token_id, coalesce(e.state, '') AS enrollment_state,"      \
	" coalesce(e.source, '') AS source,"                                                   \
	" coalesce(e.amount_cents, m.amount_cents) AS amount_cents,"                            \
	" coalesce(e.processing_fee_cents, m.processing_fee_cents) AS processing_fee_cents"     \
	" FROM team_members m LEFT JOIN enrollments e ON e.id = m.enrollment_id"

static void read_member(arena *a, const PGresult *r, int row, member_ref *m)
{
	m->id = atoll(db_col(r, row, "id"));
	m->state = arena_strdup(a, db_col(r, row, "state"));
	m->name = arena_strdup(a, db_col(r, row, "name"));
	m->email = arena_strdup(a, db_col(r, row, "email"));
	m->enrollment_id = atoll(db_col(r, row, "enrollment_id"));
	m->token_id = atoll(db_col(r, row, "token_id"));
	m->enrollment_state = arena_strdup(a, db_col(r, row, "enrollment_state"));
	m->source = arena_strdup(a, db_col(r, row, "source"));
	m->amount = atoll(db_col(r, row, "amount_cents"));
	m->processing = atoll(db_col(r, row, "processing_fee_cents"));
}

static bool on_team(const member_ref *m)
{
	return !strcmp(m->state, "invited") || !strcmp(m->state, "accepted");
}

/* Accepting made an enrollment that is still live. */
static bool enrolled(const member_ref *m)
{
	return !strcmp(m->state, "accepted") && m->enrollment_id &&
	       strcmp(m->enrollment_state, "cancelled");
}

/* Take a member off the team: withdraw the invitation or cancel the
 * enrollment made by accepting it. */
static bool remove_member(PGconn *db, arena *a, const member_ref *m, const char *new_state,
                          long long now)
{
	return (!m->token_id || token_revoke(db, m->token_id, now)) &&
	       (!m->enrollment_id ||
	        db_exec(db, "UPDATE enrollments SET state = 'cancelled',"
	                    " cancelled_at = to_timestamp($2) WHERE id = $1"
	                    " AND state <> 'cancelled'",
	                2, (const char *[]){num(a, m->enrollment_id), num(a, now)})) &&
	       db_exec(db, "UPDATE team_members SET state = $2 WHERE id = $1", 2,
	               (const char *[]){num(a, m->id), new_state});
}

/* Queue the message telling m that u's change (what: "took you off",
 * "discarded" ...) ends their place on team t: what became of their
 * invitation or enrollment, who did it, and what it means for their money.
 * Inside the caller's transaction. */
static bool tell_member(request *req, PGconn *db, const team_ref *t, const offering_min *o,
                        const member_ref *m, const char *kind, const char *subject,
                        const char *what, long long now)
{
	arena *a = req->a;
	user *u = session_user(req);
	const char *who = arena_sprintf(a, u->id == t->coordinator_id
	                                       ? "%s, your team's coordinator,"
	                                       : "%s, an administrator of the course office,",
	                                u->display_name);
	const char *effect =
		enrolled(m) ? arena_sprintf(a, "Your enrollment in the course is cancelled. %s\n\n"
		                               "Cancellation policy: %s",
		                            enroll_refund_words(a, m->enrollment_state, m->source, m->amount,
		                                                m->processing),
		                            o->policy)
		            : "The invitation you were sent no longer works, and nothing is owed.";
	const char *body = arena_sprintf(a,
		"Hello %s,\n\n%s %s team %s for %s (%s).\n\n%s\n\nIf this comes as a surprise, ask "
		"your team's coordinator or the course office.\n",
		m->name, who, what, t->name, o->title, o->dates, effect);
	return outbox_put(db, a, m->email, kind, subject, body, now);
}

/* What a change does to m, for its confirmation page. */
static tv *member_change_view(request *req, const team_ref *t, const offering_min *o,
                              const member_ref *m)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	tv_set_str(v, "team_id", num(a, t->id));
	tv_set_str(v, "team", t->name);
	tv_set_str(v, "title", o->title);
	tv_set_str(v, "dates", o->dates);
	tv_set_str(v, "id", num(a, m->id));
	tv_set_str(v, "name", m->name);
	tv_set_str(v, "email", m->email);
	tv_set_bool(v, "enrolled", enrolled(m));
	tv_set_str(v, "state_label", enrolled(m) ? "accepted and enrolled" : "invited, not yet accepted");
	tv_set_str(v, "enrollment_state", !strcmp(m->enrollment_state, "confirmed")
	                                      ? "confirmed" : "waiting for payment");
	tv_set_str(v, "amount", money_format(a, m->amount));
	tv_set_str(v, "refund", enroll_refund_words(a, m->enrollment_state, m->source, m->amount,
	                                            m->processing));
	tv_set_str(v, "policy", o->policy);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	return v;
}

/* The member a /teams/:id/members/:mid page or action is about, on a team
 * that can still change (confirmed, not started), with the team's offering.
 * With lock, the member's row is locked (inside the caller's transaction).
 * Answers the request itself (404, 409, 503) and returns false otherwise. */
static bool load_member(request *req, PGconn *db, user *u, bool lock, team_ref *t,
                        offering_min *o, member_ref *m)
{
	arena *a = req->a;
	long long mid;
	if (!load_team(req, db, u, t))
		return false;
	if (!http_parse_id(http_param(req, "mid"), &mid)) {
		http_error(req, 404, NULL);
		return false;
	}
	if (strcmp(t->state, "confirmed") || t->started) {
		http_error(req, 409, started_words);
		return false;
	}
	PGresult *r = db_q(db, lock ? MEMBER_SQL " WHERE m.id = $1 AND m.team_id = $2 FOR UPDATE OF m"
	                            : MEMBER_SQL " WHERE m.id = $1 AND m.team_id = $2",
	                   num(a, mid), num(a, t->id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, "There is no such member on this team.");
		return false;
	}
	read_member(a, r, 0, m);
	PQclear(r);
	return load_offering(req, db, "o.id = $1::bigint", num(a, t->offering_id), o);
}

/* load_member with the row locked, inside a transaction this opens. Returns
 * the connection, or NULL once the request has been answered. */
static PGconn *begin_member_change(request *req, team_ref *t, offering_min *o, member_ref *m)
{
	user *u = authz_require_user(req);
	PGconn *db = u ? http_db_required(req) : NULL;
	if (!db)
		return NULL;
	if (!db_begin(db)) {
		http_db_error(req);
		return NULL;
	}
	if (!load_member(req, db, u, true, t, o, m)) {
		db_rollback(db);
		return NULL;
	}
	return db;
}

static const char gone_words[] = "This member is no longer on the team.";

static void member_resend_post(request *req)
{
	team_ref t;
	offering_min o;
	member_ref m;
	long long now = (long long)clock_now();
	PGconn *db = begin_member_change(req, &t, &o, &m);
	if (!db)
		return;
	if (strcmp(m.state, "invited")) {
		db_rollback(db);
		http_error(req, 409, "Only a member whose invitation is waiting can be sent a new one.");
		return;
	}
	tv *links = tv_list(req->a);
	bool ok = (!m.token_id || token_revoke(db, m.token_id, now)) &&
	          invite_member(req, db, &t, m.id, now, links) && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	team_view(req, db, &t, 201, links, NULL, NULL);
}

static void member_revoke_page(request *req)
{
	user *u = authz_require_user(req);
	PGconn *db = u ? http_db_required(req) : NULL;
	if (!db)
		return;
	team_ref t;
	offering_min o;
	member_ref m;
	if (!load_member(req, db, u, false, &t, &o, &m))
		return;
	if (!on_team(&m)) {
		http_error(req, 409, gone_words);
		return;
	}
	http_render(req, 200, "team_member_revoke",
	            arena_sprintf(req->a, "Take %s off the team?", m.name),
	            member_change_view(req, &t, &o, &m));
}

static void member_revoke_post(request *req)
{
	team_ref t;
	offering_min o;
	member_ref m;
	long long now = (long long)clock_now();
	PGconn *db = begin_member_change(req, &t, &o, &m);
	if (!db)
		return;
	if (!on_team(&m)) {
		db_rollback(db);
		http_error(req, 409, gone_words);
		return;
	}
	/* Only the confirmation page's form acts; anything else is shown it. */
	if (!http_form(req, "confirmed")) {
		db_rollback(db);
		http_redirect(req, arena_sprintf(req->a, "/teams/%lld/members/%lld/revoke", t.id, m.id));
		return;
	}
	if (!remove_member(db, req->a, &m, "revoked", now) ||
	    !tell_member(req, db, &t, &o, &m, "team-member-removed",
	                 arena_sprintf(req->a, "You were taken off team %s", t.name), "took you off",
	                 now) ||
	    !db_commit(db)) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	http_redirect(req, arena_sprintf(req->a, "/teams/%lld?done=revoked", t.id));
}

/* The replacement's fields as typed ("" when absent). */
static member_in replacement_in(request *req)
{
	const char *f[5] = {"name", "email", "profession", "category", "track"}, *val[5];
	for (int i = 0; i < 5; i++) {
		val[i] = http_form(req, f[i]);
		if (!val[i])
			val[i] = "";
	}
	return (member_in){val[0], val[1], val[2], val[3], val[4]};
}

/* The replacement page: what happens to m, and the form for the person who
 * takes their place (in, as typed so far; error may be NULL). */
static void replace_view(request *req, PGconn *db, const team_ref *t, const offering_min *o,
                         const member_ref *m, int status, const member_in *in, const char *error)
{
	tv *v = member_change_view(req, t, o, m);
	tv *row = member_row_view(req, db, t->offering_id, 0, in);
	if (!row) {
		http_db_error(req);
		return;
	}
	tv_set(v, "new", row);
	tv_set_str(v, "error", error);
	http_render(req, status, "team_member_replace",
	            arena_sprintf(req->a, "Replace %s", m->name), v);
}

static void member_replace_page(request *req)
{
	user *u = authz_require_user(req);
	PGconn *db = u ? http_db_required(req) : NULL;
	if (!db)
		return;
	team_ref t;
	offering_min o;
	member_ref m;
	if (!load_member(req, db, u, false, &t, &o, &m))
		return;
	if (!on_team(&m)) {
		http_error(req, 409, gone_words);
		return;
	}
	replace_view(req, db, &t, &o, &m, 200, NULL, NULL);
}

static void member_replace_post(request *req)
{
	arena *a = req->a;
	team_ref t;
	offering_min o;
	member_ref m;
	long long now = (long long)clock_now();
	PGconn *db = begin_member_change(req, &t, &o, &m);
	if (!db)
		return;
	member_in in = replacement_in(req);
	if (!on_team(&m)) {
		db_rollback(db);
		team_view(req, db, &t, 422, NULL, gone_words, NULL);
		return;
	}
	/* Only the replacement page's form acts; a form from elsewhere is shown
	 * that page first, with what was typed. */
	if (!http_form(req, "confirmed")) {
		db_rollback(db);
		replace_view(req, db, &t, &o, &m, 200, &in, NULL);
		return;
	}
	const char *problem = NULL;
	fee_rule rule;
	bool failed = false;
	if (!*in.name || utf8_length(in.name, strlen(in.name)) > 100)
		problem = "Give the new member's name (up to 100 characters).";
	else if (!valid_email(in.email))
		problem = "Give the new member's email address.";
	else if (!accounts_profession_valid(in.profession))
		problem = "Choose the new member's profession.";
	else if (strcmp(in.track, "adult") && strcmp(in.track, "pediatric") &&
	         strcmp(in.track, "both"))
		problem = "Choose the new member's track.";
	else if (!enroll_fee_rule(db, t.offering_id, in.category, &rule, &failed))
		problem = failed ? NULL : "Choose the new member's fee category.";
	if (failed) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	if (problem) {
		db_rollback(db);
		replace_view(req, db, &t, &o, &m, 422, &in, problem);
		return;
	}
	/* The replacement is quoted as the team was when confirmed: the same
	 * size (so the same group discount) and the same moment. */
	int size = t.confirmed_size ? t.confirmed_size : live_members(db, a, t.id);
	fee_quote q = fees_quote(&rule, (time_t)t.confirmed_at, size);
	tv *links = tv_list(a);
	PGresult *r = remove_member(db, a, &m, "replaced", now) ? db_query(db,
		"INSERT INTO team_members (team_id, position, name, email, profession, fee_category,"
		" track, state, price_kind, course_fee_cents, discount_cents, processing_fee_cents,"
		" amount_cents, created_at) SELECT $1, (SELECT position FROM team_members WHERE id = $2),"
		" $3, $4, $5, $6, $7, 'listed', $8, $9, $10, $11, $12, to_timestamp($13) RETURNING id",
		13, (const char *[]){num(a, t.id), num(a, m.id), in.name, in.email, in.profession,
		                     in.category, in.track, q.early ? "early" : "regular",
		                     num(a, q.course_fee_cents), num(a, q.discount_cents),
		                     num(a, q.processing_cents), num(a, q.total_cents), num(a, now)})
		: NULL;
	if (!r) {
		bool dup = !strcmp(db_last_sqlstate(), "23505");
		db_rollback(db);
		if (dup)
			replace_view(req, db, &t, &o, &m, 422, &in, "That person is already on the team.");
		else
			http_db_error(req);
		return;
	}
	long long new_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	if (!invite_member(req, db, &t, new_id, now, links) ||
	    !tell_member(req, db, &t, &o, &m, "team-member-replaced",
	                 arena_sprintf(a, "You were replaced on team %s", t.name),
	                 "replaced you with someone else on", now) ||
	    !db_commit(db)) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	team_view(req, db, &t, 201, links, NULL,
	          arena_sprintf(a, "%s was replaced by %s, and a message telling %s is queued.",
	                        m.name, in.name, m.name));
}

/* ---- discarding a team ---- */

/* A team the coordinator may still discard: a draft, or a confirmed team
 * before its offering starts. Answers 404/409/503 itself otherwise. */
static bool load_discardable(request *req, PGconn *db, user *u, team_ref *t)
{
	if (!load_team(req, db, u, t))
		return false;
	if (!strcmp(t->state, "cancelled")) {
		http_error(req, 409, "This team was already discarded.");
		return false;
	}
	if (!strcmp(t->state, "confirmed") && t->started) {
		http_error(req, 409, "A confirmed team can be discarded only until the offering starts.");
		return false;
	}
	return true;
}

/* The members a discard would take off (invited or accepted), locked with
 * lock; NULL after answering a database error. */
static PGresult *members_told(request *req, PGconn *db, const team_ref *t, bool lock)
{
	PGresult *r = db_q(db, lock ? MEMBER_SQL " WHERE m.team_id = $1"
	                              " AND m.state IN ('invited', 'accepted')"
	                              " ORDER BY m.position, m.id FOR UPDATE OF m"
	                            : MEMBER_SQL " WHERE m.team_id = $1"
	                              " AND m.state IN ('invited', 'accepted') ORDER BY m.position, m.id",
	                   num(req->a, t->id));
	if (!r)
		http_db_error(req);
	return r;
}

static void team_discard_page(request *req)
{
	user *u = authz_require_user(req);
	PGconn *db = u ? http_db_required(req) : NULL;
	if (!db)
		return;
	arena *a = req->a;
	team_ref t;
	offering_min o;
	if (!load_discardable(req, db, u, &t) ||
	    !load_offering(req, db, "o.id = $1::bigint", num(a, t.offering_id), &o))
		return;
	PGresult *r = members_told(req, db, &t, false);
	if (!r)
		return;
	tv *v = tv_obj(a);
	tv_set_str(v, "id", num(a, t.id));
	tv_set_str(v, "name", t.name);
	tv_set_str(v, "title", o.title);
	tv_set_str(v, "dates", o.dates);
	tv_set_str(v, "policy", o.policy);
	tv_set_bool(v, "draft", !strcmp(t.state, "draft"));
	tv *list = tv_set(v, "members", tv_list(a));
	bool any_enrolled = false;
	for (int i = 0; i < PQntuples(r); i++) {
		member_ref m;
		read_member(a, r, i, &m);
		tv *mv = tv_push(list, tv_obj(a));
		tv_set_str(mv, "name", m.name);
		tv_set_str(mv, "email", m.email);
		tv_set_bool(mv, "enrolled", enrolled(&m));
		tv_set_str(mv, "amount", money_format(a, m.amount));
		tv_set_str(mv, "refund", enroll_refund_words(a, m.enrollment_state, m.source, m.amount,
		                                             m.processing));
		any_enrolled = any_enrolled || enrolled(&m);
	}
	tv_set_bool(v, "has_members", PQntuples(r) > 0);
	tv_set_bool(v, "any_enrolled", any_enrolled);
	PQclear(r);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	http_render(req, 200, "team_discard", arena_sprintf(a, "Discard team %s?", t.name), v);
}

static void team_discard_post(request *req)
{
	user *u = authz_require_user(req);
	PGconn *db = u ? http_db_required(req) : NULL;
	if (!db)
		return;
	arena *a = req->a;
	team_ref t;
	offering_min o;
	if (!load_discardable(req, db, u, &t) ||
	    !load_offering(req, db, "o.id = $1::bigint", num(a, t.offering_id), &o))
		return;
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/teams/%lld/discard", t.id));
		return;
	}
	long long now = (long long)clock_now();
	const char *tid = num(a, t.id), *now_s = num(a, now);
	PGresult *r = NULL;
	if (!db_begin(db))
		goto fail;
	/* The team's row first: of two discards at once, the second waits here
	 * and then finds nothing left to discard. The team stays, marked
	 * cancelled, so that its page can say what became of it. */
	r = db_q(db, "UPDATE teams SET state = 'cancelled' WHERE id = $1 AND state <> 'cancelled'"
	             " RETURNING id", tid);
	if (!r)
		goto fail;
	if (PQntuples(r) != 1) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "This team was already discarded.");
		return;
	}
	PQclear(r);
	r = members_told(req, db, &t, true);
	if (!r ||
	    !db_exec(db, "UPDATE tokens SET revoked_at = to_timestamp($2) WHERE id IN"
	                 " (SELECT token_id FROM team_members WHERE team_id = $1)"
	                 " AND consumed_at IS NULL AND revoked_at IS NULL",
	             2, (const char *[]){tid, now_s}) ||
	    !db_exec(db, "UPDATE enrollments SET state = 'cancelled', cancelled_at = to_timestamp($2)"
	                 " WHERE id IN (SELECT enrollment_id FROM team_members WHERE team_id = $1"
	                 " AND state = 'accepted') AND state <> 'cancelled'",
	             2, (const char *[]){tid, now_s}) ||
	    !db_exec(db, "UPDATE team_members SET state = 'revoked' WHERE team_id = $1"
	                 " AND state IN ('listed', 'invited', 'accepted')",
	             1, (const char *[]){tid}))
		goto fail;
	/* Listed members of a draft were never told of the team; the others are. */
	int told = PQntuples(r);
	for (int i = 0; i < told; i++) {
		member_ref m;
		read_member(a, r, i, &m);
		if (!tell_member(req, db, &t, &o, &m, "team-discarded",
		                 arena_sprintf(a, "Team %s was discarded", t.name), "discarded", now))
			goto fail;
	}
	if (!db_commit(db))
		goto fail;
	PQclear(r);
	log_info("teams: team %lld discarded, %d members told", t.id, told);
	http_redirect(req, arena_sprintf(a, "/teams/%lld?done=discarded", t.id));
	return;
fail:
	PQclear(r);
	db_rollback(db);
	if (!req->responded)
		http_db_error(req);
}

/* ---- accepting a team invitation ---- */

typedef struct invite_ctx {
	token_row tok;
	long long member_id, team_id, offering_id;
	const char *member_name, *team_name, *title, *dates, *state, *category, *profession, *track;
	fee_quote quote;
} invite_ctx;

/* Look up the invitation and its member; answers the error page itself. */
static bool load_invite(request *req, PGconn *db, const char *token, bool for_update,
                        invite_ctx *c)
{
	arena *a = req->a;
	long long now = (long long)clock_now();
	token_state st = token_find(db, a, token, "team_invite", for_update, now, &c->tok);
	if (st != TOKEN_VALID) {
		if (st == TOKEN_DB_ERROR)
			http_db_error(req);
		else
			http_error(req, st == TOKEN_UNKNOWN ? 404 : 410, token_state_text(st));
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT m.id, m.team_id, t.offering_id, m.name, t.name, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY'),"
		" m.state, m.fee_category, m.profession, m.track, m.price_kind, m.course_fee_cents,"
		" m.discount_cents, m.processing_fee_cents, m.amount_cents"
		" FROM team_members m JOIN teams t ON t.id = m.team_id"
		" JOIN offerings o ON o.id = t.offering_id JOIN courses c ON c.id = o.course_id"
		" WHERE m.token_id = $1",
		num(a, c->tok.id));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1 || strcmp(db_val(r, 0, 7), "invited")) {
		/* The token looked valid a moment ago: another submission of the
		 * same link may have just been accepted. */
		bool accepted = PQntuples(r) == 1 && !strcmp(db_val(r, 0, 7), "accepted");
		PQclear(r);
		http_error(req, 410, token_state_text(accepted ? TOKEN_USED : TOKEN_REVOKED));
		return false;
	}
	c->member_id = atoll(db_val(r, 0, 0));
	c->team_id = atoll(db_val(r, 0, 1));
	c->offering_id = atoll(db_val(r, 0, 2));
	c->member_name = arena_strdup(a, db_val(r, 0, 3));
	c->team_name = arena_strdup(a, db_val(r, 0, 4));
	c->title = arena_strdup(a, db_val(r, 0, 5));
	c->dates = arena_strdup(a, db_val(r, 0, 6));
	c->state = arena_strdup(a, db_val(r, 0, 7));
	c->category = arena_strdup(a, db_val(r, 0, 8));
	c->profession = arena_strdup(a, db_val(r, 0, 9));
	c->track = arena_strdup(a, db_val(r, 0, 10));
	c->quote.early = !strcmp(db_val(r, 0, 11), "early");
	c->quote.course_fee_cents = atoll(db_val(r, 0, 12));
	c->quote.discount_cents = atoll(db_val(r, 0, 13));
	c->quote.processing_cents = atoll(db_val(r, 0, 14));
	c->quote.total_cents = atoll(db_val(r, 0, 15));
	PQclear(r);
	return true;
}

static void invite_view(request *req, PGconn *db, const char *token, const invite_ctx *c,
                        int status, account_fields *f, const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv *v = tv_obj(a);
	tv_set_str(v, "token", token);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "member_name", c->member_name);
	tv_set_str(v, "email", c->tok.email);
	tv_set_str(v, "team", c->team_name);
	tv_set_str(v, "title", c->title);
	tv_set_str(v, "dates", c->dates);
	tv_set_str(v, "fee", money_format(a, c->quote.course_fee_cents));
	tv_set(v, "discount", c->quote.discount_cents
	                          ? tv_str(a, money_format(a, c->quote.discount_cents)) : tv_null(a));
	tv_set_str(v, "processing", money_format(a, c->quote.processing_cents));
	tv_set_str(v, "total", money_format(a, c->quote.total_cents));
	bool matches = u && !strcasecmp(u->email, c->tok.email);
	tv_set_bool(v, "signed_in_match", matches);
	tv_set(v, "signed_in_other", u && !matches ? tv_str(a, u->email) : tv_null(a));
	PGresult *r = db_q(db, "SELECT 1 FROM users WHERE lower(email) = lower($1)", c->tok.email);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool has_account = PQntuples(r) > 0;
	PQclear(r);
	tv_set_bool(v, "needs_signin", !u && has_account);
	tv_set_bool(v, "needs_account", !u && !has_account);
	tv_set_str(v, "signin_href",
	           arena_sprintf(a, "/signin?next=%s",
	                         http_query_escape(a, arena_sprintf(a, "/team-invite?token=%s", token))));
	account_fields blank = {.email = c->tok.email, .profession = c->profession,
	                        .track = c->track};
	tv *acct = tv_set(v, "account", tv_obj(a));
	accounts_detail_view(req, acct, f ? f : &blank);
	req->no_store = true;
	http_render(req, status, "team_invite", arena_sprintf(a, "Join team %s", c->team_name), v);
}

static void team_invite_page(request *req)
{
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *token = http_query(req, "token");
	invite_ctx c;
	if (load_invite(req, db, token, false, &c))
		invite_view(req, db, token, &c, 200, NULL, NULL);
}

static void team_invite_post(request *req)
{
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *token = http_form(req, "token");
	invite_ctx c;
	if (!load_invite(req, db, token, false, &c))
		return;
	user *u = session_user(req);
	if (u && strcasecmp(u->email, c.tok.email)) {
		http_error(req, 403, arena_sprintf(a,
			"This invitation is for %s, but you are signed in as %s. Sign out and open the link "
			"again, or ask your team's coordinator to invite this address instead. Nothing was "
			"changed.", c.tok.email, u->email));
		return;
	}
	account_fields f = {.email = c.tok.email};
	const char *password = NULL;
	if (!u) {
		PGresult *r = db_q(db, "SELECT 1 FROM users WHERE lower(email) = lower($1)", c.tok.email);
		if (!r) {
			http_db_error(req);
			return;
		}
		bool has_account = PQntuples(r) > 0;
		PQclear(r);
		if (has_account) {
			http_redirect(req, arena_sprintf(a, "/signin?next=%s",
			                                 http_query_escape(a, arena_sprintf(a, "/team-invite?token=%s", token))));
			return;
		}
		const char *problem = accounts_read_new(req, db, &f, &password);
		if (problem) {
			invite_view(req, db, token, &c, 422, &f, problem);
			return;
		}
	}
	long long now = (long long)clock_now();
	bool gate = false;
	if (!u) {
		if (!auth_gate_enter()) {
			auth_busy(req);
			return;
		}
		gate = true;
	}
	int64_t uid = u ? u->id : 0, eid = 0;
	const char *conflict = NULL;
	enroll_result res = ENROLL_DB_ERROR;
	token_row locked;
	/* Lock the token: of two submissions at once, the second waits here and
	 * then finds the link used. */
	token_state st = TOKEN_DB_ERROR;
	bool ok = db_begin(db);
	if (ok)
		st = token_find(db, a, token, "team_invite", true, now, &locked);
	ok = ok && st == TOKEN_VALID && locked.id == c.tok.id;
	if (ok && !u)
		ok = accounts_sign_up(req, db, &f, password, &uid, &conflict);
	/* The coordinator confirmed the team's quote for its institution before
	 * any invitation existed: accepting one confirms the member's place. */
	if (ok)
		res = enroll_learner(db, a, c.offering_id, uid, c.category, "confirmed", "team", 0,
		                     c.team_id, &c.quote, now, true, &eid);
	ok = ok && res == ENROLL_OK && token_consume(db, c.tok.id, now) &&
	     db_exec(db, "UPDATE team_members SET state = 'accepted', user_id = $2, enrollment_id = $3"
	                 " WHERE id = $1", 3,
	             (const char *[]){num(a, c.member_id), num(a, uid), num(a, eid)}) &&
	     db_commit(db);
	if (gate)
		auth_gate_leave();
	if (!ok) {
		db_rollback(db);
		if (st != TOKEN_VALID && st != TOKEN_DB_ERROR)
			http_error(req, st == TOKEN_UNKNOWN ? 404 : 410, token_state_text(st));
		else if (conflict)
			invite_view(req, db, token, &c, 422, &f, conflict);
		else if (res != ENROLL_OK && res != ENROLL_DB_ERROR) {
			if (!u)
				http_add_header(req, "Set-Cookie",
				                "cairn_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
			http_error(req, 409, res == ENROLL_ALREADY
			                         ? "You are already enrolled in this offering, so this "
			                           "invitation was not used. Tell your team's coordinator."
			                         : enroll_result_text(res));
		} else
			http_db_error(req);
		return;
	}
	log_info("teams: member %lld of team %lld accepted", c.member_id, c.team_id);
	http_redirect(req, arena_sprintf(a, "/enrollments/%lld", (long long)eid));
}

void teams_routes(router *r)
{
	router_add(r, "GET", "/offerings/:slug/teams/new", team_new_page, ACCESS_SIGNED_IN,
	           "register a team: members and roles");
	router_add(r, "POST", "/offerings/:slug/teams", team_create_post, ACCESS_SIGNED_IN,
	           "save the team as a draft with its quote");
	router_add(r, "GET", "/teams/:id", team_page, ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "the team's quote, invitations and their states");
	router_add(r, "POST", "/teams/:id/confirm", team_confirm_post,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "confirm the quote and send invitations");
	router_add(r, "GET", "/teams/:id/discard", team_discard_page,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "what discarding the team would do; asks first");
	router_add(r, "POST", "/teams/:id/discard", team_discard_post,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "discard the team, telling its members (from that page's form)");
	router_add(r, "POST", "/teams/:id/members/:mid/resend", member_resend_post,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN, "send a member a new invitation");
	router_add(r, "GET", "/teams/:id/members/:mid/revoke", member_revoke_page,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "what taking a member off would do; asks first");
	router_add(r, "POST", "/teams/:id/members/:mid/revoke", member_revoke_post,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "take a member off the team (from that page's form)");
	router_add(r, "GET", "/teams/:id/members/:mid/replace", member_replace_page,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "replace a member: what happens, and who comes instead");
	router_add(r, "POST", "/teams/:id/members/:mid/replace", member_replace_post,
	           ACCESS_TEAM_COORDINATOR | ACCESS_ADMIN,
	           "replace a member (from that page's form)");
	router_add(r, "GET", "/team-invite", team_invite_page, ACCESS_TOKEN, "a team invitation");
	router_add(r, "POST", "/team-invite", team_invite_post, ACCESS_TOKEN,
	           "accept: enroll as part of the team");
}
