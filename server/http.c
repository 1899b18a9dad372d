/*
 * http.c - CivetWeb glue, request contexts and buffered responses.
 *
 * Every path goes to one CivetWeb handler (dispatch), so CivetWeb's own file
 * serving never runs. Each worker thread owns an arena (made in
 * init_thread) that is reset after every request. Responses are built in
 * the request and sent once, with Content-Length (keep-alive depends on
 * it) and the security headers of DESIGN §7.
 */
#include "cairn/http.h"
#include "cairn/assets.h"
#include "cairn/clock.h"
#include "cairn/log.h"
#include "cairn/peers.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <strings.h>

/* Bodies larger than the cap are drained (not parsed) up to this much, so
 * the client reads the 413 instead of a connection reset. */
#define DRAIN_LIMIT (16u * 1024 * 1024)
#define RESPONSE_MAX (8u * 1024 * 1024)

static const char security_headers[] =
	"Content-Security-Policy: default-src 'self'; img-src 'self'; object-src 'none'; "
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: same-origin\r\n"
	"X-Frame-Options: DENY\r\n";

typedef struct worker {
	arena a;
} worker;

static void *init_thread(const struct mg_context *ctx, int type)
{
	(void)ctx;
	if (type != 1)
		return NULL;
	worker *w = calloc(1, sizeof *w);
	if (!w)
		fatal("http: out of memory");
	arena_init(&w->a, 256 * 1024);
	return w;
}

static void exit_thread(const struct mg_context *ctx, int type, void *p)
{
	(void)ctx;
	(void)type;
	worker *w = p;
	if (w) {
		arena_free(&w->a);
		free(w);
	}
}

/* ---- the per-address connection cap ----
 *
 * CivetWeb's API says nothing about a connection before its request
 * headers have arrived, which is exactly when a slow client holds its
 * worker. So the server looks at its own sockets instead: a sweep lists
 * every established connection to a port it serves (/proc/self/fd), groups
 * them by client address (the trusted proxy's excepted), and shuts down
 * each address's newest connections beyond the cap. shutdown (not close)
 * leaves the descriptor to CivetWeb, whose next read then sees the end of
 * the stream and frees the worker at once. A sweep runs when a worker takes
 * a new connection while more are open than one address may hold, at most
 * every SWEEP_EVERY_MS and one at a time (so sweep's statics need no lock). */
#define SWEEP_EVERY_MS 20

static _Atomic int open_connections;
static _Atomic long long last_sweep_ms;
static atomic_flag sweeping = ATOMIC_FLAG_INIT;

/* The text form of a socket address and its port; false for anything but
 * IPv4 and IPv6. */
static bool address_of(const struct sockaddr_storage *sa, char *out, size_t n, int *port)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		*port = ntohs(in->sin_port);
		return inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)n) != NULL;
	}
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		*port = ntohs(in6->sin6_port);
		return inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)n) != NULL;
	}
	return false;
}

static bool serves_port(const app *application, int port)
{
	for (int i = 0; i < application->n_ports; i++)
		if (application->ports[i] == port)
			return true;
	return false;
}

/* Fill c from fd if it is a client connection to one of our ports. */
static bool client_connection(const app *application, int fd, peer_conn *c)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char local[64];
	int port = 0;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    !address_of(&sa, local, sizeof local, &port) || !serves_port(application, port))
		return false;
	len = sizeof sa;
	if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    !address_of(&sa, c->addr, sizeof c->addr, &port))
		return false; /* a listening socket has no peer */
	const char *proxy = application->cfg->trusted_proxy;
	if (proxy && !strcmp(c->addr, proxy))
		return false;
	char link[64], target[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	/* "socket:[12345]": inode numbers grow as sockets are made. */
	c->serial = strtoull(target + strcspn(target, "0123456789"), NULL, 10);
	c->fd = fd;
	c->refuse = false;
	return true;
}

static void sweep(const app *application)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return; /* no /proc: the request timeout frees workers instead */
	size_t n = 0, cap = 256;
	peer_conn *conns = malloc(cap * sizeof *conns);
	if (!conns)
		fatal("http: out of memory");
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(d))
			continue;
		if (n == cap) {
			cap *= 2;
			conns = realloc(conns, cap * sizeof *conns);
			if (!conns)
				fatal("http: out of memory");
		}
		if (client_connection(application, (int)fd, &conns[n]))
			n++;
	}
	closedir(d);
	size_t refused = peers_mark_surplus(conns, n, application->cfg->max_per_address);
	const char *example = NULL;
	for (size_t i = 0; i < n; i++) {
		if (conns[i].refuse) {
			shutdown(conns[i].fd, SHUT_RDWR);
			example = conns[i].addr;
		}
	}
	/* One log line a second at most, with the count since the last one:
	 * a flood must not flood the log too. */
	static unsigned long long unreported;
	static long long reported_at;
	unreported += refused;
	long long now = clock_monotonic_us() / 1000000;
	if (unreported && now != reported_at) {
		log_warn("http: closed %llu connection%s beyond the cap of %d per address (e.g. from "
		         "%s; CAIRN_MAX_PER_ADDRESS)",
		         unreported, unreported == 1 ? "" : "s", application->cfg->max_per_address,
		         example ? example : "an address seen earlier");
		unreported = 0;
		reported_at = now;
	}
	free(conns);
}

/* CivetWeb calls this in the worker that takes a new connection, before
 * any of its request is read. */
static int init_connection(const struct mg_connection *conn, void **conn_data)
{
	(void)conn_data;
	const app *application = mg_get_user_context_data(conn);
	int open = atomic_fetch_add(&open_connections, 1) + 1;
	if (!application || application->n_ports == 0 || open <= application->cfg->max_per_address)
		return 0;
	long long now = clock_monotonic_us() / 1000;
	if (now - atomic_load(&last_sweep_ms) < SWEEP_EVERY_MS ||
	    atomic_flag_test_and_set(&sweeping))
		return 0;
	atomic_store(&last_sweep_ms, now);
	sweep(application);
	atomic_flag_clear(&sweeping);
	return 0;
}

static void connection_close(const struct mg_connection *conn)
{
	(void)conn;
	atomic_fetch_sub(&open_connections, 1);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static const char *default_message(int status)
{
	switch (status) {
	case 400: return "The request could not be understood. Please go back and try again.";
	case 403: return "You do not have permission to do that. If you followed a form, "
	                 "reload the page and try again.";
	case 404: return "There is nothing here. The address may be mistyped, or the page may "
	                 "belong to a space you are not a member of.";
	case 405: return "That page does not accept this kind of request.";
	case 413: return "What you sent is larger than Cairn accepts. Nothing was saved.";
	case 415: return "Cairn accepts forms only in the standard encoding.";
	case 429: return "Too many attempts. Please wait a little and try again.";
	case 500: return "Something went wrong on our side. Nothing was half-saved; please try "
	                 "again in a moment.";
	case 503: return "Cairn cannot reach its database right now. Please try again in a "
	                 "moment.";
	default: return "The request could not be completed.";
	}
}

bool http_parse_id(const char *s, long long *out)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 18 || s[0] == '0' || strspn(s, "0123456789") != n)
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

const char *http_header(request *req, const char *name)
{
	return mg_get_header(req->conn, name);
}

const char *http_param(request *req, const char *name)
{
	return route_param(&req->params, name);
}

const char *http_query(request *req, const char *name)
{
	return form_get(&req->query, name);
}

const char *http_form(request *req, const char *name)
{
	return form_get(&req->body, name);
}

const char *http_cookie(request *req, const char *name)
{
	return form_get(&req->cookies, name);
}

void http_add_header(request *req, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
		log_warn("http: refused a header with CR/LF (%s)", name);
		return;
	}
	buf_appendf(&req->headers, "%s: %s\r\n", name, value);
}

PGconn *http_db(request *req)
{
	if (!req->db)
		req->db = db_acquire(req->app->pool);
	return req->db;
}

void http_db_release(request *req)
{
	if (req->db)
		db_release(req->app->pool, req->db);
	req->db = NULL;
}

PGconn *http_db_required(request *req)
{
	PGconn *db = http_db(req);
	if (!db)
		http_db_error(req);
	return db;
}

void http_send(request *req, int status, const char *content_type, const char *body,
               size_t len)
{
	req->status = status;
	req->content_type = content_type;
	buf_clear(&req->out);
	buf_append(&req->out, body, len);
	req->responded = true;
}

bool http_local_path(const char *p)
{
	/* "//host" and "/\host" name another host, and browsers drop TAB, CR
	 * and LF inside URLs ("/\t/host" becomes "//host"): only printable
	 * ASCII without backslashes, starting with exactly one '/'. */
	if (!p || p[0] != '/' || p[1] == '/' || strlen(p) > 1000)
		return false;
	for (const unsigned char *s = (const unsigned char *)p; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '\\')
			return false;
	return true;
}

const char *http_query_escape(arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, 3 * strlen(s) + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-_.~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

const char *http_return_path(request *req)
{
	if (strcmp(req->method, "GET") && !req->head) {
		/* A form posted by someone not signed in (a session that ended):
		 * back to the page the form was on, when this site's. */
		const char *site = req->app->cfg->origin, *referer = http_header(req, "Referer");
		size_t n = strlen(site);
		if (!referer || strncmp(referer, site, n) || referer[n] != '/' || !referer[n + 1] ||
		    !http_local_path(referer + n))
			return NULL;
		return http_query_escape(req->a, referer + n);
	}
	if (!strcmp(req->path, "/"))
		return NULL;
	const char *target = req->query_string && *req->query_string
	                         ? arena_sprintf(req->a, "%s?%s", req->path, req->query_string)
	                         : req->path;
	/* Longer than sign-in would accept back (http_local_path): go home. */
	if (!http_local_path(target))
		return NULL;
	return http_query_escape(req->a, target);
}

void http_redirect(request *req, const char *location)
{
	/* Only local paths: an open redirect would let links on Cairn lead
	 * anywhere. */
	if (!http_local_path(location))
		location = "/";
	req->status = 303;
	req->content_type = "text/plain; charset=utf-8";
	buf_clear(&req->out);
	http_add_header(req, "Location", location);
	req->responded = true;
}

static int render_flags(void)
{
#ifdef CAIRN_TEST_HOOKS
	/* Test builds fail loudly on any name a view does not provide. */
	const char *s = getenv("CAIRN_TEMPLATE_STRICT");
	return s && !strcmp(s, "0") ? 0 : TPL_STRICT;
#else
	return 0;
#endif
}

/* Render the page into the layout. false if a template failed. */
static bool render_page(request *req, const char *name, const char *title, tv *view,
                        int status)
{
	arena *a = req->a;
	buf content;
	buf_init(&content, a, RESPONSE_MAX);
	tpl_error err;
	int flags = render_flags();
	if (!tpl_render(req->templates, name, view, &content, flags, &err)) {
		log_error("http: rendering %s: %s", name, err.message);
		return false;
	}
	tv *layout = tv_obj(a);
	tv_set_str(layout, "title", title);
	tv_set(layout, "content", tv_strn(a, content.data, content.len));
	tv_set_int(layout, "status", status);
	const char *css = req->app->static_files ? assets_etag(req->app->static_files, "cairn.css")
	                                         : NULL;
	tv_set_str(layout, "css_version", css ? arena_strndup(a, css + 1, 12) : "dev");
	tv_set_str(layout, "path", req->path);
	if (req->app->decorate_layout)
		req->app->decorate_layout(req, layout);
	else {
		tv_set(layout, "user", tv_null(a));
		tv_set_str(layout, "signin_href", "/signin");
	}
	buf_clear(&req->out);
	if (!tpl_render(req->templates, "layout", layout, &req->out, flags, &err)) {
		log_error("http: rendering layout for %s: %s", name, err.message);
		return false;
	}
	return true;
}

static void plain_error(request *req, int status)
{
	req->status = status;
	req->content_type = "text/plain; charset=utf-8";
	buf_clear(&req->out);
	buf_appendf(&req->out, "%d %s\n", status, http_status_text(status));
	req->responded = true;
}

void http_error(request *req, int status, const char *message)
{
	tv *v = tv_obj(req->a);
	tv_set_int(v, "status", status);
	tv_set_str(v, "reason", http_status_text(status));
	tv_set_str(v, "message", message ? message : default_message(status));
	req->status = status;
	req->content_type = "text/html; charset=utf-8";
	req->responded = true;
	if (!req->templates || !render_page(req, "error", http_status_text(status), v, status))
		plain_error(req, status);
}

void http_db_error(request *req)
{
	if (!req->db || db_broken(req->db))
		http_error(req, 503, NULL);
	else
		http_error(req, 500, NULL);
}

void http_render(request *req, int status, const char *name, const char *title, tv *view)
{
	req->status = status;
	req->content_type = "text/html; charset=utf-8";
	req->responded = true;
	if (!render_page(req, name, title, view, status))
		http_error(req, 500, NULL);
}

/* Write the buffered response. */
static void send_response(request *req)
{
	struct mg_connection *c = req->conn;
	if (req->out.failed) {
		/* The body passed its cap: never send a truncated page. */
		plain_error(req, 500);
	}
	char len[32];
	snprintf(len, sizeof len, "%zu", req->out.len);
	mg_response_header_start(c, req->status);
	if (req->content_type)
		mg_response_header_add(c, "Content-Type", req->content_type, -1);
	mg_response_header_add(c, "Content-Length", len, -1);
	mg_response_header_add_lines(c, security_headers);
	if (req->no_store)
		mg_response_header_add(c, "Cache-Control", "no-store", -1);
	if (req->headers.len)
		mg_response_header_add_lines(c, req->headers.data);
	mg_response_header_send(c);
	if (!req->head && req->out.len)
		mg_write(c, req->out.data, req->out.len);
}

static void serve_static(request *req)
{
	const char *rel = http_param(req, "path");
	const asset *f = rel ? assets_find(req->app->static_files, req->a, rel) : NULL;
	if (!f) {
		http_error(req, 404, NULL);
		return;
	}
	http_add_header(req, "ETag", f->etag);
	/* A link that names the file's version (?v=) can be cached for good;
	 * a bare link is revalidated hourly. */
	http_add_header(req, "Cache-Control",
	                http_query(req, "v") ? "public, max-age=31536000, immutable"
	                                     : "public, max-age=3600");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && !strcmp(inm, f->etag)) {
		req->status = 304;
		req->responded = true;
		return;
	}
	http_send(req, 200, f->content_type, (const char *)f->data, f->len);
}

static void healthz(request *req)
{
	http_send(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static void readyz(request *req)
{
	PGconn *db = http_db(req);
	PGresult *r = db ? db_q0(db, "SELECT 1") : NULL;
	if (!r) {
		http_send(req, 503, "text/plain; charset=utf-8", "database unavailable\n", 21);
		http_add_header(req, "Retry-After", "5");
		return;
	}
	PQclear(r);
	http_send(req, 200, "text/plain; charset=utf-8", "ready\n", 6);
}

/* Does Origin (or, failing that, Referer) name this site? */
static bool same_origin(request *req)
{
	const char *site = req->app->cfg->origin;
	size_t n = strlen(site);
	const char *origin = http_header(req, "Origin");
	if (origin && strcmp(origin, "null"))
		return !strcmp(origin, site);
	const char *referer = http_header(req, "Referer");
	if (referer)
		return !strncmp(referer, site, n) && (referer[n] == '/' || referer[n] == '\0');
	return false;
}

/* Read and parse a urlencoded body under the cap. Returns 0 or an HTTP
 * status to answer with. */
static int read_body(request *req, const struct mg_request_info *ri)
{
	size_t cap = req->app->cfg->max_body;
	const char *ctype = http_header(req, "Content-Type");
	long long declared = ri->content_length;
	if (declared > (long long)cap)
		return 413;
	buf body;
	buf_init(&body, req->a, cap);
	char chunk[16384];
	for (;;) {
		int got = mg_read(req->conn, chunk, sizeof chunk);
		if (got <= 0)
			break;
		if (!buf_append(&body, chunk, (size_t)got)) {
			explicit_bzero(chunk, sizeof chunk);
			return 413;
		}
	}
	/* The stack copy of a journal's text goes now; the arena's copies
	 * go when the request ends. */
	if (req->sensitive)
		explicit_bzero(chunk, sizeof chunk);
	if (body.len == 0 && declared <= 0) {
		req->body = (form){0};
		return 0;
	}
	if (!ctype || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) ||
	    (ctype[33] != '\0' && ctype[33] != ';'))
		return 415;
	if (form_parse_urlencoded(req->a, body.data, body.len, &req->body) != FORM_OK)
		return 400;
	return 0;
}

static void drain_body(struct mg_connection *c)
{
	char chunk[16384];
	size_t total = 0;
	int got;
	while (total < DRAIN_LIMIT && (got = mg_read(c, chunk, sizeof chunk)) > 0)
		total += (size_t)got;
}

static const char *client_address(request *req, const struct mg_request_info *ri)
{
	const char *peer = ri->remote_addr;
	const char *proxy = req->app->cfg->trusted_proxy;
	if (proxy && !strcmp(peer, proxy)) {
		/* The last address the proxy appended is the one it saw. */
		const char *xff = http_header(req, "X-Forwarded-For");
		if (xff && *xff) {
			const char *last = strrchr(xff, ',');
			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			if (*last && strlen(last) < 64)
				return arena_strdup(req->a, last);
		}
	}
	return arena_strdup(req->a, peer);
}

/* Percent-decode a request path strictly: a malformed escape, a NUL or
 * other control byte, or invalid UTF-8 makes the whole path invalid (NULL).
 * "%2F" decodes to '/', which the router then treats as a separator; no
 * route maps to the file system except /static/, which refuses "..". */
static const char *decode_path(arena *a, const char *raw)
{
	size_t n = strlen(raw);
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			if (i + 2 >= n)
				return NULL;
			char hex[3] = {raw[i + 1], raw[i + 2], 0};
			if (!hex[0] || !hex[1] || !strchr("0123456789abcdefABCDEF", hex[0]) ||
			    !strchr("0123456789abcdefABCDEF", hex[1]))
				return NULL;
			c = (unsigned char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return NULL;
		*o++ = (char)c;
	}
	*o = '\0';
	if (!utf8_valid(out, (size_t)(o - out)))
		return NULL;
	return out;
}

static void access_log(request *req)
{
	int64_t us = clock_monotonic_us() - req->start_us;
	log_info("%s %s %s %d %zu %.1fms", req->client_addr, req->method, req->path, req->status,
	         req->out.len, (double)us / 1000.0);
}

static int dispatch(struct mg_connection *conn, void *cbdata)
{
	app *application = cbdata;
	worker *w = mg_get_thread_pointer(conn);
	const struct mg_request_info *ri = mg_get_request_info(conn);
	request req;
	memset(&req, 0, sizeof req);
	req.app = application;
	req.conn = conn;
	req.a = &w->a;
	req.start_us = clock_monotonic_us();
	req.method = ri->request_method;
	req.head = !strcmp(ri->request_method, "HEAD");
	req.secure = ri->is_ssl;
	const char *raw_path = ri->local_uri ? ri->local_uri : "/";
	req.status = 200;
	buf_init(&req.out, req.a, RESPONSE_MAX);
	buf_init(&req.headers, req.a, 64 * 1024);
	req.client_addr = client_address(&req, ri);

	tpl_set *dev_templates = NULL;
	if (application->templates) {
		req.templates = application->templates;
	} else {
		tpl_error err;
		dev_templates = tpl_set_load_dir(application->cfg->templates_dir, &err);
		if (!dev_templates)
			log_error("http: templates: %s", err.message);
		req.templates = dev_templates;
	}

	bool is_post = !strcmp(req.method, "POST");
	const char *qs = ri->query_string;
	const char *cookie = http_header(&req, "Cookie");
	const char *allow = NULL;

	req.path = decode_path(req.a, raw_path);
	if (!req.path) {
		req.path = "(malformed)";
		http_error(&req, 400, "The address is not valid text.");
		goto send;
	}
	req.query_string = qs ? arena_strdup(req.a, qs) : NULL;
	if (qs && form_parse_urlencoded(req.a, qs, strlen(qs), &req.query) != FORM_OK) {
		http_error(&req, 400, "The address holds a malformed query.");
		goto send;
	}
	if (cookie)
		form_parse_cookies(req.a, cookie, strlen(cookie), &req.cookies);

	switch (router_match(&application->routes, req.a, req.method, req.path, &req.route,
	                     &req.params, &allow)) {
	case ROUTER_NOT_FOUND:
		if (is_post)
			drain_body(conn);
		http_error(&req, 404, NULL);
		goto send;
	case ROUTER_BAD_METHOD:
		http_add_header(&req, "Allow", allow);
		if (is_post)
			drain_body(conn);
		http_error(&req, 405, NULL);
		goto send;
	case ROUTER_FOUND:
		req.sensitive = req.route->sensitive;
		if (req.sensitive)
			req.no_store = true;
		break;
	}

	if (is_post) {
		int st = read_body(&req, ri);
		if (st) {
			if (st == 413) {
				/* Answer, then drain, so the client reads the 413. */
				mg_disable_connection_keep_alive(conn);
			}
			http_error(&req, st, NULL);
			if (st == 413) {
				send_response(&req);
				drain_body(conn);
				access_log(&req);
				goto done;
			}
			goto send;
		}
		/* Cross-site form posts are refused before any handler runs. */
		if (!same_origin(&req)) {
			http_error(&req, 403, "This form was sent from another site, so it was refused. "
			                      "Nothing was changed.");
			goto send;
		}
	}

	if (application->before && !application->before(&req))
		goto send;
	req.route->handler(&req);
	if (!req.responded)
		http_error(&req, 500, NULL);

send:
	send_response(&req);
	access_log(&req);
done:
	if (application->after)
		application->after(&req);
	if (req.db)
		db_release(application->pool, req.db);
	tpl_set_free(dev_templates);
	/* Everything of the request lives in its arena: the body as read and
	 * parsed, the view, the page built in req.out. */
	if (req.sensitive)
		arena_wipe(req.a);
	arena_reset(req.a);
	/* A status code tells CivetWeb the request was handled. */
	return req.status;
}

void http_routes(router *r)
{
	router_add(r, "GET", "/healthz", healthz, ACCESS_ANYONE, "liveness: the process answers");
	router_add(r, "GET", "/readyz", readyz, ACCESS_ANYONE, "readiness: the database answers");
	router_add(r, "GET", "/static/*path", serve_static, ACCESS_ANYONE,
	           "static files (CSS, icons)");
}

bool http_start(app *application)
{
	const config *cfg = application->cfg;
	char threads[16], timeout[16], keepalive[16];
	snprintf(threads, sizeof threads, "%d", cfg->threads);
	snprintf(timeout, sizeof timeout, "%d", cfg->request_timeout_ms);
	snprintf(keepalive, sizeof keepalive, "%d", cfg->keepalive_timeout_ms);
	const char *options[] = {
		"listening_ports", cfg->listen,
		"num_threads", threads,
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", keepalive,
		"tcp_nodelay", "1",
		"request_timeout_ms", timeout,
		"max_request_size", "16384",
		/* Cairn decodes paths itself (decode_path): CivetWeb's decoder
		 * turns %00 into a terminator that silently cuts the path. */
		"decode_url", "no",
		"enable_directory_listing", "no",
		"listen_backlog", "1024",
		NULL,
	};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.init_thread = init_thread;
	cb.exit_thread = exit_thread;
	cb.init_connection = init_connection;
	cb.connection_close = connection_close;
	application->mg = mg_start(&cb, application, options);
	if (!application->mg) {
		log_error("http: cannot listen on %s", cfg->listen);
		return false;
	}
	struct mg_server_port ports[8];
	int n = mg_get_server_ports(application->mg, 8, ports);
	int k = 0;
	for (int i = 0; i < n && k < 8; i++)
		application->ports[k++] = ports[i].port;
	/* Workers read n_ports; until it is set, nothing is swept. */
	application->n_ports = k;
	mg_set_request_handler(application->mg, "/", dispatch, application);
	return true;
}

void http_stop(app *application)
{
	if (application->mg)
		mg_stop(application->mg);
	application->mg = NULL;
}
