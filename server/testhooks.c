/*
 * testhooks.c - test-only doors. See testhooks.h. The whole file compiles
 * to nothing unless CAIRN_TEST_HOOKS is defined.
 */
#include "cairn/testhooks.h"

#ifdef CAIRN_TEST_HOOKS
#include "cairn/clock.h"
#include "cairn/search.h"
#include "cairn/session.h"

#include <stdlib.h>
#include <string.h>

/* POST /__test/clock now=<unix seconds> (0: the real clock again). */
static void set_clock(request *req)
{
	long long now;
	if (!form_get_int(&req->body, "now", 0, 4102444800LL, &now)) {
		http_error(req, 400, "now=<unix seconds> is required");
		return;
	}
	clock_set((time_t)now);
	http_send(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

/* POST /__test/session handle=<handle>: sign in as that user. The session
 * has no journal key (no password was given). */
static void sign_in_as(request *req)
{
	const char *handle = http_form(req, "handle");
	PGconn *db = http_db(req);
	if (!handle || !db) {
		http_error(req, handle ? 503 : 400, NULL);
		return;
	}
	PGresult *r = db_q(db, "SELECT id FROM users WHERE handle = $1", handle);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		http_error(req, 404, "no such handle");
		return;
	}
	int64_t uid = atoll(db_val(r, 0, 0));
	PQclear(r);
	if (!session_create(req, db, uid, NULL, 0, NULL)) {
		http_db_error(req);
		return;
	}
	http_send(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

/* POST /__test/search-delay ms=<0..30000>: every search sleeps that long
 * inside its transaction, holding its gate slot (0: off). */
static void search_delay(request *req)
{
	long long ms;
	if (!form_get_int(&req->body, "ms", 0, 30000, &ms)) {
		http_error(req, 400, "ms=<0..30000> is required");
		return;
	}
	search_test_delay((int)ms);
	http_send(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

void testhooks_routes(router *r)
{
	router_add(r, "POST", "/__test/clock", set_clock, ACCESS_TEST_BUILD, "pin the clock");
	router_add(r, "POST", "/__test/session", sign_in_as, ACCESS_TEST_BUILD,
	           "sign in as a user (no journal key)");
	router_add(r, "POST", "/__test/search-delay", search_delay, ACCESS_TEST_BUILD,
	           "make every search slow");
}
#endif
