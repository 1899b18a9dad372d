/*
 * place.h - proposing small groups for an offering's learners (issue 10 item 5).
 *
 * Small groups belong to a series and persist across its courses. For one
 * offering, placement takes the learners still to be placed and the series'
 * existing groups, and proposes a group for every learner: an existing group
 * or a new one. It is pure computation: no database, no HTTP, no globals;
 * the caller loads the input and stores what a director commits.
 *
 * The rules, highest first; each gives way only to the ones before it:
 *
 *   1 TRACK       adult and pediatric learners are never in one group.
 *   2 RETURNING   a learner who was in a group of the series keeps it.
 *   3 TEAM        a team's learners are in one group (one per track when
 *                 the team spans both tracks).
 *   4 SIZE        a group has between min_size and max_size members.
 *   5 PROFESSION  within a track, each profession's count per group differs
 *                 by at most one across the track's groups.
 *
 * When a rule gives way, the proposal carries a place_issue naming the rule,
 * the higher rule it gave way to, and whom it affected (a learner, a team, a
 * group, a profession), so a director's preview can say why.
 *
 * What "forced" means. Rules 1-3 are exact: they break only where a higher
 * rule leaves no choice (a returning member whose track changed; a team whose
 * returning members come back to different groups, when the rest of the team
 * joins the group most of them return to). Rules 4 and 5 are a packing
 * problem (bin packing, NP-hard in general), so placement promises:
 *   - size: no move of one placeable unit (a learner placed alone, or a team
 *     not tied to a group by a returning member) to another group or a new
 *     one, and no swap of two units, lowers the total distance of the groups'
 *     sizes from [min_size, max_size]; with no teams and no returning or
 *     staying members the distance is the least any grouping can reach;
 *   - profession: given the groups and where the teams are, the learners
 *     placed alone are spread to minimise the sum over groups and
 *     professions of the count squared, so every profession is within one
 *     whenever the teams' and returning members' places allow it; no move
 *     of such a learner to another group with members, and no swap of two,
 *     improves it; with no teams and no returning or staying members, every
 *     profession is within one.
 * tests/unit/test_place.c checks these on generated cohorts of 30 to 500,
 * and on small cohorts compares with an exhaustive search for the least size
 * distance and whether balance was possible at it (no miss in 38,000 small
 * tracks when this was written).
 *
 * Choices where the rules are silent: existing groups are used before new
 * ones are opened (an existing group left with no members simply does not
 * meet this course); among numbers of groups as good for size, the best
 * balanced, then the fewest; sizes as even as the rules allow. The result
 * depends only on the input, not on the order of learners or groups given
 * (ties are broken by id).
 *
 * Memory and time: everything is allocated from the caller's arena (up to
 * about 4 MiB for 500 learners, until the arena is reset); 500 learners take
 * about 10 ms of CPU, 50 ms at worst (tests/bench/place.c).
 */
#ifndef CAIRN_PLACE_H
#define CAIRN_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/arena.h"

/* More people than this (learners plus staying members) is refused: the
 * cost arithmetic of the profession spread stays exact in 64 bits below it,
 * and a cohort is 30 to 500. */
#define PLACE_MAX_PEOPLE 4000

typedef enum place_track { PLACE_ADULT = 0, PLACE_PEDIATRIC = 1 } place_track;

typedef enum place_rule {
	PLACE_RULE_NONE = 0,       /* as place_issue.yielded_to: not known */
	PLACE_RULE_TRACK = 1,
	PLACE_RULE_RETURNING = 2,
	PLACE_RULE_TEAM = 3,
	PLACE_RULE_SIZE = 4,
	PLACE_RULE_PROFESSION = 5,
} place_rule;

/* A learner with a confirmed enrollment in the offering and no group for it
 * yet. The caller decides the track of a learner whose profile says "both"
 * (the breakout they attend). A learner already placed for this offering may
 * be passed with prev_group_id = that group: they stay, and their team joins
 * them. */
typedef struct place_learner {
	int64_t id;                /* > 0, unique among learners */
	place_track track;
	const char *profession;    /* a profession code ("nurse"); compared as bytes */
	int64_t team_id;           /* the team they enrolled with; 0: alone */
	int64_t prev_group_id;     /* their group in the series; 0: none */
} place_learner;

/* An existing group of the series. kept counts its members who stay for
 * this offering and are NOT among the learners; kept_professions lists
 * their professions (kept entries), or is NULL when not known, in which
 * case they count toward the group's size only. */
typedef struct place_group {
	int64_t id;                /* > 0, unique among groups */
	place_track track;
	int kept;                  /* >= 0 */
	const char *const *kept_professions;
} place_group;

typedef struct place_input {
	const place_learner *learners;
	size_t n_learners;
	const place_group *groups;  /* every group of the series, any track */
	size_t n_groups;
	int min_size;              /* 1 <= min_size <= max_size */
	int max_size;
} place_input;

/* One group of a plan. */
typedef struct place_slot {
	int64_t id;                /* the existing group's id; 0 for a new group */
	place_track track;
	int kept;                  /* staying members (as in the input; 0 if new) */
	int size;                  /* kept + learners placed in it */
	int new_number;            /* 1, 2, ... for new groups (for "new group 2"); 0 if existing */
} place_slot;

/* A rule that a plan breaks. Which fields are set depends on the rule:
 *   TRACK       learner_id placed in group of the other track.
 *   RETURNING   learner_id placed in group; other_group is their own group.
 *   TEAM        team_id's learners of track are split: group and other_group
 *               are two of the groups holding them.
 *   SIZE        group has size members, outside [min_size, max_size];
 *               team_id / learner_id name who forced it, when someone did.
 *   PROFESSION  profession's count in track spreads by size (> 1): group has
 *               the most, other_group the fewest; team_id (or learner_id, a
 *               returning member) names who forced it, when someone did.
 * yielded_to is the higher rule the break was forced by: place_propose
 * always sets it; place_check sets it for RETURNING and TEAM when the facts
 * show the break was forced, and leaves PLACE_RULE_NONE otherwise (a TRACK
 * break is never forced). */
typedef struct place_issue {
	place_rule rule;
	place_rule yielded_to;
	place_track track;
	int group;                 /* index into place_plan.groups; -1: none */
	int other_group;           /* as above; -1: none */
	int64_t learner_id;        /* 0: none */
	int64_t team_id;           /* 0: none */
	const char *profession;    /* PROFESSION only; else NULL */
	int size;
} place_issue;

/* A proposal: groups[0 .. n_input_groups) are the input's groups in input
 * order; new groups follow, adult before pediatric. group_of[i] is the index
 * into groups of input learner i. */
typedef struct place_plan {
	place_slot *groups;
	size_t n_groups;
	int *group_of;             /* n_learners entries */
	place_issue *issues;
	size_t n_issues;
} place_plan;

/* Propose a group for every learner of in. On success fills *out (all from
 * a) and returns true; issues lists every rule the proposal breaks, each
 * with the rule it gave way to. On invalid input (sizes, duplicate or
 * non-positive ids, a prev_group_id not among the groups, an empty
 * profession, too many people) returns false and sets *err to a sentence;
 * *out is then zeroed. Zero learners is valid: the input groups, no issues.
 * Deterministic. */
bool place_propose(arena *a, const place_input *in, place_plan *out, const char **err);

/* Check a plan against in: the proposal as shown, or as changed by a
 * director. Returns false with *err set when the plan is malformed: a
 * learner without a valid group index, or groups that do not begin with the
 * input's groups (same ids and tracks, in order), or a later group with a
 * non-zero id. Otherwise returns true and sets *issues (from a) and
 * *n_issues to every rule the plan breaks, in rule order (plan->issues is
 * not read). The caller refuses a plan with a TRACK issue; the others are
 * what the director accepts by committing. */
bool place_check(arena *a, const place_input *in, const place_plan *plan,
                 place_issue **issues, size_t *n_issues, const char **err);

/* How a sentence names what an issue is about. Each function returns a
 * string that lives as long as the arena (or longer); any may be NULL, and
 * then the plain form below is used. A name that starts a sentence has its
 * first letter capitalised when it is an ASCII lower-case letter. */
typedef struct place_namer {
	const char *(*learner)(void *ctx, int64_t learner_id);       /* "learner 5" */
	const char *(*team)(void *ctx, int64_t team_id);             /* "team 7" */
	const char *(*group)(void *ctx, const place_slot *slot);     /* "group 12", "new group 2" */
	const char *(*profession)(void *ctx, const char *profession); /* as given: "nurse" */
	void *ctx;
} place_namer;

/* A plain sentence for a preview or a log, naming groups as "group <id>" or
 * "new group <n>" and people by id. */
const char *place_issue_text(arena *a, const place_input *in, const place_plan *plan,
                             const place_issue *is);
/* The same sentence with names from names (NULL: the plain forms), so a
 * page can say whom a rule that gave way affected. The profession is named
 * after a count ("2 more <profession> than"), so a namer gives a plural. */
const char *place_issue_words(arena *a, const place_input *in, const place_plan *plan,
                              const place_issue *is, const place_namer *names);

/* The rule's short name: "track", "returning", "team", "size", "profession". */
const char *place_rule_name(place_rule r);

#endif
