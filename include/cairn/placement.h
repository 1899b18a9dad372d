/*
 * placement.h - placing an offering's learners into the series' small groups
 * (issue 10 item 5): the pages where a director of the series (or an admin)
 * previews the proposal of place.h, moves members with a reason, chooses each
 * group's facilitators and commits; and the same commit for the demo.
 *
 * The proposal is computed afresh from the database on every request
 * (place.h is deterministic); a director's changes are kept as a draft per
 * offering (sql/012_placement.sql) with a fingerprint of the inputs they were
 * made against, so a commit after the cohort changed is refused and changes
 * nothing.
 */
#ifndef CAIRN_PLACEMENT_H
#define CAIRN_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/http.h"

void placement_routes(router *r);

/* What a commit did. */
typedef struct placement_summary {
	int learners;          /* confirmed learners of the offering */
	int joined;            /* memberships opened (new to the series, or moved) */
	int new_groups;        /* groups made */
	int groups;            /* groups meeting in this offering */
	int facilitators;      /* facilitator assignments added */
} placement_summary;

/* Place every confirmed learner of offering_id as proposed, with the
 * offering's group size range and no changes, and assign each of the
 * facilitators to every group that meets in the offering (assignments that
 * exist are kept). Learners already in a group of the series keep it, so a
 * second run adds nothing. Inside the caller's transaction; now (seconds) is
 * when memberships and assignments begin, actor_id (0: none) who placed
 * them. false on a database error or a refused input (logged, with *problem
 * set to a sentence when known). For the demo; the pages commit through the
 * same code. */
bool placement_commit_proposal(PGconn *db, arena *a, int64_t offering_id,
                               const int64_t *facilitators, size_t n_facilitators,
                               int64_t actor_id, long long now, placement_summary *out,
                               const char **problem);

#endif
