/*
 * router.h - method + path patterns with named parameters.
 *
 * A pattern is a path whose segments are literals or ":name" parameters,
 * e.g. "/offerings/:slug" or "/t/:id/posts/:n"; a final "*name" segment
 * matches the rest of the path (for static files). Literal segments win
 * over parameters, so "/t/new" and "/t/:id" can coexist. Each route also
 * says who may call it (for `cairn routes`, the docs and the authorization
 * tests); the router only records that, it does not enforce it.
 *
 * The table is built once at start and read-only afterwards.
 */
#ifndef CAIRN_ROUTER_H
#define CAIRN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum { ROUTER_MAX_PARAMS = 8, ROUTER_MAX_ROUTES = 256 };

struct request;
typedef void (*route_handler)(struct request *req);

typedef struct route {
	const char *method;   /* "GET" or "POST" (HEAD is served by GET routes) */
	const char *pattern;
	route_handler handler;
	const char *access;   /* who may call it: "anyone", "signed-in", "admin", ... */
	const char *summary;  /* a few words for the route table */
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
/* Add a route; fatal on a malformed pattern or a full table (start-up bugs). */
void router_add(router *r, const char *method, const char *pattern,
                route_handler handler, const char *access, const char *summary);
/* Match; on ROUTER_FOUND *out and params are set. On ROUTER_BAD_METHOD,
 * allow receives e.g. "GET, HEAD, POST" (arena string). */
router_result router_match(const router *r, arena *a, const char *method, const char *path,
                           const route **out, route_params *params, const char **allow);
/* A parameter's value or NULL. */
const char *route_param(const route_params *p, const char *name);

#endif
