/*
 * guard.h - what the forms that publish a post check first (issue 12 items 1
 * and 4): the patient-privacy guard and the content note.
 *
 * Every form that publishes text (a new thread's title and post, a reply,
 * an edit, and the content note of each) runs the privacy checker
 * (privacy.h) over what was typed. When it finds something, the form comes
 * back with everything typed, the list of what was found (the words, and
 * why in plain language) and two choices: revise, or publish anyway. A post
 * published anyway, in any space and by anyone (a moderator too: a second
 * look costs one click, and the log shows who approved), is held for the
 * space's moderators through the pre-moderation path (sql/016), flagged
 * "identifies a patient" by Cairn (flagger NULL) and logged with Cairn as
 * the actor (action post_held).
 *
 * A content note ("death of a child") is 1 to 100 characters, one line;
 * wherever the post's text is shown it is folded behind the note, and every
 * noted post links to its series' support page.
 */
#ifndef CAIRN_GUARD_H
#define CAIRN_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/template.h"

enum {
	GUARD_NOTE_MAX_CHARS = 100,
};

/* The slug of the series a space belongs to (its own, its group's or its
 * offering's course's), as a scalar subquery over the space id expression
 * `s`: the support page is /series/<slug>/support. */
#define GUARD_SERIES_SLUG_SQL(s)                                                              \
	"(SELECT se.slug FROM spaces gs LEFT JOIN offerings go ON go.id = gs.offering_id"       \
	" LEFT JOIN courses gc ON gc.id = go.course_id LEFT JOIN groups gg ON gg.id = gs.group_id" \
	" JOIN series se ON se.id = coalesce(gs.series_id, gg.series_id, gc.series_id)"          \
	" WHERE gs.id = " s ")"

/* The content note typed into a form: NULL or "" is no note (*note = "");
 * otherwise surrounding white space is trimmed and the rest must be one line
 * of 1 to GUARD_NOTE_MAX_CHARS characters. Returns NULL when it is fine
 * (*note set, an arena copy), else the sentence to show the writer. */
const char *guard_note(arena *a, const char *raw, const char **note);

/* One field of a form, as the writer sees it named ("title", "post",
 * "content note"), and what was typed in it (NULL counts as ""). */
typedef struct guard_field {
	const char *where;
	const char *text;
} guard_field;

/* What the checker found in the fields. */
typedef struct guard_report {
	unsigned codes;   /* privacy.h's (1u << code) bits, over every field */
	tv *findings;     /* a list of {where, text, reason}, in field order; empty if none */
	size_t n;         /* how many findings */
} guard_report;

/* Check every field. Returns false only when a field is not valid UTF-8
 * (the form refuses that first, so it does not happen through a form). */
bool guard_check(arena *a, const guard_field *fields, size_t n, guard_report *out);

/* The words for a reason code ("a name beside an age"); NULL if out of
 * range. */
const char *guard_reason_words(int code);

/* Put what a form needs to show the guard into its view v: "guard_found"
 * (bool), "findings" (the list) and "guard_rule" (the one sentence). */
void guard_view(tv *v, arena *a, const guard_report *r);

/* Is this submission the writer's "publish anyway"? (the form's privacy
 * field is "confirmed"). */
bool guard_confirmed(const char *privacy_field);

/* A post was published over the warning (codes as found): flag it
 * "identifies_patient" by Cairn unless such a flag is already open, and
 * append Cairn's post_held entry to the moderation log, inside the caller's
 * transaction. The caller has written the post held. */
bool guard_hold(PGconn *db, arena *a, int64_t space_id, int64_t thread_id, int64_t post_id,
                int64_t author_id, unsigned codes, long long now);

#endif
