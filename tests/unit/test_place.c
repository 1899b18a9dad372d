/*
 * test_place.c - placement of learners into small groups (place.h).
 *
 * Property tests on generated cohorts of 30 to 500 learners (seeded; the
 * base seed is printed and CAIRN_PLACE_SEED / CAIRN_PLACE_COHORTS replay or
 * widen a run) check every rule in its order of precedence, with this
 * file's own reading of the rules, not the module's:
 *   1 tracks: never mixed;
 *   2 returning: kept, except a member whose group is of the other track;
 *   3 team: together per track, except when its returning members come back
 *     to different groups (then the rest are together in one of those);
 *   4 size: every group out of range is reported with the rule it yielded
 *     to; no move of one placeable unit (a team not tied by a returning
 *     member, or a learner placed alone) to another group or a new one, and
 *     no swap of two, lowers the total distance from the range; in a track
 *     of learners placed alone, the distance is the least possible;
 *   5 profession: every spread over one is reported with its cause; no move
 *     of a learner placed alone to another group with members (leaving one
 *     behind), and no swap of two, lowers (size distance, sum of squared
 *     profession counts); in a track of learners placed alone there is none.
 * Every learner is placed exactly once; the plan is the same when run twice
 * and when the input is shuffled. On small cohorts an exhaustive search
 * finds the least size distance, and whether professions could be balanced
 * at it; placement must reach both. Hand-written cases cover the edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/place.h"
#include "place_gen.h"

static uint64_t cur_seed;      /* the cohort under test, for failure messages */

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			char msg_[400];                                                    \
			snprintf(msg_, sizeof msg_, __VA_ARGS__);                          \
			fail_msg("seed %llu: %s [%s] (line %d)", (unsigned long long)cur_seed, \
			         msg_, #cond, __LINE__);                                   \
		}                                                                          \
	} while (0)

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 10) : dflt;
}

/* ---- this file's reading of the input ------------------------------------------------------ */

typedef struct view {
	const place_input *in;
	const place_plan *plan;
	int nl, ng, npg;           /* learners, input groups, plan groups */
	int np;                    /* professions seen */
	const char *prof[64];
	int *lp;                   /* learner -> profession */
	int *lprev;                /* learner -> input group index, -1 */
	int *lret;                 /* returning to a group of their track */
	int *lunit;                /* learner -> unit index, -1 if fixed */
	int nunits;
	int *usize;                /* unit sizes */
	int *ufirst;               /* a learner of the unit */
	int *uteam;                /* 1: a team unit; 0: a learner alone */
	int *size;                 /* plan group sizes */
	int *cnt;                  /* npg x np */
} view;

static int prof_of(view *v, const char *code)
{
	for (int p = 0; p < v->np; p++)
		if (!strcmp(v->prof[p], code))
			return p;
	assert_true(v->np < 64);
	v->prof[v->np] = code;
	return v->np++;
}

static int group_index(const place_input *in, int64_t id)
{
	for (size_t g = 0; g < in->n_groups; g++)
		if (in->groups[g].id == id)
			return (int)g;
	return -1;
}

/* Same team and track. */
static int same_part(const place_input *in, int i, int j)
{
	return in->learners[i].team_id && in->learners[i].team_id == in->learners[j].team_id &&
	       in->learners[i].track == in->learners[j].track;
}

static int part_size(const place_input *in, int i)
{
	if (!in->learners[i].team_id)
		return 1;
	int n = 0;
	for (size_t j = 0; j < in->n_learners; j++)
		n += same_part(in, i, (int)j);
	return n;
}

/* Whether i's team part has a member returning to a group of their track. */
static int part_anchored(const view *v, int i)
{
	for (int j = 0; j < v->nl; j++)
		if ((j == i || same_part(v->in, i, j)) && v->lret[j])
			return 1;
	return 0;
}

static void view_make(arena *a, view *v, const place_input *in, const place_plan *plan)
{
	memset(v, 0, sizeof *v);
	v->in = in;
	v->plan = plan;
	v->nl = (int)in->n_learners;
	v->ng = (int)in->n_groups;
	v->npg = (int)plan->n_groups;
	v->lp = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->lprev = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->lret = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->lunit = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->usize = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->ufirst = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	v->uteam = arena_calloc(a, (size_t)v->nl + 1, sizeof(int));
	for (int i = 0; i < v->nl; i++) {
		const place_learner *l = &in->learners[i];
		v->lp[i] = prof_of(v, l->profession);
		v->lprev[i] = l->prev_group_id ? group_index(in, l->prev_group_id) : -1;
		v->lret[i] = v->lprev[i] >= 0 && in->groups[v->lprev[i]].track == l->track;
	}
	for (int g = 0; g < v->ng; g++)
		if (in->groups[g].kept_professions)
			for (int k = 0; k < in->groups[g].kept; k++)
				prof_of(v, in->groups[g].kept_professions[k]);
	/* Units: a free team part (no returning member) of 2 or more; or a
	 * learner who is not returning and not in such a part or a tied one. */
	for (int i = 0; i < v->nl; i++)
		v->lunit[i] = -1;
	for (int i = 0; i < v->nl; i++) {
		if (v->lunit[i] >= 0 || v->lret[i])
			continue;
		int ps = part_size(in, i);
		if (ps >= 2 && part_anchored(v, i))
			continue;
		int u = v->nunits++;
		v->usize[u] = ps;
		v->ufirst[u] = i;
		v->uteam[u] = ps >= 2;
		for (int j = 0; j < v->nl; j++)
			if (j == i || (ps >= 2 && same_part(in, i, j)))
				v->lunit[j] = u;
	}
	v->size = arena_calloc(a, (size_t)v->npg + 1, sizeof(int));
	v->cnt = arena_calloc(a, (size_t)v->npg * (size_t)v->np + 1, sizeof(int));
	for (int g = 0; g < v->ng; g++) {
		v->size[g] = in->groups[g].kept;
		if (in->groups[g].kept_professions)
			for (int k = 0; k < in->groups[g].kept; k++)
				v->cnt[g * v->np + prof_of(v, in->groups[g].kept_professions[k])]++;
	}
	for (int i = 0; i < v->nl; i++) {
		int g = plan->group_of[i];
		v->size[g]++;
		v->cnt[g * v->np + v->lp[i]]++;
	}
}

static int dev(const place_input *in, int n)
{
	if (n == 0)
		return 0;
	return n < in->min_size ? in->min_size - n : n > in->max_size ? n - in->max_size : 0;
}

static long track_d(const view *v, int t)
{
	long d = 0;
	for (int g = 0; g < v->npg; g++)
		if ((int)v->plan->groups[g].track == t)
			d += dev(v->in, v->size[g]);
	return d;
}

static const place_issue *find_issue(const place_plan *p, place_rule rule, int group, int64_t learner,
                                     int64_t team, int track, const char *prof)
{
	for (size_t k = 0; k < p->n_issues; k++) {
		const place_issue *is = &p->issues[k];
		if (is->rule != rule)
			continue;
		if (group >= 0 && is->group != group)
			continue;
		if (learner && is->learner_id != learner)
			continue;
		if (team && is->team_id != team)
			continue;
		if (track >= 0 && (int)is->track != track)
			continue;
		if (prof && (!is->profession || strcmp(is->profession, prof)))
			continue;
		return is;
	}
	return NULL;
}

/* A track of learners placed alone: no team of two or more, nobody
 * returning, nobody staying in its groups. */
static int pure_track(const view *v, int t)
{
	for (int i = 0; i < v->nl; i++)
		if ((int)v->in->learners[i].track == t && (v->lret[i] || part_size(v->in, i) >= 2))
			return 0;
	for (int g = 0; g < v->ng; g++)
		if ((int)v->in->groups[g].track == t && v->in->groups[g].kept)
			return 0;
	return 1;
}

/* The least size distance of n learners placed alone. */
static long pure_best_d(const place_input *in, int n)
{
	if (n == 0)
		return 0;
	long best = -1;
	for (int b = 1; b <= n; b++) {
		long d = (long)dev(in, n / b + 1) * (n % b) + (long)dev(in, n / b) * (b - n % b);
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

/* ---- the properties ---------------------------------------------------------------------- */

static void check_plan(arena *a, const place_input *in, const place_plan *plan)
{
	view v;
	int nl = (int)in->n_learners;
	CHECK(plan->n_groups >= in->n_groups, "fewer groups than the input");
	for (size_t g = 0; g < in->n_groups; g++)
		CHECK(plan->groups[g].id == in->groups[g].id && plan->groups[g].track == in->groups[g].track,
		      "group %zu is not the input's", g);
	for (size_t g = in->n_groups; g < plan->n_groups; g++)
		CHECK(plan->groups[g].id == 0 && plan->groups[g].new_number == (int)(g - in->n_groups + 1),
		      "new group %zu is not numbered", g);
	/* Placed exactly once: one valid group each, and the sizes add up. */
	long total = 0;
	for (int i = 0; i < nl; i++)
		CHECK(plan->group_of[i] >= 0 && (size_t)plan->group_of[i] < plan->n_groups,
		      "learner %lld has no group", (long long)in->learners[i].id);
	view_make(a, &v, in, plan);
	for (int g = 0; g < v.npg; g++) {
		CHECK(plan->groups[g].size == v.size[g], "group %d's size %d, counted %d", g,
		      plan->groups[g].size, v.size[g]);
		if (g >= v.ng)
			CHECK(v.size[g] > 0, "new group %d is empty", g);
		total += v.size[g];
	}
	long want = nl;
	for (int g = 0; g < v.ng; g++)
		want += in->groups[g].kept;
	CHECK(total == want, "sizes add to %ld, not %ld", total, want);

	/* Rule 1. */
	for (int i = 0; i < nl; i++)
		CHECK(plan->groups[plan->group_of[i]].track == in->learners[i].track,
		      "learner %lld placed across tracks", (long long)in->learners[i].id);

	/* Rule 2: kept, or reported as yielding to rule 1. */
	for (int i = 0; i < nl; i++) {
		if (v.lprev[i] < 0)
			continue;
		if (v.lret[i]) {
			CHECK(plan->group_of[i] == v.lprev[i], "returning learner %lld moved",
			      (long long)in->learners[i].id);
		} else {
			const place_issue *is = find_issue(plan, PLACE_RULE_RETURNING, -1, in->learners[i].id, 0, -1, NULL);
			CHECK(is && is->yielded_to == PLACE_RULE_TRACK && is->other_group == v.lprev[i],
			      "learner %lld's change of track is not reported", (long long)in->learners[i].id);
		}
	}

	/* Rule 3: together per track, or split by returning members. */
	for (int i = 0; i < nl; i++) {
		if (!in->learners[i].team_id)
			continue;
		int first = 1;
		for (int j = 0; j < i; j++)
			first &= !same_part(in, i, j);
		if (!first)
			continue;
		int split = 0, nret = 0, rest = -1, rest_ok = 1;
		for (int j = i; j < nl; j++) {
			if (j != i && !same_part(in, i, j))
				continue;
			split |= plan->group_of[j] != plan->group_of[i];
			if (v.lret[j]) {
				int seen = 0;
				for (int k = i; k < j; k++)
					seen |= (k == i || same_part(in, i, k)) && v.lret[k] && v.lprev[k] == v.lprev[j];
				nret += !seen;
			} else {
				rest_ok &= rest < 0 || rest == plan->group_of[j];
				rest = plan->group_of[j];
			}
		}
		if (!split)
			continue;
		CHECK(nret >= 2, "team %lld split with its returning members in %d group(s)",
		      (long long)in->learners[i].team_id, nret);
		CHECK(rest_ok, "team %lld's new members are not together", (long long)in->learners[i].team_id);
		if (rest >= 0) {
			/* They join the group most of its members return to. */
			int most = 0, here = 0;
			for (int g = 0; g < v.ng; g++) {
				int n = 0;
				for (int j = 0; j < nl; j++)
					n += (j == i || same_part(in, i, j)) && v.lret[j] && v.lprev[j] == g;
				if (n > most)
					most = n;
				if (g == rest)
					here = n;
			}
			CHECK(here == most && here > 0, "team %lld's new members are not with most of its returning ones",
			      (long long)in->learners[i].team_id);
		}
		const place_issue *is = find_issue(plan, PLACE_RULE_TEAM, -1, 0, in->learners[i].team_id,
		                                   in->learners[i].track, NULL);
		CHECK(is && is->yielded_to == PLACE_RULE_RETURNING, "team %lld's split is not reported",
		      (long long)in->learners[i].team_id);
	}

	/* Rule 4: reported with a cause that holds. */
	for (int g = 0; g < v.npg; g++) {
		int n = v.size[g];
		const place_issue *is = find_issue(plan, PLACE_RULE_SIZE, g, 0, 0, -1, NULL);
		if (!dev(in, n)) {
			CHECK(!is, "group %d (size %d) reported out of range", g, n);
			continue;
		}
		CHECK(is && is->size == n, "group %d of size %d not reported", g, n);
		int stay = g < v.ng ? in->groups[g].kept : 0, teams_here = 0, team_in_track = 0;
		for (int i = 0; i < nl; i++) {
			stay += plan->group_of[i] == g && v.lret[i] && v.lprev[i] == g;
			int ps = part_size(in, i);
			teams_here |= plan->group_of[i] == g && ps >= 2 && (is->team_id == 0 || in->learners[i].team_id == is->team_id);
			team_in_track |= ps >= 2 && in->learners[i].track == plan->groups[g].track;
		}
		switch (is->yielded_to) {
		case PLACE_RULE_RETURNING:
			CHECK(stay > 0, "group %d's size blamed on returning members it lacks", g);
			break;
		case PLACE_RULE_TEAM:
			CHECK(n > in->max_size ? teams_here : team_in_track,
			      "group %d's size blamed on team %lld", g, (long long)is->team_id);
			break;
		case PLACE_RULE_TRACK:
			break;
		default:
			CHECK(0, "group %d's size yields to rule %d", g, is->yielded_to);
		}
	}
	/* Rule 4, forced: no move or swap of a unit lowers the distance. */
	for (int u = 0; u < v.nunits; u++) {
		int a0 = plan->group_of[v.ufirst[u]], t = (int)in->learners[v.ufirst[u]].track, s = v.usize[u];
		int out = dev(in, v.size[a0] - s) - dev(in, v.size[a0]);
		CHECK(out + dev(in, s) >= 0, "moving unit of learner %lld to a new group lowers the size distance",
		      (long long)in->learners[v.ufirst[u]].id);
		for (int b = 0; b < v.npg; b++) {
			if (b == a0 || (int)plan->groups[b].track != t)
				continue;
			CHECK(out + dev(in, v.size[b] + s) - dev(in, v.size[b]) >= 0,
			      "moving unit of learner %lld (%d) from group %d to %d lowers the size distance",
			      (long long)in->learners[v.ufirst[u]].id, s, a0, b);
		}
		for (int w = u + 1; w < v.nunits; w++) {
			int b = plan->group_of[v.ufirst[w]], sw = v.usize[w];
			if (b == a0 || sw == s || (int)in->learners[v.ufirst[w]].track != t)
				continue;
			int dd = dev(in, v.size[a0] - s + sw) + dev(in, v.size[b] - sw + s) - dev(in, v.size[a0]) -
			         dev(in, v.size[b]);
			CHECK(dd >= 0, "swapping units of %lld and %lld lowers the size distance",
			      (long long)in->learners[v.ufirst[u]].id, (long long)in->learners[v.ufirst[w]].id);
		}
	}

	/* Rule 5: every spread over one reported, with its cause. */
	for (int t = 0; t < 2; t++) {
		for (int p = 0; p < v.np; p++) {
			int hi = -1, lo = -1;
			for (int g = 0; g < v.npg; g++) {
				if ((int)plan->groups[g].track != t || !v.size[g])
					continue;
				int c = v.cnt[g * v.np + p];
				if (hi < 0 || c > v.cnt[hi * v.np + p])
					hi = g;
				if (lo < 0 || c < v.cnt[lo * v.np + p])
					lo = g;
			}
			if (hi < 0)
				continue;
			int spread = v.cnt[hi * v.np + p] - v.cnt[lo * v.np + p];
			const place_issue *is = find_issue(plan, PLACE_RULE_PROFESSION, -1, 0, 0, t, v.prof[p]);
			if (spread <= 1) {
				CHECK(!is, "%s reported unbalanced in track %d", v.prof[p], t);
				continue;
			}
			CHECK(is && is->size == spread, "%s spread %d in track %d not reported", v.prof[p], spread, t);
			CHECK(v.cnt[is->group * v.np + p] - v.cnt[is->other_group * v.np + p] == spread,
			      "%s's issue names the wrong groups", v.prof[p]);
			int g = is->group, team_here = 0, stay_here = 0;
			if (g < v.ng && in->groups[g].kept_professions)
				for (int k = 0; k < in->groups[g].kept; k++)
					stay_here += !strcmp(in->groups[g].kept_professions[k], v.prof[p]);
			for (int i = 0; i < nl; i++) {
				if (plan->group_of[i] != g || v.lp[i] != p)
					continue;
				team_here |= is->team_id && in->learners[i].team_id == is->team_id && part_size(in, i) >= 2;
				stay_here += v.lret[i] && v.lprev[i] == g;
			}
			switch (is->yielded_to) {
			case PLACE_RULE_TEAM:
				CHECK(team_here, "%s's spread blamed on team %lld, which has none of them in group %d",
				      v.prof[p], (long long)is->team_id, g);
				break;
			case PLACE_RULE_RETURNING:
				CHECK(stay_here, "%s's spread blamed on returning members in group %d", v.prof[p], g);
				break;
			case PLACE_RULE_SIZE:
				break;
			default:
				CHECK(0, "%s's spread yields to rule %d", v.prof[p], is->yielded_to);
			}
		}
	}
	/* Rule 5, forced: no move or swap of learners placed alone lowers
	 * (size distance, sum of squared profession counts). */
	for (int u = 0; u < v.nunits; u++) {
		if (v.uteam[u])
			continue;
		int i = v.ufirst[u], a0 = plan->group_of[i], t = (int)in->learners[i].track, p = v.lp[i];
		int dout = dev(in, v.size[a0] - 1) - dev(in, v.size[a0]);
		long pout = 1 - 2L * v.cnt[a0 * v.np + p];
		/* Among the same groups: squares do not compare across group counts. */
		for (int b = 0; b < v.npg && v.size[a0] > 1; b++) {
			if (b == a0 || (int)plan->groups[b].track != t || !v.size[b])
				continue;
			int dd = dout + dev(in, v.size[b] + 1) - dev(in, v.size[b]);
			long dp = pout + 2L * v.cnt[b * v.np + p] + 1;
			CHECK(dd > 0 || (dd == 0 && dp >= 0), "moving learner %lld from group %d to %d improves balance",
			      (long long)in->learners[i].id, a0, b);
		}
		for (int w = u + 1; w < v.nunits; w++) {
			if (v.uteam[w])
				continue;
			int j = v.ufirst[w], b = plan->group_of[j], q = v.lp[j];
			if (b == a0 || p == q || (int)in->learners[j].track != t)
				continue;
			long dp = 2L * (v.cnt[b * v.np + p] - v.cnt[a0 * v.np + p]) + 2 +
			          2L * (v.cnt[a0 * v.np + q] - v.cnt[b * v.np + q]) + 2;
			CHECK(dp >= 0, "swapping learners %lld and %lld improves balance", (long long)in->learners[i].id,
			      (long long)in->learners[j].id);
		}
	}
	/* Tracks of learners placed alone: the best distance, and balanced. */
	for (int t = 0; t < 2; t++) {
		if (!pure_track(&v, t))
			continue;
		int n = 0;
		for (int i = 0; i < nl; i++)
			n += (int)in->learners[i].track == t;
		CHECK(track_d(&v, t) == pure_best_d(in, n), "track %d of %d alone: distance %ld, best %ld", t, n,
		      track_d(&v, t), pure_best_d(in, n));
		CHECK(!find_issue(plan, PLACE_RULE_PROFESSION, -1, 0, 0, t, NULL),
		      "track %d of learners alone is unbalanced", t);
	}

	/* place_check sees what the proposal reports, no more, no less. */
	place_issue *ci;
	size_t cn;
	const char *err = NULL;
	CHECK(place_check(a, in, plan, &ci, &cn, &err), "place_check refused the proposal: %s", err);
	CHECK(cn == plan->n_issues, "place_check found %zu issues, the proposal %zu", cn, plan->n_issues);
	for (size_t k = 0; k < cn && k < plan->n_issues; k++) {
		CHECK(ci[k].rule == plan->issues[k].rule && ci[k].group == plan->issues[k].group &&
		      ci[k].other_group == plan->issues[k].other_group && ci[k].track == plan->issues[k].track,
		      "issue %zu differs", k);
		CHECK(plan->issues[k].yielded_to != PLACE_RULE_NONE &&
		      plan->issues[k].yielded_to < plan->issues[k].rule, "issue %zu yields to rule %d", k,
		      plan->issues[k].yielded_to);
		const char *text = place_issue_text(a, in, plan, &plan->issues[k]);
		CHECK(text && strlen(text) > 20, "issue %zu has no words", k);
	}
}

/* The same plan twice, and for the shuffled input (compared by ids). */
static void check_stable(arena *a, const place_input *in, const place_plan *plan, uint64_t seed)
{
	place_plan again;
	const char *err = NULL;
	assert_true(place_propose(a, in, &again, &err));
	CHECK(again.n_groups == plan->n_groups && again.n_issues == plan->n_issues, "second run differs");
	CHECK(!memcmp(again.group_of, plan->group_of, in->n_learners * sizeof(int)), "second run differs");
	CHECK(!memcmp(again.groups, plan->groups, plan->n_groups * sizeof(place_slot)), "second run differs");
	for (size_t k = 0; k < plan->n_issues; k++)
		CHECK(!memcmp(&again.issues[k], &plan->issues[k], offsetof(place_issue, profession)) &&
		      again.issues[k].size == plan->issues[k].size, "second run's issue %zu differs", k);

	gen_rng r = {seed ^ 0x5eed};
	place_learner *ls = arena_calloc(a, in->n_learners + 1, sizeof *ls);
	place_group *gs = arena_calloc(a, in->n_groups + 1, sizeof *gs);
	int *lperm = arena_calloc(a, in->n_learners + 1, sizeof(int));
	int *gperm = arena_calloc(a, in->n_groups + 1, sizeof(int));
	for (size_t i = 0; i < in->n_learners; i++)
		lperm[i] = (int)i;
	for (size_t g = 0; g < in->n_groups; g++)
		gperm[g] = (int)g;
	gen_shuffle_int(&r, lperm, (int)in->n_learners);
	gen_shuffle_int(&r, gperm, (int)in->n_groups);
	for (size_t i = 0; i < in->n_learners; i++)
		ls[i] = in->learners[lperm[i]];
	for (size_t g = 0; g < in->n_groups; g++)
		gs[g] = in->groups[gperm[g]];
	place_input sh = *in;
	sh.learners = ls;
	sh.groups = gs;
	place_plan p2;
	assert_true(place_propose(a, &sh, &p2, &err));
	CHECK(p2.n_groups == plan->n_groups && p2.n_issues == plan->n_issues, "shuffled input differs");
	for (size_t i = 0; i < in->n_learners; i++) {
		const place_slot *x = &plan->groups[plan->group_of[lperm[i]]];
		const place_slot *y = &p2.groups[p2.group_of[i]];
		CHECK(x->id == y->id && x->new_number == y->new_number,
		      "learner %lld is elsewhere when the input is shuffled", (long long)ls[i].id);
	}
}

static void generated_cohorts(void **state)
{
	arena *ap = *state;
	uint64_t base = env_u64("CAIRN_PLACE_SEED", 20260513);
	int count = (int)env_u64("CAIRN_PLACE_COHORTS", 150);
	print_message("placement: %d cohorts of 30 to 500 learners from seed %llu "
	              "(CAIRN_PLACE_SEED, CAIRN_PLACE_COHORTS)\n", count, (unsigned long long)base);
	long issues[6] = {0}, learners = 0, teams = 0;
	for (int k = 0; k < count; k++) {
		arena_reset(ap);
		arena *a = ap;
		cur_seed = base + (uint64_t)k;
		gen_rng r = {cur_seed * 31 + 7};
		/* A third at the largest size; the rest anywhere in 30..500. */
		gen_shape sh = {.n_learners = gen_chance(&r, 30) ? 500 : gen_int(&r, 30, 500),
		                .team_percent = -1, .return_percent = -1, .ped_percent = -1, .max_groups = -1};
		place_input in;
		gen_cohort(a, cur_seed, sh, &in);
		place_plan plan;
		const char *err = NULL;
		CHECK(place_propose(a, &in, &plan, &err), "refused: %s", err ? err : "");
		check_plan(a, &in, &plan);
		check_stable(a, &in, &plan, cur_seed);
		learners += (long)in.n_learners;
		for (size_t i = 0; i < in.n_learners; i++)
			teams += in.learners[i].team_id != 0;
		for (size_t i = 0; i < plan.n_issues; i++)
			issues[plan.issues[i].rule]++;
	}
	print_message("placement: %ld learners (%ld in teams); rules given way: returning %ld, team %ld, "
	              "size %ld, profession %ld\n", learners, teams, issues[2], issues[3], issues[4], issues[5]);
}

/* ---- exhaustive search on small cohorts --------------------------------------------------- */

typedef struct search {
	const place_input *in;
	view *v;
	int t;
	int *units;                /* unit indices of the track */
	int nu;
	int *groups;               /* the track's input groups */
	int ng;
	int *size;                 /* per slot: input groups of the track, then new */
	int *cnt;                  /* slot x np */
	long best_d;
	int balanced_at_best;
} search;

static void search_leaf(search *s, int nslots)
{
	long d = 0;
	for (int k = 0; k < nslots; k++)
		d += dev(s->in, s->size[k]);
	int balanced = 1;
	for (int p = 0; p < s->v->np && balanced; p++) {
		int hi = -1, lo = 1 << 30;
		for (int k = 0; k < nslots; k++) {
			if (!s->size[k])
				continue;
			int c = s->cnt[k * s->v->np + p];
			hi = c > hi ? c : hi;
			lo = c < lo ? c : lo;
		}
		balanced = hi < 0 || hi - lo <= 1;
	}
	if (d < s->best_d) {
		s->best_d = d;
		s->balanced_at_best = balanced;
	} else if (d == s->best_d) {
		s->balanced_at_best |= balanced;
	}
}

static void search_unit(search *s, int k, int nnew)
{
	if (k == s->nu) {
		search_leaf(s, s->ng + nnew);
		return;
	}
	int u = s->units[k];
	for (int slot = 0; slot <= s->ng + nnew; slot++) {
		s->size[slot] += s->v->usize[u];
		for (int i = 0; i < s->v->nl; i++)
			if (s->v->lunit[i] == u)
				s->cnt[slot * s->v->np + s->v->lp[i]]++;
		search_unit(s, k + 1, nnew + (slot == s->ng + nnew));
		s->size[slot] -= s->v->usize[u];
		for (int i = 0; i < s->v->nl; i++)
			if (s->v->lunit[i] == u)
				s->cnt[slot * s->v->np + s->v->lp[i]]--;
	}
}

static void small_cohorts_reach_the_optimum(void **state)
{
	arena *ap = *state;
	uint64_t base = env_u64("CAIRN_PLACE_SEED", 20260513) + 1000000;
	int count = (int)env_u64("CAIRN_PLACE_SMALL", 400), searched = 0, unbalanced = 0;
	for (int k = 0; k < count; k++) {
		arena_reset(ap);
		arena *a = ap;
		cur_seed = base + (uint64_t)k;
		gen_rng r = {cur_seed * 17 + 3};
		int mn = gen_int(&r, 2, 4);
		gen_shape sh = {.n_learners = gen_int(&r, 2, 14), .min_size = mn,
		                .max_size = mn + gen_int(&r, 0, 2), .team_percent = -1, .max_team = 4,
		                .return_percent = -1, .ped_percent = -1, .nprof = gen_int(&r, 2, 4),
		                .max_groups = 2};
		place_input in;
		gen_cohort(a, cur_seed, sh, &in);
		place_plan plan;
		const char *err = NULL;
		CHECK(place_propose(a, &in, &plan, &err), "refused: %s", err ? err : "");
		check_plan(a, &in, &plan);
		view v;
		view_make(a, &v, &in, &plan);
		for (int t = 0; t < 2; t++) {
			search s = {.in = &in, .v = &v, .t = t, .best_d = 1L << 40};
			s.units = arena_calloc(a, (size_t)v.nunits + 1, sizeof(int));
			s.groups = arena_calloc(a, in.n_groups + 1, sizeof(int));
			for (int u = 0; u < v.nunits; u++)
				if ((int)in.learners[v.ufirst[u]].track == t)
					s.units[s.nu++] = u;
			if (s.nu > 8)
				continue;
			for (size_t g = 0; g < in.n_groups; g++)
				if ((int)in.groups[g].track == t)
					s.groups[s.ng++] = (int)g;
			int slots = s.ng + s.nu + 1;
			s.size = arena_calloc(a, (size_t)slots, sizeof(int));
			s.cnt = arena_calloc(a, (size_t)slots * (size_t)v.np, sizeof(int));
			/* Fixed content: everyone not in a unit stays where placement
			 * put them (rules 2 and 3 decide it), in the track's groups. */
			for (int k2 = 0; k2 < s.ng; k2++) {
				int g = s.groups[k2];
				s.size[k2] = in.groups[g].kept;
				if (in.groups[g].kept_professions)
					for (int m = 0; m < in.groups[g].kept; m++)
						s.cnt[k2 * v.np + prof_of(&v, in.groups[g].kept_professions[m])]++;
				for (int i = 0; i < v.nl; i++)
					if (v.lunit[i] < 0 && plan.group_of[i] == g) {
						s.size[k2]++;
						s.cnt[k2 * v.np + v.lp[i]]++;
					}
			}
			search_unit(&s, 0, 0);
			searched++;
			long d = track_d(&v, t);
			CHECK(d == s.best_d, "track %d: size distance %ld, the least is %ld", t, d, s.best_d);
			int bal = !find_issue(&plan, PLACE_RULE_PROFESSION, -1, 0, 0, t, NULL);
			CHECK(bal || !s.balanced_at_best, "track %d: professions unbalanced, though they "
			      "could be balanced at the least size distance", t);
			unbalanced += !bal;
		}
	}
	print_message("placement: %d small tracks searched exhaustively (%d unbalanced by force)\n",
	              searched, unbalanced);
}

/* ---- hand-written cases ------------------------------------------------------------------- */

static place_learner L(int64_t id, place_track t, const char *prof, int64_t team, int64_t prev)
{
	return (place_learner){id, t, prof, team, prev};
}

static bool propose(arena *a, const place_learner *ls, size_t nl, const place_group *gs, size_t ng,
                    int mn, int mx, place_input *in, place_plan *plan)
{
	*in = (place_input){ls, nl, gs, ng, mn, mx};
	const char *err = NULL;
	bool ok = place_propose(a, in, plan, &err);
	if (ok) {
		cur_seed = 0;
		check_plan(a, in, plan);
	}
	return ok;
}

static void zero_learners(void **state)
{
	arena *a = *state;
	place_input in;
	place_plan plan;
	assert_true(propose(a, NULL, 0, NULL, 0, 4, 8, &in, &plan));
	assert_int_equal(plan.n_groups, 0);
	assert_int_equal(plan.n_issues, 0);
	static const char *const kp[] = {"nurse", "chaplain", "nurse", "pharmacist", "physician"};
	place_group gs[] = {{10, PLACE_ADULT, 5, kp}, {11, PLACE_PEDIATRIC, 0, NULL}};
	assert_true(propose(a, NULL, 0, gs, 2, 4, 8, &in, &plan));
	assert_int_equal(plan.n_groups, 2);
	assert_int_equal(plan.groups[0].size, 5);
	assert_int_equal(plan.groups[1].size, 0);
	assert_int_equal(plan.n_issues, 0);
}

static void all_one_profession(void **state)
{
	arena *a = *state;
	place_learner ls[41];
	for (int i = 0; i < 41; i++)
		ls[i] = L(100 + i, PLACE_ADULT, "nurse", 0, 0);
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 41, NULL, 0, 6, 8, &in, &plan));
	/* Six groups of 7, 7, 7, 7, 7, 6: the fewest in range, and as nurses
	 * are everyone, their counts (the sizes) differ by at most one. */
	assert_int_equal(plan.n_groups, 6);
	assert_int_equal(plan.n_issues, 0);
	for (size_t g = 0; g < plan.n_groups; g++)
		assert_in_range(plan.groups[g].size, 6, 7);
}

static void team_bigger_than_max(void **state)
{
	arena *a = *state;
	static const char *const profs[] = {"nurse", "physician", "chaplain", "social_worker"};
	place_learner ls[22];
	for (int i = 0; i < 12; i++)
		ls[i] = L(200 + i, PLACE_ADULT, profs[i % 4], 77, 0);
	for (int i = 12; i < 22; i++)
		ls[i] = L(200 + i, PLACE_ADULT, profs[i % 4], 0, 0);
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 22, NULL, 0, 4, 8, &in, &plan));
	int g = plan.group_of[0];
	for (int i = 1; i < 12; i++)
		assert_int_equal(plan.group_of[i], g);
	assert_int_equal(plan.groups[g].size, 12);
	/* The others are in range, apart from the team. */
	for (int i = 12; i < 22; i++)
		assert_int_not_equal(plan.group_of[i], g);
	const place_issue *is = find_issue(&plan, PLACE_RULE_SIZE, g, 0, 0, -1, NULL);
	assert_non_null(is);
	assert_int_equal(is->yielded_to, PLACE_RULE_TEAM);
	assert_int_equal(is->team_id, 77);
	const char *text = place_issue_text(a, &in, &plan, is);
	assert_non_null(strstr(text, "team 77 is kept together"));
	assert_non_null(strstr(text, "12 members, more than the most, 8"));
}

static void track_smaller_than_min(void **state)
{
	arena *a = *state;
	place_learner ls[15];
	static const char *const profs[] = {"nurse", "physician", "chaplain"};
	for (int i = 0; i < 12; i++)
		ls[i] = L(300 + i, PLACE_ADULT, profs[i % 3], 0, 0);
	for (int i = 12; i < 15; i++)
		ls[i] = L(300 + i, PLACE_PEDIATRIC, profs[i % 3], 0, 0);
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 15, NULL, 0, 5, 8, &in, &plan));
	int g = plan.group_of[12];
	assert_int_equal(plan.group_of[13], g);
	assert_int_equal(plan.group_of[14], g);
	assert_int_equal(plan.groups[g].track, PLACE_PEDIATRIC);
	assert_int_equal(plan.groups[g].size, 3);
	const place_issue *is = find_issue(&plan, PLACE_RULE_SIZE, g, 0, 0, -1, NULL);
	assert_non_null(is);
	assert_int_equal(is->yielded_to, PLACE_RULE_TRACK);
	assert_int_equal(plan.n_issues, 1);
	/* Seven in [5, 6] cannot be split: one group of 7 beats 4 + 3. */
	assert_true(propose(a, ls, 7, NULL, 0, 5, 6, &in, &plan));
	assert_int_equal(plan.n_groups, 1);
	assert_int_equal(plan.groups[0].size, 7);
	assert_int_equal(plan.issues[0].yielded_to, PLACE_RULE_TRACK);
}

static void returning_and_teams(void **state)
{
	arena *a = *state;
	place_group gs[] = {{10, PLACE_ADULT, 2, NULL}, {11, PLACE_ADULT, 1, NULL}, {12, PLACE_PEDIATRIC, 0, NULL}};
	place_learner ls[] = {
		L(1, PLACE_ADULT, "nurse", 5, 10),      /* team 5 returns to 10 (two) and 11 (one) */
		L(2, PLACE_ADULT, "physician", 5, 10),
		L(3, PLACE_ADULT, "chaplain", 5, 11),
		L(4, PLACE_ADULT, "pharmacist", 5, 0),  /* new in team 5: follows the two, to 10 */
		L(5, PLACE_PEDIATRIC, "nurse", 0, 10),  /* now pediatric: cannot keep adult group 10 */
		L(6, PLACE_ADULT, "social_worker", 8, 0), /* team 8 spans both tracks */
		L(7, PLACE_PEDIATRIC, "physician", 8, 0),
		L(8, PLACE_PEDIATRIC, "chaplain", 8, 0),
		L(9, PLACE_ADULT, "nurse", 0, 0),
		L(10, PLACE_ADULT, "nurse", 0, 0),
		L(11, PLACE_PEDIATRIC, "social_worker", 0, 0),
	};
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 11, gs, 3, 3, 6, &in, &plan));
	assert_int_equal(plan.group_of[0], 0);
	assert_int_equal(plan.group_of[1], 0);
	assert_int_equal(plan.group_of[2], 1);
	assert_int_equal(plan.group_of[3], 0);
	assert_int_equal(plan.groups[plan.group_of[4]].track, PLACE_PEDIATRIC);
	assert_int_equal(plan.group_of[6], plan.group_of[7]);
	const place_issue *is = find_issue(&plan, PLACE_RULE_TEAM, -1, 0, 5, PLACE_ADULT, NULL);
	assert_non_null(is);
	assert_int_equal(is->yielded_to, PLACE_RULE_RETURNING);
	is = find_issue(&plan, PLACE_RULE_RETURNING, -1, 5, 0, -1, NULL);
	assert_non_null(is);
	assert_int_equal(is->yielded_to, PLACE_RULE_TRACK);
	assert_int_equal(is->other_group, 0);
	assert_null(find_issue(&plan, PLACE_RULE_TEAM, -1, 0, 8, -1, NULL));
	assert_non_null(strstr(place_issue_text(a, &in, &plan, is), "leaves group 10"));
}

/* A page names people and groups through a place_namer: its names go into
 * the same sentences, a name starting one gets a capital, and a namer that
 * gives NULL leaves the plain form. */
static const char *test_learner_name(void *ctx, int64_t id)
{
	(void)ctx;
	return id == 5 ? "dr. Ada Example" : NULL;
}

static const char *test_group_name(void *ctx, const place_slot *s)
{
	return s->id == 10 ? arena_sprintf(ctx, "Adult group %lld", (long long)s->id) : NULL;
}

static const char *test_profession(void *ctx, const char *p)
{
	(void)ctx;
	return !strcmp(p, "nurse") ? "nurses" : NULL;
}

static void issue_words_with_names(void **state)
{
	arena *a = *state;
	place_group gs[] = {{10, PLACE_ADULT, 0, NULL}, {11, PLACE_PEDIATRIC, 0, NULL}};
	place_learner ls[] = {L(5, PLACE_PEDIATRIC, "nurse", 0, 10), L(6, PLACE_PEDIATRIC, "nurse", 0, 0)};
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 2, gs, 2, 1, 4, &in, &plan));
	const place_issue *is = find_issue(&plan, PLACE_RULE_RETURNING, -1, 5, 0, -1, NULL);
	assert_non_null(is);
	place_namer nm = {test_learner_name, NULL, test_group_name, test_profession, a};
	assert_string_equal(place_issue_words(a, &in, &plan, is, &nm),
	                    "Dr. Ada Example leaves Adult group 10 for group 11 (tracks are never mixed).");
	assert_string_equal(place_issue_text(a, &in, &plan, is),
	                    "Learner 5 leaves group 10 for group 11 (tracks are never mixed).");
	place_issue prof = {.rule = PLACE_RULE_PROFESSION, .track = PLACE_ADULT, .group = 0,
	                    .other_group = 1, .profession = "nurse", .size = 2};
	assert_string_equal(place_issue_words(a, &in, &plan, &prof, &nm),
	                    "Professions are unbalanced in the adult track: Adult group 10 has 2 more "
	                    "nurses than group 11.");
	place_issue size = {.rule = PLACE_RULE_SIZE, .track = PLACE_PEDIATRIC, .group = 1,
	                    .other_group = -1, .size = 9};
	assert_string_equal(place_issue_words(a, &in, &plan, &size, &nm),
	                    "Group 11 has 9 members, more than the most, 4.");
}

static void bad_input_is_refused(void **state)
{
	arena *a = *state;
	place_learner ls[] = {L(1, PLACE_ADULT, "nurse", 0, 0), L(2, PLACE_ADULT, "nurse", 0, 99)};
	place_learner dup[] = {L(1, PLACE_ADULT, "nurse", 0, 0), L(1, PLACE_ADULT, "nurse", 0, 0)};
	place_learner noprof[] = {L(1, PLACE_ADULT, "", 0, 0)};
	place_group gs[] = {{10, PLACE_ADULT, 0, NULL}, {10, PLACE_PEDIATRIC, 0, NULL}};
	place_input in;
	place_plan plan;
	const char *err;
	struct {
		place_input in;
		const char *says;
	} cases[] = {
		{{ls, 1, NULL, 0, 0, 5}, "size range"},
		{{ls, 1, NULL, 0, 6, 5}, "size range"},
		{{ls, 2, NULL, 0, 3, 5}, "group 99 is not a group of the series"},
		{{dup, 2, NULL, 0, 3, 5}, "Learner 1 is listed twice"},
		{{noprof, 1, NULL, 0, 3, 5}, "no profession"},
		{{ls, 1, gs, 2, 3, 5}, "Group 10 is listed twice"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		err = NULL;
		assert_false(place_propose(a, &cases[k].in, &plan, &err));
		assert_non_null(err);
		if (!strstr(err, cases[k].says))
			fail_msg("case %zu: '%s' does not say '%s'", k, err, cases[k].says);
		assert_int_equal(plan.n_groups, 0);
	}
	(void)in;
}

/* A director's change: a move across tracks is a TRACK issue, a returning
 * member moved away an unforced RETURNING one; a malformed plan is refused. */
static void check_a_changed_plan(void **state)
{
	arena *a = *state;
	place_group gs[] = {{10, PLACE_ADULT, 0, NULL}};
	place_learner ls[] = {
		L(1, PLACE_ADULT, "nurse", 0, 10), L(2, PLACE_ADULT, "physician", 0, 0),
		L(3, PLACE_ADULT, "chaplain", 0, 0), L(4, PLACE_PEDIATRIC, "nurse", 0, 0),
		L(5, PLACE_PEDIATRIC, "pharmacist", 0, 0), L(6, PLACE_PEDIATRIC, "physician", 0, 0),
	};
	place_input in;
	place_plan plan;
	assert_true(propose(a, ls, 6, gs, 1, 3, 4, &in, &plan));
	assert_int_equal(plan.n_groups, 2);
	assert_int_equal(plan.n_issues, 0);
	place_issue *is;
	size_t n;
	const char *err = NULL;
	/* Learner 2 moved to the pediatric group. */
	int moved[6];
	memcpy(moved, plan.group_of, sizeof moved);
	moved[1] = 1;
	place_plan changed = plan;
	changed.group_of = moved;
	assert_true(place_check(a, &in, &changed, &is, &n, &err));
	assert_true(n >= 1);
	assert_int_equal(is[0].rule, PLACE_RULE_TRACK);
	assert_int_equal(is[0].learner_id, 2);
	assert_int_equal(is[0].yielded_to, PLACE_RULE_NONE);
	/* Learner 1 (returning to 10) moved to a new adult group. */
	place_slot groups3[3] = {plan.groups[0], plan.groups[1], {.track = PLACE_ADULT, .new_number = 2}};
	memcpy(moved, plan.group_of, sizeof moved);
	moved[0] = 2;
	changed.groups = groups3;
	changed.n_groups = 3;
	assert_true(place_check(a, &in, &changed, &is, &n, &err));
	assert_int_equal(is[0].rule, PLACE_RULE_RETURNING);
	assert_int_equal(is[0].learner_id, 1);
	assert_int_equal(is[0].yielded_to, PLACE_RULE_NONE);
	/* Malformed: an index out of range; an input group missing. */
	moved[0] = 7;
	assert_false(place_check(a, &in, &changed, &is, &n, &err));
	assert_non_null(strstr(err, "Learner 1 has no group"));
	changed.groups = groups3 + 1;
	changed.n_groups = 2;
	moved[0] = 0;
	assert_false(place_check(a, &in, &changed, &is, &n, &err));
}

static int arena_setup(void **state)
{
	arena *a = malloc(sizeof *a);
	if (!a)
		return -1;
	arena_init(a, 1 << 20);
	*state = a;
	return 0;
}

/* Runs after a failed check too, so a failure is not also a leak. */
static int arena_teardown(void **state)
{
	arena_free(*state);
	free(*state);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(zero_learners),
		T(all_one_profession),
		T(team_bigger_than_max),
		T(track_smaller_than_min),
		T(returning_and_teams),
		T(issue_words_with_names),
		T(bad_input_is_refused),
		T(check_a_changed_plan),
		T(small_cohorts_reach_the_optimum),
		T(generated_cohorts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
