/*
 * router.c - see router.h.
 *
 * Matching walks the table once per request comparing segment by segment;
 * with a few dozen routes this costs well under a microsecond, so there is
 * no trie. Among routes that match, the one with the most literal segments
 * before its first parameter wins (most specific), which makes the result
 * independent of registration order.
 */
#include "cairn/router.h"

#include <string.h>

void router_init(router *r)
{
	memset(r, 0, sizeof *r);
}

static bool pattern_valid(const char *p)
{
	if (p[0] != '/')
		return false;
	size_t params = 0;
	for (const char *s = p; *s; s++) {
		if (*s == '/' && (s[1] == ':' || s[1] == '*')) {
			params++;
			if (s[2] == '\0' || s[2] == '/')
				return false;
			if (s[1] == '*' && strchr(s + 2, '/'))
				return false;
		}
	}
	return params <= ROUTER_MAX_PARAMS;
}

/* The names `cairn routes` prints, docs/routes.md shows and docs/access.md
 * explains; the authorization test reads them from `cairn routes --json`. */
static const char *const access_names[] = {
	"anyone", "token", "signed-in", "enrollment owner", "team coordinator", "post author",
	"enrolled", "offering staff", "offering director", "series director", "space member",
	"shares a space", "space moderator", "admin", "test build",
};
_Static_assert(sizeof access_names / sizeof access_names[0] == 15 &&
               ACCESS_ALL_ == (1 << 15) - 1, "one name per access_rule value");

const char *router_access_name(access_rule rule)
{
	for (size_t i = 0; i < sizeof access_names / sizeof access_names[0]; i++)
		if ((unsigned)rule == 1u << i)
			return access_names[i];
	return NULL;
}

void router_mark_sensitive(router *r)
{
	if (r->n == 0)
		fatal("router: router_mark_sensitive before any route");
	r->routes[r->n - 1].sensitive = true;
}

const char *router_access_text(arena *a, unsigned access)
{
	const char *out = "";
	for (size_t i = 0; i < sizeof access_names / sizeof access_names[0]; i++)
		if (access & 1u << i)
			out = *out ? arena_sprintf(a, "%s, %s", out, access_names[i]) : access_names[i];
	return out;
}

void router_add_route(router *r, const char *method, const char *pattern,
                      route_handler handler, unsigned access, const char *summary)
{
	if (r->n == ROUTER_MAX_ROUTES)
		fatal("router: table full");
	if (!pattern_valid(pattern))
		fatal("router: bad pattern %s", pattern);
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		fatal("router: unsupported method %s", method);
	/* A rule is who may call the route; "anyone" beside another value, or a
	 * test door that is also something else, says nothing clear. */
	if (access == ACCESS_UNSET || (access & ~(unsigned)ACCESS_ALL_) ||
	    ((access & (ACCESS_ANYONE | ACCESS_TEST_BUILD)) &&
	     access != ACCESS_ANYONE && access != ACCESS_TEST_BUILD))
		fatal("router: %s %s has no clear access rule", method, pattern);
	r->routes[r->n++] = (route){method, pattern, handler, access, summary, false};
}

/* Match pattern against path. Returns a specificity score (>= 0) or -1. */
static int match_one(const char *pat, const char *path, arena *a, route_params *params)
{
	int score = 0, literal_run = 1;
	params->n = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return -1;
		pat++;
		path++;
		const char *pend = strchrnul(pat, '/');
		const char *send = strchrnul(path, '/');
		if (*pat == ':' || *pat == '*') {
			bool rest = *pat == '*';
			if (rest)
				send = path + strlen(path);
			if (send == path)
				return -1; /* empty parameter */
			params->names[params->n] = NULL;
			params->values[params->n] = arena_strndup(a, path, (size_t)(send - path));
			params->n++;
			literal_run = 0;
		} else {
			if (pend - pat != send - path || memcmp(pat, path, (size_t)(pend - pat)))
				return -1;
			score += literal_run;
		}
		pat = pend;
		path = send;
	}
	if (*pat || *path)
		return -1;
	/* Names are filled in only for the winning route (see below). */
	return score;
}

static void name_params(const char *pat, route_params *params)
{
	size_t i = 0;
	for (const char *s = pat; *s && i < params->n; s++) {
		if (*s == '/' && (s[1] == ':' || s[1] == '*')) {
			/* Names point into the pattern; they end at the next '/'. */
			params->names[i++] = s + 2;
		}
	}
}

router_result router_match(const router *r, arena *a, const char *method, const char *path,
                           const route **out, route_params *params, const char **allow)
{
	const char *want = strcmp(method, "HEAD") ? method : "GET";
	int best = -1, best_other = -1;
	bool get_ok = false, post_ok = false;
	route_params tmp;
	for (size_t i = 0; i < r->n; i++) {
		const route *rt = &r->routes[i];
		int score = match_one(rt->pattern, path, a, &tmp);
		if (score < 0)
			continue;
		if (!strcmp(rt->method, "GET"))
			get_ok = true;
		else
			post_ok = true;
		if (strcmp(rt->method, want)) {
			best_other = score;
			continue;
		}
		if (score > best) {
			best = score;
			*out = rt;
			*params = tmp;
		}
	}
	if (best >= 0) {
		name_params((*out)->pattern, params);
		return ROUTER_FOUND;
	}
	if (best_other >= 0) {
		*allow = get_ok && post_ok ? "GET, HEAD, POST" : get_ok ? "GET, HEAD" : "POST";
		return ROUTER_BAD_METHOD;
	}
	return ROUTER_NOT_FOUND;
}

const char *route_param(const route_params *p, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < p->n; i++) {
		const char *n = p->names[i];
		if (n && !strncmp(n, name, len) && (n[len] == '\0' || n[len] == '/'))
			return p->values[i];
	}
	return NULL;
}
