/*
 * placement.c - the placement pages and their commit (issue 10 item 5). See
 * placement.h.
 *
 * Every request loads the inputs afresh with a handful of set-based
 * statements (the offering, its confirmed learners with their open group of
 * the series, the series' groups, the offering's facilitators, the draft),
 * asks place.h for the proposal and replays the draft's moves on it. The
 * inputs have a fingerprint (BLAKE2b of their canonical text); every form
 * carries the fingerprint and the draft version of the page it came from,
 * and a POST whose page is out of date changes nothing (409, the page as it
 * stands now). A draft also remembers the fingerprint its moves were made
 * against: when the cohort changes under a draft, only "start over" is
 * offered.
 *
 * Tracks: a learner whose profile says both adult and pediatric attends
 * the adult breakouts (home.c shows them the adult agenda), so they are
 * placed in the adult track. New groups are named "Adult group N" and
 * "Pediatric group N", numbered on from the highest such name in the series.
 *
 * Who: a confirmed director of any offering of the series, or an admin;
 * everyone else gets 404, as for any object they may not see.
 */
#include "cairn/placement.h"
#include "cairn/accounts.h"
#include "cairn/authz.h"
#include "cairn/clock.h"
#include "cairn/crypto.h"
#include "cairn/log.h"
#include "cairn/place.h"
#include "cairn/session.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REASON_MAX = 500, SIZE_MAX_ALLOWED = 50 };

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

static const char *track_label(place_track t)
{
	return t == PLACE_ADULT ? "Adult" : "Pediatric";
}

static const char *track_word(place_track t)
{
	return t == PLACE_ADULT ? "adult" : "pediatric";
}

/* ---- the inputs ---- */

typedef struct pl_offering {
	int64_t id, series_id;
	const char *slug, *title, *dates;
	int min_size, max_size;
	bool ended;   /* its last day is over: nothing can be changed */
	bool directs; /* the user directs the series */
} pl_offering;

typedef struct pl_learner {
	int64_t id, team_id, prev_group;
	int64_t placed_for; /* the offering their open membership was made for */
	const char *name, *profession, *team_name;
	place_track track;
} pl_learner;

typedef struct pl_group {
	int64_t id;
	place_track track;
	const char *name;
	int away; /* open members not learners of this offering */
} pl_group;

typedef struct pl_input {
	int64_t offering_id;
	pl_learner *l;
	size_t nl;
	pl_group *g;
	size_t ng;
	place_input in;
	int last_number[2]; /* highest N of "Adult group N", "Pediatric group N" */
	char fingerprint[2 * CRYPTO_HASH_BYTES + 1];
} pl_input;

typedef struct pl_person {
	int64_t id;
	const char *name;
} pl_person;

typedef struct pl_move {
	int64_t user_id, to_group;
	int to_new;
	const char *reason, *by;
} pl_move;

typedef struct pl_assign {
	int64_t group_id;
	int new_number;
	int64_t user_id;
} pl_assign;

typedef struct pl_draft {
	bool exists;
	int version;
	const char *fingerprint;
	pl_move *m;
	size_t nm;
	pl_assign *as; /* without a draft: the offering's assignments as they are */
	size_t nas;
} pl_draft;

typedef struct pl_plan {
	place_plan p;            /* the proposal with the draft's moves applied */
	int *proposed;           /* per learner: the group the proposal gave them */
	const pl_move **move_of; /* per learner: their move, or NULL */
	place_issue *issues;
	size_t ni;
	const char **names;      /* per group of p: its name (new ones: the name it will get) */
	bool moved;              /* a move was applied */
	bool stale;              /* a move names a learner or group no longer there */
} pl_plan;

typedef struct pl_state {
	pl_input in;
	pl_draft d;
	pl_plan pp;
	pl_person *fac; /* the offering's confirmed facilitators */
	size_t nfac;
} pl_state;

/* The offering by slug (or, with slug NULL, by id) and whether user_id
 * directs its series. false on a database error; *found says whether it
 * exists. */
static bool offering_load(PGconn *db, arena *a, const char *slug, int64_t id, int64_t user_id,
                          long long now, pl_offering *o, bool *found)
{
	PGresult *r = db_q(db,
		"SELECT o.id, c.series_id, o.slug, c.title,"
		" to_char(o.starts_on, 'FMMonth FMDD, YYYY') || ' – ' || to_char(o.ends_on, 'FMMonth FMDD, YYYY')"
		"   AS dates,"
		" o.group_min_size, o.group_max_size,"
		" o.ends_on < (to_timestamp($4) AT TIME ZONE o.time_zone)::date AS ended,"
		" EXISTS (SELECT 1 FROM enrollments e JOIN offerings o2 ON o2.id = e.offering_id"
		"   JOIN courses c2 ON c2.id = o2.course_id WHERE c2.series_id = c.series_id"
		"   AND e.user_id = $3::bigint AND e.role = 'director' AND e.state = 'confirmed') AS directs"
		" FROM offerings o JOIN courses c ON c.id = o.course_id"
		" WHERE o.slug = $1 OR o.id = $2::bigint",
		slug ? slug : "", num(a, slug ? 0 : id), num(a, user_id), num(a, now));
	if (!r)
		return false;
	*found = PQntuples(r) == 1;
	if (*found) {
		o->id = atoll(db_col(r, 0, "id"));
		o->series_id = atoll(db_col(r, 0, "series_id"));
		o->slug = arena_strdup(a, db_col(r, 0, "slug"));
		o->title = arena_strdup(a, db_col(r, 0, "title"));
		o->dates = arena_strdup(a, db_col(r, 0, "dates"));
		o->min_size = atoi(db_col(r, 0, "group_min_size"));
		o->max_size = atoi(db_col(r, 0, "group_max_size"));
		o->ended = db_col(r, 0, "ended")[0] == 't';
		o->directs = db_col(r, 0, "directs")[0] == 't';
	}
	PQclear(r);
	return true;
}

static place_track track_of(const char *profile_track)
{
	/* "both" attends the adult breakouts (see the top of the file). */
	return strcmp(profile_track, "pediatric") ? PLACE_ADULT : PLACE_PEDIATRIC;
}

/* N of a name "Adult group N" (or "Pediatric group N"), else 0. */
static int group_number(const char *name, place_track t)
{
	const char *prefix = t == PLACE_ADULT ? "Adult group " : "Pediatric group ";
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) || name[n] < '1' || name[n] > '9' || strlen(name + n) > 6)
		return 0;
	for (const char *p = name + n; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return atoi(name + n);
}

/* The confirmed learners of the offering with their open group of the
 * series (two statements, whatever the size), the series' groups, and the
 * fingerprint of it all. false on a database error, or with *problem set
 * when the cohort is too large. */
static bool input_load(PGconn *db, arena *a, const pl_offering *o, pl_input *in,
                       const char **problem)
{
	memset(in, 0, sizeof *in);
	*problem = NULL;
	in->offering_id = o->id;
	const char *oid = num(a, o->id), *sid = num(a, o->series_id);
	PGresult *g = NULL;
	PGresult *r = db_q(db,
		"SELECT u.id, u.display_name, u.profession, u.track,"
		" coalesce(t.id, 0) AS team_id, coalesce(t.name, '') AS team_name,"
		" coalesce(m.group_id, 0) AS prev_group, coalesce(m.offering_id, 0) AS placed_for"
		" FROM enrollments e JOIN users u ON u.id = e.user_id"
		" LEFT JOIN teams t ON t.id = e.team_id AND t.state <> 'cancelled'"
		" LEFT JOIN group_members m ON m.user_id = e.user_id AND m.series_id = $2::bigint"
		"   AND m.left_at IS NULL"
		" WHERE e.offering_id = $1::bigint AND e.role = 'learner' AND e.state = 'confirmed'"
		" ORDER BY u.id LIMIT 4001",
		oid, sid);
	if (!r)
		goto fail;
	g = db_q(db,
		"SELECT g.id, g.track, g.name,"
		" (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.left_at IS NULL"
		"   AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.offering_id = $2::bigint"
		"     AND e.user_id = m.user_id AND e.role = 'learner' AND e.state = 'confirmed')) AS away"
		" FROM groups g WHERE g.series_id = $1::bigint ORDER BY g.id LIMIT 4000",
		sid, oid);
	if (!g)
		goto fail;
	in->nl = (size_t)PQntuples(r);
	in->ng = (size_t)PQntuples(g);
	if (in->nl > PLACE_MAX_PEOPLE) {
		*problem = "This offering has more learners than placement can take at once.";
		goto fail;
	}
	in->l = arena_calloc(a, in->nl + 1, sizeof *in->l);
	in->g = arena_calloc(a, in->ng + 1, sizeof *in->g);
	place_learner *pl = arena_calloc(a, in->nl + 1, sizeof *pl);
	place_group *pg = arena_calloc(a, in->ng + 1, sizeof *pg);
	buf fp;
	buf_init(&fp, a, 1u << 24);
	buf_appendf(&fp, "o%lld %d-%d\n", (long long)o->id, o->min_size, o->max_size);
	for (size_t i = 0; i < in->nl; i++) {
		pl_learner *l = &in->l[i];
		l->id = atoll(db_col(r, (int)i, "id"));
		l->name = arena_strdup(a, db_col(r, (int)i, "display_name"));
		l->profession = arena_strdup(a, db_col(r, (int)i, "profession"));
		l->track = track_of(db_col(r, (int)i, "track"));
		l->team_id = atoll(db_col(r, (int)i, "team_id"));
		l->team_name = arena_strdup(a, db_col(r, (int)i, "team_name"));
		l->prev_group = atoll(db_col(r, (int)i, "prev_group"));
		l->placed_for = atoll(db_col(r, (int)i, "placed_for"));
		pl[i] = (place_learner){.id = l->id, .track = l->track, .profession = l->profession,
		                        .team_id = l->team_id, .prev_group_id = l->prev_group};
		buf_appendf(&fp, "l%lld %d %s %lld %lld\n", (long long)l->id, (int)l->track,
		            l->profession, (long long)l->team_id, (long long)l->prev_group);
	}
	for (size_t k = 0; k < in->ng; k++) {
		pl_group *gr = &in->g[k];
		gr->id = atoll(db_col(g, (int)k, "id"));
		gr->track = strcmp(db_col(g, (int)k, "track"), "pediatric") ? PLACE_ADULT : PLACE_PEDIATRIC;
		gr->name = arena_strdup(a, db_col(g, (int)k, "name"));
		gr->away = atoi(db_col(g, (int)k, "away"));
		/* Members not in this course do not meet in it: none is kept
		 * (place.h's kept counts staying members who are not learners,
		 * and every staying member is a learner here). */
		pg[k] = (place_group){.id = gr->id, .track = gr->track, .kept = 0};
		int n = group_number(gr->name, gr->track);
		if (n > in->last_number[gr->track])
			in->last_number[gr->track] = n;
		buf_appendf(&fp, "g%lld %d\n", (long long)gr->id, (int)gr->track);
	}
	if (fp.failed)
		goto fail;
	uint8_t h[CRYPTO_HASH_BYTES];
	crypto_digest(fp.data, fp.len, h);
	for (size_t k = 0; k < sizeof h; k++)
		snprintf(in->fingerprint + 2 * k, 3, "%02x", h[k]);
	in->in = (place_input){.learners = pl, .n_learners = in->nl, .groups = pg, .n_groups = in->ng,
	                       .min_size = o->min_size, .max_size = o->max_size};
	PQclear(r);
	PQclear(g);
	return true;
fail:
	PQclear(r);
	PQclear(g);
	return false;
}

/* The offering's confirmed facilitators, by name. */
static bool facilitators_load(PGconn *db, arena *a, int64_t offering_id, pl_person **out,
                              size_t *n)
{
	PGresult *r = db_q(db,
		"SELECT u.id, u.display_name FROM enrollments e JOIN users u ON u.id = e.user_id"
		" WHERE e.offering_id = $1::bigint AND e.role = 'facilitator' AND e.state = 'confirmed'"
		" ORDER BY u.display_name, u.id LIMIT 500",
		num(a, offering_id));
	if (!r)
		return false;
	*n = (size_t)PQntuples(r);
	*out = arena_calloc(a, *n + 1, sizeof **out);
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = (pl_person){atoll(db_val(r, (int)i, 0)), arena_strdup(a, db_val(r, (int)i, 1))};
	PQclear(r);
	return true;
}

/* The draft (locked with lock), its moves in order and its facilitators;
 * without a draft, the offering's assignments as they stand. */
static bool draft_load(PGconn *db, arena *a, const pl_offering *o, bool lock, pl_draft *d)
{
	memset(d, 0, sizeof *d);
	const char *oid = num(a, o->id);
	PGresult *r = db_q(db, lock ? "SELECT fingerprint, version FROM placement_drafts"
	                              " WHERE offering_id = $1::bigint FOR UPDATE"
	                            : "SELECT fingerprint, version FROM placement_drafts"
	                              " WHERE offering_id = $1::bigint",
	                   oid);
	if (!r)
		return false;
	d->exists = PQntuples(r) == 1;
	if (d->exists) {
		d->fingerprint = arena_strdup(a, db_val(r, 0, 0));
		d->version = atoi(db_val(r, 0, 1));
	}
	PQclear(r);
	if (d->exists) {
		r = db_q(db,
			"SELECT m.user_id, coalesce(m.to_group_id, 0) AS to_group, coalesce(m.to_new, 0) AS to_new,"
			" m.reason, coalesce(u.display_name, '') AS moved_by"
			" FROM placement_moves m LEFT JOIN users u ON u.id = m.moved_by"
			" WHERE m.offering_id = $1::bigint ORDER BY m.seq LIMIT 4000",
			oid);
		if (!r)
			return false;
		d->nm = (size_t)PQntuples(r);
		d->m = arena_calloc(a, d->nm + 1, sizeof *d->m);
		for (size_t i = 0; i < d->nm; i++)
			d->m[i] = (pl_move){.user_id = atoll(db_col(r, (int)i, "user_id")),
			                    .to_group = atoll(db_col(r, (int)i, "to_group")),
			                    .to_new = atoi(db_col(r, (int)i, "to_new")),
			                    .reason = arena_strdup(a, db_col(r, (int)i, "reason")),
			                    .by = arena_strdup(a, db_col(r, (int)i, "moved_by"))};
		PQclear(r);
		r = db_q(db,
			"SELECT coalesce(group_id, 0), coalesce(new_number, 0), user_id"
			" FROM placement_facilitators WHERE offering_id = $1::bigint LIMIT 20000",
			oid);
	} else {
		r = db_q(db,
			"SELECT gf.group_id, 0, gf.user_id FROM group_facilitators gf"
			" JOIN groups g ON g.id = gf.group_id"
			" WHERE gf.offering_id = $1::bigint AND g.series_id = $2::bigint LIMIT 20000",
			oid, num(a, o->series_id));
	}
	if (!r)
		return false;
	d->nas = (size_t)PQntuples(r);
	d->as = arena_calloc(a, d->nas + 1, sizeof *d->as);
	for (size_t i = 0; i < d->nas; i++)
		d->as[i] = (pl_assign){atoll(db_val(r, (int)i, 0)), atoi(db_val(r, (int)i, 1)),
		                       atoll(db_val(r, (int)i, 2))};
	PQclear(r);
	return true;
}

/* ---- the plan ---- */

static int learner_index(const pl_input *in, int64_t id)
{
	size_t lo = 0, hi = in->nl; /* learners are in id order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->l[mid].id == id)
			return (int)mid;
		if (in->l[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int group_index(const pl_input *in, int64_t id)
{
	for (size_t k = 0; k < in->ng; k++)
		if (in->g[k].id == id)
			return (int)k;
	return -1;
}

static int new_index(const place_plan *p, int number)
{
	for (size_t g = 0; g < p->n_groups; g++)
		if (!p->groups[g].id && p->groups[g].new_number == number)
			return (int)g;
	return -1;
}

/* The proposal for in, with d's moves replayed in order. A move to a new
 * group number the plan does not have yet opens it (with the learner's
 * track), and any number skipped on the way, empty. false with *err on an
 * input place.h refuses. */
static bool plan_build(arena *a, const pl_input *in, const pl_draft *d, pl_plan *pp,
                       const char **err)
{
	memset(pp, 0, sizeof *pp);
	place_plan base;
	if (!place_propose(a, &in->in, &base, err))
		return false;
	size_t cap = base.n_groups + d->nm + 1;
	place_plan *p = &pp->p;
	*p = base;
	p->groups = arena_calloc(a, cap, sizeof *p->groups);
	memcpy(p->groups, base.groups, base.n_groups * sizeof *p->groups);
	p->group_of = arena_calloc(a, in->nl + 1, sizeof *p->group_of);
	memcpy(p->group_of, base.group_of, in->nl * sizeof *p->group_of);
	pp->proposed = base.group_of;
	pp->move_of = arena_calloc(a, in->nl + 1, sizeof *pp->move_of);
	int max_new = 0;
	for (size_t g = 0; g < p->n_groups; g++)
		if (!p->groups[g].id && p->groups[g].new_number > max_new)
			max_new = p->groups[g].new_number;
	for (size_t k = 0; k < d->nm; k++) {
		const pl_move *m = &d->m[k];
		int i = learner_index(in, m->user_id), g = -1;
		if (i >= 0 && m->to_group) {
			g = group_index(in, m->to_group);
		} else if (i >= 0 && m->to_new >= 1 && (size_t)m->to_new <= cap) {
			while (max_new < m->to_new && p->n_groups < cap)
				p->groups[p->n_groups++] = (place_slot){.track = in->l[i].track,
				                                        .new_number = ++max_new};
			g = new_index(p, m->to_new);
		}
		if (g < 0) {
			pp->stale = true;
			continue;
		}
		p->group_of[i] = g;
		pp->move_of[i] = m;
		pp->moved = true;
	}
	for (size_t g = 0; g < p->n_groups; g++)
		p->groups[g].size = p->groups[g].kept;
	for (size_t i = 0; i < in->nl; i++)
		p->groups[p->group_of[i]].size++;
	if (pp->moved) {
		if (!place_check(a, &in->in, p, &pp->issues, &pp->ni, err))
			return false;
	} else {
		pp->issues = p->issues;
		pp->ni = p->n_issues;
	}
	pp->names = arena_calloc(a, p->n_groups + 1, sizeof *pp->names);
	int next[2] = {in->last_number[0], in->last_number[1]};
	for (size_t g = 0; g < p->n_groups; g++) {
		const place_slot *s = &p->groups[g];
		if (s->id)
			pp->names[g] = in->g[g].name;
		else if (s->size > 0)
			pp->names[g] = arena_sprintf(a, "%s group %d", track_label(s->track), ++next[s->track]);
		else
			pp->names[g] = arena_sprintf(a, "an empty new %s group", track_word(s->track));
	}
	return true;
}

/* ---- naming people in the issues' sentences ---- */

typedef struct pl_names {
	arena *a;
	const pl_input *in;
	const pl_plan *pp;
} pl_names;

static const char *namer_learner(void *ctx, int64_t id)
{
	const pl_names *n = ctx;
	int i = learner_index(n->in, id);
	return i >= 0 ? n->in->l[i].name : NULL;
}

static const char *namer_team(void *ctx, int64_t id)
{
	const pl_names *n = ctx;
	for (size_t i = 0; i < n->in->nl; i++)
		if (n->in->l[i].team_id == id)
			return arena_sprintf(n->a, "team %s", n->in->l[i].team_name);
	return NULL;
}

static const char *namer_group(void *ctx, const place_slot *s)
{
	const pl_names *n = ctx;
	size_t g = (size_t)(s - n->pp->p.groups);
	return g < n->pp->p.n_groups ? n->pp->names[g] : NULL;
}

static const char *namer_profession(void *ctx, const char *p)
{
	static const struct { const char *code, *plural; } plurals[] = {
		{"physician", "physicians"},
		{"nurse", "nurses"},
		{"np", "nurse practitioners"},
		{"pa", "physician assistants"},
		{"psychologist", "psychologists"},
		{"psychiatrist", "psychiatrists"},
		{"social_worker", "social workers"},
		{"chaplain", "chaplains"},
		{"pharmacist", "pharmacists"},
		{"resident_fellow", "residents or fellows"},
		{"other", "members of other professions"},
	};
	for (size_t i = 0; i < sizeof plurals / sizeof plurals[0]; i++)
		if (!strcmp(p, plurals[i].code))
			return plurals[i].plural;
	return NULL;
}

static const char *issue_words(arena *a, const pl_input *in, const pl_plan *pp,
                               const place_issue *is)
{
	pl_names ctx = {a, in, pp};
	place_namer nm = {namer_learner, namer_team, namer_group, namer_profession, &ctx};
	return place_issue_words(a, &in->in, &pp->p, is, &nm);
}

/* ---- loading everything for a request ---- */

/* Inputs, draft, plan and facilitators. Answers the request itself (503,
 * 500, 409 for a cohort too large) and returns false when it cannot. */
static bool state_load(request *req, PGconn *db, const pl_offering *o, bool lock, pl_state *st)
{
	arena *a = req->a;
	const char *problem = NULL, *err = NULL;
	if (!input_load(db, a, o, &st->in, &problem) || !draft_load(db, a, o, lock, &st->d) ||
	    !facilitators_load(db, a, o->id, &st->fac, &st->nfac)) {
		if (problem)
			http_error(req, 409, problem);
		else
			http_db_error(req);
		return false;
	}
	if (!plan_build(a, &st->in, &st->d, &st->pp, &err)) {
		log_error("placement: offering %lld: %s", (long long)o->id, err);
		http_error(req, 500, "The proposal could not be made from this offering's learners.");
		return false;
	}
	if (st->d.exists && strcmp(st->d.fingerprint, st->in.fingerprint))
		st->pp.stale = true;
	return true;
}

static bool assigned(const pl_draft *d, const place_slot *s, int64_t user_id)
{
	for (size_t k = 0; k < d->nas; k++)
		if (d->as[k].user_id == user_id &&
		    (s->id ? d->as[k].group_id == s->id : d->as[k].new_number == s->new_number))
			return true;
	return false;
}

static const pl_person *facilitator(const pl_state *st, int64_t id)
{
	for (size_t k = 0; k < st->nfac; k++)
		if (st->fac[k].id == id)
			return &st->fac[k];
	return NULL;
}

/* What stops a commit, as sentences (an empty list: nothing). */
static tv *blockers(arena *a, const pl_state *st)
{
	tv *list = tv_list(a);
	const place_plan *p = &st->pp.p;
	if (st->pp.stale)
		tv_push(list, tv_str(a, "The cohort changed after these changes began: start over to "
		                        "see a new proposal."));
	for (size_t k = 0; k < st->pp.ni; k++)
		if (st->pp.issues[k].rule == PLACE_RULE_TRACK)
			tv_push(list, tv_str(a, issue_words(a, &st->in, &st->pp, &st->pp.issues[k])));
	if (!st->nfac && st->in.nl) {
		tv_push(list, tv_str(a, "This offering has no facilitator yet: invite one first, then "
		                        "choose each group's facilitators."));
		return list;
	}
	for (size_t g = 0; g < p->n_groups; g++) {
		const place_slot *s = &p->groups[g];
		if (s->size == 0)
			continue;
		int n = 0;
		for (size_t k = 0; k < st->d.nas; k++) {
			const pl_assign *as = &st->d.as[k];
			if (s->id ? as->group_id != s->id : as->new_number != s->new_number)
				continue;
			if (facilitator(st, as->user_id))
				n++;
			else
				tv_push(list, tv_strf(a, "Someone chosen for %s is no longer a facilitator of "
				                         "this offering: choose its facilitators again.",
				                      st->pp.names[g]));
		}
		if (!n)
			tv_push(list, tv_strf(a, "%s has no facilitator yet.", st->pp.names[g]));
	}
	return list;
}

/* ---- views ---- */

typedef struct pl_page {
	user *u;
	PGconn *db;
	pl_offering o;
} pl_page;

static void set_offering(tv *v, arena *a, const pl_offering *o)
{
	tv *ov = tv_set(v, "offering", tv_obj(a));
	tv_set_str(ov, "slug", o->slug);
	tv_set_str(ov, "title", o->title);
	tv_set_str(ov, "dates", o->dates);
}

static void set_form_state(tv *v, const pl_state *st)
{
	tv_set_str(v, "fingerprint", st->in.fingerprint);
	tv_set_int(v, "version", st->d.exists ? st->d.version : 0);
}

static int by_name(const void *x, const void *y, void *ctx)
{
	const pl_input *in = ctx;
	const pl_learner *a = &in->l[*(const int *)x], *b = &in->l[*(const int *)y];
	int c = strcmp(a->name, b->name);
	return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

/* One group's card: members by name, facilitators, the form to choose them. */
static tv *group_view(arena *a, const pl_state *st, size_t g, bool editable)
{
	const place_plan *p = &st->pp.p;
	const place_slot *s = &p->groups[g];
	tv *gv = tv_obj(a);
	tv_set_str(gv, "name", st->pp.names[g]);
	tv_set_bool(gv, "is_new", s->id == 0);
	tv_set(gv, "size", tv_count(a, s->size, "member", "members"));
	tv_set(gv, "group_id", s->id ? tv_int(a, s->id) : tv_null(a));
	tv_set(gv, "new_number", s->id ? tv_null(a) : tv_int(a, s->new_number));
	tv_set_str(gv, "anchor", s->id ? arena_sprintf(a, "group-%lld", (long long)s->id)
	                               : arena_sprintf(a, "new-%d", s->new_number));
	int away = s->id ? st->in.g[g].away : 0;
	tv_set(gv, "away", away ? tv_count(a, away, "member", "members") : tv_null(a));
	int *idx = arena_calloc(a, (size_t)s->size + 1, sizeof *idx);
	int n = 0;
	for (size_t i = 0; i < st->in.nl; i++)
		if ((size_t)p->group_of[i] == g)
			idx[n++] = (int)i;
	qsort_r(idx, (size_t)n, sizeof *idx, by_name, (void *)&st->in);
	tv *members = tv_set(gv, "members", tv_list(a));
	for (int k = 0; k < n; k++) {
		const pl_learner *l = &st->in.l[idx[k]];
		const pl_move *m = st->pp.move_of[idx[k]];
		tv *mv = tv_push(members, tv_obj(a));
		tv_set_int(mv, "id", l->id);
		tv_set_str(mv, "name", l->name);
		tv_set_str(mv, "profession", accounts_profession_label(l->profession));
		tv_set(mv, "team", *l->team_name ? tv_str(a, l->team_name) : tv_null(a));
		bool kept = l->prev_group && l->prev_group == s->id;
		tv_set_bool(mv, "returning", kept && l->placed_for != st->in.offering_id);
		tv_set_bool(mv, "placed", kept && l->placed_for == st->in.offering_id);
		int prev = l->prev_group ? group_index(&st->in, l->prev_group) : -1;
		tv_set(mv, "left", prev >= 0 && l->prev_group != s->id ? tv_str(a, st->in.g[prev].name)
		                                                       : tv_null(a));
		tv_set(mv, "moved", m ? tv_str(a, m->reason) : tv_null(a));
		tv_set(mv, "moved_by", m && *m->by ? tv_str(a, m->by) : tv_null(a));
	}
	tv *fl = tv_set(gv, "facilitators", tv_list(a));
	const char *names = NULL;
	for (size_t k = 0; k < st->nfac; k++) {
		bool on = assigned(&st->d, s, st->fac[k].id);
		tv *fv = tv_push(fl, tv_obj(a));
		tv_set_int(fv, "id", st->fac[k].id);
		tv_set_str(fv, "name", st->fac[k].name);
		tv_set_bool(fv, "checked", on);
		if (on)
			names = names ? arena_sprintf(a, "%s; %s", names, st->fac[k].name) : st->fac[k].name;
	}
	tv_set_str(gv, "assigned", names);
	tv_set_bool(gv, "may_assign", editable && st->nfac > 0);
	return gv;
}

/* The preview: what the proposal (with the draft's changes) looks like. */
static void preview(request *req, pl_page *pg, pl_state *st, int status, const char *error,
                    const char *notice)
{
	arena *a = req->a;
	const pl_offering *o = &pg->o;
	const place_plan *p = &st->pp.p;
	bool editable = !o->ended && !st->pp.stale;
	tv *v = tv_obj(a);
	set_offering(v, a, o);
	set_form_state(v, st);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_str(v, "notice", notice);
	tv_set_bool(v, "ended", o->ended);
	tv_set_bool(v, "stale", st->pp.stale && !o->ended);
	tv_set_bool(v, "editable", editable);
	tv_set_bool(v, "draft", st->d.exists);
	tv_set_bool(v, "may_resize", editable && !st->d.exists);
	tv_set_int(v, "min_size", o->min_size);
	tv_set_int(v, "max_size", o->max_size);
	int per_track[2] = {0, 0}, returning = 0, placed = 0, meeting = 0, fresh = 0;
	for (size_t i = 0; i < st->in.nl; i++) {
		const pl_learner *l = &st->in.l[i];
		per_track[l->track]++;
		if (l->prev_group && p->groups[p->group_of[i]].id == l->prev_group) {
			placed += l->placed_for == o->id;
			returning += l->placed_for != o->id;
		}
	}
	for (size_t g = 0; g < p->n_groups; g++) {
		meeting += p->groups[g].size > 0;
		fresh += p->groups[g].size > 0 && !p->groups[g].id;
	}
	tv_set(v, "learners", tv_count(a, (long long)st->in.nl, "learner", "learners"));
	tv_set_int(v, "adult", per_track[PLACE_ADULT]);
	tv_set_int(v, "pediatric", per_track[PLACE_PEDIATRIC]);
	tv_set(v, "returning", returning ? tv_count(a, returning, "returns", "return") : tv_null(a));
	tv_set(v, "placed", placed ? tv_count(a, placed, "was", "were") : tv_null(a));
	tv_set(v, "meeting", tv_count(a, meeting, "group meets", "groups meet"));
	tv_set(v, "fresh", fresh ? tv_count(a, fresh, "is new", "are new") : tv_null(a));
	tv_set_bool(v, "no_learners", st->in.nl == 0);
	tv *issues = tv_set(v, "issues", tv_list(a));
	for (size_t k = 0; k < st->pp.ni; k++)
		tv_push(issues, tv_str(a, issue_words(a, &st->in, &st->pp, &st->pp.issues[k])));
	tv_set_bool(v, "has_issues", st->pp.ni > 0);
	tv_set_bool(v, "changed", st->pp.moved);
	tv *tracks = tv_set(v, "tracks", tv_list(a));
	for (int t = PLACE_ADULT; t <= PLACE_PEDIATRIC; t++) {
		tv *tvw = tv_obj(a);
		tv_set_str(tvw, "label", track_label((place_track)t));
		tv_set_str(tvw, "id", track_word((place_track)t));
		tv *groups = tv_set(tvw, "groups", tv_list(a));
		tv *idle = tv_set(tvw, "idle", tv_list(a));
		for (size_t g = 0; g < p->n_groups; g++) {
			if (p->groups[g].track != (place_track)t)
				continue;
			if (p->groups[g].size > 0)
				tv_push(groups, group_view(a, st, g, editable));
			else if (p->groups[g].id)
				tv_push(idle, tv_str(a, st->pp.names[g]));
		}
		tv_set_bool(tvw, "has_idle", idle->n > 0);
		if (groups->n || idle->n)
			tv_push(tracks, tvw);
	}
	tv *moves = tv_set(v, "moves", tv_list(a));
	for (size_t i = 0; i < st->in.nl; i++) {
		const pl_move *m = st->pp.move_of[i];
		if (!m)
			continue;
		tv *mv = tv_push(moves, tv_obj(a));
		tv_set_str(mv, "name", st->in.l[i].name);
		tv_set_str(mv, "from", st->pp.names[st->pp.proposed[i]]);
		tv_set_str(mv, "to", st->pp.names[p->group_of[i]]);
		tv_set_str(mv, "reason", m->reason);
		tv_set(mv, "by", *m->by ? tv_str(a, m->by) : tv_null(a));
	}
	tv_set_bool(v, "has_moves", moves->n > 0);
	tv_set_bool(v, "no_facilitators", st->nfac == 0);
	req->no_store = true;
	http_render(req, status, "placement", arena_sprintf(a, "Small groups: %s", o->title), v);
}

/* ---- the pages ---- */

/* Signed in, the offering exists and the user directs its series (or is an
 * admin). Answers the request itself otherwise (sign-in, 404, 503). */
static bool page_open(request *req, pl_page *pg)
{
	pg->u = authz_require_user(req);
	if (!pg->u)
		return false;
	pg->db = http_db_required(req);
	if (!pg->db)
		return false;
	bool found = false;
	if (!offering_load(pg->db, req->a, http_param(req, "slug"), 0, pg->u->id,
	                   (long long)clock_now(), &pg->o, &found)) {
		http_db_error(req);
		return false;
	}
	if (!found || !(pg->o.directs || pg->u->is_admin)) {
		http_error(req, 404, NULL);
		return false;
	}
	return true;
}

static const struct { const char *done, *notice; } notices[] = {
	{"moved", "The move is recorded in this draft. Nothing is saved to the groups until you commit."},
	{"unmoved", "The learner is back where the proposal put them."},
	{"facilitators", "The facilitators are recorded in this draft. Nothing is saved to the groups "
	                 "until you commit."},
	{"size", "The group size is saved, and the proposal made again with it."},
	{"reset", "The draft was dropped: this is the proposal as it stands."},
	{"committed", "Committed: the groups, their members and their facilitators are saved. Each "
	              "member reads their group's space while they are in a current or upcoming course "
	              "of the series."},
};

static void placement_page(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg) || !state_load(req, pg.db, &pg.o, false, &st))
		return;
	const char *done = http_query(req, "done"), *notice = NULL;
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
		if (!strcmp(done, notices[i].done))
			notice = notices[i].notice;
	preview(req, &pg, &st, 200, NULL, notice);
}

static const char INCOMPLETE[] = "This form is incomplete: use the forms of the placement "
                                 "page. Nothing was changed.";

/* Does the form carry the state of the page it came from? */
static bool form_complete(request *req)
{
	long long version;
	return http_form(req, "fingerprint") &&
	       form_get_int(&req->body, "version", 0, INT_MAX, &version);
}

/* The form's page still shows the placement as it is: the same inputs, the
 * same draft version, and a draft made against these inputs. A sentence
 * when it does not. */
static const char *out_of_date(request *req, const pl_state *st)
{
	const char *fp = http_form(req, "fingerprint");
	long long version = -1;
	if (!form_get_int(&req->body, "version", 0, INT_MAX, &version))
		version = -1;
	if (!fp || strcmp(fp, st->in.fingerprint))
		return "The cohort changed since that page was shown: a learner enrolled or cancelled, "
		       "someone's track, profession or team changed, the group size changed, or another "
		       "placement changed the series' groups. Nothing was changed; this is the proposal "
		       "as it stands now.";
	if (version != (st->d.exists ? st->d.version : 0))
		return "Someone else changed this placement since that page was shown. Nothing was "
		       "changed; this is the placement as it stands now.";
	if (st->pp.stale)
		return "The cohort changed after the changes in this draft began. Nothing was changed: "
		       "start over to see a new proposal.";
	return NULL;
}

/* Begin a write: lock the offering (so placements of it, and enrollments
 * into it, take turns), then load the state under the draft's lock. false
 * when the request has been answered. */
static bool write_begin(request *req, pl_page *pg, pl_state *st)
{
	if (pg->o.ended) {
		http_error(req, 409, "This course has ended: its groups can no longer be changed here. "
		                     "Nothing was changed.");
		return false;
	}
	if (!db_begin(pg->db) ||
	    !db_exec(pg->db, "SELECT 1 FROM offerings WHERE id = $1::bigint FOR UPDATE", 1,
	             (const char *[]){num(req->a, pg->o.id)})) {
		db_rollback(pg->db);
		http_db_error(req);
		return false;
	}
	if (!state_load(req, pg->db, &pg->o, true, st)) {
		db_rollback(pg->db);
		return false;
	}
	if (!form_complete(req)) {
		db_rollback(pg->db);
		preview(req, pg, st, 422, INCOMPLETE, NULL);
		return false;
	}
	const char *why = out_of_date(req, st);
	if (why) {
		db_rollback(pg->db);
		preview(req, pg, st, 409, why, NULL);
		return false;
	}
	return true;
}

/* Make the draft if there is none (with the offering's assignments as they
 * are), else bump its version. Inside the write's transaction. */
static bool draft_touch(PGconn *db, arena *a, const pl_page *pg, const pl_state *st, long long now)
{
	const char *oid = num(a, pg->o.id), *now_s = num(a, now);
	if (st->d.exists)
		return db_exec(db, "UPDATE placement_drafts SET version = version + 1,"
		                   " updated_at = to_timestamp($2) WHERE offering_id = $1::bigint",
		               2, (const char *[]){oid, now_s});
	return db_exec(db, "INSERT INTO placement_drafts (offering_id, fingerprint, started_by,"
	                   " started_at, updated_at) VALUES ($1::bigint, $2, $3::bigint,"
	                   " to_timestamp($4), to_timestamp($4))",
	               4, (const char *[]){oid, st->in.fingerprint, num(a, pg->u->id), now_s}) &&
	       db_exec(db, "INSERT INTO placement_facilitators (offering_id, group_id, user_id)"
	                   " SELECT $1::bigint, gf.group_id, gf.user_id FROM group_facilitators gf"
	                   " JOIN groups g ON g.id = gf.group_id"
	                   " WHERE gf.offering_id = $1::bigint AND g.series_id = $2::bigint",
	               2, (const char *[]){oid, num(a, pg->o.series_id)});
}

/* End a write: commit, or answer 409 when another director made the draft
 * in the same instant, else the database error. */
static bool write_end(request *req, pl_page *pg, pl_state *st, bool ok)
{
	if (ok && db_commit(pg->db))
		return true;
	bool raced = !strcmp(db_last_sqlstate(), "23505");
	db_rollback(pg->db);
	if (raced)
		preview(req, pg, st, 409, "Someone else changed this placement at the same moment. "
		                          "Nothing was changed; look again and try once more.", NULL);
	else
		http_db_error(req);
	return false;
}

/* A destination in a form: an existing group's id, "new-N" (a new group of
 * the plan), or "new" (a group opened by the move). */
typedef struct pl_target {
	int64_t group_id;
	int new_number; /* -1: open a new group */
} pl_target;

static bool target_parse(const char *s, pl_target *t)
{
	memset(t, 0, sizeof *t);
	if (!s)
		return false;
	if (!strcmp(s, "new")) {
		t->new_number = -1;
		return true;
	}
	long long v;
	if (!strncmp(s, "new-", 4)) {
		if (!http_parse_id(s + 4, &v) || v > 1000)
			return false;
		t->new_number = (int)v;
		return true;
	}
	if (!http_parse_id(s, &v))
		return false;
	t->group_id = v;
	return true;
}

static void move_form(request *req, pl_page *pg, pl_state *st, int i, int status, const char *error,
                      const char *reason, const char *chosen)
{
	arena *a = req->a;
	const pl_learner *l = &st->in.l[i];
	const place_plan *p = &st->pp.p;
	int now_in = p->group_of[i];
	tv *v = tv_obj(a);
	set_offering(v, a, &pg->o);
	set_form_state(v, st);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set_str(v, "error", error);
	tv_set_int(v, "learner", l->id);
	tv_set_str(v, "name", l->name);
	tv_set_str(v, "profession", accounts_profession_label(l->profession));
	tv_set_str(v, "track", track_word(l->track));
	tv_set(v, "team", *l->team_name ? tv_str(a, l->team_name) : tv_null(a));
	tv_set_str(v, "group", st->pp.names[now_in]);
	tv_set_str(v, "reason", reason ? reason : "");
	tv *opts = tv_set(v, "options", tv_list(a));
	for (size_t g = 0; g < p->n_groups; g++) {
		const place_slot *s = &p->groups[g];
		if ((int)g == now_in || s->track != l->track || (!s->id && s->size == 0))
			continue;
		const char *value = s->id ? num(a, s->id) : arena_sprintf(a, "new-%d", s->new_number);
		tv *ov = tv_push(opts, tv_obj(a));
		tv_set_str(ov, "value", value);
		tv_set_str(ov, "label", arena_sprintf(a, "%s (%s%s)", st->pp.names[g],
		                                      tv_count(a, s->size, "member", "members")->s,
		                                      s->id ? "" : ", new"));
		tv_set_bool(ov, "selected", chosen && !strcmp(chosen, value));
	}
	tv *ov = tv_push(opts, tv_obj(a));
	tv_set_str(ov, "value", "new");
	tv_set_str(ov, "label", arena_sprintf(a, "A new %s group, with only %s for now",
	                                      track_word(l->track), l->name));
	tv_set_bool(ov, "selected", chosen && !strcmp(chosen, "new"));
	req->no_store = true;
	http_render(req, status, "placement_move", arena_sprintf(a, "Move %s", l->name), v);
}

static void move_page(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg) || !state_load(req, pg.db, &pg.o, false, &st))
		return;
	long long id;
	const char *which = http_query(req, "learner");
	if (!which) { /* whom to move is chosen on the placement page */
		http_redirect(req, arena_sprintf(req->a, "/offerings/%s/placement", pg.o.slug));
		return;
	}
	int i = http_parse_id(which, &id) ? learner_index(&st.in, id) : -1;
	if (i < 0) {
		http_error(req, 404, "There is no such learner to place in this offering.");
		return;
	}
	if (pg.o.ended || st.pp.stale) {
		http_redirect(req, arena_sprintf(req->a, "/offerings/%s/placement", pg.o.slug));
		return;
	}
	move_form(req, &pg, &st, i, 200, NULL, NULL, NULL);
}

static void move_post(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg))
		return;
	arena *a = req->a;
	PGconn *db = pg.db;
	if (!write_begin(req, &pg, &st))
		return;
	long long id;
	int i = http_parse_id(http_form(req, "learner"), &id) ? learner_index(&st.in, id) : -1;
	if (i < 0) {
		db_rollback(db);
		preview(req, &pg, &st, 422, "That person is not a learner of this offering: choose "
		                            "someone from the groups below. Nothing was changed.", NULL);
		return;
	}
	const pl_learner *l = &st.in.l[i];
	const char *to = http_form(req, "to"), *reason = http_form(req, "reason");
	const char *why = NULL;
	pl_target t;
	int g = -1;
	const place_plan *p = &st.pp.p;
	if (!target_parse(to, &t)) {
		why = "Choose the group to move them to.";
	} else if (t.group_id) {
		g = group_index(&st.in, t.group_id);
		if (g < 0) {
			PGresult *r = db_q(db, "SELECT 1 FROM groups WHERE id = $1::bigint", num(a, t.group_id));
			if (!r) {
				db_rollback(db);
				http_db_error(req);
				return;
			}
			why = PQntuples(r) ? "That group belongs to another series: a learner can only join "
			                     "a group of this offering's series. Nothing was changed."
			                   : "There is no such group. Nothing was changed.";
			PQclear(r);
		}
	} else if (t.new_number > 0) {
		g = new_index(p, t.new_number);
		if (g < 0 || p->groups[g].size == 0)
			why = "There is no such new group in this proposal. Nothing was changed.";
	}
	if (!why && g >= 0 && p->groups[g].track != l->track)
		why = arena_sprintf(a, "%s is in the %s track and %s belongs to the %s track: tracks are "
		                       "never mixed. Nothing was changed.", l->name, track_word(l->track),
		                    st.pp.names[g], track_word(p->groups[g].track));
	if (!why && g == p->group_of[i])
		why = arena_sprintf(a, "%s is already in %s.", l->name, st.pp.names[g]);
	size_t rlen = reason ? strlen(reason) : 0;
	while (rlen && (reason[rlen - 1] == ' ' || reason[rlen - 1] == '\n'))
		rlen--;
	if (!why && (!reason || !rlen))
		why = "Say why you move them: the reason is kept with the move.";
	if (!why && utf8_length(reason, strlen(reason)) > REASON_MAX)
		why = "Keep the reason to 500 characters.";
	if (why) {
		db_rollback(db);
		move_form(req, &pg, &st, i, 422, why, reason, to);
		return;
	}
	/* Back to where the proposal put them: the move goes. */
	bool undo = g >= 0 && g == st.pp.proposed[i];
	int to_new = 0;
	if (g < 0) { /* open a new group: the next number of the plan */
		for (size_t k = 0; k < p->n_groups; k++)
			if (!p->groups[k].id && p->groups[k].new_number > to_new)
				to_new = p->groups[k].new_number;
		to_new++;
	} else if (!p->groups[g].id) {
		to_new = p->groups[g].new_number;
	}
	long long now = (long long)clock_now();
	const char *oid = num(a, pg.o.id), *uid = num(a, l->id);
	bool ok = draft_touch(db, a, &pg, &st, now);
	if (undo)
		ok = ok && db_exec(db, "DELETE FROM placement_moves WHERE offering_id = $1::bigint"
		                       " AND user_id = $2::bigint", 2, (const char *[]){oid, uid});
	else
		ok = ok && db_exec(db,
			"INSERT INTO placement_moves (offering_id, user_id, to_group_id, to_new, reason,"
			" moved_by, moved_at) VALUES ($1::bigint, $2::bigint, nullif($3, '0')::bigint,"
			" nullif($4, '0')::int, $5, $6::bigint, to_timestamp($7))"
			" ON CONFLICT (offering_id, user_id) DO UPDATE SET to_group_id = EXCLUDED.to_group_id,"
			" seq = nextval(pg_get_serial_sequence('placement_moves', 'seq')),"
			" to_new = EXCLUDED.to_new, reason = EXCLUDED.reason, moved_by = EXCLUDED.moved_by,"
			" moved_at = EXCLUDED.moved_at",
			7, (const char *[]){oid, uid, num(a, g >= 0 ? p->groups[g].id : 0), num(a, to_new),
			                    arena_strndup(a, reason, rlen), num(a, pg.u->id), num(a, now)});
	if (!write_end(req, &pg, &st, ok))
		return;
	log_info("placement: offering %lld: learner %lld moved by user %lld", (long long)pg.o.id,
	         (long long)l->id, (long long)pg.u->id);
	http_redirect(req, arena_sprintf(a, "/offerings/%s/placement?done=%s#%s", pg.o.slug,
	                                 undo ? "unmoved" : "moved",
	                                 g >= 0 && p->groups[g].id
	                                     ? arena_sprintf(a, "group-%lld", (long long)p->groups[g].id)
	                                     : arena_sprintf(a, "new-%d", to_new)));
}

static void facilitators_post(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg))
		return;
	arena *a = req->a;
	PGconn *db = pg.db;
	if (!write_begin(req, &pg, &st))
		return;
	const place_plan *p = &st.pp.p;
	long long gid = 0, nn = 0;
	int g = -1;
	if (http_parse_id(http_form(req, "group"), &gid))
		g = group_index(&st.in, gid);
	else if (http_parse_id(http_form(req, "new"), &nn) && nn <= 1000)
		g = new_index(p, (int)nn);
	if (g < 0 || p->groups[g].size == 0) {
		db_rollback(db);
		preview(req, &pg, &st, 422, "That group does not meet in this offering: choose "
		                            "facilitators for one of the groups below. Nothing was "
		                            "changed.", NULL);
		return;
	}
	const place_slot *s = &p->groups[g];
	size_t n = form_count(&req->body, "facilitator"), k = 0;
	const char **ids = arena_calloc(a, n + 1, sizeof *ids);
	for (size_t f = 0; f < req->body.n; f++) {
		if (strcmp(req->body.fields[f].name, "facilitator"))
			continue;
		long long fid;
		if (!http_parse_id(req->body.fields[f].value, &fid) || !facilitator(&st, fid)) {
			db_rollback(db);
			preview(req, &pg, &st, 422, "Choose among this offering's facilitators. Nothing was "
			                            "changed.", NULL);
			return;
		}
		ids[k++] = num(a, fid);
	}
	long long now = (long long)clock_now();
	const char *oid = num(a, pg.o.id), *gs = num(a, s->id), *ns = num(a, s->new_number);
	bool ok = draft_touch(db, a, &pg, &st, now) &&
	          db_exec(db, "DELETE FROM placement_facilitators WHERE offering_id = $1::bigint"
	                      " AND coalesce(group_id, 0) = $2::bigint AND coalesce(new_number, 0) = $3::int",
	                  3, (const char *[]){oid, gs, ns}) &&
	          db_exec(db, "INSERT INTO placement_facilitators (offering_id, group_id, new_number,"
	                      " user_id) SELECT DISTINCT $1::bigint, nullif($2, '0')::bigint,"
	                      " nullif($3, '0')::int, u FROM unnest($4::bigint[]) AS u",
	                  4, (const char *[]){oid, gs, ns, db_text_array_param(a, ids, k)});
	if (!write_end(req, &pg, &st, ok))
		return;
	http_redirect(req, arena_sprintf(a, "/offerings/%s/placement?done=facilitators#%s", pg.o.slug,
	                                 s->id ? arena_sprintf(a, "group-%lld", (long long)s->id)
	                                       : arena_sprintf(a, "new-%d", s->new_number)));
}

static void size_post(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg))
		return;
	arena *a = req->a;
	if (!write_begin(req, &pg, &st))
		return;
	long long mn = 0, mx = 0;
	const char *why = NULL;
	if (st.d.exists)
		why = "Start over before changing the group size: the changes in this draft were made "
		      "against the proposal for the size it has. Nothing was changed.";
	else if (!form_get_int(&req->body, "min_size", 1, SIZE_MAX_ALLOWED, &mn) ||
	         !form_get_int(&req->body, "max_size", 1, SIZE_MAX_ALLOWED, &mx) || mn > mx)
		why = "Give the smallest and largest group size as whole numbers from 1 to 50, the "
		      "smallest no larger than the largest. Nothing was changed.";
	if (why) {
		db_rollback(pg.db);
		preview(req, &pg, &st, 422, why, NULL);
		return;
	}
	bool ok = db_exec(pg.db, "UPDATE offerings SET group_min_size = $2::int, group_max_size = $3::int"
	                         " WHERE id = $1::bigint",
	                  3, (const char *[]){num(a, pg.o.id), num(a, mn), num(a, mx)});
	if (!write_end(req, &pg, &st, ok))
		return;
	http_redirect(req, arena_sprintf(a, "/offerings/%s/placement?done=size", pg.o.slug));
}

/* ---- start over ---- */

static void reset_page(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg) || !state_load(req, pg.db, &pg.o, false, &st))
		return;
	arena *a = req->a;
	if (!st.d.exists) {
		http_redirect(req, arena_sprintf(a, "/offerings/%s/placement", pg.o.slug));
		return;
	}
	tv *v = tv_obj(a);
	set_offering(v, a, &pg.o);
	set_form_state(v, &st);
	tv_set_str(v, "csrf", session_csrf(req));
	tv_set(v, "moves", tv_count(a, (long long)st.d.nm, "move", "moves"));
	tv_set_bool(v, "stale", st.pp.stale);
	req->no_store = true;
	http_render(req, 200, "placement_reset", "Start the placement over?", v);
}

static void reset_post(request *req)
{
	pl_page pg;
	if (!page_open(req, &pg))
		return;
	arena *a = req->a;
	const char *confirmed = http_form(req, "confirmed");
	if (!confirmed || strcmp(confirmed, "yes")) {
		http_redirect(req, arena_sprintf(a, "/offerings/%s/placement/reset", pg.o.slug));
		return;
	}
	/* Starting over is allowed on a stale draft (that is what it is for),
	 * so only the draft's version is checked. */
	long long version = -1;
	if (!form_get_int(&req->body, "version", 1, INT_MAX, &version))
		version = -1;
	PGresult *r = db_q(pg.db, "DELETE FROM placement_drafts WHERE offering_id = $1::bigint"
	                          " AND version = $2::int RETURNING 1",
	                   num(a, pg.o.id), num(a, version));
	if (!r) {
		http_db_error(req);
		return;
	}
	bool gone = PQntuples(r) == 1;
	PQclear(r);
	if (!gone) {
		pl_state st;
		if (state_load(req, pg.db, &pg.o, false, &st))
			preview(req, &pg, &st, 409, "Someone else changed this placement since that page "
			                            "was shown. Nothing was changed; this is the placement "
			                            "as it stands now.", NULL);
		return;
	}
	http_redirect(req, arena_sprintf(a, "/offerings/%s/placement?done=reset", pg.o.slug));
}

/* ---- commit ---- */

/* Save the plan: make its new groups (those with members), open the
 * memberships of learners new to the series or moved (closing the open one
 * they leave), and assign facilitators (as, for groups that meet; with
 * replace, the offering's other assignments in the series go). Inside the
 * caller's transaction. */
static bool commit_plan(PGconn *db, arena *a, const pl_offering *o, const pl_input *in,
                        const pl_plan *pp, const pl_assign *as, size_t nas, bool replace,
                        int64_t actor, long long now, placement_summary *out)
{
	const place_plan *p = &pp->p;
	memset(out, 0, sizeof *out);
	out->learners = (int)in->nl;
	const char *sid = num(a, o->series_id), *oid = num(a, o->id), *now_s = num(a, now);
	const char *actor_s = actor ? num(a, actor) : NULL;
	int64_t *gid = arena_calloc(a, p->n_groups + 1, sizeof *gid);
	const char **tracks = arena_calloc(a, p->n_groups + 1, sizeof *tracks);
	const char **names = arena_calloc(a, p->n_groups + 1, sizeof *names);
	size_t nn = 0;
	for (size_t g = 0; g < p->n_groups; g++) {
		gid[g] = p->groups[g].id;
		out->groups += p->groups[g].size > 0;
		if (!p->groups[g].id && p->groups[g].size > 0) {
			tracks[nn] = track_word(p->groups[g].track);
			names[nn++] = pp->names[g];
		}
	}
	PGresult *r = NULL;
	if (nn) {
		r = db_q(db, "INSERT INTO groups (series_id, track, name)"
		             " SELECT $1::bigint, t, n FROM unnest($2::text[], $3::text[]) AS x (t, n)"
		             " RETURNING id, name",
		         sid, db_text_array_param(a, tracks, nn), db_text_array_param(a, names, nn));
		if (!r)
			return false;
		for (int k = 0; k < PQntuples(r); k++)
			for (size_t g = 0; g < p->n_groups; g++)
				if (!p->groups[g].id && p->groups[g].size > 0 &&
				    !strcmp(pp->names[g], db_val(r, k, 1)))
					gid[g] = atoll(db_val(r, k, 0));
		out->new_groups = PQntuples(r);
		PQclear(r);
	}
	const char **users = arena_calloc(a, in->nl + 1, sizeof *users);
	const char **groups = arena_calloc(a, in->nl + 1, sizeof *groups);
	const char **reasons = arena_calloc(a, in->nl + 1, sizeof *reasons);
	size_t nj = 0;
	for (size_t i = 0; i < in->nl; i++) {
		int64_t to = gid[p->group_of[i]];
		if (in->l[i].prev_group == to)
			continue;
		const char *reason = pp->move_of[i] ? pp->move_of[i]->reason : "";
		for (size_t k = 0; !pp->move_of[i] && k < pp->ni; k++)
			if (pp->issues[k].rule == PLACE_RULE_RETURNING && pp->issues[k].learner_id == in->l[i].id)
				reason = issue_words(a, in, pp, &pp->issues[k]);
		if (strlen(reason) > REASON_MAX)
			reason = arena_strndup(a, reason, REASON_MAX / 2);
		users[nj] = num(a, in->l[i].id);
		groups[nj] = num(a, to);
		reasons[nj++] = reason;
	}
	if (nj) {
		const char *u_arr = db_text_array_param(a, users, nj);
		if (!db_exec(db, "UPDATE group_members SET left_at = to_timestamp($3)"
		                 " WHERE series_id = $1::bigint AND left_at IS NULL"
		                 " AND user_id = ANY ($2::bigint[])",
		             3, (const char *[]){sid, u_arr, now_s}) ||
		    !db_exec(db, "INSERT INTO group_members (group_id, series_id, user_id, offering_id,"
		                 " joined_at, reason, placed_by)"
		                 " SELECT g, $1::bigint, u, $2::bigint, to_timestamp($3), r, $4::bigint"
		                 " FROM unnest($5::bigint[], $6::bigint[], $7::text[]) AS x (u, g, r)",
		             7, (const char *[]){sid, oid, now_s, actor_s, u_arr,
		                                 db_text_array_param(a, groups, nj),
		                                 db_text_array_param(a, reasons, nj)}))
			return false;
	}
	out->joined = (int)nj;
	const char **fg = arena_calloc(a, nas + 1, sizeof *fg), **fu = arena_calloc(a, nas + 1, sizeof *fu);
	size_t nf = 0;
	for (size_t k = 0; k < nas; k++)
		for (size_t g = 0; g < p->n_groups; g++) {
			const place_slot *s = &p->groups[g];
			if (s->size > 0 && (s->id ? as[k].group_id == s->id : as[k].new_number == s->new_number)) {
				fg[nf] = num(a, gid[g]);
				fu[nf++] = num(a, as[k].user_id);
			}
		}
	const char *fg_arr = db_text_array_param(a, fg, nf), *fu_arr = db_text_array_param(a, fu, nf);
	if (replace &&
	    !db_exec(db, "DELETE FROM group_facilitators gf USING groups g"
	                 " WHERE g.id = gf.group_id AND g.series_id = $1::bigint"
	                 " AND gf.offering_id = $2::bigint AND (gf.group_id, gf.user_id) NOT IN"
	                 " (SELECT * FROM unnest($3::bigint[], $4::bigint[]))",
	             4, (const char *[]){sid, oid, fg_arr, fu_arr}))
		return false;
	r = db_q(db, "INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at,"
	             " assigned_by) SELECT DISTINCT g, $1::bigint, u, to_timestamp($2), $3::bigint"
	             " FROM unnest($4::bigint[], $5::bigint[]) AS x (g, u)"
	             " ON CONFLICT DO NOTHING RETURNING 1",
	         oid, now_s, actor_s, fg_arr, fu_arr);
	if (!r)
		return false;
	out->facilitators = PQntuples(r);
	PQclear(r);
	return true;
}

/* What committing will do, for the page that asks first. */
static void commit_page(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg) || !state_load(req, pg.db, &pg.o, false, &st))
		return;
	arena *a = req->a;
	if (pg.o.ended) {
		http_redirect(req, arena_sprintf(a, "/offerings/%s/placement", pg.o.slug));
		return;
	}
	const place_plan *p = &st.pp.p;
	tv *v = tv_obj(a);
	set_offering(v, a, &pg.o);
	set_form_state(v, &st);
	tv_set_str(v, "csrf", session_csrf(req));
	tv *news = tv_set(v, "new_groups", tv_list(a));
	tv *facs = tv_set(v, "groups", tv_list(a));
	for (size_t g = 0; g < p->n_groups; g++) {
		const place_slot *s = &p->groups[g];
		if (!s->size)
			continue;
		if (!s->id)
			tv_push(news, tv_strf(a, "%s (%s)", st.pp.names[g],
			                      tv_count(a, s->size, "member", "members")->s));
		const char *names = NULL;
		for (size_t k = 0; k < st.nfac; k++)
			if (assigned(&st.d, s, st.fac[k].id))
				names = names ? arena_sprintf(a, "%s; %s", names, st.fac[k].name) : st.fac[k].name;
		tv *gv = tv_push(facs, tv_obj(a));
		tv_set_str(gv, "name", st.pp.names[g]);
		tv_set_str(gv, "facilitators", names);
	}
	tv_set_bool(v, "has_new_groups", news->n > 0);
	tv *joins = tv_set(v, "joins", tv_list(a));
	int moves = 0;
	for (size_t i = 0; i < st.in.nl; i++) {
		const pl_learner *l = &st.in.l[i];
		const place_slot *s = &p->groups[p->group_of[i]];
		if (s->id && s->id == l->prev_group)
			continue;
		int prev = l->prev_group ? group_index(&st.in, l->prev_group) : -1;
		tv *jv = tv_push(joins, tv_obj(a));
		tv_set_str(jv, "name", l->name);
		tv_set_str(jv, "group", st.pp.names[p->group_of[i]]);
		tv_set(jv, "left", prev >= 0 ? tv_str(a, st.in.g[prev].name) : tv_null(a));
		tv_set(jv, "reason", st.pp.move_of[i] ? tv_str(a, st.pp.move_of[i]->reason) : tv_null(a));
		moves += prev >= 0;
	}
	tv_set_bool(v, "has_joins", joins->n > 0);
	tv_set(v, "leaving", moves ? tv_count(a, moves, "member leaves", "members leave") : tv_null(a));
	tv *issues = tv_set(v, "issues", tv_list(a));
	for (size_t k = 0; k < st.pp.ni; k++)
		if (st.pp.issues[k].rule != PLACE_RULE_TRACK)
			tv_push(issues, tv_str(a, issue_words(a, &st.in, &st.pp, &st.pp.issues[k])));
	tv_set_bool(v, "has_issues", issues->n > 0);
	tv *blocked = tv_set(v, "blockers", tv_list(a));
	tv *b = blockers(a, &st);
	for (size_t k = 0; k < b->n; k++)
		tv_push(blocked, b->items[k]);
	tv_set_bool(v, "blocked", b->n > 0);
	req->no_store = true;
	http_render(req, 200, "placement_commit", "Commit the small groups?", v);
}

static void commit_post(request *req)
{
	pl_page pg;
	pl_state st;
	if (!page_open(req, &pg))
		return;
	arena *a = req->a;
	PGconn *db = pg.db;
	const char *confirmed = http_form(req, "confirmed");
	if (!confirmed || strcmp(confirmed, "yes")) {
		http_redirect(req, arena_sprintf(a, "/offerings/%s/placement/commit", pg.o.slug));
		return;
	}
	/* Placements of one series take turns (a learner has one open group in
	 * the series), and enrollments into this offering wait (write_begin). */
	if (pg.o.ended) {
		http_error(req, 409, "This course has ended: its groups can no longer be changed here. "
		                     "Nothing was changed.");
		return;
	}
	if (!db_begin(db) ||
	    !db_exec(db, "SELECT 1 FROM series WHERE id = $1::bigint FOR UPDATE", 1,
	             (const char *[]){num(a, pg.o.series_id)}) ||
	    !db_exec(db, "SELECT 1 FROM offerings WHERE id = $1::bigint FOR UPDATE", 1,
	             (const char *[]){num(a, pg.o.id)})) {
		db_rollback(db);
		http_db_error(req);
		return;
	}
	if (!state_load(req, db, &pg.o, true, &st)) {
		db_rollback(db);
		return;
	}
	const char *why = form_complete(req) ? out_of_date(req, &st) : INCOMPLETE;
	tv *b = why ? NULL : blockers(a, &st);
	if (!why && b->n)
		why = arena_sprintf(a, "%s Nothing was changed.", b->items[0]->s);
	if (why) {
		db_rollback(db);
		preview(req, &pg, &st, 409, why, NULL);
		return;
	}
	placement_summary sum;
	bool ok = commit_plan(db, a, &pg.o, &st.in, &st.pp, st.d.as, st.d.nas, true, pg.u->id,
	                      (long long)clock_now(), &sum) &&
	          db_exec(db, "DELETE FROM placement_drafts WHERE offering_id = $1::bigint", 1,
	                  (const char *[]){num(a, pg.o.id)});
	if (!write_end(req, &pg, &st, ok))
		return;
	log_info("placement: offering %lld committed by user %lld: %d learners, %d joined, %d new "
	         "groups, %d facilitator assignments added", (long long)pg.o.id, (long long)pg.u->id,
	         sum.learners, sum.joined, sum.new_groups, sum.facilitators);
	http_redirect(req, arena_sprintf(a, "/offerings/%s/placement?done=committed", pg.o.slug));
}

bool placement_commit_proposal(PGconn *db, arena *a, int64_t offering_id,
                               const int64_t *facilitators, size_t n_facilitators,
                               int64_t actor_id, long long now, placement_summary *out,
                               const char **problem)
{
	*problem = NULL;
	pl_offering o;
	pl_input in;
	pl_draft none;
	pl_plan pp;
	bool found = false;
	memset(&none, 0, sizeof none);
	if (!offering_load(db, a, NULL, offering_id, 0, now, &o, &found))
		return false;
	if (!found) {
		*problem = "There is no such offering.";
		return false;
	}
	if (!db_exec(db, "SELECT 1 FROM series WHERE id = $1::bigint FOR UPDATE", 1,
	             (const char *[]){num(a, o.series_id)}) ||
	    !input_load(db, a, &o, &in, problem))
		return false;
	if (!plan_build(a, &in, &none, &pp, problem)) {
		log_error("placement: offering %lld: %s", (long long)offering_id, *problem);
		return false;
	}
	pl_assign *as = arena_calloc(a, pp.p.n_groups * n_facilitators + 1, sizeof *as);
	size_t nas = 0;
	for (size_t g = 0; g < pp.p.n_groups; g++)
		for (size_t k = 0; k < n_facilitators; k++)
			as[nas++] = (pl_assign){pp.p.groups[g].id, pp.p.groups[g].id ? 0 : pp.p.groups[g].new_number,
			                        facilitators[k]};
	return commit_plan(db, a, &o, &in, &pp, as, nas, false, actor_id, now, out);
}

void placement_routes(router *r)
{
	/* A director of the offering's series, or an admin (page_open). */
#define WHO (ACCESS_SERIES_DIRECTOR | ACCESS_ADMIN)
	router_add(r, "GET", "/offerings/:slug/placement", placement_page, WHO,
	           "the proposed small groups: preview, moves, facilitators");
	router_add(r, "POST", "/offerings/:slug/placement/size", size_post, WHO,
	           "set the group size and propose again (before any change)");
	router_add(r, "GET", "/offerings/:slug/placement/move", move_page, WHO,
	           "move a learner to another group: the form");
	router_add(r, "POST", "/offerings/:slug/placement/move", move_post, WHO,
	           "move a learner, with a reason (kept in the draft)");
	router_add(r, "POST", "/offerings/:slug/placement/facilitators", facilitators_post, WHO,
	           "choose a group's facilitators (kept in the draft)");
	router_add(r, "GET", "/offerings/:slug/placement/reset", reset_page, WHO,
	           "what starting over drops; asks first");
	router_add(r, "POST", "/offerings/:slug/placement/reset", reset_post, WHO,
	           "drop the draft (from that page's form)");
	router_add(r, "GET", "/offerings/:slug/placement/commit", commit_page, WHO,
	           "what committing will do; asks first");
	router_add(r, "POST", "/offerings/:slug/placement/commit", commit_post, WHO,
	           "save the groups, memberships and facilitators (from that page's form)");
#undef WHO
}
