/*
 * prompt.h - reflection prompts (issue 14 items 1 and 5; DESIGN §4
 * journal_prompts): a few words an offering's directors and facilitators
 * attach to the reflection and small-group items of its agenda, that invite
 * the learners to write once the session is over.
 *
 * A prompt opens when its agenda item ends, by the one clock (clock.h;
 * cairn_now() in SQL). From then on it waits for every learner confirmed in
 * the offering (for a prompt of one breakout, the learners of that track:
 * "pediatric" for a pediatric profile, "adult" for adult and both, as the
 * home's agenda shows them) on their home and in their journal, until they
 * write an entry from it. The entry keeps the link in clear
 * (journal_entries.prompt_id, sql/022_journal_prompts.sql), as DESIGN §6
 * allows; its text stays sealed.
 *
 * Facilitators learn, per prompt and group, only how many of the group
 * wrote from it in the seven days after it opened: shown once those seven
 * days are over, then frozen (journal_prompt_counts), and only while it is
 * at least PROMPT_COUNT_MIN and at most the group's size minus
 * PROMPT_COUNT_SPARE; otherwise the page says it is too few or too many to
 * show without naming people. Never who, never what.
 *
 * Pages: the offering's prompts for its staff (/offerings/:slug/prompts),
 * adding one to an agenda item, editing it, deleting it while it has not
 * opened, and the prompt's own page (its learners: the prompt and a way to
 * write from it; its staff: the counts of their groups).
 */
#ifndef CAIRN_PROMPT_H
#define CAIRN_PROMPT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/http.h"
#include "cairn/template.h"

enum {
	PROMPT_MAX_CHARS = 1000,       /* characters of a prompt's text */
	PROMPT_COUNT_DAYS = 7,         /* a count shows this many days after the prompt opened */
	PROMPT_COUNT_MIN = 3,          /* fewer who wrote than this is not shown */
	PROMPT_COUNT_SPARE = 2,        /* nor more than the group's size minus this */
};

/* A prompt as a learner writes from it. */
typedef struct prompt_ref {
	long long id;
	long long offering_id;
	const char *text;     /* the prompt */
	const char *session;  /* the agenda item's (or the learner's breakout's) title */
	const char *course;   /* "Core Practice, May 2026" */
	const char *day;      /* the agenda's day number, "2" */
} prompt_ref;

/* The prompt `id` if user_id may write from it at `now` (seconds, as text:
 * session_now_param): it has opened, and they are a confirmed learner of
 * its offering in its track. 1 and *out filled (arena strings), 0 when not
 * (or there is no such prompt), -1 on a database error. */
int prompt_for_learner(PGconn *db, arena *a, int64_t user_id, long long id, const char *now,
                       prompt_ref *out);

/* The prompts waiting for user_id at now: open to them (as above) and not
 * yet written from; newest first, at most limit. A list of {id, text,
 * session, course, day, opened (zone_time in reader_zone)}; *total (may be
 * NULL) gets how many wait in all. NULL on a database error. */
tv *prompt_waiting_view(PGconn *db, arena *a, int64_t user_id, const char *now,
                        const char *reader_zone, int limit, long long *total);

/* A prompt open to a learner, for their timeline. */
typedef struct prompt_open {
	long long id;
	long long offering_id;
	int day;              /* the agenda's day number */
	const char *text, *session;
	tv *opened;           /* zone_time in the reader's zone */
} prompt_open;

enum { PROMPT_OPEN_MAX = 1000 };  /* prompts on one timeline */

/* Every prompt open to user_id at now (as for prompt_for_learner), written
 * from or not, in the order of the agenda (offering, then session); at
 * most PROMPT_OPEN_MAX. *out gets an arena array; returns how many, or -1
 * on a database error. */
int prompt_open_list(PGconn *db, arena *a, int64_t user_id, const char *now,
                     const char *reader_zone, prompt_open **out);

/* For the facilitator's dashboard: for each group of group_ids (a SQL array
 * literal, "{1,2}"), the prompts that have opened in the offerings its
 * members are confirmed learners of (newest first, at most per_group), each
 * {id, session, course, day, count}: count is {shown (bool), reflected,
 * size, sentence}. Counts seven days old are frozen on the way (one
 * statement for the page). Lists are set in `out` under the group's id as a
 * string; groups with none get no key. false on a database error. */
bool prompt_group_counts(PGconn *db, arena *a, const char *group_ids, const char *now,
                         const char *reader_zone, int per_group, tv *out);

/* The offerings whose prompts user_id may write (as their staff; for an
 * administrator, those not yet over), newest first, at most limit, that
 * have a reflection or small-group session: a list of {slug, course}, for
 * links to their prompts. NULL on a database error. */
tv *prompt_staff_offerings_view(PGconn *db, arena *a, int64_t user_id, int limit);

void prompt_routes(router *r);

#endif
