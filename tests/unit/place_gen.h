/*
 * place_gen.h - generated cohorts for placement's property tests
 * (tests/unit/test_place.c) and its benchmark (tests/bench/place.c).
 *
 * One seed gives one cohort: learners in adult and pediatric tracks with a
 * realistic but random mix of professions, teams of 2 to 8 (some spanning
 * both tracks), existing groups of the series with members who stay, some
 * learners returning to a group (a few to a group of the other track, as
 * when someone changes breakout), and a size range. Ids are scattered and
 * the lists shuffled, so nothing may depend on input order. Header-only and
 * static: each program that includes it gets its own copy.
 */
#ifndef CAIRN_TESTS_PLACE_GEN_H
#define CAIRN_TESTS_PLACE_GEN_H

#include <stdint.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/place.h"

typedef struct gen_rng {
	uint64_t s;
} gen_rng;

/* splitmix64: small, seedable, good enough for test data. */
static uint64_t gen_next(gen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform integer in [lo, hi]. */
static int gen_int(gen_rng *r, int lo, int hi)
{
	return lo + (int)(gen_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability percent / 100. */
static int gen_chance(gen_rng *r, int percent)
{
	return gen_int(r, 0, 99) < percent;
}

static const char *const gen_professions[] = {
	"nurse", "physician", "social_worker", "chaplain", "pharmacist", "psychologist",
	"np", "pa", "resident_fellow", "psychiatrist", "other",
};
enum { GEN_NPROF = sizeof gen_professions / sizeof gen_professions[0] };
/* Roughly a palliative-care course's mix. */
static const int gen_weights[GEN_NPROF] = {30, 20, 12, 8, 6, 5, 5, 4, 4, 3, 3};

static const char *gen_profession(gen_rng *r, int nprof)
{
	int total = 0;
	for (int p = 0; p < nprof; p++)
		total += gen_weights[p];
	int x = gen_int(r, 0, total - 1);
	for (int p = 0; p < nprof; p++) {
		if (x < gen_weights[p])
			return gen_professions[p];
		x -= gen_weights[p];
	}
	return gen_professions[0];
}

typedef struct gen_shape {
	int n_learners;
	int min_size, max_size;    /* 0: chosen from the seed */
	int team_percent;          /* -1: chosen; share of learners in teams */
	int max_team;              /* largest team; 0: 8 */
	int return_percent;        /* -1: chosen */
	int ped_percent;           /* -1: chosen */
	int nprof;                 /* professions in play; 0: chosen */
	int max_groups;            /* existing groups per track at most; -1: chosen */
} gen_shape;

static void gen_shuffle_int(gen_rng *r, int *v, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = gen_int(r, 0, i), t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* Fill *in from seed and shape, allocating from a. */
static void gen_cohort(arena *a, uint64_t seed, gen_shape sh, place_input *in)
{
	gen_rng r = {seed};
	int n = sh.n_learners;
	memset(in, 0, sizeof *in);
	if (!sh.min_size) {
		sh.min_size = gen_int(&r, 2, 8);
		sh.max_size = gen_chance(&r, 15) ? sh.min_size : sh.min_size + gen_int(&r, 1, 6);
	}
	if (sh.team_percent < 0) {
		static const int tp[] = {0, 20, 40, 60, 85};
		sh.team_percent = tp[gen_int(&r, 0, 4)];
	}
	if (!sh.max_team)
		sh.max_team = 8;
	if (sh.return_percent < 0) {
		static const int rp[] = {0, 0, 10, 30, 60};
		sh.return_percent = rp[gen_int(&r, 0, 4)];
	}
	if (sh.ped_percent < 0) {
		static const int pp[] = {0, 5, 20, 35, 50};
		sh.ped_percent = pp[gen_int(&r, 0, 4)];
	}
	if (!sh.nprof)
		sh.nprof = gen_chance(&r, 10) ? gen_int(&r, 1, 3) : GEN_NPROF;
	in->min_size = sh.min_size;
	in->max_size = sh.max_size;

	place_learner *ls = arena_calloc(a, (size_t)n + 1, sizeof *ls);
	/* Scattered, unique ids: a shuffled range with gaps. */
	int *perm = arena_calloc(a, (size_t)n + 1, sizeof *perm);
	for (int i = 0; i < n; i++)
		perm[i] = i;
	gen_shuffle_int(&r, perm, n);
	for (int i = 0; i < n; i++) {
		ls[i].id = 1000 + 3 * (int64_t)perm[i] + gen_int(&r, 0, 2);
		ls[i].track = gen_chance(&r, sh.ped_percent) ? PLACE_PEDIATRIC : PLACE_ADULT;
		ls[i].profession = gen_profession(&r, sh.nprof);
	}

	/* Existing groups, per track, some with members who stay. */
	int nt[2] = {0, 0};
	for (int i = 0; i < n; i++)
		nt[ls[i].track]++;
	int maxg[2];
	for (int t = 0; t < 2; t++) {
		int cap = sh.max_groups >= 0 ? sh.max_groups : nt[t] / (sh.max_size + 1) + 1;
		maxg[t] = gen_chance(&r, 35) ? 0 : gen_int(&r, 0, cap);
	}
	int ng = maxg[0] + maxg[1];
	place_group *gs = arena_calloc(a, (size_t)ng + 1, sizeof *gs);
	int *gperm = arena_calloc(a, (size_t)ng + 1, sizeof *gperm);
	for (int g = 0; g < ng; g++)
		gperm[g] = g;
	gen_shuffle_int(&r, gperm, ng);
	for (int g = 0; g < ng; g++) {
		gs[g].id = 500 + 2 * (int64_t)gperm[g];
		gs[g].track = g < maxg[0] ? PLACE_ADULT : PLACE_PEDIATRIC;
		gs[g].kept = gen_chance(&r, 50) ? 0 : gen_int(&r, 1, 3);
		if (gs[g].kept && gen_chance(&r, 80)) {
			const char **kp = arena_calloc(a, (size_t)gs[g].kept, sizeof *kp);
			for (int k = 0; k < gs[g].kept; k++)
				kp[k] = gen_profession(&r, sh.nprof);
			gs[g].kept_professions = kp;
		}
	}

	/* Returning members: mostly to a group of their track, a few to the other. */
	for (int i = 0; i < n && ng; i++) {
		if (!gen_chance(&r, sh.return_percent))
			continue;
		int t = ls[i].track, g;
		if (gen_chance(&r, 8) || !maxg[t])
			g = gen_int(&r, 0, ng - 1);
		else
			g = (t == PLACE_ADULT ? 0 : maxg[0]) + gen_int(&r, 0, maxg[t] - 1);
		ls[i].prev_group_id = gs[g].id;
	}

	/* Teams: chunks of a shuffled list per track; one in seven spans both. */
	int *byt[2], cnt[2] = {0, 0};
	for (int t = 0; t < 2; t++)
		byt[t] = arena_calloc(a, (size_t)nt[t] + 1, sizeof *byt[t]);
	for (int i = 0; i < n; i++)
		byt[ls[i].track][cnt[ls[i].track]++] = i;
	for (int t = 0; t < 2; t++)
		gen_shuffle_int(&r, byt[t], nt[t]);
	int want = n * sh.team_percent / 100, in_teams = 0, pos[2] = {0, 0};
	int64_t team_id = 70000 + gen_int(&r, 0, 1000);
	while (in_teams < want) {
		int size = gen_int(&r, 2, sh.max_team);
		int left[2] = {nt[0] - pos[0], nt[1] - pos[1]};
		if (left[0] + left[1] < 2)
			break;
		team_id += gen_int(&r, 1, 9);
		int t = left[1] > 0 && gen_int(&r, 0, left[0] + left[1] - 1) >= left[0];
		int span = gen_chance(&r, 14) && left[0] && left[1];
		int got = 0;
		for (int k = 0; k < size; k++) {
			int tt = span ? k % 2 : t;
			if (pos[tt] >= nt[tt])
				tt = 1 - tt;
			if (pos[tt] >= nt[tt])
				break;
			ls[byt[tt][pos[tt]++]].team_id = team_id;
			got++;
		}
		in_teams += got;
	}
	in->learners = ls;
	in->n_learners = (size_t)n;
	in->groups = gs;
	in->n_groups = (size_t)ng;
}

#endif
