/*
 * place.c - see place.h for the rules and the promise.
 *
 * How a proposal is made, per track (tracks never meet, so rule 1 holds by
 * construction):
 *
 *   1. Fixed content. Returning members go to their group (rule 2) unless
 *      its track is not theirs (then they are placed like anyone new). The
 *      rest of a team's learners of the track follow its returning members
 *      (rule 3): to the group most of them return to (the most of the team
 *      together), ties to the lower group id.
 *   2. Teams. Every other team part of two or more is a unit; a learner
 *      placed alone is a "single". Singles are fluid for size: given where
 *      the teams go and how many groups (bins) there are, the best size
 *      distance D is arithmetic (singles fill deficits, then room, then
 *      overflow). Teams are packed largest first from two starts (greedy on
 *      the key below; best fit), each improved by moving and swapping teams
 *      while the key falls: D, then team members beyond their profession's
 *      fair share of a group (which no single can even out), then the
 *      squares of those profession counts, then of the loads. The number of
 *      bins is searched around where the sizes fit (track_choose).
 *   3. Singles. A min-cost flow (professions -> bins) places them: a bin's
 *      k-th single costs -BIG below min_size, 0 up to max_size, +BIG beyond
 *      (so D is met exactly), plus K per unit of the profession-count
 *      squares, plus one per unit of the size squares. All three are
 *      convex in the flow, so successive shortest paths give the exact
 *      optimum of that lexicographic cost for the singles, given the teams.
 *      Among bin counts as good for D, the flow's balance decides; in small
 *      tracks, still unbalanced, team moves and swaps are tried against the
 *      flow itself (refine).
 *   4. Issues. The plan is checked by place_check, and each break of rule
 *      4 or 5 is given the higher rule (and the team or member) behind it.
 *
 * Everything is ordered by ids, never by input order or addresses, so the
 * same cohort gives the same plan however it was listed. Memory is the
 * caller's arena: a 500-learner proposal takes a few MiB (every flow's
 * arrays stay until the arena is reset).
 */
#include "cairn/place.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_index {
	int64_t id;
	int64_t key2;              /* a second sort key (team parts: track) */
	int64_t key3;
	int idx;
} id_index;

/* A team's learners of one track. */
typedef struct part {
	int64_t team_id;
	place_track track;
	int n;
	int *members;              /* learner indices, by learner id */
} part;

typedef struct ctx {
	arena *a;
	const place_input *in;
	int nl, ng, np;
	int mn, mx;
	const char **profs;        /* distinct profession codes, sorted */
	int *lprof;                /* per learner: profession index */
	int *lprev;                /* per learner: input group index of prev_group_id; -1 */
	bool *lret;                /* per learner: returning to a group of their track */
	int *lpart;                /* per learner: part index; -1 */
	int *lorder;               /* learner indices by id */
	int *gorder;               /* group indices by id */
	int *gkeptprof;            /* ng x np: staying members' known professions */
	part *parts;
	int nparts;
} ctx;

static int cmp_id_index(const void *pa, const void *pb);
static int cmp_str(const void *pa, const void *pb);
static bool setup(ctx *c, arena *a, const place_input *in, const char **err);
static int prof_index(const ctx *c, const char *code);
static int group_by_id(const ctx *c, int64_t id);
static void place_track_learners(ctx *c, place_track t, int *gof, int *n_new);
static void attribute(ctx *c, const place_plan *plan, place_issue *is);

/* ---- setup ----------------------------------------------------------------------------- */

static int cmp_id_index(const void *pa, const void *pb)
{
	const id_index *a = pa, *b = pb;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->key2 != b->key2)
		return a->key2 < b->key2 ? -1 : 1;
	if (a->key3 != b->key3)
		return a->key3 < b->key3 ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int prof_index(const ctx *c, const char *code)
{
	const char **hit = bsearch(&code, c->profs, (size_t)c->np, sizeof *c->profs, cmp_str);
	return hit ? (int)(hit - c->profs) : -1;
}

static int group_by_id(const ctx *c, int64_t id)
{
	int lo = 0, hi = c->ng - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int64_t v = c->in->groups[c->gorder[mid]].id;
		if (v == id)
			return c->gorder[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Validate the input and build the indexes both propose and check use. */
static bool setup(ctx *c, arena *a, const place_input *in, const char **err)
{
	memset(c, 0, sizeof *c);
	c->a = a;
	c->in = in;
	if (in->min_size < 1 || in->max_size < in->min_size) {
		*err = arena_sprintf(a, "The group size range %d to %d is not valid: the least must be "
		                     "at least 1 and the most at least the least.", in->min_size, in->max_size);
		return false;
	}
	c->mn = in->min_size;
	c->mx = in->max_size;
	if (in->n_learners > PLACE_MAX_PEOPLE || in->n_groups > PLACE_MAX_PEOPLE ||
	    (in->n_learners && !in->learners) || (in->n_groups && !in->groups)) {
		*err = arena_sprintf(a, "At most %d learners can be placed at once.", PLACE_MAX_PEOPLE);
		return false;
	}
	c->nl = (int)in->n_learners;
	c->ng = (int)in->n_groups;
	long people = c->nl;
	for (int g = 0; g < c->ng; g++) {
		const place_group *gr = &in->groups[g];
		if (gr->id <= 0 || (gr->track != PLACE_ADULT && gr->track != PLACE_PEDIATRIC) ||
		    gr->kept < 0 || gr->kept > PLACE_MAX_PEOPLE) {
			*err = arena_sprintf(a, "Group %lld is not valid (its id, track or staying members).",
			                     (long long)gr->id);
			return false;
		}
		people += gr->kept;
	}
	if (people > PLACE_MAX_PEOPLE) {
		*err = arena_sprintf(a, "At most %d people (learners and staying members) can be placed "
		                     "at once; this has %ld.", PLACE_MAX_PEOPLE, people);
		return false;
	}

	/* Groups by id. */
	id_index *gi = arena_calloc(a, (size_t)c->ng + 1, sizeof *gi);
	for (int g = 0; g < c->ng; g++)
		gi[g] = (id_index){.id = in->groups[g].id, .idx = g};
	qsort(gi, (size_t)c->ng, sizeof *gi, cmp_id_index);
	c->gorder = arena_calloc(a, (size_t)c->ng + 1, sizeof *c->gorder);
	for (int g = 0; g < c->ng; g++) {
		if (g && gi[g].id == gi[g - 1].id) {
			*err = arena_sprintf(a, "Group %lld is listed twice.", (long long)gi[g].id);
			return false;
		}
		c->gorder[g] = gi[g].idx;
	}

	/* Professions: every code of a learner or a staying member. */
	const char **codes = arena_calloc(a, (size_t)people + 1, sizeof *codes);
	int nc = 0;
	for (int i = 0; i < c->nl; i++) {
		const place_learner *l = &in->learners[i];
		if (l->id <= 0 || (l->track != PLACE_ADULT && l->track != PLACE_PEDIATRIC) ||
		    l->team_id < 0 || l->prev_group_id < 0) {
			*err = arena_sprintf(a, "Learner %lld is not valid (their id, track, team or group).",
			                     (long long)l->id);
			return false;
		}
		if (!l->profession || !*l->profession) {
			*err = arena_sprintf(a, "Learner %lld has no profession.", (long long)l->id);
			return false;
		}
		codes[nc++] = l->profession;
	}
	for (int g = 0; g < c->ng; g++) {
		const place_group *gr = &in->groups[g];
		if (!gr->kept_professions)
			continue;
		for (int k = 0; k < gr->kept; k++) {
			if (!gr->kept_professions[k] || !*gr->kept_professions[k]) {
				*err = arena_sprintf(a, "A staying member of group %lld has no profession.",
				                     (long long)gr->id);
				return false;
			}
			codes[nc++] = gr->kept_professions[k];
		}
	}
	qsort(codes, (size_t)nc, sizeof *codes, cmp_str);
	c->profs = arena_calloc(a, (size_t)nc + 1, sizeof *c->profs);
	for (int k = 0; k < nc; k++)
		if (!c->np || strcmp(codes[k], c->profs[c->np - 1]))
			c->profs[c->np++] = codes[k];
	c->gkeptprof = arena_calloc(a, (size_t)c->ng * (size_t)c->np + 1, sizeof *c->gkeptprof);
	for (int g = 0; g < c->ng; g++) {
		const place_group *gr = &in->groups[g];
		if (gr->kept_professions)
			for (int k = 0; k < gr->kept; k++)
				c->gkeptprof[g * c->np + prof_index(c, gr->kept_professions[k])]++;
	}

	/* Learners by id; their profession, previous group, team part. */
	id_index *li = arena_calloc(a, (size_t)c->nl + 1, sizeof *li);
	for (int i = 0; i < c->nl; i++)
		li[i] = (id_index){.id = in->learners[i].id, .idx = i};
	qsort(li, (size_t)c->nl, sizeof *li, cmp_id_index);
	c->lorder = arena_calloc(a, (size_t)c->nl + 1, sizeof *c->lorder);
	c->lprof = arena_calloc(a, (size_t)c->nl + 1, sizeof *c->lprof);
	c->lprev = arena_calloc(a, (size_t)c->nl + 1, sizeof *c->lprev);
	c->lret = arena_calloc(a, (size_t)c->nl + 1, sizeof *c->lret);
	c->lpart = arena_calloc(a, (size_t)c->nl + 1, sizeof *c->lpart);
	for (int k = 0; k < c->nl; k++) {
		if (k && li[k].id == li[k - 1].id) {
			*err = arena_sprintf(a, "Learner %lld is listed twice.", (long long)li[k].id);
			return false;
		}
		c->lorder[k] = li[k].idx;
	}
	for (int i = 0; i < c->nl; i++) {
		const place_learner *l = &in->learners[i];
		c->lprof[i] = prof_index(c, l->profession);
		c->lprev[i] = -1;
		c->lpart[i] = -1;
		if (l->prev_group_id) {
			c->lprev[i] = group_by_id(c, l->prev_group_id);
			if (c->lprev[i] < 0) {
				*err = arena_sprintf(a, "Learner %lld's group %lld is not a group of the series.",
				                     (long long)l->id, (long long)l->prev_group_id);
				return false;
			}
			c->lret[i] = in->groups[c->lprev[i]].track == l->track;
		}
	}

	/* Team parts: learners sorted by (team, track, id), in runs. */
	id_index *ti = arena_calloc(a, (size_t)c->nl + 1, sizeof *ti);
	int nt = 0;
	for (int i = 0; i < c->nl; i++)
		if (in->learners[i].team_id)
			ti[nt++] = (id_index){.id = in->learners[i].team_id, .key2 = in->learners[i].track,
			                      .key3 = in->learners[i].id, .idx = i};
	qsort(ti, (size_t)nt, sizeof *ti, cmp_id_index);
	c->parts = arena_calloc(a, (size_t)nt + 1, sizeof *c->parts);
	for (int k = 0; k < nt;) {
		int j = k;
		while (j < nt && ti[j].id == ti[k].id && ti[j].key2 == ti[k].key2)
			j++;
		part *p = &c->parts[c->nparts];
		p->team_id = ti[k].id;
		p->track = (place_track)ti[k].key2;
		p->n = j - k;
		p->members = arena_calloc(a, (size_t)p->n, sizeof *p->members);
		for (int m = k; m < j; m++) {
			p->members[m - k] = ti[m].idx;
			c->lpart[ti[m].idx] = c->nparts;
		}
		c->nparts++;
		k = j;
	}
	return true;
}

/* ---- packing teams (one track) ----------------------------------------------------------- */

typedef struct bin {
	int group;                 /* input group index; -1: a new group */
	int load;                  /* fixed content + teams */
	int *pin;                  /* np: known professions of that load */
} bin;

typedef struct unit {
	int part;
	int size;
	int nk;                    /* distinct professions */
	int *kprof;                /* nk professions ... */
	int *kcount;               /* ... and how many of each */
	int bin;
} unit;

/* What the packing minimises, in this order: the size distance the singles
 * can reach; professions held in teams and fixed members beyond their fair
 * share (ceil(track total / groups)), squared, which no single can even
 * out; the squares of those professions' counts; the squares of loads. */
typedef struct key {
	int64_t d, xsq, psq, lsq;
} key;

typedef struct pack {
	int mn, mx, np;
	int S;                     /* singles */
	const int *total;          /* np: the track's people per profession */
	int *share;                /* np: ceil(total / nb) */
	int nb, cap;
	bin *bins;
	int *pinbuf;               /* cap x np */
	int nu;
	unit *units;
	int *scratch;              /* nu + 1 */
	int *delta;                /* np, zero between uses */
	int64_t ov, nd, rm, xsq, psq, lsq;
} pack;

static bool key_less(key a, key b)
{
	if (a.d != b.d)
		return a.d < b.d;
	if (a.xsq != b.xsq)
		return a.xsq < b.xsq;
	if (a.psq != b.psq)
		return a.psq < b.psq;
	return a.lsq < b.lsq;
}

static void contrib(const pack *k, int load, int64_t *ov, int64_t *nd, int64_t *rm)
{
	*ov = load > k->mx ? load - k->mx : 0;
	*nd = load < k->mn ? k->mn - load : 0;
	*rm = load < k->mx ? k->mx - load : 0;
}

/* The least size distance the singles can reach given these totals: they
 * fill deficits first, then room, then overflow. */
static int64_t d_of(const pack *k, int64_t ov, int64_t nd, int64_t rm)
{
	int64_t d = ov;
	if (nd > k->S)
		d += nd - k->S;
	if (k->S > rm)
		d += k->S - rm;
	return d;
}

static int64_t xs(const pack *k, int p, int64_t v)
{
	int64_t x = v - k->share[p];
	return x > 0 ? x * x : 0;
}

static key key_now(const pack *k)
{
	return (key){d_of(k, k->ov, k->nd, k->rm), k->xsq, k->psq, k->lsq};
}

/* The key after moving u from its bin to bin b (b == nb: a new bin, judged
 * with the current shares); only its size distance when that exceeds dmax. */
static key eval_move(const pack *k, const unit *u, int b, int64_t dmax)
{
	int a = u->bin, s = u->size;
	int64_t ov = k->ov, nd = k->nd, rm = k->rm, o, n, r;
	int la = k->bins[a].load, lb = b < k->nb ? k->bins[b].load : 0;
	contrib(k, la, &o, &n, &r);
	ov -= o, nd -= n, rm -= r;
	contrib(k, la - s, &o, &n, &r);
	ov += o, nd += n, rm += r;
	if (b < k->nb) {
		contrib(k, lb, &o, &n, &r);
		ov -= o, nd -= n, rm -= r;
	}
	contrib(k, lb + s, &o, &n, &r);
	ov += o, nd += n, rm += r;
	int64_t d = d_of(k, ov, nd, rm);
	if (d > dmax)
		return (key){d, INT64_MAX, INT64_MAX, INT64_MAX};
	int64_t xsq = k->xsq, psq = k->psq;
	for (int i = 0; i < u->nk; i++) {
		int p = u->kprof[i];
		int64_t pa = k->bins[a].pin[p], pb = b < k->nb ? k->bins[b].pin[p] : 0, m = u->kcount[i];
		psq += (pa - m) * (pa - m) - pa * pa + (pb + m) * (pb + m) - pb * pb;
		xsq += xs(k, p, pa - m) - xs(k, p, pa) + xs(k, p, pb + m) - xs(k, p, pb);
	}
	int64_t lsq = k->lsq + (int64_t)(la - s) * (la - s) - (int64_t)la * la +
	              (int64_t)(lb + s) * (lb + s) - (int64_t)lb * lb;
	return (key){d, xsq, psq, lsq};
}

/* The key after swapping u and v (in different bins); only its size
 * distance when that exceeds dmax (the swap cannot gain). */
static key eval_swap(const pack *k, const unit *u, const unit *v, int64_t dmax)
{
	int a = u->bin, b = v->bin, du = v->size - u->size;
	int la = k->bins[a].load, lb = k->bins[b].load;
	int64_t ov = k->ov, nd = k->nd, rm = k->rm, o, n, r;
	contrib(k, la, &o, &n, &r);
	ov -= o, nd -= n, rm -= r;
	contrib(k, lb, &o, &n, &r);
	ov -= o, nd -= n, rm -= r;
	contrib(k, la + du, &o, &n, &r);
	ov += o, nd += n, rm += r;
	contrib(k, lb - du, &o, &n, &r);
	ov += o, nd += n, rm += r;
	int64_t d = d_of(k, ov, nd, rm);
	if (d > dmax)
		return (key){d, INT64_MAX, INT64_MAX, INT64_MAX};
	/* delta[p]: what bin a gains of p (bin b loses as much); each
	 * profession of u or v is visited once, then delta is zeroed again. */
	int *delta = k->delta;
	for (int i = 0; i < u->nk; i++)
		delta[u->kprof[i]] -= u->kcount[i];
	for (int i = 0; i < v->nk; i++)
		delta[v->kprof[i]] += v->kcount[i];
	int64_t xsq = k->xsq, psq = k->psq;
	for (int pass = 0; pass < 2; pass++) {
		const unit *w = pass ? v : u;
		for (int i = 0; i < w->nk; i++) {
			int p = w->kprof[i];
			if (delta[p] == INT_MIN)
				continue;
			int64_t pa = k->bins[a].pin[p], pb = k->bins[b].pin[p];
			int64_t na = pa + delta[p], nb = pb - delta[p];
			psq += na * na - pa * pa + nb * nb - pb * pb;
			xsq += xs(k, p, na) - xs(k, p, pa) + xs(k, p, nb) - xs(k, p, pb);
			delta[p] = INT_MIN;
		}
	}
	for (int i = 0; i < u->nk; i++)
		delta[u->kprof[i]] = 0;
	for (int i = 0; i < v->nk; i++)
		delta[v->kprof[i]] = 0;
	int64_t lsq = k->lsq + (int64_t)(la + du) * (la + du) - (int64_t)la * la +
	              (int64_t)(lb - du) * (lb - du) - (int64_t)lb * lb;
	return (key){d, xsq, psq, lsq};
}

/* Add (sign +1) or remove (-1) a load of size people with these profession
 * counts to or from bin b, keeping the totals. */
static void bin_add(pack *k, int b, int size, int nk, const int *kprof, const int *kcount, int sign)
{
	bin *x = &k->bins[b];
	int64_t o, n, r;
	contrib(k, x->load, &o, &n, &r);
	k->ov -= o, k->nd -= n, k->rm -= r;
	k->lsq -= (int64_t)x->load * x->load;
	x->load += sign * size;
	contrib(k, x->load, &o, &n, &r);
	k->ov += o, k->nd += n, k->rm += r;
	k->lsq += (int64_t)x->load * x->load;
	for (int i = 0; i < nk; i++) {
		int p = kprof ? kprof[i] : i;
		int64_t p0 = x->pin[p];
		x->pin[p] += sign * kcount[i];
		int64_t p1 = x->pin[p];
		k->psq += p1 * p1 - p0 * p0;
		k->xsq += xs(k, p, p1) - xs(k, p, p0);
	}
}

static void unit_add(pack *k, int b, const unit *u, int sign)
{
	bin_add(k, b, u->size, u->nk, u->kprof, u->kcount, sign);
}

/* The fair shares follow the number of bins. */
static void reshare(pack *k)
{
	k->xsq = 0;
	for (int p = 0; p < k->np; p++)
		k->share[p] = k->nb ? (k->total[p] + k->nb - 1) / k->nb : 0;
	for (int b = 0; b < k->nb; b++)
		for (int p = 0; p < k->np; p++)
			k->xsq += xs(k, p, k->bins[b].pin[p]);
}

/* A new bin at the end: load 0, no professions; shares follow unless the
 * caller does that once for many. */
static int bin_new(pack *k, int group, bool share)
{
	if (k->nb >= k->cap)
		fatal("place: more bins than people");
	int b = k->nb++;
	k->bins[b].group = group;
	k->bins[b].load = 0;
	k->bins[b].pin = k->pinbuf + (size_t)b * (size_t)k->np;
	memset(k->bins[b].pin, 0, (size_t)k->np * sizeof(int));
	int64_t o, n, r;
	contrib(k, 0, &o, &n, &r);
	k->ov += o, k->nd += n, k->rm += r;
	if (share)
		reshare(k);
	return b;
}

static void move_unit(pack *k, unit *u, int b)
{
	if (b == k->nb)
		b = bin_new(k, -1, true);
	unit_add(k, u->bin, u, -1);
	unit_add(k, b, u, +1);
	u->bin = b;
}

/* Local search: single moves (to any bin, or to a new one when that lowers
 * the size distance) and swaps, while the key improves. Each applied step
 * lowers the key, which is bounded below, so it ends; the pass cap only
 * bounds the time on pathological input. */
static void improve(pack *k)
{
	for (int pass = 0; pass < 200; pass++) {
		bool improved = false;
		for (int i = 0; i < k->nu; i++) {
			unit *u = &k->units[i];
			key best = key_now(k);
			int to = -1;
			for (int b = 0; b <= k->nb; b++) {
				if (b == u->bin || (b == k->nb && k->nb == k->cap))
					continue;
				key t = eval_move(k, u, b, best.d);
				/* A new group only for a better size distance: the
				 * other terms do not compare across group counts. */
				if (key_less(t, best) && (b < k->nb || t.d < best.d))
					best = t, to = b;
			}
			if (to >= 0) {
				move_unit(k, u, to);
				improved = true;
			}
		}
		for (int i = 0; i < k->nu; i++) {
			for (int j = i + 1; j < k->nu; j++) {
				unit *u = &k->units[i], *v = &k->units[j];
				if (u->bin == v->bin)
					continue;
				key now = key_now(k);
				if (key_less(eval_swap(k, u, v, now.d), now)) {
					int a = u->bin, b = v->bin;
					unit_add(k, a, u, -1);
					unit_add(k, b, v, -1);
					unit_add(k, a, v, +1);
					unit_add(k, b, u, +1);
					u->bin = b;
					v->bin = a;
					improved = true;
				}
			}
		}
		if (!improved)
			break;
	}
}

/* What one track brings to the packing. */
typedef struct track_in {
	int nforced, nempty;
	const int *forced;         /* input groups with fixed content, by id */
	const int *fload;          /* their fixed loads */
	const int *fpin;           /* nforced x np: their fixed professions */
	const int *empty;          /* the track's other input groups, by id */
	const int *sp;             /* np: singles per profession */
} track_in;

/* Empty the packing down to nbins bins: the forced ones with their fixed
 * content, then the track's empty groups, then new ones. */
static void pack_reset(pack *k, const track_in *ti, int nbins)
{
	k->nb = 0;
	k->ov = k->nd = k->rm = k->xsq = k->psq = k->lsq = 0;
	for (int b = 0; b < nbins; b++) {
		int g = b < ti->nforced ? ti->forced[b] : b - ti->nforced < ti->nempty ? ti->empty[b - ti->nforced] : -1;
		bin_new(k, g, false);
	}
	reshare(k);
	for (int b = 0; b < ti->nforced; b++)
		bin_add(k, b, ti->fload[b], k->np, NULL, ti->fpin + (size_t)b * k->np, +1);
}

/* Pack the teams from scratch into nbins bins, largest first, from two
 * starts, each improved by local search; keep the better:
 *   greedy    each team where the key is least;
 *   best fit  each team in the bin it fits best (least room left within
 *             max_size), else the least loaded;
 * the first finds balance, the second tight packings whose exchanges are
 * beyond single moves and swaps (a team of 4 for teams of 3 and 2). */
static void pack_with(pack *k, const track_in *ti, int nbins)
{
	int *keep = k->scratch;
	key kept = {0, 0, 0, 0};
	for (int start = 0; start < 2; start++) {
		pack_reset(k, ti, nbins);
		for (int i = 0; i < k->nu; i++) {
			unit *u = &k->units[i];
			u->bin = 0;
			unit_add(k, 0, u, +1);
			int to = -1;
			if (start == 0) {
				key best = key_now(k);
				for (int b = 1; b < k->nb; b++) {
					key t = eval_move(k, u, b, best.d);
					if (key_less(t, best))
						best = t, to = b;
				}
			} else {
				int bestroom = INT_MAX, bestload = INT_MAX;
				for (int b = 0; b < k->nb; b++) {
					int load = k->bins[b].load - (b == 0 ? u->size : 0);
					int room = k->mx - load - u->size;
					if (room >= 0 ? room < bestroom : bestroom == INT_MAX && load < bestload) {
						if (room >= 0)
							bestroom = room;
						bestload = load;
						to = b;
					}
				}
				if (to == 0)
					to = -1;
			}
			if (to >= 0)
				move_unit(k, u, to);
		}
		improve(k);
		if (start == 0) {
			kept = key_now(k);
			for (int i = 0; i < k->nu; i++)
				keep[i] = k->units[i].bin;
			keep[k->nu] = k->nb;
		} else if (!key_less(key_now(k), kept) && (key_less(kept, key_now(k)) || k->nb != keep[k->nu])) {
			/* The greedy start was better (or as good): rebuild it. */
			pack_reset(k, ti, keep[k->nu]);
			for (int i = 0; i < k->nu; i++) {
				k->units[i].bin = keep[i];
				unit_add(k, keep[i], &k->units[i], +1);
			}
		}
	}
}

/* ---- singles: min-cost flow ------------------------------------------------------------ */

typedef struct flow {
	int np, nb;
	int mn, mx;
	int64_t K, BIG;
	const int *sp;             /* np: singles per profession */
	const bin *bins;
	int *fsp, *fpb, *fbt;      /* flows: s->p, p->b (np x nb), b->t */
} flow;

/* The cost of the k-th single of profession p in bin b (k >= 1). */
static int64_t marg_pb(const flow *f, int p, int b, int k)
{
	return f->K * (2 * (int64_t)(f->bins[b].pin[p] + k) - 1);
}

/* The cost of bin b's k-th single (k >= 1): size distance, then evenness. */
static int64_t marg_bt(const flow *f, int b, int k)
{
	int64_t n = (int64_t)f->bins[b].load + k;
	int64_t step = n <= f->mn ? -f->BIG : n <= f->mx ? 0 : f->BIG;
	return step + 2 * n - 1;
}

/* A binary heap of (distance, node), least first, ties to the lower node
 * (so the paths chosen, and the plan, do not depend on anything else). */
typedef struct heap_item {
	int64_t d;
	int v;
} heap_item;

static bool heap_before(heap_item x, heap_item y)
{
	return x.d < y.d || (x.d == y.d && x.v < y.v);
}

static void heap_push(heap_item *h, int *n, heap_item x)
{
	int i = (*n)++;
	while (i > 0 && heap_before(x, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static heap_item heap_pop(heap_item *h, int *n)
{
	heap_item top = h[0], x = h[--*n];
	int i = 0;
	for (;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && heap_before(h[c + 1], h[c]))
			c++;
		if (!heap_before(h[c], x))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = x;
	return top;
}

/* Route every single, one at a time, along a shortest path (Dijkstra with
 * potentials, stopping at t: s = 0, professions 1..np, bins, t). Forward
 * residual costs are the next unit's marginal cost, backward ones minus the
 * last unit's; the marginals never decrease, so this is the usual unit
 * expansion of convex arcs and the potentials stay valid. */
static void flow_run(arena *a, flow *f, int total)
{
	int np = f->np, nb = f->nb, V = np + nb + 2, s = 0, t = V - 1;
	const int64_t INF = INT64_MAX / 4;
	int64_t *pot = arena_calloc(a, (size_t)V, sizeof *pot);
	int64_t *dist = arena_calloc(a, (size_t)V, sizeof *dist);
	int *prev = arena_calloc(a, (size_t)V, sizeof *prev);
	bool *done = arena_calloc(a, (size_t)V, sizeof *done);
	/* Each relaxation pushes at most once: every arc, plus the start. */
	int hcap = 2 * np * nb + np + nb + 2, hn;
	heap_item *h = arena_calloc(a, (size_t)hcap, sizeof *h);
	/* Potentials for the empty flow: the graph is layered, so shortest
	 * distances are one pass. */
	int64_t tmin = INF;
	for (int b = 0; b < nb; b++) {
		int64_t m = INF;
		for (int p = 0; p < np; p++)
			if (marg_pb(f, p, b, 1) < m)
				m = marg_pb(f, p, b, 1);
		pot[1 + np + b] = m;
		if (m + marg_bt(f, b, 1) < tmin)
			tmin = m + marg_bt(f, b, 1);
	}
	pot[t] = tmin;
	for (int unitn = 0; unitn < total; unitn++) {
		for (int v = 0; v < V; v++)
			dist[v] = INF, prev[v] = -1, done[v] = false;
		dist[s] = 0;
		hn = 0;
		heap_push(h, &hn, (heap_item){0, s});
		while (hn) {
			heap_item top = heap_pop(h, &hn);
			int u = top.v;
			if (done[u] || top.d > dist[u])
				continue;
			done[u] = true;
			if (u == t)
				break;
#define RELAX(w, cost)                                                                  \
	do {                                                                            \
		int w_ = (w);                                                           \
		int64_t nd_ = dist[u] + (cost) + pot[u] - pot[w_];                      \
		if (!done[w_] && nd_ < dist[w_]) {                                      \
			dist[w_] = nd_, prev[w_] = u;                                   \
			heap_push(h, &hn, (heap_item){nd_, w_});                        \
		}                                                                       \
	} while (0)
			if (u == s) {
				for (int p = 0; p < np; p++)
					if (f->fsp[p] < f->sp[p])
						RELAX(1 + p, 0);
			} else if (u <= np) {
				int p = u - 1;
				for (int b = 0; b < nb; b++)
					RELAX(1 + np + b, marg_pb(f, p, b, f->fpb[p * nb + b] + 1));
			} else {
				int b = u - 1 - np;
				for (int p = 0; p < np; p++)
					if (f->fpb[p * nb + b] > 0)
						RELAX(1 + p, -marg_pb(f, p, b, f->fpb[p * nb + b]));
				RELAX(t, marg_bt(f, b, f->fbt[b] + 1));
			}
#undef RELAX
		}
		if (!done[t])
			fatal("place: a single found no group");
		for (int v = 0; v < V; v++)
			if (done[v])
				pot[v] -= dist[t] - dist[v];
		/* Push one unit back along prev. */
		for (int v = t; v != s; v = prev[v]) {
			int u = prev[v];
			if (v == t)
				f->fbt[u - 1 - np]++;
			else if (u == s)
				f->fsp[v - 1]++;
			else if (u <= np)
				f->fpb[(u - 1) * nb + (v - 1 - np)]++;
			else
				f->fpb[(v - 1) * nb + (u - 1 - np)]--;
		}
	}
}

/* ---- one track -------------------------------------------------------------------------- */

/* How good a packing with its singles is: the real size distance, then the
 * professions' spreads beyond one, summed. */
typedef struct outcome {
	int64_t d, v;
} outcome;

/* Pack for nbins, then route the singles; *f holds the flow. */
/* Route the singles into the packing as it stands; *f gets fresh arrays. */
static outcome route(ctx *c, pack *k, flow *f)
{
	arena *a = c->a;
	int np = c->np;
	f->nb = k->nb;
	f->bins = k->bins;
	f->fsp = arena_calloc(a, (size_t)np + 1, sizeof *f->fsp);
	f->fpb = arena_calloc(a, (size_t)np * (size_t)k->nb + 1, sizeof *f->fpb);
	f->fbt = arena_calloc(a, (size_t)k->nb + 1, sizeof *f->fbt);
	if (k->S > 0)
		flow_run(a, f, k->S);
	outcome o = {0, 0};
	for (int b = 0; b < k->nb; b++) {
		int n = k->bins[b].load + f->fbt[b];
		o.d += n == 0 ? 0 : n < c->mn ? c->mn - n : n > c->mx ? n - c->mx : 0;
	}
	for (int p = 0; p < np; p++) {
		int hi = -1, lo = INT_MAX;
		for (int b = 0; b < k->nb; b++) {
			if (k->bins[b].load + f->fbt[b] == 0)
				continue;
			int v = k->bins[b].pin[p] + f->fpb[p * k->nb + b];
			hi = v > hi ? v : hi;
			lo = v < lo ? v : lo;
		}
		if (hi >= 0 && hi - lo > 1)
			o.v += hi - lo - 1;
	}
	return o;
}

/* Pack for nbins, then route the singles; *f holds the flow. */
static outcome solve(ctx *c, pack *k, const track_in *ti, int nbins, flow *f)
{
	pack_with(k, ti, nbins);
	return route(c, k, f);
}

static bool outcome_less(outcome x, outcome y)
{
	return x.d < y.d || (x.d == y.d && x.v < y.v);
}

/* Professions still out of balance: try each move and swap of teams that
 * keeps the promised size distance, judged by routing the singles again,
 * while one gains. Only where routing is cheap (small tracks, which have
 * few singles to even things out): WORK bounds the steps of all routings. */
static outcome refine(ctx *c, pack *k, flow *f, outcome cur)
{
	enum { WORK = 4000000 };
	int64_t per = (int64_t)(k->S + 1) * (c->np + 1) * (k->nb + 1);
	int64_t trials = (int64_t)k->nu * (k->nb + k->nu);
	if (cur.v == 0 || per * trials > WORK)
		return cur;
	int64_t d = key_now(k).d;
	for (int pass = 0; pass < 3 && cur.v > 0; pass++) {
		bool gained = false;
		for (int i = 0; i < k->nu; i++) {
			for (int j = 0; j < k->nu + k->nb; j++) {
				unit *u = &k->units[i], *w = j < k->nu ? &k->units[j] : NULL;
				int a = u->bin, b = w ? w->bin : j - k->nu;
				if (a == b || (w && j <= i))
					continue;
				unit_add(k, a, u, -1);
				unit_add(k, b, u, +1);
				if (w) {
					unit_add(k, b, w, -1);
					unit_add(k, a, w, +1);
				}
				flow trial = *f;
				outcome o = {INT64_MAX, 0};
				if (key_now(k).d <= d)
					o = route(c, k, &trial);
				if (outcome_less(o, cur)) {
					cur = o;
					*f = trial;
					u->bin = b;
					if (w)
						w->bin = a;
					gained = true;
				} else {
					if (w) {
						unit_add(k, a, w, -1);
						unit_add(k, b, w, +1);
					}
					unit_add(k, b, u, -1);
					unit_add(k, a, u, +1);
				}
			}
		}
		if (!gained)
			break;
	}
	return cur;
}

/* What one track brings, gathered from the context. */
typedef struct track_work {
	track_in ti;
	unit *units;
	int nu, S;
	int *total;                /* np: the track's people per profession */
	int64_t ntotal;            /* the track's people, staying ones included */
} track_work;

/* Gather track t: fixed content per input group (staying members,
 * returning members by rule 2, and the rest of the teams they tie by rule
 * 3, which gof records), the free teams as units, the singles. Returns
 * false when nobody of the track is left to place. */
static bool track_gather(ctx *c, place_track t, int *gof, track_work *w)
{
	arena *a = c->a;
	int np = c->np;
	memset(w, 0, sizeof *w);
	int *fload = arena_calloc(a, (size_t)c->ng + 1, sizeof *fload);
	int *fpin = arena_calloc(a, (size_t)c->ng * (size_t)np + 1, sizeof *fpin);
	for (int g = 0; g < c->ng; g++) {
		if (c->in->groups[g].track != t)
			continue;
		fload[g] = c->in->groups[g].kept;
		for (int p = 0; p < np; p++)
			fpin[(size_t)g * np + p] = c->gkeptprof[(size_t)g * np + p];
	}
	for (int k = 0; k < c->nl; k++) {
		int i = c->lorder[k];
		if (c->in->learners[i].track != t || !c->lret[i])
			continue;
		gof[i] = c->lprev[i];
		fload[gof[i]]++;
		fpin[(size_t)gof[i] * np + c->lprof[i]]++;
	}
	w->units = arena_calloc(a, (size_t)c->nparts + 1, sizeof *w->units);
	for (int q = 0; q < c->nparts; q++) {
		part *pt = &c->parts[q];
		if (pt->track != t)
			continue;
		/* The group most of its returning members come back to. */
		int best = -1, bestn = 0;
		for (int m = 0; m < pt->n; m++) {
			int i = pt->members[m];
			if (!c->lret[i])
				continue;
			int n = 0;
			for (int m2 = 0; m2 < pt->n; m2++)
				n += c->lret[pt->members[m2]] && c->lprev[pt->members[m2]] == c->lprev[i];
			int g = c->lprev[i];
			if (n > bestn || (n == bestn && c->in->groups[g].id < c->in->groups[best].id))
				best = g, bestn = n;
		}
		if (best >= 0) {
			for (int m = 0; m < pt->n; m++) {
				int i = pt->members[m];
				if (c->lret[i])
					continue;
				gof[i] = best;
				fload[best]++;
				fpin[(size_t)best * np + c->lprof[i]]++;
			}
			continue;
		}
		if (pt->n < 2)
			continue;
		unit *u = &w->units[w->nu++];
		u->part = q;
		u->size = pt->n;
		u->kprof = arena_calloc(a, (size_t)pt->n, sizeof *u->kprof);
		u->kcount = arena_calloc(a, (size_t)pt->n, sizeof *u->kcount);
		for (int m = 0; m < pt->n; m++) {
			int p = c->lprof[pt->members[m]], i;
			for (i = 0; i < u->nk && u->kprof[i] != p; i++)
				;
			if (i == u->nk) {
				u->kprof[u->nk] = p;
				u->kcount[u->nk++] = 0;
			}
			u->kcount[i]++;
		}
	}
	/* Largest teams first, then by team id (parts are in team order). */
	for (int i = 1; i < w->nu; i++)
		for (int j = i; j > 0 && w->units[j].size > w->units[j - 1].size; j--) {
			unit tmp = w->units[j];
			w->units[j] = w->units[j - 1];
			w->units[j - 1] = tmp;
		}
	int *sp = arena_calloc(a, (size_t)np + 1, sizeof *sp);
	w->total = arena_calloc(a, (size_t)np + 1, sizeof *w->total);
	for (int i = 0; i < c->nl; i++) {
		if (c->in->learners[i].track != t)
			continue;
		w->total[c->lprof[i]]++;
		if (gof[i] != -1 || (c->lpart[i] >= 0 && c->parts[c->lpart[i]].n >= 2))
			continue;
		sp[c->lprof[i]]++;
		w->S++;
	}
	/* Groups with fixed content, and the track's other groups, by id. */
	int *forced = arena_calloc(a, (size_t)c->ng + 1, sizeof *forced);
	int *empty = arena_calloc(a, (size_t)c->ng + 1, sizeof *empty);
	int *fl = arena_calloc(a, (size_t)c->ng + 1, sizeof *fl);
	int *fp = arena_calloc(a, (size_t)c->ng * (size_t)np + 1, sizeof *fp);
	int nforced = 0, nempty = 0;
	w->ntotal = w->S;
	for (int k = 0; k < c->ng; k++) {
		int g = c->gorder[k];
		if (c->in->groups[g].track != t)
			continue;
		for (int p = 0; p < np; p++)
			w->total[p] += c->gkeptprof[(size_t)g * np + p];
		if (fload[g] > 0) {
			memcpy(fp + (size_t)nforced * np, fpin + (size_t)g * np, (size_t)np * sizeof *fp);
			fl[nforced] = fload[g];
			forced[nforced++] = g;
			w->ntotal += fload[g];
		} else {
			empty[nempty++] = g;
		}
	}
	for (int i = 0; i < w->nu; i++)
		w->ntotal += w->units[i].size;
	w->ti = (track_in){nforced, nempty, forced, fl, fp, empty, sp};
	return w->nu > 0 || w->S > 0;
}

/* Choose the number of groups B and leave its packing in *k and its flow
 * in *f, in two steps. First by the size distance the packing promises
 * (no flow needed), from b0, where the sizes could fit (a team larger than
 * max_size needs a group of its own): a search in each direction that
 * doubles its step while it gains and gives up after IDLE tries without
 * gain, down first (ties go to fewer groups), bounded by what the distance
 * cannot go below: overflow of the fixed content and of teams larger than
 * max_size, plus what B groups cannot hold; and B*min - N upward. Then by
 * balance: the flow places the singles for that B and, while professions
 * are out of balance, for up to IDLE more groups that promise the same
 * distance; the least real distance, then imbalance, then fewer groups
 * win. PACKS bounds the time. */
static void track_choose(ctx *c, const track_work *w, pack *k, flow *f)
{
	enum { IDLE = 4, PACKS = 64 };
	const track_in *ti = &w->ti;
	int nforced = ti->nforced;
	int64_t fixed_ov = 0, fixed_cap = 0, big = 0;
	for (int b = 0; b < nforced; b++) {
		fixed_ov += ti->fload[b] > c->mx ? ti->fload[b] - c->mx : 0;
		fixed_cap += ti->fload[b] > c->mx ? ti->fload[b] : c->mx;
	}
	for (int i = 0; i < w->nu; i++)
		if (w->units[i].size > c->mx) {
			fixed_ov += w->units[i].size - c->mx;
			fixed_cap += w->units[i].size;
			big++;
		}
	int blo = nforced > 0 ? nforced : 1, bhi = nforced + w->nu + w->S, packs = 0;
	int64_t spill = w->ntotal - fixed_cap;
	int64_t b0 = nforced + big + (spill > 0 ? (spill + c->mx - 1) / c->mx : 0);
	b0 = b0 < blo ? blo : b0 > bhi ? bhi : b0;
	pack_with(k, ti, (int)b0);
	packs++;
	int64_t bestd = key_now(k).d;
	int bestb = (int)b0;
	for (int dir = -1; dir <= 1; dir += 2) {
		int64_t off = 1, fails = 0;
		bool gallop = false;
		while (fails < IDLE && packs < PACKS) {
			int64_t b = bestb + dir * off;
			if (b < blo || b > bhi)
				break;
			int64_t over = spill - (b - nforced - big) * c->mx;
			int64_t lb = dir < 0 ? fixed_ov + (over > 0 ? over : 0) : b * c->mn - w->ntotal;
			if (lb > bestd || (dir > 0 && lb == bestd))
				break;
			pack_with(k, ti, (int)b);
			packs++;
			int64_t d = key_now(k).d;
			if (d < bestd || (dir < 0 && d == bestd)) {
				bestd = d, bestb = (int)b;
				off = gallop ? off * 2 : 2;
				gallop = true;
				fails = 0;
			} else if (gallop) {
				gallop = false;
				off = 1;
			} else {
				fails++;
				off = fails + 1;
			}
		}
	}
	outcome best = solve(c, k, ti, bestb, f);
	int chosen = bestb;
	for (int64_t b = bestb + 1; b <= bhi && b <= bestb + IDLE && best.v > 0; b++) {
		pack_with(k, ti, (int)b);
		if (key_now(k).d != bestd)
			break;
		outcome o = solve(c, k, ti, (int)b, f);
		if (outcome_less(o, best))
			best = o, chosen = (int)b;
	}
	refine(c, k, f, solve(c, k, ti, chosen, f));
}

/* Place the learners of track t: gof[i] gets an input group index or, for
 * the k-th new group of the whole plan, -(2 + k); *n_new counts new groups
 * over both tracks. */
static void place_track_learners(ctx *c, place_track t, int *gof, int *n_new)
{
	arena *a = c->a;
	int np = c->np;
	track_work w;
	if (!track_gather(c, t, gof, &w))
		return;
	const track_in *ti = &w.ti;
	pack k = {.mn = c->mn, .mx = c->mx, .np = np, .S = w.S, .total = w.total, .nu = w.nu,
	          .units = w.units};
	k.cap = ti->nforced + ti->nempty + w.nu + w.S + 2;
	k.bins = arena_calloc(a, (size_t)k.cap, sizeof *k.bins);
	k.pinbuf = arena_calloc(a, (size_t)k.cap * (size_t)np + 1, sizeof *k.pinbuf);
	k.share = arena_calloc(a, (size_t)np + 1, sizeof *k.share);
	k.scratch = arena_calloc(a, (size_t)w.nu + 1, sizeof *k.scratch);
	k.delta = arena_calloc(a, (size_t)np + 1, sizeof *k.delta);
	/* The flow's weights keep its three terms apart (see the top). */
	flow f = {.np = np, .mn = c->mn, .mx = c->mx, .sp = ti->sp};
	int64_t people = w.ntotal + 1;
	f.K = people * people + 1;
	f.BIG = f.K * (people * people * 2 + 1);
	track_choose(c, &w, &k, &f);

	/* Bins to groups: an existing bin is its group; a used new bin is a
	 * new group. */
	int *bgroup = arena_calloc(a, (size_t)k.nb + 1, sizeof *bgroup);
	for (int b = 0; b < k.nb; b++) {
		bgroup[b] = k.bins[b].group;
		if (bgroup[b] < 0 && k.bins[b].load + f.fbt[b] > 0)
			bgroup[b] = -(2 + (*n_new)++);
	}
	for (int i = 0; i < w.nu; i++) {
		part *pt = &c->parts[w.units[i].part];
		for (int m = 0; m < pt->n; m++)
			gof[pt->members[m]] = bgroup[w.units[i].bin];
	}
	/* Singles of each profession, by id, fill the bins in bin order. */
	int *left = f.fpb;
	for (int kk = 0; kk < c->nl; kk++) {
		int i = c->lorder[kk];
		if (c->in->learners[i].track != t || gof[i] != -1)
			continue;
		int p = c->lprof[i], b = 0;
		while (b < k.nb && !left[p * k.nb + b])
			b++;
		if (b == k.nb)
			fatal("place: a single left over");
		left[p * k.nb + b]--;
		gof[i] = bgroup[b];
	}
}

/* ---- propose ---------------------------------------------------------------------------- */

bool place_propose(arena *a, const place_input *in, place_plan *out, const char **err)
{
	memset(out, 0, sizeof *out);
	ctx c;
	if (!setup(&c, a, in, err))
		return false;
	int *gof = arena_calloc(a, (size_t)c.nl + 1, sizeof *gof);
	for (int i = 0; i < c.nl; i++)
		gof[i] = -1;
	int n_new = 0;
	place_track_learners(&c, PLACE_ADULT, gof, &n_new);
	int n_adult = n_new;
	place_track_learners(&c, PLACE_PEDIATRIC, gof, &n_new);

	out->n_groups = (size_t)c.ng + (size_t)n_new;
	out->groups = arena_calloc(a, out->n_groups + 1, sizeof *out->groups);
	for (int g = 0; g < c.ng; g++)
		out->groups[g] = (place_slot){.id = in->groups[g].id, .track = in->groups[g].track,
		                              .kept = in->groups[g].kept, .size = in->groups[g].kept};
	for (int k = 0; k < n_new; k++)
		out->groups[c.ng + k] = (place_slot){.track = k < n_adult ? PLACE_ADULT : PLACE_PEDIATRIC,
		                                     .new_number = k + 1};
	out->group_of = arena_calloc(a, (size_t)c.nl + 1, sizeof *out->group_of);
	for (int i = 0; i < c.nl; i++) {
		int v = gof[i] >= 0 ? gof[i] : c.ng + (-gof[i] - 2);
		out->group_of[i] = v;
		out->groups[v].size++;
	}
	place_issue *issues;
	size_t n;
	if (!place_check(a, in, out, &issues, &n, err))
		fatal("place: the proposal failed its own check: %s", *err);
	for (size_t k = 0; k < n; k++)
		attribute(&c, out, &issues[k]);
	out->issues = issues;
	out->n_issues = n;
	return true;
}

/* Name the higher rule behind a break of rule 4 or 5 in a proposal (rules 2
 * and 3 are named by place_check from the facts). */
static void attribute(ctx *c, const place_plan *plan, place_issue *is)
{
	if (is->rule == PLACE_RULE_TRACK)
		fatal("place: the proposal mixes tracks");
	if (is->rule == PLACE_RULE_RETURNING || is->rule == PLACE_RULE_TEAM) {
		if (is->yielded_to == PLACE_RULE_NONE)
			fatal("place: the proposal breaks rule %d unforced", is->rule);
		return;
	}
	int g = is->group;
	int prof = is->rule == PLACE_RULE_PROFESSION ? prof_index(c, is->profession) : -1;
	/* Who fixed this group: returning members and those who stay; and the
	 * team with the most learners here (of the profession, for rule 5). */
	int stay = g < c->ng ? c->in->groups[g].kept : 0, stay_prof = 0;
	if (g < c->ng && prof >= 0)
		stay_prof = c->gkeptprof[(size_t)g * c->np + prof];
	int64_t ret_learner = 0, ret_prof_learner = 0;
	for (int k = 0; k < c->nl; k++) {
		int i = c->lorder[k];
		if (plan->group_of[i] != g || !c->lret[i] || c->lprev[i] != g)
			continue;
		stay++;
		if (!ret_learner)
			ret_learner = c->in->learners[i].id;
		if (c->lprof[i] == prof) {
			stay_prof++;
			if (!ret_prof_learner)
				ret_prof_learner = c->in->learners[i].id;
		}
	}
	int bestq = -1, bestn = 0;
	bool any_team_in_track = false;
	for (int q = 0; q < c->nparts; q++) {
		const part *pt = &c->parts[q];
		if (pt->n < 2 || pt->track != is->track)
			continue;
		any_team_in_track = true;
		int n = 0;
		for (int m = 0; m < pt->n; m++)
			n += plan->group_of[pt->members[m]] == g &&
			     (prof < 0 || c->lprof[pt->members[m]] == prof);
		if (n > bestn && (n >= 2 || prof >= 0))
			bestq = q, bestn = n;
	}
	if (is->rule == PLACE_RULE_SIZE) {
		if (is->size > c->mx) {
			if (stay > c->mx) {
				is->yielded_to = PLACE_RULE_RETURNING;
				is->learner_id = ret_learner;
			} else if (bestq >= 0) {
				is->yielded_to = PLACE_RULE_TEAM;
				is->team_id = c->parts[bestq].team_id;
				is->learner_id = c->in->learners[c->parts[bestq].members[0]].id;
			} else {
				is->yielded_to = PLACE_RULE_TRACK;
			}
			return;
		}
		long track_total = 0;
		for (size_t k = 0; k < plan->n_groups; k++)
			if (plan->groups[k].track == is->track)
				track_total += plan->groups[k].size;
		if (track_total < c->mn) {
			is->yielded_to = PLACE_RULE_TRACK;
		} else if (stay > 0) {
			is->yielded_to = PLACE_RULE_RETURNING;
			is->learner_id = ret_learner;
		} else if (any_team_in_track) {
			is->yielded_to = PLACE_RULE_TEAM;
			if (bestq >= 0) {
				is->team_id = c->parts[bestq].team_id;
				is->learner_id = c->in->learners[c->parts[bestq].members[0]].id;
			}
		} else {
			is->yielded_to = PLACE_RULE_TRACK;
		}
		return;
	}
	/* PROFESSION: the team with most of the profession in the fullest group,
	 * else its returning or staying members, else the groups' sizes. */
	if (bestq >= 0 && bestn > 0) {
		is->yielded_to = PLACE_RULE_TEAM;
		is->team_id = c->parts[bestq].team_id;
		for (int m = 0; m < c->parts[bestq].n; m++) {
			int i = c->parts[bestq].members[m];
			if (plan->group_of[i] == g && c->lprof[i] == prof) {
				is->learner_id = c->in->learners[i].id;
				break;
			}
		}
	} else if (stay_prof > 0) {
		is->yielded_to = PLACE_RULE_RETURNING;
		is->learner_id = ret_prof_learner;
	} else {
		is->yielded_to = PLACE_RULE_SIZE;
	}
}

/* ---- check ------------------------------------------------------------------------------ */

typedef struct issue_list {
	place_issue *v;
	size_t n, cap;
} issue_list;

static void push(arena *a, issue_list *l, place_issue is)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		l->v = arena_realloc(a, l->v, l->cap * sizeof *l->v, nc * sizeof *l->v);
		l->cap = nc;
	}
	l->v[l->n++] = is;
}

bool place_check(arena *a, const place_input *in, const place_plan *plan,
                 place_issue **issues, size_t *n_issues, const char **err)
{
	*issues = NULL;
	*n_issues = 0;
	ctx c;
	if (!setup(&c, a, in, err))
		return false;
	size_t ngp = plan->n_groups;
	if (ngp < (size_t)c.ng || (ngp && !plan->groups) || (c.nl && !plan->group_of) ||
	    ngp > (size_t)c.ng + (size_t)c.nl) {
		*err = "The plan does not list the series' groups.";
		return false;
	}
	for (size_t g = 0; g < ngp; g++) {
		const place_slot *s = &plan->groups[g];
		bool bad = g < (size_t)c.ng ? s->id != in->groups[g].id || s->track != in->groups[g].track
		                            : s->id != 0 || (s->track != PLACE_ADULT && s->track != PLACE_PEDIATRIC);
		if (bad) {
			*err = arena_sprintf(a, "The plan's group %zu does not match the series' groups.", g + 1);
			return false;
		}
	}
	int *size = arena_calloc(a, ngp + 1, sizeof *size);
	for (int g = 0; g < c.ng; g++)
		size[g] = in->groups[g].kept;
	for (int i = 0; i < c.nl; i++) {
		int g = plan->group_of[i];
		if (g < 0 || (size_t)g >= ngp) {
			*err = arena_sprintf(a, "Learner %lld has no group in the plan.",
			                     (long long)in->learners[i].id);
			return false;
		}
		size[g]++;
	}
	issue_list l = {0};
	/* 1 and 2, by learner id. */
	for (int k = 0; k < c.nl; k++) {
		int i = c.lorder[k], g = plan->group_of[i];
		const place_learner *lr = &in->learners[i];
		if (plan->groups[g].track != lr->track)
			push(a, &l, (place_issue){.rule = PLACE_RULE_TRACK, .track = lr->track, .group = g,
			                          .other_group = -1, .learner_id = lr->id});
	}
	for (int k = 0; k < c.nl; k++) {
		int i = c.lorder[k], g = plan->group_of[i];
		const place_learner *lr = &in->learners[i];
		if (c.lprev[i] >= 0 && g != c.lprev[i])
			push(a, &l, (place_issue){.rule = PLACE_RULE_RETURNING,
			                          .yielded_to = c.lret[i] ? PLACE_RULE_NONE : PLACE_RULE_TRACK,
			                          .track = lr->track, .group = g, .other_group = c.lprev[i],
			                          .learner_id = lr->id});
	}
	/* 3, by team and track. */
	for (int q = 0; q < c.nparts; q++) {
		const part *pt = &c.parts[q];
		int g0 = plan->group_of[pt->members[0]], g1 = -1;
		for (int m = 1; m < pt->n && g1 < 0; m++)
			if (plan->group_of[pt->members[m]] != g0)
				g1 = plan->group_of[pt->members[m]];
		if (g1 < 0)
			continue;
		/* Forced when its returning members come back to two or more
		 * groups, each is in theirs, and the rest are together in one of
		 * those groups. */
		int nret_groups = 0, rest = -2;
		bool ok = true;
		for (int m = 0; m < pt->n; m++) {
			int i = pt->members[m], g = plan->group_of[i];
			if (c.lret[i]) {
				ok &= g == c.lprev[i];
				bool seen = false;
				for (int m2 = 0; m2 < m; m2++)
					seen |= c.lret[pt->members[m2]] && c.lprev[pt->members[m2]] == c.lprev[i];
				nret_groups += !seen;
			} else {
				ok &= rest == -2 || rest == g;
				rest = g;
			}
		}
		if (ok && rest >= 0) {
			bool in_r = false;
			for (int m = 0; m < pt->n; m++)
				in_r |= c.lret[pt->members[m]] && c.lprev[pt->members[m]] == rest;
			ok = in_r;
		}
		push(a, &l, (place_issue){.rule = PLACE_RULE_TEAM,
		                          .yielded_to = ok && nret_groups >= 2 ? PLACE_RULE_RETURNING
		                                                               : PLACE_RULE_NONE,
		                          .track = pt->track, .group = g0, .other_group = g1,
		                          .team_id = pt->team_id});
	}
	/* 4, by group. */
	for (size_t g = 0; g < ngp; g++)
		if (size[g] > 0 && (size[g] < c.mn || size[g] > c.mx))
			push(a, &l, (place_issue){.rule = PLACE_RULE_SIZE, .track = plan->groups[g].track,
			                          .group = (int)g, .other_group = -1, .size = size[g]});
	/* 5, by track and profession, over the track's groups with members. */
	if (c.np) {
		int *cnt = arena_calloc(a, ngp * (size_t)c.np + 1, sizeof *cnt);
		for (int g = 0; g < c.ng; g++)
			for (int p = 0; p < c.np; p++)
				cnt[(size_t)g * c.np + p] = c.gkeptprof[(size_t)g * c.np + p];
		for (int i = 0; i < c.nl; i++)
			cnt[(size_t)plan->group_of[i] * c.np + c.lprof[i]]++;
		for (int t = PLACE_ADULT; t <= PLACE_PEDIATRIC; t++) {
			for (int p = 0; p < c.np; p++) {
				int hi = -1, lo = -1;
				for (size_t g = 0; g < ngp; g++) {
					if (plan->groups[g].track != (place_track)t || size[g] == 0)
						continue;
					int v = cnt[g * c.np + p];
					if (hi < 0 || v > cnt[(size_t)hi * c.np + p])
						hi = (int)g;
					if (lo < 0 || v < cnt[(size_t)lo * c.np + p])
						lo = (int)g;
				}
				if (hi < 0)
					continue;
				int spread = cnt[(size_t)hi * c.np + p] - cnt[(size_t)lo * c.np + p];
				if (spread > 1)
					push(a, &l, (place_issue){.rule = PLACE_RULE_PROFESSION, .track = (place_track)t,
					                          .group = hi, .other_group = lo,
					                          .profession = c.profs[p], .size = spread});
			}
		}
	}
	*issues = l.v;
	*n_issues = l.n;
	return true;
}

/* ---- words ------------------------------------------------------------------------------ */

const char *place_rule_name(place_rule r)
{
	switch (r) {
	case PLACE_RULE_TRACK: return "track";
	case PLACE_RULE_RETURNING: return "returning";
	case PLACE_RULE_TEAM: return "team";
	case PLACE_RULE_SIZE: return "size";
	case PLACE_RULE_PROFESSION: return "profession";
	case PLACE_RULE_NONE: break;
	}
	return "none";
}

/* The plain names, and the namer's where it gives one. */
static const char *name_learner(arena *a, const place_namer *nm, int64_t id)
{
	const char *s = nm && nm->learner ? nm->learner(nm->ctx, id) : NULL;
	return s ? s : arena_sprintf(a, "learner %lld", (long long)id);
}

static const char *name_team(arena *a, const place_namer *nm, int64_t id)
{
	const char *s = nm && nm->team ? nm->team(nm->ctx, id) : NULL;
	return s ? s : arena_sprintf(a, "team %lld", (long long)id);
}

static const char *name_group(arena *a, const place_namer *nm, const place_plan *plan, int g)
{
	if (g < 0 || (size_t)g >= plan->n_groups)
		return "no group";
	const place_slot *s = &plan->groups[g];
	const char *n = nm && nm->group ? nm->group(nm->ctx, s) : NULL;
	if (n)
		return n;
	if (s->id)
		return arena_sprintf(a, "group %lld", (long long)s->id);
	return arena_sprintf(a, "new group %d", s->new_number);
}

static const char *name_profession(const place_namer *nm, const char *p)
{
	const char *s = nm && nm->profession ? nm->profession(nm->ctx, p) : NULL;
	return s ? s : p;
}

/* s with its first letter capitalised, for the start of a sentence. */
static const char *initial(arena *a, const char *s)
{
	if (s[0] < 'a' || s[0] > 'z')
		return s;
	char *c = arena_strdup(a, s);
	c[0] = (char)(c[0] - 'a' + 'A');
	return c;
}

const char *place_issue_text(arena *a, const place_input *in, const place_plan *plan,
                             const place_issue *is)
{
	return place_issue_words(a, in, plan, is, NULL);
}

const char *place_issue_words(arena *a, const place_input *in, const place_plan *plan,
                              const place_issue *is, const place_namer *nm)
{
	const char *track = is->track == PLACE_ADULT ? "adult" : "pediatric";
	const char *g = name_group(a, nm, plan, is->group), *h = name_group(a, nm, plan, is->other_group);
	const char *why = "";
	switch (is->yielded_to) {
	case PLACE_RULE_TRACK:
		why = is->rule == PLACE_RULE_RETURNING ? " (tracks are never mixed)"
		                                       : arena_sprintf(a, ": the %s track's learners cannot all be "
		                                                          "in groups of %d to %d", track,
		                                                       in->min_size, in->max_size);
		break;
	case PLACE_RULE_RETURNING:
		why = is->learner_id ? arena_sprintf(a, ": returning members (such as %s) keep their group",
		                                     name_learner(a, nm, is->learner_id))
		                     : ": its members stay";
		break;
	case PLACE_RULE_TEAM:
		why = is->team_id ? arena_sprintf(a, ": %s is kept together", name_team(a, nm, is->team_id))
		                  : ": the track's teams are kept together";
		break;
	case PLACE_RULE_SIZE:
		why = arena_sprintf(a, ": group sizes stay within %d to %d", in->min_size, in->max_size);
		break;
	case PLACE_RULE_PROFESSION:
	case PLACE_RULE_NONE:
		break;
	}
	switch (is->rule) {
	case PLACE_RULE_TRACK:
		return arena_sprintf(a, "%s (%s track) is in %s, a group of the other track.",
		                     initial(a, name_learner(a, nm, is->learner_id)), track, g);
	case PLACE_RULE_RETURNING:
		return arena_sprintf(a, "%s leaves %s for %s%s.",
		                     initial(a, name_learner(a, nm, is->learner_id)), h, g, why);
	case PLACE_RULE_TEAM:
		return arena_sprintf(a, "%s (%s track) is split between %s and %s%s.",
		                     initial(a, name_team(a, nm, is->team_id)), track, g, h, why);
	case PLACE_RULE_SIZE:
		return arena_sprintf(a, "%s has %d members, %s %d%s.", initial(a, g), is->size,
		                     is->size > in->max_size ? "more than the most," : "fewer than the least,",
		                     is->size > in->max_size ? in->max_size : in->min_size, why);
	case PLACE_RULE_PROFESSION:
		return arena_sprintf(a, "Professions are unbalanced in the %s track: %s has %d more %s than %s%s.",
		                     track, g, is->size, name_profession(nm, is->profession), h, why);
	case PLACE_RULE_NONE:
		break;
	}
	return "";
}
