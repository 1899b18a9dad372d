/*
 * http.h - the web layer: CivetWeb glue, the request context, responses.
 *
 * One handler is registered with CivetWeb for every path; it builds a
 * request context (arena, parsed query, cookies and body, route
 * parameters), runs the app's before-hook (the identity layer: session,
 * CSRF), calls the route's handler, and sends the buffered response with
 * the security headers. Handlers never write to the socket themselves:
 * they fill the response through the functions below, so every response
 * gets Content-Length, the headers of DESIGN §7 and an access-log line.
 *
 * Errors: a handler that fails calls http_error() (or http_db_error() after
 * a failed query) and returns; the error page is rendered from the
 * "error" template with the right status.
 */
#ifndef CAIRN_HTTP_H
#define CAIRN_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"
#include "cairn/buf.h"
#include "cairn/config.h"
#include "cairn/db.h"
#include "cairn/form.h"
#include "cairn/router.h"
#include "cairn/template.h"

struct mg_connection;
struct mg_context;
typedef struct assets assets;
typedef struct request request;
typedef struct app app;

/* The running server. Built at start, read-only while serving. */
struct app {
	const config *cfg;
	router routes;
	tpl_set *templates;    /* NULL in --dev mode: loaded per request */
	assets *static_files;
	db_pool *pool;
	int ports[8];          /* the TCP ports served (http_start) */
	int n_ports;
	struct mg_context *mg;
	/* Called before the handler; may answer the request itself (e.g. a
	 * CSRF failure) by setting a response and returning false. */
	bool (*before)(request *req);
	/* Adds what every page's layout shows (signed-in user, badges). */
	void (*decorate_layout)(request *req, tv *layout);
	/* Called after the response is sent (release what before() took). */
	void (*after)(request *req);
};

struct request {
	app *app;
	struct mg_connection *conn;
	arena *a;
	const char *method;       /* "GET", "POST", ... ("HEAD" answered as GET) */
	const char *path;         /* decoded path, no query string */
	const char *client_addr;  /* from the socket, or the trusted proxy's header */
	bool head;
	bool secure;              /* served over TLS */
	const char *query_string; /* as sent, still percent-encoded; NULL when none */
	form query;
	form cookies;
	form body;                /* parsed urlencoded body of a POST */
	route_params params;
	const route *route;
	const tpl_set *templates;
	PGconn *db;               /* borrowed on first use by http_db() */
	int64_t start_us;

	/* The response being built. */
	int status;
	const char *content_type;
	buf out;                  /* body */
	buf headers;              /* extra header lines, "Name: value\r\n" each */
	bool no_store;            /* Cache-Control: no-store (signed-in pages) */
	bool sensitive;           /* the route holds secrets (router_mark_sensitive): the
	                           * arena, the body read and the response are wiped
	                           * when the request ends, and the page is no-store */
	bool responded;

	/* The identity layer's state (session.c); opaque here. */
	void *session;
	void *user;
};

/* Register the web layer's own routes: /healthz, /readyz, /static/... */
void http_routes(router *r);
/* Start serving. Returns false if CivetWeb could not start (port in use). */
bool http_start(app *application);
/* Finish in-flight requests and stop (SIGTERM). */
void http_stop(app *application);

/* The request's database connection (borrowed from the pool on first call,
 * returned when the response is sent). NULL when the database is out of
 * reach: the handler should call http_db_error and return. */
PGconn *http_db(request *req);

/* An id as it appears in a path: 1 to 18 digits, no sign, no leading
 * zero, no spaces. false otherwise (answer 404). */
bool http_parse_id(const char *s, long long *out);

/* Give the request's connection back to the pool early (before slow work
 * that needs no database); http_db borrows one again when asked. */
void http_db_release(request *req);

/* As http_db, but when the database is out of reach the 503 page is
 * already set: the handler just returns. */
PGconn *http_db_required(request *req);

/* Header value or NULL. */
const char *http_header(request *req, const char *name);
const char *http_param(request *req, const char *name);   /* route parameter */
const char *http_query(request *req, const char *name);   /* ?name=... */
const char *http_form(request *req, const char *name);    /* POST body field */
const char *http_cookie(request *req, const char *name);

/* Add a response header. CR and LF in the value are refused (nothing is
 * added) so client data can never split a header. */
void http_add_header(request *req, const char *name, const char *value);

/* Render template `name` with view inside the page layout, with status. */
void http_render(request *req, int status, const char *name, const char *title, tv *view);
/* A response that is not an HTML page (JSON, plain text, metrics). */
void http_send(request *req, int status, const char *content_type, const char *body,
               size_t len);
/* Is p a path on this site that is safe to redirect to? */
bool http_local_path(const char *p);
/* s percent-encoded to travel as one query value: everything but letters,
 * digits, "/-_.~" is escaped, so "?", "&", "=", "#" and "%" cannot split it. */
const char *http_query_escape(arena *a, const char *s);
/* Where to come back to after signing in, ready for "/signin?next=": for a
 * GET its path and query; for a POST the local path of a Referer on this
 * site (the page the form was on). NULL when there is nothing to come back
 * to (no such Referer, the home page, an address too long to carry). */
const char *http_return_path(request *req);
/* 303 See Other to a local path (POST-redirect-GET); anything else
 * redirects to "/". */
void http_redirect(request *req, const char *location);
/* The error page for status (400, 403, 404, 405, 413, 500, 503, ...);
 * message may be NULL for the standard wording. */
void http_error(request *req, int status, const char *message);
/* After a failed query: 503 if the database went away, else 500. */
void http_db_error(request *req);

/* The standard reason phrase ("Not Found"). */
const char *http_status_text(int status);

#endif
