/*
 * space.h - a discussion space and what one person may do in it.
 *
 * Who belongs to a space is decided by the database (cairn_space_role() in
 * sql/, DESIGN §5): 0 none, 1 member, 2 moderator. What that standing lets a
 * person do is decided here, once: every feature that shows or changes
 * something in a space (threads and posts, groups, moderation, search) asks
 * for a capability, never compares role numbers itself.
 *
 * A person without SPACE_READ is answered 404 for the space and everything
 * in it, so not even the existence of a thread leaks.
 */
#ifndef CAIRN_SPACE_H
#define CAIRN_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/http.h"

typedef enum space_cap {
	SPACE_READ = 1u << 0,     /* see the space, its threads and posts */
	SPACE_POST = 1u << 1,     /* reply, edit and delete one's own posts */
	SPACE_START = 1u << 2,    /* start a thread */
	SPACE_MODERATE = 1u << 3, /* pin, hide, lock, mute, review flags, see revisions and held
	                             posts, post in locked and slow threads */
	SPACE_REACT = 1u << 4,    /* mark posts helpful, follow threads, flag posts */
	SPACE_HELD = 1u << 5,     /* not a permission but a fact: my new posts wait for a
	                             moderator's approval (a pre-moderated space) */
} space_cap;

/* What else, besides standing, shapes a person's capabilities in a space
 * (sql/013_moderation.sql): a mute in force takes away posting and starting
 * threads (a muted member still reads, reacts and follows); a pre-moderated
 * space holds its members' new posts. Neither touches a moderator. */
typedef struct space_state {
	bool muted;
	bool premoderated;
} space_state;

/* The SQL condition "user u may read space s", for queries over many spaces
 * (lists, search, notifications); the same rule as SPACE_READ. */
#define SPACE_READABLE_SQL(u, s) "cairn_space_role(" u ", " s ") >= 1"

/* A space's description line, e.g. "Core Practice of Palliative Care, May
 * 13, 2026" or "Small group, Palliative Care Education Series", over spaces
 * s joined with SPACE_JOINS (o offering, c course, g group, se series: the
 * space's own or its group's). */
#define SPACE_CONTEXT_SQL                                                                    \
	"coalesce(c.title || ', ' || to_char(o.starts_on, 'FMMonth FMDD, YYYY'),"             \
	" CASE WHEN s.kind = 'group' THEN 'Small group, ' || se.title END, se.title, '')"
#define SPACE_JOINS                                                                          \
	" LEFT JOIN offerings o ON o.id = s.offering_id LEFT JOIN courses c ON c.id = o.course_id" \
	" LEFT JOIN groups g ON g.id = s.group_id"                                              \
	" LEFT JOIN series se ON se.id = coalesce(s.series_id, g.series_id)"

typedef struct space {
	int64_t id;
	const char *kind;          /* "series", "cohort", "announcements", "group" */
	const char *title;
	const char *context;       /* e.g. "Core Practice of Palliative Care, May 13, 2026" */
	const char *offering_slug; /* "" unless the space belongs to an offering */
	int64_t offering_id;       /* 0 unless the space belongs to an offering */
	int64_t group_id;          /* 0 unless the space is a small group's */
	int64_t muted_until;       /* Unix seconds the person's mute ends; 0: not muted */
	bool premoderated;         /* members' new posts are held for approval */
	unsigned caps;             /* space_cap bits for the person it was loaded for */
} space;

/* The capabilities of standing `role` (cairn_space_role) in a space of
 * `kind`, in state st. */
unsigned space_caps(const char *kind, int role, space_state st);

/* Load space `id` as user `user_id` sees it. Returns false on a database
 * error. Otherwise *found says whether it exists and the user may read it
 * (when not, *out is untouched and the caller answers 404). Strings are
 * arena copies. */
bool space_load(PGconn *db, arena *a, int64_t user_id, int64_t id, space *out, bool *found);

/* Does the loaded space grant every capability in `caps`? */
static inline bool space_can(const space *s, unsigned caps)
{
	return (s->caps & caps) == caps;
}

/* The prologue of a handler that acts in a space. Does the loaded space
 * grant `caps`? When not, the request is answered: 403 with `refusal` (the
 * person sees the space but may not do this), or 404 when refusal is NULL
 * (what is the moderators' alone - a review queue, a log, a post held from
 * the person - does not exist for anyone else). */
bool space_allow(request *req, const space *s, unsigned caps, const char *refusal);

/* Load space `id` for the signed-in person and require `caps` of them (true:
 * *out is set). Otherwise the request is answered: after a database error,
 * 404 when they cannot read the space, else as space_allow. */
bool space_require(request *req, PGconn *db, int64_t id, unsigned caps, const char *refusal,
                   space *out);

/* space_require for the space the path's :id names (404 for one that is not
 * an id). */
bool space_require_path(request *req, PGconn *db, unsigned caps, const char *refusal,
                        space *out);

#endif
