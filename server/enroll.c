/*
 * enroll.c - individual enrollment, the enrollment record, the cohort
 * roster, staff invitations, and the admin's enrollment list. See enroll.h.
 *
 * States: pending_payment -> confirmed -> cancelled (by the learner or an
 * admin, under the offering's cancellation policy). The quote is frozen
 * into the enrollment row when the learner confirms it. Only a confirmed
 * enrollment makes someone a member of the cohort and the series (the
 * README's "Who sees what" lists the paths that confirm one): an admin
 * marking it paid (card processing is out of scope), an import from the
 * registration portal, an invitation by the offering's staff, a team's
 * confirmed quote, and becoming staff.
 */
#include "cairn/enroll.h"
#include "cairn/accounts.h"
#include "cairn/auth.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/log.h"
#include "cairn/money.h"
#include "cairn/outbox.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/tokens.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

const char *enroll_result_text(enroll_result r)
{
	switch (r) {
	case ENROLL_OK: return "Enrolled.";
	case ENROLL_CLOSED: return "Registration for this offering is closed.";
	case ENROLL_FULL: return "This offering is full.";
	case ENROLL_ALREADY: return "You are already enrolled in this offering.";
	case ENROLL_BAD_CATEGORY: return "Choose one of the fee categories listed.";
	case ENROLL_NO_OFFERING: return "There is no such offering.";
	case ENROLL_DB_ERROR:
	default: return "Cairn could not save the enrollment. Please try again.";
	}
}

bool enroll_role(PGconn *db, int64_t user_id, int64_t offering_id, offering_role *out)
{
	char u[24], o[24];
	snprintf(u, sizeof u, "%lld", (long long)user_id);
	snprintf(o, sizeof o, "%lld", (long long)offering_id);
	PGresult *r = db_q(db,
		"SELECT coalesce(max(CASE role WHEN 'director' THEN 3 WHEN 'facilitator' THEN 2"
		" ELSE 1 END), 0) FROM enrollments WHERE user_id = $1 AND offering_id = $2"
		" AND state = 'confirmed'",
		u, o);
	if (!r)
		return false;
	*out = (offering_role)atoi(db_val(r, 0, 0));
	PQclear(r);
	return true;
}

bool enroll_fee_rule(PGconn *db, int64_t offering_id, const char *category, fee_rule *out,
                     bool *db_failed)
{
	char o[24];
	snprintf(o, sizeof o, "%lld", (long long)offering_id);
	*db_failed = false;
	PGresult *r = db_q(db,
		"SELECT f.regular_cents, coalesce(f.early_cents, -1),"
		" coalesce(extract(epoch FROM o.early_deadline)::bigint, 0), o.processing_fee_cents,"
		" coalesce(o.group_discount_min_size, 0), o.group_discount_percent"
		" FROM offering_fees f JOIN offerings o ON o.id = f.offering_id"
		" WHERE f.offering_id = $1 AND f.category = $2",
		o, category ? category : "");
	if (!r) {
		*db_failed = true;
		return false;
	}
	bool found = PQntuples(r) == 1;
	if (found) {
		out->regular_cents = atoll(db_val(r, 0, 0));
		out->early_cents = atoll(db_val(r, 0, 1));
		out->early_deadline = (time_t)atoll(db_val(r, 0, 2));
		out->processing_cents = atoll(db_val(r, 0, 3));
		out->discount_min_size = atoi(db_val(r, 0, 4));
		out->discount_percent = atoi(db_val(r, 0, 5));
	}
	PQclear(r);
	return found;
}

#define OPEN_AT_SQL                                                                      \
	"(coalesce(o.registration_deadline > to_timestamp($2), true)"                        \
	" AND o.starts_on > (to_timestamp($2) AT TIME ZONE o.time_zone)::date)"

bool enroll_is_open(PGconn *db, int64_t offering_id, long long now, bool *db_failed)
{
	char o[24], n[24];
	snprintf(o, sizeof o, "%lld", (long long)offering_id);
	snprintf(n, sizeof n, "%lld", now);
	PGresult *r = db_q(db, "SELECT " OPEN_AT_SQL " FROM offerings o WHERE o.id = $1", o, n);
	*db_failed = r == NULL;
	bool open = r && PQntuples(r) == 1 && db_val(r, 0, 0)[0] == 't';
	PQclear(r);
	return open;
}

enroll_result enroll_learner(PGconn *db, arena *a, int64_t offering_id, int64_t user_id,
                             const char *category, const char *state, const char *source,
                             int team_size, int64_t team_id, const fee_quote *frozen,
                             long long now, bool enforce_limits, int64_t *enrollment_id)
{
	const char *oid = num(a, offering_id), *now_s = num(a, now);
	/* The row lock serialises enrollments into one offering, so two people
	 * cannot both take the last seat. The seats are counted in a second
	 * statement: one taken after the lock sees every enrollment committed
	 * by whoever held it before (a count inside the locking statement would
	 * use the snapshot from before the wait). */
	PGresult *lock = db_q(db, "SELECT 1 FROM offerings WHERE id = $1 FOR UPDATE", oid);
	if (!lock)
		return ENROLL_DB_ERROR;
	int found = PQntuples(lock);
	PQclear(lock);
	if (!found)
		return ENROLL_NO_OFFERING;
	PGresult *r = db_q(db,
		"SELECT " OPEN_AT_SQL ", o.capacity IS NULL OR (SELECT count(*) FROM enrollments e"
		" WHERE e.offering_id = o.id AND e.role = 'learner' AND e.state <> 'cancelled')"
		" < o.capacity FROM offerings o WHERE o.id = $1",
		oid, now_s);
	if (!r)
		return ENROLL_DB_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return ENROLL_NO_OFFERING;
	}
	bool open = db_val(r, 0, 0)[0] == 't', seat = db_val(r, 0, 1)[0] == 't';
	PQclear(r);
	if (enforce_limits && !open)
		return ENROLL_CLOSED;
	r = db_q(db, "SELECT 1 FROM enrollments WHERE offering_id = $1 AND user_id = $2"
	             " AND state <> 'cancelled'", oid, num(a, user_id));
	if (!r)
		return ENROLL_DB_ERROR;
	bool already = PQntuples(r) > 0;
	PQclear(r);
	if (already)
		return ENROLL_ALREADY;
	if (enforce_limits && !seat)
		return ENROLL_FULL;
	fee_quote q;
	if (frozen) {
		q = *frozen;
	} else {
		fee_rule rule;
		bool failed;
		if (!enroll_fee_rule(db, offering_id, category, &rule, &failed))
			return failed ? ENROLL_DB_ERROR : ENROLL_BAD_CATEGORY;
		q = fees_quote(&rule, (time_t)now, team_size);
	}
	r = db_query(db,
		"INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category,"
		" price_kind, course_fee_cents, discount_cents, processing_fee_cents, amount_cents,"
		" team_id, created_at, confirmed_at) VALUES ($1, $2, 'learner', $3, $4, $5, $6, $7, $8,"
		" $9, $10, $11, to_timestamp($12), CASE WHEN $3 = 'confirmed' THEN to_timestamp($12) END)"
		" RETURNING id",
		12, (const char *[]){oid, num(a, user_id), state, source, category,
		                     q.early ? "early" : "regular", num(a, q.course_fee_cents),
		                     num(a, q.discount_cents), num(a, q.processing_cents),
		                     num(a, q.total_cents), team_id ? num(a, team_id) : NULL, now_s});
	if (!r)
		return !strcmp(db_last_sqlstate(), "23505") ? ENROLL_ALREADY : ENROLL_DB_ERROR;
	*enrollment_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	return ENROLL_OK;
}

bool enroll_staff(PGconn *db, int64_t offering_id, int64_t user_id, const char *role,
                  long long now)
{
	char o[24], u[24], n[24];
	snprintf(o, sizeof o, "%lld", (long long)offering_id);
	snprintf(u, sizeof u, "%lld", (long long)user_id);
	snprintf(n, sizeof n, "%lld", now);
	/* A learner who becomes staff keeps one row: the role is upgraded, and
	 * a place waiting for payment is confirmed (staff do not pay). */
	PGresult *r = db_q(db,
		"UPDATE enrollments SET role = $3, state = 'confirmed',"
		" confirmed_at = coalesce(confirmed_at, to_timestamp($4))"
		" WHERE offering_id = $1 AND user_id = $2 AND state <> 'cancelled' RETURNING id",
		o, u, role, n);
	if (!r)
		return false;
	bool updated = PQntuples(r) > 0;
	PQclear(r);
	if (updated)
		return true;
	return db_exec(db,
	               "INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at,"
	               " confirmed_at) VALUES ($1, $2, $3, 'confirmed', 'staff', to_timestamp($4),"
	               " to_timestamp($4))",
	               4, (const char *[]){o, u, role, n});
}

bool enroll_after_invite(PGconn *db, arena *a, int64_t token_id, int64_t user_id,
                         const char *profession, long long now)
{
	PGresult *r = db_q(db, "SELECT (data->>'offering_id')::bigint, data->>'role',"
	                       " coalesce(data->>'import' = 'true', false), data->>'fee_category',"
	                       " coalesce((SELECT t.id FROM teams t WHERE t.state <> 'cancelled'"
	                       " AND t.id = (data->>'team_id')::bigint), 0),"
	                       " data->>'price_kind' = 'early',"
	                       " coalesce((data->>'course_fee_cents')::bigint, 0),"
	                       " coalesce((data->>'processing_fee_cents')::bigint, 0)"
	                       " FROM tokens WHERE id = $1 AND data ? 'offering_id'", num(a, token_id));
	if (!r)
		return false;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return true;
	}
	int64_t offering_id = atoll(db_val(r, 0, 0));
	const char *role = arena_strdup(a, db_val(r, 0, 1));
	/* An import (enroll_import.c) stands for a place already taken and paid
	 * in the registration portal: confirmed, in the portal's category, at
	 * the individual price quoted when it was imported, in its team. */
	bool imported = db_val(r, 0, 2)[0] == 't' && *db_val(r, 0, 3);
	const char *category = imported ? arena_strdup(a, db_val(r, 0, 3))
	                                : fees_default_category(profession);
	int64_t team_id = imported ? atoll(db_val(r, 0, 4)) : 0;
	fee_quote q = {.early = db_val(r, 0, 5)[0] == 't', .course_fee_cents = atoll(db_val(r, 0, 6)),
	               .processing_cents = atoll(db_val(r, 0, 7))};
	q.total_cents = q.course_fee_cents + q.processing_cents;
	PQclear(r);
	if (!strcmp(role, "facilitator") || !strcmp(role, "director"))
		return enroll_staff(db, offering_id, user_id, role, now);
	/* Either way the place is confirmed: the portal took the payment, or
	 * the offering's staff invited the learner and answer for the place. */
	int64_t eid;
	enroll_result res = enroll_learner(db, a, offering_id, user_id, category, "confirmed",
	                                   imported ? "import" : "invite", 1, team_id,
	                                   imported ? &q : NULL, now, false, &eid);
	return res == ENROLL_OK || res == ENROLL_ALREADY;
}

/* ---- the offering a page is about ---- */

typedef struct offering_ref {
	int64_t id;
	const char *slug, *title, *dates, *policy, *zone;
	bool open;
	bool started;
} offering_ref;

/* Load by slug; answers 404/503 itself and returns false when it fails. */
static bool load_offering(request *req, PGconn *db, const char *slug, offering_ref *o)
{
	PGresult *r = db_q(db,
		"SELECT o.id, o.slug, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY'),"
		" o.cancellation_policy, o.time_zone, " OPEN_AT_SQL ","
		" o.starts_on <= (to_timestamp($2) AT TIME ZONE o.time_zone)::date"
		" FROM offerings o JOIN courses c ON c.id = o.course_id WHERE o.slug = $1",
		slug ? slug : "", session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, "There is no offering at this address.");
		return false;
	}
	arena *a = req->a;
	o->id = atoll(db_val(r, 0, 0));
	o->slug = arena_strdup(a, db_val(r, 0, 1));
	o->title = arena_strdup(a, db_val(r, 0, 2));
	o->dates = arena_strdup(a, db_val(r, 0, 3));
	o->policy = arena_strdup(a, db_val(r, 0, 4));
	o->zone = arena_strdup(a, db_val(r, 0, 5));
	o->open = db_val(r, 0, 6)[0] == 't';
	o->started = db_val(r, 0, 7)[0] == 't';
	PQclear(r);
	return true;
}

static void set_offering(tv *v, arena *a, const offering_ref *o)
{
	tv *ov = tv_set(v, "offering", tv_obj(a));
	tv_set_str(ov, "slug", o->slug);
	tv_set_str(ov, "title", o->title);
	tv_set_str(ov, "dates", o->dates);
	tv_set_str(ov, "policy", o->policy);
}

/* ---- individual enrollment ---- */

/* The fee categories with today's price, for the enrollment form. */
static tv *category_choices(request *req, PGconn *db, int64_t offering_id, const char *selected,
                            bool *failed)
{
	arena *a = req->a;
	*failed = false;
	PGresult *r = db_q(db,
		"SELECT fc.code, fc.label FROM offering_fees f JOIN fee_categories fc"
		" ON fc.code = f.category WHERE f.offering_id = $1 ORDER BY fc.position",
		num(a, offering_id));
	if (!r) {
		*failed = true;
		return NULL;
	}
	tv *list = tv_list(a);
	long long now = (long long)clock_now();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *code = arena_strdup(a, db_val(r, i, 0));
		fee_rule rule;
		bool f;
		if (!enroll_fee_rule(db, offering_id, code, &rule, &f)) {
			*failed = true;
			PQclear(r);
			return NULL;
		}
		fee_quote q = fees_quote(&rule, (time_t)now, 1);
		tv *c = tv_push(list, tv_obj(a));
		tv_set_str(c, "code", code);
		tv_set_str(c, "label", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(c, "fee", money_format(a, q.course_fee_cents));
		tv_set_str(c, "processing", money_format(a, q.processing_cents));
		tv_set_str(c, "total", money_format(a, q.total_cents));
		tv_set_bool(c, "early", q.early);
		tv_set_bool(c, "selected", selected && !strcmp(selected, code));
	}
	PQclear(r);
	return list;
}

static void enroll_form(request *req, PGconn *db, const offering_ref *o, int status,
                        const char *category, account_fields *f, const char *error)
{
	arena *a = req->a;
	user *u = session_user(req);
	tv *v = tv_obj(a);
	set_offering(v, a, o);
	if (!category)
		category = fees_default_category(u ? u->profession : (f ? f->profession : NULL));
	bool failed;
	tv *cats = category_choices(req, db, o->id, category, &failed);
	if (failed) {
		http_db_error(req);
		return;
	}
	tv_set(v, "categories", cats);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_bool(v, "anonymous", u == NULL);
	account_fields blank = {0};
	tv *acct = tv_set(v, "account", tv_obj(a));
	if (!u) {
		accounts_detail_view(req, acct, f ? f : &blank);
	}
	req->no_store = u != NULL;
	http_render(req, status, "enroll", arena_sprintf(a, "Enroll: %s", o->title), v);
}

static void enroll_page(request *req)
{
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_ref o;
	if (!load_offering(req, db, http_param(req, "slug"), &o))
		return;
	user *u = session_user(req);
	if (u) {
		PGresult *r = db_q(db, "SELECT id FROM enrollments WHERE offering_id = $1 AND user_id = $2"
		                       " AND state <> 'cancelled'", num(req->a, o.id), num(req->a, u->id));
		if (!r) {
			http_db_error(req);
			return;
		}
		if (PQntuples(r)) {
			const char *id = arena_strdup(req->a, db_val(r, 0, 0));
			PQclear(r);
			http_redirect(req, arena_sprintf(req->a, "/enrollments/%s", id));
			return;
		}
		PQclear(r);
	}
	if (!o.open) {
		http_error(req, 409, enroll_result_text(ENROLL_CLOSED));
		return;
	}
	enroll_form(req, db, &o, 200, NULL, NULL, NULL);
}

static void enroll_post(request *req)
{
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_ref o;
	if (!load_offering(req, db, http_param(req, "slug"), &o))
		return;
	arena *a = req->a;
	user *u = session_user(req);
	const char *category = http_form(req, "fee_category");
	long long now = (long long)clock_now();
	account_fields f = {0};
	const char *password = NULL;
	if (!u) {
		/* Someone new makes an account on the way. */
		f.email = http_form(req, "email");
		const char *problem = accounts_read_new(req, db, &f, &password);
		if (problem) {
			enroll_form(req, db, &o, 422, category, &f, problem);
			return;
		}
	}
	fee_rule rule;
	bool failed;
	if (!enroll_fee_rule(db, o.id, category, &rule, &failed)) {
		if (failed)
			http_db_error(req);
		else
			enroll_form(req, db, &o, 422, NULL, &f, enroll_result_text(ENROLL_BAD_CATEGORY));
		return;
	}
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
	bool ok = db_begin(db);
	if (ok && !u)
		ok = accounts_sign_up(req, db, &f, password, &uid, &conflict);
	if (ok)
		res = enroll_learner(db, a, o.id, uid, category, "pending_payment", "self", 1, 0, NULL,
		                     now, true, &eid);
	if (ok && res == ENROLL_OK) {
		PGresult *r = db_q(db, "SELECT email, display_name, amount_cents FROM users u"
		                       " JOIN enrollments e ON e.user_id = u.id WHERE e.id = $1",
		                   num(a, eid));
		ok = r && PQntuples(r) == 1;
		if (ok) {
			const char *body = arena_sprintf(a,
				"Hello %s,\n\nYou are enrolled in %s (%s). Amount due: %s, including the "
				"non-refundable processing fee.\nYour enrollment is confirmed when payment is "
				"received.\n\nSee your enrollment: %s/enrollments/%lld\n\nCancellation policy: %s\n",
				db_val(r, 0, 1), o.title, o.dates, money_format(a, atoll(db_val(r, 0, 2))),
				req->app->cfg->origin, (long long)eid, o.policy);
			ok = outbox_put(db, a, db_val(r, 0, 0), "enrollment",
			                arena_sprintf(a, "Your enrollment: %s", o.title), body, now);
		}
		PQclear(r);
	}
	ok = ok && res == ENROLL_OK && db_commit(db);
	if (gate)
		auth_gate_leave();
	if (!ok) {
		db_rollback(db);
		if (conflict) {
			enroll_form(req, db, &o, 422, category, &f,
			            arena_sprintf(a, "%s If it is yours, sign in first.", conflict));
		} else if (res != ENROLL_OK && res != ENROLL_DB_ERROR) {
			if (!u)
				/* The account was rolled back with the enrollment. */
				http_add_header(req, "Set-Cookie",
				                "cairn_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
			http_error(req, 409, enroll_result_text(res));
		} else {
			http_db_error(req);
		}
		return;
	}
	log_info("enroll: user %lld enrolled in offering %lld", (long long)uid, (long long)o.id);
	http_redirect(req, arena_sprintf(a, "/enrollments/%lld", (long long)eid));
}

/* ---- my enrollments ---- */

#define DATES_SQL                                                                          \
	"to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY')"

static const char *state_label(const char *state)
{
	return !strcmp(state, "pending_payment") ? "waiting for payment"
	       : !strcmp(state, "confirmed")     ? "confirmed"
	                                         : "cancelled";
}

/* Whom a learner waiting for payment asks about it, for each offering in
 * ids (a SQL array literal such as "{3,5}"): its directors, or, for an
 * offering without one, Cairn's administrators (the course office). The
 * lists are set on the "due" objects of items, matched by their offering
 * id (offering_ids[i] for items[i]). One statement. */
static bool set_contacts(PGconn *db, arena *a, const char *ids, tv **dues,
                         const long long *offering_ids, size_t n)
{
	PGresult *r = db_q(db,
		"WITH o AS (SELECT DISTINCT unnest($1::bigint[]) AS id),"
		" d AS MATERIALIZED (SELECT e.offering_id, u.display_name, u.email FROM enrollments e"
		"  JOIN users u ON u.id = e.user_id WHERE e.offering_id IN (SELECT id FROM o)"
		"  AND e.role = 'director' AND e.state = 'confirmed')"
		" SELECT offering_id AS offering, display_name AS name, email,"
		"  'director of the course' AS what FROM d"
		" UNION ALL SELECT o.id, ad.display_name, ad.email, 'Cairn administrator' FROM o"
		"  CROSS JOIN LATERAL (SELECT display_name, email FROM users WHERE is_admin"
		"  ORDER BY id LIMIT 2) ad WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.offering_id = o.id)"
		" ORDER BY 1, 2",
		ids);
	if (!r)
		return false;
	int c_off = PQfnumber(r, "offering"), c_name = PQfnumber(r, "name"),
	    c_email = PQfnumber(r, "email"), c_what = PQfnumber(r, "what");
	for (size_t i = 0; i < n; i++) {
		if (!dues[i])
			continue;
		tv *list = tv_set(dues[i], "contacts", tv_list(a));
		for (int j = 0; j < PQntuples(r); j++) {
			if (atoll(db_val(r, j, c_off)) != offering_ids[i])
				continue;
			tv *c = tv_push(list, tv_obj(a));
			tv_set_str(c, "sep", list->n > 1 ? ", " : "");
			tv_set_str(c, "name", arena_strdup(a, db_val(r, j, c_name)));
			tv_set_str(c, "email", arena_strdup(a, db_val(r, j, c_email)));
			tv_set_str(c, "what", arena_strdup(a, db_val(r, j, c_what)));
		}
		tv_set_bool(dues[i], "has_contacts", list->n > 0);
	}
	PQclear(r);
	return true;
}

tv *enroll_mine_view(PGconn *db, arena *a, int64_t user_id, int64_t offering_id,
                     bool with_cancelled, int limit)
{
	PGresult *r = db_q(db,
		"SELECT e.id, o.id AS offering, o.slug, c.title, " DATES_SQL " AS dates, e.role,"
		" e.state, e.amount_cents, coalesce(t.name, '') AS team"
		" FROM enrollments e JOIN offerings o ON o.id = e.offering_id"
		" JOIN courses c ON c.id = o.course_id LEFT JOIN teams t ON t.id = e.team_id"
		" WHERE e.user_id = $1 AND ($2::bigint = 0 OR e.offering_id = $2::bigint)"
		" AND ($3::boolean OR e.state <> 'cancelled')"
		" ORDER BY e.created_at DESC, e.id DESC LIMIT $4",
		num(a, user_id), num(a, offering_id), with_cancelled ? "true" : "false",
		num(a, limit));
	if (!r)
		return NULL;
	int n = PQntuples(r);
	int c_id = PQfnumber(r, "id"), c_off = PQfnumber(r, "offering"), c_slug = PQfnumber(r, "slug"),
	    c_title = PQfnumber(r, "title"), c_dates = PQfnumber(r, "dates"),
	    c_role = PQfnumber(r, "role"), c_state = PQfnumber(r, "state"),
	    c_amount = PQfnumber(r, "amount_cents"), c_team = PQfnumber(r, "team");
	tv *list = tv_list(a);
	tv **dues = arena_calloc(a, (size_t)n, sizeof *dues);
	long long *offerings = arena_calloc(a, (size_t)n, sizeof *offerings);
	buf ids;
	buf_init(&ids, a, 0);
	buf_putc(&ids, '{');
	bool any_due = false;
	for (int i = 0; i < n; i++) {
		tv *e = tv_push(list, tv_obj(a));
		const char *role = db_val(r, i, c_role), *state = db_val(r, i, c_state);
		bool learner = !strcmp(role, "learner"), pending = !strcmp(state, "pending_payment");
		const char *amount = money_format(a, atoll(db_val(r, i, c_amount)));
		tv_set_str(e, "id", arena_strdup(a, db_val(r, i, c_id)));
		tv_set_str(e, "slug", arena_strdup(a, db_val(r, i, c_slug)));
		tv_set_str(e, "title", arena_strdup(a, db_val(r, i, c_title)));
		tv_set_str(e, "dates", arena_strdup(a, db_val(r, i, c_dates)));
		tv_set_str(e, "role", arena_strdup(a, role));
		tv_set_bool(e, "learner", learner);
		tv_set_str(e, "state_label", state_label(state));
		tv_set_bool(e, "pending", pending);
		tv_set_bool(e, "confirmed", !strcmp(state, "confirmed"));
		tv_set_bool(e, "cancelled", !strcmp(state, "cancelled"));
		tv_set_str(e, "amount", amount);
		const char *team = db_val(r, i, c_team);
		tv_set(e, "team", *team ? tv_str(a, arena_strdup(a, team)) : tv_null(a));
		offerings[i] = atoll(db_val(r, i, c_off));
		if (pending) {
			dues[i] = tv_set(e, "due", tv_obj(a));
			tv_set_str(dues[i], "amount", amount);
			buf_appendf(&ids, "%s%lld", any_due ? "," : "", offerings[i]);
			any_due = true;
		} else {
			tv_set(e, "due", tv_null(a));
		}
	}
	PQclear(r);
	buf_putc(&ids, '}');
	if (ids.failed)
		return NULL;
	if (any_due && !set_contacts(db, a, ids.data, dues, offerings, (size_t)n))
		return NULL;
	return list;
}

static void my_enrollments_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	tv *list = enroll_mine_view(db, req->a, u->id, 0, true, 500);
	if (!list) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(req->a);
	tv_set(v, "enrollments", list);
	tv_set_bool(v, "has_enrollments", list->n > 0);
	req->no_store = true;
	http_render(req, 200, "my_enrollments", "Your enrollments", v);
}

/* ---- the enrollment record ---- */

static bool may_manage_offering(request *req, PGconn *db, int64_t offering_id, bool *failed)
{
	user *u = session_user(req);
	*failed = false;
	if (!u)
		return false;
	if (u->is_admin)
		return true;
	offering_role role;
	if (!enroll_role(db, u->id, offering_id, &role)) {
		*failed = true;
		return false;
	}
	return role == OROLE_DIRECTOR;
}

static void enrollment_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	long long id = 0;
	bool id_ok = http_parse_id(http_param(req, "id"), &id);
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!id_ok) {
		http_error(req, 404, NULL);
		return;
	}
	PGresult *r = db_q(db,
		"SELECT e.user_id, e.offering_id, o.slug, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY'),"
		" e.role, e.state, coalesce(fc.label, ''), e.price_kind, e.course_fee_cents,"
		" e.discount_cents, e.processing_fee_cents, e.amount_cents, coalesce(t.name, ''),"
		" o.cancellation_policy, u.display_name,"
		" o.starts_on > (to_timestamp($2) AT TIME ZONE o.time_zone)::date"
		" FROM enrollments e JOIN offerings o ON o.id = e.offering_id"
		" JOIN courses c ON c.id = o.course_id JOIN users u ON u.id = e.user_id"
		" LEFT JOIN fee_categories fc ON fc.code = e.fee_category"
		" LEFT JOIN teams t ON t.id = e.team_id WHERE e.id = $1",
		num(a, id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return;
	}
	bool failed = false;
	bool own = PQntuples(r) == 1 && atoll(db_val(r, 0, 0)) == u->id;
	bool manager = PQntuples(r) == 1 && !own &&
	               may_manage_offering(req, db, atoll(db_val(r, 0, 1)), &failed);
	if (failed) {
		PQclear(r);
		http_db_error(req);
		return;
	}
	if (!own && !manager) {
		/* Someone else's enrollment looks exactly like a missing one. */
		PQclear(r);
		http_error(req, 404, "There is no such enrollment of yours.");
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "id", num(a, id));
	tv_set_str(v, "slug", arena_strdup(a, db_val(r, 0, 2)));
	tv_set_str(v, "title", arena_strdup(a, db_val(r, 0, 3)));
	tv_set_str(v, "dates", arena_strdup(a, db_val(r, 0, 4)));
	const char *role = db_val(r, 0, 5), *state = db_val(r, 0, 6);
	tv_set_bool(v, "learner", !strcmp(role, "learner"));
	tv_set_str(v, "role", arena_strdup(a, role));
	tv_set_str(v, "state_label", !strcmp(state, "pending_payment") ? "Waiting for payment"
	                             : !strcmp(state, "confirmed") ? "Confirmed" : "Cancelled");
	bool pending = !strcmp(state, "pending_payment");
	tv_set_bool(v, "pending", pending);
	long long offering_id = atoll(db_val(r, 0, 1));
	/* What is left to do, and whom to ask, is for the learner themself. */
	tv *due = own && pending ? tv_set(v, "due", tv_obj(a)) : tv_set(v, "due", tv_null(a));
	if (own && pending)
		tv_set_str(due, "amount", money_format(a, atoll(db_val(r, 0, 12))));
	tv_set_bool(v, "cancelled", !strcmp(state, "cancelled"));
	tv_set_str(v, "category", arena_strdup(a, db_val(r, 0, 7)));
	tv_set_bool(v, "early", !strcmp(db_val(r, 0, 8), "early"));
	tv_set_str(v, "fee", money_format(a, atoll(db_val(r, 0, 9))));
	long long discount = atoll(db_val(r, 0, 10));
	tv_set(v, "discount", discount ? tv_str(a, money_format(a, discount)) : tv_null(a));
	tv_set_str(v, "processing", money_format(a, atoll(db_val(r, 0, 11))));
	tv_set_str(v, "total", money_format(a, atoll(db_val(r, 0, 12))));
	const char *team = db_val(r, 0, 13);
	tv_set(v, "team", *team ? tv_str(a, arena_strdup(a, team)) : tv_null(a));
	tv_set_str(v, "policy", arena_strdup(a, db_val(r, 0, 14)));
	tv_set_str(v, "learner_name", arena_strdup(a, db_val(r, 0, 15)));
	tv_set_bool(v, "own", own);
	/* The roster is for the cohort's members (and its managers). */
	tv_set_bool(v, "roster_link", manager || !strcmp(state, "confirmed"));
	tv_set_bool(v, "can_cancel", strcmp(state, "cancelled") && db_val(r, 0, 16)[0] == 't');
	tv_set_bool(v, "can_confirm", u->is_admin && !strcmp(state, "pending_payment"));
	tv_set_bool(v, "new_code", own && session_of(req)->pending_recovery);
	tv_set_str(v, "csrf", session_csrf(req));
	const char *done = http_query(req, "done"), *notice = NULL;
	if (done && !strcmp(done, "cancelled"))
		notice = own ? "Your enrollment was cancelled. A message with the cancellation policy "
		               "is queued for you."
		             : arena_sprintf(a, "The enrollment was cancelled, and a message telling %s "
		                                "(with the cancellation policy) is queued.",
		                             db_val(r, 0, 15));
	else if (done && !strcmp(done, "paid"))
		notice = arena_sprintf(a, "Marked as paid: the enrollment is confirmed, and a message "
		                          "telling %s is queued.", db_val(r, 0, 15));
	tv_set_str(v, "notice", notice);
	PQclear(r);
	if (own && pending && !set_contacts(db, a, arena_sprintf(a, "{%lld}", offering_id), &due,
	                                    &offering_id, 1)) {
		http_db_error(req);
		return;
	}
	http_render(req, 200, "enrollment", "Your enrollment", v);
}

/* ---- cancelling, and marking paid ---- */

const char *enroll_refund_words(arena *a, const char *state, const char *source,
                                long long amount_cents, long long processing_cents)
{
	if (amount_cents <= 0)
		return "No fee was charged for this place.";
	if (strcmp(state, "confirmed"))
		return arena_sprintf(a, "Nothing has been paid for this place, so nothing is owed: the "
		                        "%s that was due is no longer due.",
		                     money_format(a, amount_cents));
	const char *kept = processing_cents > 0
	                       ? arena_sprintf(a, "; the %s processing fee is not refunded",
	                                       money_format(a, processing_cents))
	                       : "";
	/* Confirmed is paid only where payment is what confirmed it: an
	 * administrator marking a place taken here paid, or the portal's import.
	 * A team's members and staff-invited learners are confirmed unpaid. */
	if (!strcmp(source, "self") || !strcmp(source, "import"))
		return arena_sprintf(a, "%s was paid for this place. A refund follows the cancellation "
		                        "policy%s.", money_format(a, amount_cents), kept);
	return arena_sprintf(a, "The place is priced at %s. Whatever has been paid for it is refunded "
	                        "under the cancellation policy%s.", money_format(a, amount_cents), kept);
}

/* An enrollment someone is about to cancel, or has just cancelled. */
typedef struct cancel_ref {
	long long id, amount, processing;
	const char *state, *source, *role, *email, *name, *title, *dates, *slug, *policy, *team;
	bool own;
} cancel_ref;

/* Load enrollment :id for a cancellation by u (its owner, a director of the
 * offering, or an admin) and check it can still be cancelled. Answers the
 * request itself (404, 409, 503) and returns false otherwise. */
static bool load_cancellable(request *req, PGconn *db, user *u, cancel_ref *c)
{
	arena *a = req->a;
	long long id = 0;
	if (!http_parse_id(http_param(req, "id"), &id)) {
		http_error(req, 404, NULL);
		return false;
	}
	PGresult *r = db_q(db,
		"SELECT e.user_id, e.offering_id, e.state, e.source, e.role, e.amount_cents,"
		" e.processing_fee_cents, u.email, u.display_name AS name, c.title, o.slug,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' ||"
		" to_char(o.ends_on, 'FMMonth FMDD, YYYY') AS dates,"
		" o.cancellation_policy AS policy, coalesce(t.name, '') AS team,"
		" o.starts_on > (to_timestamp($2) AT TIME ZONE o.time_zone)::date AS not_started"
		" FROM enrollments e JOIN users u ON u.id = e.user_id"
		" JOIN offerings o ON o.id = e.offering_id JOIN courses c ON c.id = o.course_id"
		" LEFT JOIN teams t ON t.id = e.team_id WHERE e.id = $1",
		num(a, id), session_now_param(req));
	if (!r) {
		http_db_error(req);
		return false;
	}
	bool failed = false;
	bool found = PQntuples(r) == 1;
	bool own = found && atoll(db_col(r, 0, "user_id")) == u->id;
	bool manager = found && !own &&
	               may_manage_offering(req, db, atoll(db_col(r, 0, "offering_id")), &failed);
	if (failed || (!own && !manager)) {
		PQclear(r);
		if (failed)
			http_db_error(req);
		else
			http_error(req, 404, "There is no such enrollment of yours.");
		return false;
	}
	if (!strcmp(db_col(r, 0, "state"), "cancelled") || db_col(r, 0, "not_started")[0] != 't') {
		PQclear(r);
		http_error(req, 409, "This enrollment can no longer be cancelled here: it is already "
		                     "cancelled, or the course has begun. Contact the course office.");
		return false;
	}
	c->id = id;
	c->own = own;
	c->amount = atoll(db_col(r, 0, "amount_cents"));
	c->processing = atoll(db_col(r, 0, "processing_fee_cents"));
	c->state = arena_strdup(a, db_col(r, 0, "state"));
	c->source = arena_strdup(a, db_col(r, 0, "source"));
	c->role = arena_strdup(a, db_col(r, 0, "role"));
	c->email = arena_strdup(a, db_col(r, 0, "email"));
	c->name = arena_strdup(a, db_col(r, 0, "name"));
	c->title = arena_strdup(a, db_col(r, 0, "title"));
	c->slug = arena_strdup(a, db_col(r, 0, "slug"));
	c->dates = arena_strdup(a, db_col(r, 0, "dates"));
	c->policy = arena_strdup(a, db_col(r, 0, "policy"));
	c->team = arena_strdup(a, db_col(r, 0, "team"));
	PQclear(r);
	return true;
}

/* Who acted on someone else's enrollment, as the message names them. */
static const char *actor_words(arena *a, const user *u)
{
	return arena_sprintf(a, u->is_admin ? "%s, an administrator of the course office"
	                                    : "%s, a director of the course", u->display_name);
}

/* The confirmation page: what cancelling will do, the amount concerned and
 * the policy. Changes nothing; its form is the only way to cancel. */
static void enrollment_cancel_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	cancel_ref c;
	if (!load_cancellable(req, db, u, &c))
		return;
	tv *v = tv_obj(a);
	tv_set_str(v, "id", num(a, c.id));
	tv_set_str(v, "slug", c.slug);
	tv_set_str(v, "title", c.title);
	tv_set_str(v, "dates", c.dates);
	tv_set_bool(v, "own", c.own);
	tv_set_str(v, "learner_name", c.name);
	tv_set_bool(v, "learner", !strcmp(c.role, "learner"));
	tv_set_str(v, "role", c.role);
	tv_set_str(v, "state_label", !strcmp(c.state, "confirmed") ? "Confirmed"
	                                                           : "Waiting for payment");
	tv_set(v, "team", *c.team ? tv_str(a, c.team) : tv_null(a));
	tv_set_str(v, "amount", money_format(a, c.amount));
	tv_set(v, "processing", c.processing ? tv_str(a, money_format(a, c.processing)) : tv_null(a));
	tv_set_str(v, "refund", enroll_refund_words(a, c.state, c.source, c.amount, c.processing));
	tv_set_str(v, "policy", c.policy);
	tv_set_str(v, "csrf", session_csrf(req));
	req->no_store = true;
	http_render(req, 200, "enrollment_cancel",
	            c.own ? "Cancel your enrollment?" : "Cancel this enrollment?", v);
}

static void enrollment_cancel_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	cancel_ref c;
	if (!load_cancellable(req, db, u, &c))
		return;
	/* Only the confirmation page's form cancels: a POST from anywhere else
	 * (an old page, a button pressed by mistake) is shown that page first. */
	if (!http_form(req, "confirmed")) {
		http_redirect(req, arena_sprintf(a, "/enrollments/%lld/cancel", c.id));
		return;
	}
	long long now = (long long)clock_now();
	const char *who = c.own ? "at your request" : arena_sprintf(a, "by %s", actor_words(a, u));
	const char *body = arena_sprintf(a,
		"Hello %s,\n\nYour enrollment in %s (%s) was cancelled %s.%s\n\n%s\n\n"
		"Cancellation policy: %s\n\nThe enrollment: %s/enrollments/%lld\n",
		c.name, c.title, c.dates, who,
		*c.team ? arena_sprintf(a, " You are no longer on team %s.", c.team) : "",
		enroll_refund_words(a, c.state, c.source, c.amount, c.processing), c.policy,
		req->app->cfg->origin, c.id);
	bool ok = db_begin(db) &&
	          db_exec(db, "UPDATE enrollments SET state = 'cancelled', cancelled_at = to_timestamp($2)"
	                      " WHERE id = $1 AND state <> 'cancelled'",
	                  2, (const char *[]){num(a, c.id), num(a, now)}) &&
	          db_exec(db, "UPDATE team_members SET state = 'revoked' WHERE enrollment_id = $1", 1,
	                  (const char *[]){num(a, c.id)}) &&
	          outbox_put(db, a, c.email, "enrollment-cancelled",
	                     arena_sprintf(a, "Enrollment cancelled: %s", c.title), body, now) &&
	          db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	log_info("enroll: enrollment %lld cancelled by user %lld", c.id, (long long)u->id);
	http_redirect(req, arena_sprintf(a, "/enrollments/%lld?done=cancelled", c.id));
}

static void admin_enrollment_confirm_post(request *req)
{
	user *u = authz_require_admin(req);
	if (!u)
		return;
	arena *a = req->a;
	long long id = 0;
	bool id_ok = http_parse_id(http_param(req, "id"), &id);
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!id_ok) {
		http_error(req, 404, NULL);
		return;
	}
	long long now = (long long)clock_now();
	PGresult *r = db_begin(db) ? db_q(db,
		"UPDATE enrollments e SET state = 'confirmed', confirmed_at = to_timestamp($2)"
		" FROM users u, offerings o, courses c"
		" WHERE e.id = $1 AND e.state = 'pending_payment' AND u.id = e.user_id"
		" AND o.id = e.offering_id AND c.id = o.course_id"
		" RETURNING e.offering_id, e.amount_cents, u.email, u.display_name AS name, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' ||"
		" to_char(o.ends_on, 'FMMonth FMDD, YYYY') AS dates",
		num(a, id), num(a, now)) : NULL;
	if (!r) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	if (!PQntuples(r)) {
		PQclear(r);
		db_rollback(db);
		http_error(req, 409, "That enrollment is not waiting for payment.");
		return;
	}
	const char *oid = arena_strdup(a, db_col(r, 0, "offering_id"));
	const char *title = arena_strdup(a, db_col(r, 0, "title"));
	const char *body = arena_sprintf(a,
		"Hello %s,\n\n%s recorded the payment of %s for your place in %s (%s): your "
		"enrollment is confirmed.\n\nThe enrollment: %s/enrollments/%lld\n",
		db_col(r, 0, "name"), actor_words(a, u), money_format(a, atoll(db_col(r, 0, "amount_cents"))),
		title, db_col(r, 0, "dates"), req->app->cfg->origin, id);
	bool ok = outbox_put(db, a, db_col(r, 0, "email"), "enrollment-confirmed",
	                     arena_sprintf(a, "Enrollment confirmed: %s", title), body, now) &&
	          db_commit(db);
	PQclear(r);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	const char *back = http_form(req, "back");
	http_redirect(req, back && !strcmp(back, "list")
	                       ? arena_sprintf(a, "/admin/offerings/%s/enrollments?done=paid", oid)
	                       : arena_sprintf(a, "/enrollments/%lld?done=paid", id));
}

/* ---- roster and the admin list ---- */

static void roster_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_ref o;
	if (!load_offering(req, db, http_param(req, "slug"), &o))
		return;
	/* The roster follows the rule of the cohort's space (DESIGN §5): who may
	 * read the space sees the roster, and its moderators (the offering's
	 * facilitators and directors, the series' directors, admins) see it as
	 * staff. Learners (confirmed ones) see the staff and the fellow members
	 * who chose to be listed; staff see everyone with details, those waiting
	 * for payment too. */
	PGresult *r = db_q(db, "SELECT cairn_space_role($1, id) FROM spaces"
	                       " WHERE offering_id = $2 AND kind = 'cohort'",
	                   num(a, u->id), num(a, o.id));
	if (!r) {
		http_db_error(req);
		return;
	}
	unsigned caps = PQntuples(r) == 1 ? space_caps("cohort", atoi(db_val(r, 0, 0)), (space_state){0}) : 0;
	PQclear(r);
	bool staff = caps & SPACE_MODERATE;
	if (!(caps & SPACE_READ)) {
		http_error(req, 404, "There is no roster here for you.");
		return;
	}
	r = db_q(db,
		"SELECT u.display_name, u.handle, u.profession, u.track, u.pronouns, e.role, e.state,"
		" coalesce(t.name, ''), u.email FROM enrollments e JOIN users u ON u.id = e.user_id"
		" LEFT JOIN teams t ON t.id = e.team_id"
		" WHERE e.offering_id = $1 AND e.state <> 'cancelled'"
		" AND ($2 OR (e.state = 'confirmed' AND (e.role <> 'learner' OR u.listed OR u.id = $3)))"
		" ORDER BY CASE e.role WHEN 'director' THEN 0 WHEN 'facilitator' THEN 1 ELSE 2 END,"
		" u.display_name LIMIT 1000",
		num(a, o.id), staff ? "true" : "false", num(a, u->id));
	if (!r) {
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	set_offering(v, a, &o);
	tv_set_bool(v, "staff", staff);
	tv *list = tv_set(v, "people", tv_list(a));
	for (int i = 0; i < PQntuples(r); i++) {
		tv *p = tv_push(list, tv_obj(a));
		tv_set_str(p, "name", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(p, "handle", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(p, "profession", accounts_profession_label(db_val(r, i, 2)));
		tv_set_str(p, "track", arena_strdup(a, db_val(r, i, 3)));
		const char *pr = db_val(r, i, 4);
		tv_set(p, "pronouns", *pr ? tv_str(a, arena_strdup(a, pr)) : tv_null(a));
		const char *rl = db_val(r, i, 5);
		tv_set(p, "role", strcmp(rl, "learner") ? tv_str(a, arena_strdup(a, rl)) : tv_null(a));
		tv_set_str(p, "state", !strcmp(db_val(r, i, 6), "confirmed") ? "confirmed"
		                                                              : "waiting for payment");
		const char *team = db_val(r, i, 7);
		tv_set(p, "team", *team ? tv_str(a, arena_strdup(a, team)) : tv_null(a));
		tv_set_str(p, "email", staff ? arena_strdup(a, db_val(r, i, 8)) : "");
	}
	tv_set_int(v, "count", PQntuples(r));
	PQclear(r);
	http_render(req, 200, "roster", arena_sprintf(a, "Cohort: %s", o.title), v);
}

static void admin_enrollments_page(request *req)
{
	if (!authz_require_admin(req))
		return;
	arena *a = req->a;
	long long id = 0;
	bool id_ok = http_parse_id(http_param(req, "id"), &id);
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	if (!id_ok) {
		http_error(req, 404, NULL);
		return;
	}
	PGresult *o = db_q(db, "SELECT o.slug, c.title, o.capacity FROM offerings o"
	                       " JOIN courses c ON c.id = o.course_id WHERE o.id = $1", num(a, id));
	if (!o) {
		http_db_error(req);
		return;
	}
	if (PQntuples(o) != 1) {
		PQclear(o);
		http_error(req, 404, "There is no such offering.");
		return;
	}
	PGresult *r = db_q(db,
		"SELECT e.id, u.display_name, u.email, e.role, e.state, coalesce(fc.label, ''),"
		" e.amount_cents, coalesce(t.name, ''), e.source"
		" FROM enrollments e JOIN users u ON u.id = e.user_id"
		" LEFT JOIN fee_categories fc ON fc.code = e.fee_category"
		" LEFT JOIN teams t ON t.id = e.team_id WHERE e.offering_id = $1"
		" ORDER BY e.state = 'cancelled', e.role <> 'director', e.role <> 'facilitator',"
		" u.display_name LIMIT 2000",
		num(a, id));
	if (!r) {
		PQclear(o);
		http_db_error(req);
		return;
	}
	tv *v = tv_obj(a);
	tv_set_str(v, "offering_id", num(a, id));
	tv_set_str(v, "slug", arena_strdup(a, db_val(o, 0, 0)));
	tv_set_str(v, "title", arena_strdup(a, db_val(o, 0, 1)));
	tv_set_str(v, "capacity", *db_val(o, 0, 2) ? arena_strdup(a, db_val(o, 0, 2)) : "no limit");
	PQclear(o);
	tv *list = tv_set(v, "enrollments", tv_list(a));
	/* Confirmed is not always paid (a team's members, a staff invitation):
	 * the list says what it counts. */
	long long due = 0, confirmed = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		tv *e = tv_push(list, tv_obj(a));
		const char *state = db_val(r, i, 4);
		long long amount = atoll(db_val(r, i, 6));
		if (!strcmp(state, "confirmed"))
			confirmed += amount;
		else if (!strcmp(state, "pending_payment"))
			due += amount;
		tv_set_str(e, "id", arena_strdup(a, db_val(r, i, 0)));
		tv_set_str(e, "name", arena_strdup(a, db_val(r, i, 1)));
		tv_set_str(e, "email", arena_strdup(a, db_val(r, i, 2)));
		tv_set_str(e, "role", arena_strdup(a, db_val(r, i, 3)));
		tv_set_str(e, "state", !strcmp(state, "pending_payment") ? "waiting for payment"
		                       : arena_strdup(a, state));
		tv_set_bool(e, "pending", !strcmp(state, "pending_payment"));
		tv_set_str(e, "category", arena_strdup(a, db_val(r, i, 5)));
		tv_set_str(e, "amount", money_format(a, amount));
		const char *team = db_val(r, i, 7);
		tv_set(e, "team", *team ? tv_str(a, arena_strdup(a, team)) : tv_null(a));
		tv_set_str(e, "source", arena_strdup(a, db_val(r, i, 8)));
		tv_set_str(e, "csrf", session_csrf(req));
	}
	tv_set_str(v, "due", money_format(a, due));
	tv_set_str(v, "confirmed", money_format(a, confirmed));
	const char *done = http_query(req, "done");
	tv_set_str(v, "notice", done && !strcmp(done, "paid")
	                            ? "Marked as paid: the enrollment is confirmed, and a message "
	                              "telling the learner is queued."
	                            : NULL);
	PQclear(r);
	req->no_store = true;
	http_render(req, 200, "admin_enrollments", "Enrollments", v);
}

/* ---- invitations by an offering's staff ---- */

static void staff_invite_view(request *req, const offering_ref *o, offering_role role, int status,
                              const char *error, const char *done, const char *link)
{
	arena *a = req->a;
	tv *v = tv_obj(a);
	set_offering(v, a, o);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "done", done);
	tv_set_str(v, "link", link);
	/* Directors (and admins) may invite staff; facilitators invite learners. */
	tv_set_bool(v, "may_invite_staff", role == OROLE_DIRECTOR || session_user(req)->is_admin);
	req->no_store = true;
	http_render(req, status, "staff_invite", arena_sprintf(a, "Invite to %s", o->title), v);
}

/* The inviter's role, or an answer already given (404) when they have none. */
static bool inviter_role(request *req, PGconn *db, const offering_ref *o, offering_role *role)
{
	user *u = session_user(req);
	if (!enroll_role(db, u->id, o->id, role)) {
		http_db_error(req);
		return false;
	}
	if (u->is_admin)
		*role = OROLE_DIRECTOR;
	if (*role < OROLE_FACILITATOR) {
		http_error(req, 404, NULL);
		return false;
	}
	return true;
}

static void staff_invite_page(request *req)
{
	if (!authz_require_user(req))
		return;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_ref o;
	offering_role role;
	if (!load_offering(req, db, http_param(req, "slug"), &o) || !inviter_role(req, db, &o, &role))
		return;
	staff_invite_view(req, &o, role, 200, NULL, NULL, NULL);
}

static void staff_invite_post(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	offering_ref o;
	offering_role my_role;
	if (!load_offering(req, db, http_param(req, "slug"), &o) ||
	    !inviter_role(req, db, &o, &my_role))
		return;
	const char *email = http_form(req, "email");
	const char *role = http_form(req, "role");
	if (!email || !*email || strlen(email) > 254 || !strchr(email, '@') || strchr(email, ' ')) {
		staff_invite_view(req, &o, my_role, 422, "Enter the email address of the person to invite.",
		                  NULL, NULL);
		return;
	}
	if (!role || (strcmp(role, "learner") && strcmp(role, "facilitator") &&
	              strcmp(role, "director"))) {
		staff_invite_view(req, &o, my_role, 422, "Choose the role they will have.", NULL, NULL);
		return;
	}
	if (strcmp(role, "learner") && my_role != OROLE_DIRECTOR) {
		http_error(req, 403, "Only the offering's directors can invite facilitators and "
		                     "directors. Nothing was changed.");
		return;
	}
	long long now = (long long)clock_now();
	PGresult *r = db_q(db, "SELECT id, display_name, profession FROM users"
	                       " WHERE lower(email) = lower($1)", email);
	if (!r) {
		http_db_error(req);
		return;
	}
	bool exists = PQntuples(r) > 0;
	int64_t uid = exists ? atoll(db_val(r, 0, 0)) : 0;
	const char *name = exists ? arena_strdup(a, db_val(r, 0, 1)) : NULL;
	const char *profession = exists ? arena_strdup(a, db_val(r, 0, 2)) : NULL;
	PQclear(r);
	const char *link = NULL, *done;
	bool ok = db_begin(db);
	if (exists && strcmp(role, "learner")) {
		ok = ok && enroll_staff(db, o.id, uid, role, now) &&
		     outbox_put(db, a, email, "staff-added",
		                arena_sprintf(a, "You are a %s of %s", role, o.title),
		                arena_sprintf(a, "%s added you as a %s of %s (%s).\n\n%s/offerings/%s\n",
		                              u->display_name, role, o.title, o.dates,
		                              req->app->cfg->origin, o.slug),
		                now);
		done = arena_sprintf(a, "%s is now a %s of this offering.", email, role);
	} else if (exists) {
		/* The same as for someone who signs up from an invitation link: a
		 * place confirmed at today's price for their profession. A place
		 * they took themselves and have not paid for is left as it is:
		 * only the course office waives a payment. */
		int64_t eid = 0;
		enroll_result res = ENROLL_DB_ERROR;
		if (ok)
			res = enroll_learner(db, a, o.id, uid, fees_default_category(profession), "confirmed",
			                     "invite", 1, 0, NULL, now, false, &eid);
		if (res != ENROLL_OK && res != ENROLL_DB_ERROR) {
			db_rollback(db);
			staff_invite_view(req, &o, my_role, 409,
			                  res == ENROLL_ALREADY
			                      ? arena_sprintf(a, "%s (%s) is already enrolled in this "
			                                         "offering. Nothing was changed.", name, email)
			                      : arena_sprintf(a, "%s Nothing was changed.",
			                                      enroll_result_text(res)),
			                  NULL, NULL);
			return;
		}
		ok = ok && res == ENROLL_OK &&
		     outbox_put(db, a, email, "enrollment",
		                arena_sprintf(a, "Your enrollment: %s", o.title),
		                arena_sprintf(a, "Hello %s,\n\n%s enrolled you in %s (%s). Your place is "
		                                 "confirmed, and the cohort's discussions are open to "
		                                 "you.\n\nSee your enrollment: %s/enrollments/%lld\n",
		                              name, u->display_name, o.title, o.dates,
		                              req->app->cfg->origin, (long long)eid),
		                now);
		done = arena_sprintf(a, "%s (%s) is now enrolled in this offering, confirmed. A message "
		                        "telling them is in the outbox.", name, email);
	} else {
		char token[CRYPTO_TOKEN_TEXT_BYTES + 1];
		token_data data = {.offering_id = o.id, .role = role};
		int64_t tid = ok ? token_issue(db, a, "invite", 0, email, false, u->id, 14 * 86400, &data,
		                               now, token) : 0;
		link = arena_sprintf(a, "%s/invite?token=%s", req->app->cfg->origin, token);
		sodium_memzero(token, sizeof token);
		ok = ok && tid &&
		     outbox_put(db, a, email, "invite", arena_sprintf(a, "Your invitation to %s", o.title),
		                arena_sprintf(a, "%s invites you to %s (%s) as a %s.\nCreate your account "
		                                 "here (the link works once and expires in 14 days):\n%s\n",
		                              u->display_name, o.title, o.dates, role, link),
		                now);
		done = arena_sprintf(a, "Invitation created for %s as %s.", email, role);
	}
	ok = ok && db_commit(db);
	if (!ok) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	staff_invite_view(req, &o, my_role, link ? 201 : 200, NULL, done, link);
}

void enroll_routes(router *r)
{
	router_add(r, "GET", "/offerings/:slug/invite", staff_invite_page,
	           ACCESS_OFFERING_STAFF | ACCESS_ADMIN,
	           "invite people to this offering");
	router_add(r, "POST", "/offerings/:slug/invite", staff_invite_post,
	           ACCESS_OFFERING_STAFF | ACCESS_ADMIN,
	           "invite a learner (or, for directors, staff)");
	router_add(r, "GET", "/offerings/:slug/enroll", enroll_page, ACCESS_ANYONE,
	           "enrollment form (makes an account on the way)");
	router_add(r, "POST", "/offerings/:slug/enroll", enroll_post, ACCESS_ANYONE, "enroll");
	router_add(r, "GET", "/offerings/:slug/roster", roster_page,
	           ACCESS_ENROLLED | ACCESS_SERIES_DIRECTOR | ACCESS_ADMIN,
	           "the cohort roster (staff see everyone)");
	router_add(r, "GET", "/enrollments", my_enrollments_page, ACCESS_SIGNED_IN,
	           "my enrollments, all states, newest first");
	router_add(r, "GET", "/enrollments/:id", enrollment_page,
	           ACCESS_ENROLLMENT_OWNER | ACCESS_OFFERING_DIRECTOR | ACCESS_ADMIN,
	           "an enrollment: fees, state, policy");
	router_add(r, "GET", "/enrollments/:id/cancel", enrollment_cancel_page,
	           ACCESS_ENROLLMENT_OWNER | ACCESS_OFFERING_DIRECTOR | ACCESS_ADMIN,
	           "what cancelling would do; asks first");
	router_add(r, "POST", "/enrollments/:id/cancel", enrollment_cancel_post,
	           ACCESS_ENROLLMENT_OWNER | ACCESS_OFFERING_DIRECTOR | ACCESS_ADMIN,
	           "cancel an enrollment (from that page's form)");
	router_add(r, "POST", "/admin/enrollments/:id/confirm", admin_enrollment_confirm_post,
	           ACCESS_ADMIN,
	           "mark an enrollment paid (the learner is told)");
	router_add(r, "GET", "/admin/offerings/:id/enrollments", admin_enrollments_page,
	           ACCESS_ADMIN,
	           "an offering's enrollments");
}
