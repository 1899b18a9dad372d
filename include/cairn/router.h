/*
 * router.h - method + path patterns with named parameters.
 *
 * A pattern is a path whose segments are literals or ":name" parameters,
 * e.g. "/offerings/:slug" or "/t/:id/posts/:n"; a final "*name" segment
 * matches the rest of the path (for static files). Literal segments win
 * over parameters, so "/t/new" and "/t/:id" can coexist.
 *
 * Each route also says who may call it, as an access rule: a set of the
 * values below, any one of which lets a person in. The router only records
 * it (handlers decide, through authz.h, enroll.h and space.h); `cairn routes`
 * prints it, docs/routes.md is generated from it, and the authorization test
 * (tests/integration/authz.test.mjs) checks every route against the expected
 * answers in docs/access.tsv. router_add refuses to compile without a rule.
 *
 * The table is built once at start and read-only afterwards.
 */
#ifndef CAIRN_ROUTER_H
#define CAIRN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum { ROUTER_MAX_PARAMS = 8, ROUTER_MAX_ROUTES = 256 };

/* Who may call a route. A route's rule is one of these or several joined
 * with |, meaning any of them (ACCESS_POST_AUTHOR | ACCESS_SPACE_MODERATOR:
 * the post's author, or a moderator of its space). The object a rule speaks
 * of is the one the route's path names. DESIGN §5 and docs/access.md say
 * what each means for every role. */
typedef enum access_rule {
	ACCESS_UNSET = 0,                   /* never valid: router_add refuses it */
	ACCESS_ANYONE = 1 << 0,             /* no sign-in needed */
	ACCESS_TOKEN = 1 << 1,              /* whoever holds the link's token */
	ACCESS_SIGNED_IN = 1 << 2,          /* anyone signed in, for their own things */
	ACCESS_ENROLLMENT_OWNER = 1 << 3,   /* the person the enrollment is for */
	ACCESS_TEAM_COORDINATOR = 1 << 4,   /* the person who registered the team */
	ACCESS_POST_AUTHOR = 1 << 5,        /* wrote the post */
	ACCESS_ENROLLED = 1 << 6,           /* confirmed in the offering (learner or staff) */
	ACCESS_OFFERING_STAFF = 1 << 7,     /* the offering's facilitators and directors */
	ACCESS_OFFERING_DIRECTOR = 1 << 8,  /* the offering's directors */
	ACCESS_SERIES_DIRECTOR = 1 << 9,    /* directs an offering of the offering's series */
	ACCESS_SPACE_MEMBER = 1 << 10,      /* may read the space (space.h: SPACE_READ) */
	ACCESS_SHARES_SPACE = 1 << 11,      /* reads a space with the person named */
	ACCESS_SPACE_MODERATOR = 1 << 12,   /* moderates the space (SPACE_MODERATE) */
	ACCESS_ADMIN = 1 << 13,             /* Cairn's administrators */
	ACCESS_TEST_BUILD = 1 << 14,        /* a door that exists only with CAIRN_TEST_HOOKS */
	ACCESS_ALL_ = (1 << 15) - 1,        /* every bit above */
} access_rule;

struct request;
typedef void (*route_handler)(struct request *req);

typedef struct route {
	const char *method;   /* "GET" or "POST" (HEAD is served by GET routes) */
	const char *pattern;
	route_handler handler;
	unsigned access;      /* who may call it: access_rule bits, never 0 */
	const char *summary;  /* a few words for the route table */
	bool sensitive;       /* holds secrets: see router_mark_sensitive */
} route;

typedef struct router {
	route routes[ROUTER_MAX_ROUTES];
	size_t n;
} router;

typedef struct route_params {
	const char *names[ROUTER_MAX_PARAMS];
	const char *values[ROUTER_MAX_PARAMS]; /* arena copies, NUL-terminated */
	size_t n;
} route_params;

typedef enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_BAD_METHOD,  /* path matches, method does not: answer 405 */
} router_result;

void router_init(router *r);
/* Add a route; fatal on a malformed pattern, a full table or a rule that
 * mixes ACCESS_ANYONE or ACCESS_TEST_BUILD with others (start-up bugs).
 * `access` must be a constant expression naming at least one access_rule
 * (checked at compile time, so a route cannot be added without one); call
 * router_add_route directly only with a rule that was checked so. */
#define router_add(r, method, pattern, handler, access, summary)                           \
	do {                                                                                    \
		_Static_assert((access) > ACCESS_UNSET && ((access) & ~ACCESS_ALL_) == 0,          \
		               "every route needs an access rule: ACCESS_... values (router.h)"); \
		router_add_route((r), (method), (pattern), (handler), (access), (summary));        \
	} while (0)
void router_add_route(router *r, const char *method, const char *pattern,
                      route_handler handler, unsigned access, const char *summary);
/* Mark the route added last as sensitive: its request's memory (arena,
 * body, response) is wiped when the request ends (http.c), for pages that
 * show or receive a journal's plaintext. */
void router_mark_sensitive(router *r);
/* The names of a rule's values, in the order of access_rule, joined with
 * ", " (e.g. "post author, space moderator"); an arena string. */
const char *router_access_text(arena *a, unsigned access);
/* The name of one access_rule value ("space member"), or NULL. */
const char *router_access_name(access_rule rule);
/* Match; on ROUTER_FOUND *out and params are set. On ROUTER_BAD_METHOD,
 * allow receives e.g. "GET, HEAD, POST" (arena string). */
router_result router_match(const router *r, arena *a, const char *method, const char *path,
                           const route **out, route_params *params, const char **allow);
/* A parameter's value or NULL. */
const char *route_param(const route_params *p, const char *name);

#endif
