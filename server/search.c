/*
 * search.c - see search.h.
 */
#include "cairn/search.h"
#include "cairn/authz.h"
#include "cairn/gate.h"
#include "cairn/session.h"
#include "cairn/space.h"
#include "cairn/zone.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *num(arena *a, long long v)
{
	return arena_sprintf(a, "%lld", v);
}

char *search_snippet_html(arena *a, const char *text)
{
	buf b;
	buf_init(&b, a, 0);
	bool open = false;
	const char *s = text, *run = text;
	while (*s) {
		const unsigned char *u = (const unsigned char *)s;
		if (u[0] == 0xEE && u[1] == 0x80 && (u[2] == 0x80 || u[2] == 0x81)) {
			buf_append_html(&b, run, (size_t)(s - run));
			bool start = u[2] == 0x80;
			if (start && !open) {
				buf_puts(&b, "<mark>");
				open = true;
			} else if (!start && open) {
				buf_puts(&b, "</mark>");
				open = false;
			}
			s += 3;
			run = s;
			continue;
		}
		s++;
	}
	buf_append_html(&b, run, (size_t)(s - run));
	if (open)
		buf_puts(&b, "</mark>");
	return b.data;
}

/* A real calendar date written YYYY-MM-DD, years 1900-2999. */
static bool valid_date(const char *d)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return false;
	int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || day < 1 || day > days[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && day == 29 && !leap);
}

/* Searches run under their own gate (gate.h), so that a burst of them never
 * holds more than a few pool connections: the rest of the site keeps its
 * connections. Sized once at start (search_configure). */
static gate searches = GATE_INIT;

void search_configure(int slots)
{
	gate_configure(&searches, slots, 2 * slots, 2000);
}

#ifdef CAIRN_TEST_HOOKS
/* Test builds can make every search slow (a pg_sleep inside its
 * transaction, holding its gate slot and connection as a slow query would). */
static _Atomic int test_delay_ms;

void search_test_delay(int ms)
{
	test_delay_ms = ms;
}
#endif

/* How many matches are ranked: the newest ones that pass every filter. */
#define SEARCH_CANDIDATES "200"
#define SEARCH_RESULTS "30"

/* One window of post ids (newest first) that may hold candidates; the three
 * windows below are tried in order and the outer LIMIT stops PostgreSQL
 * from running a later one once enough candidates were found. So a common
 * query touches only the newest posts, and a rare one finds its few matches
 * anywhere through the index. Each window is the full-text index's matches
 * ANDed with the id range from the BRIN index on posts.id (sql/008).
 * "p.id + 0" keeps the planner from walking the primary key backwards and
 * testing every post of a window against the query (measured: 3 s for a
 * word no post has, at 1M posts). $1 tsquery, $2 readable spaces, $3 author
 * handle, $4 from, $5 to (dates), $6 zone, $7 newest post id. */
#define SEARCH_WINDOW(range)                                                                   \
	"(SELECT p.id, p.search FROM posts p JOIN threads t ON t.id = p.thread_id"               \
	" WHERE p.search @@ $1::tsquery AND " range                                               \
	" AND t.space_id = ANY($2::bigint[]) AND p.deleted_at IS NULL AND NOT p.hidden"           \
	" AND NOT p.held"                                                                         \
	" AND NOT t.hidden"                                                                       \
	" AND ($3 = '' OR p.author_id = (SELECT id FROM users WHERE handle = lower($3)))"         \
	" AND ($4 = '' OR p.created_at >= ($4::date)::timestamp AT TIME ZONE $6)"                 \
	" AND ($5 = '' OR p.created_at < ($5::date + 1)::timestamp AT TIME ZONE $6)"              \
	" ORDER BY p.id + 0 DESC LIMIT " SEARCH_CANDIDATES ")"

static const char search_sql[] =
	"WITH cand AS MATERIALIZED (SELECT * FROM ("
	SEARCH_WINDOW("p.id > $7::bigint - 20000")
	" UNION ALL "
	SEARCH_WINDOW("p.id > $7::bigint - 250000 AND p.id <= $7::bigint - 20000")
	" UNION ALL "
	SEARCH_WINDOW("p.id <= $7::bigint - 250000")
	") w LIMIT " SEARCH_CANDIDATES ")"
	" SELECT p.id, p.number, t.id AS thread_id, t.title, s.title AS space, au.display_name,"
	" au.handle, " ZONE_SQL("p.created_at", "$6") " AS day,"
	" ts_headline('english', p.body_text, $1::tsquery, 'StartSel=' || chr(57344) ||"
	"   ', StopSel=' || chr(57345) || ', MaxWords=35, MinWords=12, MaxFragments=2,"
	"   FragmentDelimiter=\" … \"') AS snippet, p.content_note"
	" FROM cand JOIN posts p ON p.id = cand.id JOIN threads t ON t.id = p.thread_id"
	" JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id"
	" ORDER BY ts_rank_cd(cand.search, $1::tsquery) DESC, p.id DESC LIMIT " SEARCH_RESULTS;

/* Set for this transaction only: plans made for the actual words (a common
 * word and a rare one want different plans), no JIT compilation and no
 * parallel workers (each costs far more than the query on a busy machine),
 * and a hard stop so that no search can hold a connection for long. */
static const char search_settings[] =
	"SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off;"
	" SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL statement_timeout = '3s'";

typedef struct search_args {
	const char *q, *spaces, *author, *from, *to, *zone;
} search_args;

/* Run the search inside one read-only transaction; NULL on a database
 * error. With explain (test builds), the result is the plan instead. */
static PGresult *search_run(PGconn *db, arena *a, const search_args *s, bool explain)
{
	PGresult *r = NULL;
	if (!db_exec(db, "BEGIN READ ONLY", 0, NULL))
		return NULL;
	PGresult *set = PQexec(db, search_settings);
	bool ok = PQresultStatus(set) == PGRES_COMMAND_OK;
	PQclear(set);
	if (!ok)
		goto fail;
	/* The words as a tsquery, and where the newest window starts. A query
	 * of stop words only ("the") has no lexemes and matches nothing. */
	PGresult *w = db_q(db, "SELECT websearch_to_tsquery('english', $1)::text,"
	                       " (SELECT coalesce(max(id), 0) FROM posts)", s->q);
	if (!w)
		goto fail;
	const char *tsq = arena_strdup(a, db_val(w, 0, 0));
	const char *newest = arena_strdup(a, db_val(w, 0, 1));
	PQclear(w);
#ifdef CAIRN_TEST_HOOKS
	if (test_delay_ms > 0) {
		w = db_q(db, "SELECT pg_sleep($1::int / 1000.0)", arena_sprintf(a, "%d", test_delay_ms));
		PQclear(w);
		if (!w)
			goto fail;
	}
	if (explain) {
		const char *sql = arena_sprintf(a, "EXPLAIN (SETTINGS, COSTS OFF) %s", search_sql);
		r = PQexecParams(db, sql, 7, NULL,
		                 (const char *[]){tsq, s->spaces, s->author, s->from, s->to, s->zone,
		                                  newest},
		                 NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			PQclear(r);
			r = NULL;
			goto fail;
		}
		db_exec(db, "COMMIT", 0, NULL);
		return r;
	}
#else
	(void)explain;
#endif
	if (!*tsq)
		r = PQmakeEmptyPGresult(db, PGRES_TUPLES_OK); /* nothing to look for */
	else
		r = db_query(db, search_sql, 7,
		             (const char *[]){tsq, s->spaces, s->author, s->from, s->to, s->zone,
		                              newest});
	if (!r || !db_exec(db, "COMMIT", 0, NULL))
		goto fail;
	return r;
fail:
	PQclear(r);
	db_rollback(db);
	return NULL;
}

static void search_busy(request *req)
{
	http_error(req, 503, "Many searches are running right now. Please try again in a few "
	                     "seconds; the rest of Cairn works as usual.");
	http_add_header(req, "Retry-After", "3");
}

static void search_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	const char *q = http_query(req, "q"), *space_arg = http_query(req, "space");
	const char *author = http_query(req, "author");
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	long long space_id = 0;
	const char *problem = NULL;
	if (space_arg && *space_arg && !http_parse_id(space_arg, &space_id))
		problem = "Choose a space from the list.";
	if ((from && *from && !valid_date(from)) || (to && *to && !valid_date(to)))
		problem = "Dates are written YYYY-MM-DD.";
	if (q && strlen(q) > 200)
		problem = "Searches can be at most 200 characters.";
	if (author && *author == '@')
		author++;
	bool searched = q && *q && !problem;
#ifdef CAIRN_TEST_HOOKS
	bool explain = searched && http_query(req, "explain");
#else
	bool explain = false;
#endif

	/* A search waits for its turn without holding a pool connection; once
	 * admitted it holds one until its results are read. */
	bool gated = false;
	if (searched) {
		http_db_release(req);
		if (!gate_enter(&searches)) {
			search_busy(req);
			return;
		}
		gated = true;
	}
	PGconn *db = http_db_required(req);
	if (!db)
		goto done;

	/* The spaces the searcher may read, decided first. */
	PGresult *sp = db_q(db,
		"SELECT s.id, s.title || coalesce(' · ' || c.title || ', ' ||"
		" to_char(o.starts_on, 'FMMon YYYY'), '') FROM spaces s"
		" LEFT JOIN offerings o ON o.id = s.offering_id LEFT JOIN courses c ON c.id = o.course_id"
		" WHERE " SPACE_READABLE_SQL("$1", "s.id") " ORDER BY s.id",
		num(a, u->id));
	if (!sp) {
		http_db_error(req);
		goto done;
	}
	buf ids;
	buf_init(&ids, a, 0);
	buf_putc(&ids, '{');
	tv *v = tv_obj(a);
	tv *spaces = tv_set(v, "spaces", tv_list(a));
	bool space_ok = space_id == 0;
	for (int i = 0; i < PQntuples(sp); i++) {
		long long id = atoll(db_val(sp, i, 0));
		if (!space_id || id == space_id)
			buf_appendf(&ids, "%s%lld", ids.len > 1 ? "," : "", id);
		space_ok |= id == space_id;
		tv *o = tv_push(spaces, tv_obj(a));
		tv_set_str(o, "id", num(a, id));
		tv_set_str(o, "title", arena_strdup(a, db_val(sp, i, 1)));
		tv_set_bool(o, "selected", id == space_id);
	}
	buf_putc(&ids, '}');
	PQclear(sp);
	if (!space_ok) {
		problem = "Choose a space from the list.";
		searched = false;
	}
	tv_set_str(v, "q", q ? q : "");
	tv_set_str(v, "author", author ? author : "");
	tv_set_str(v, "from", from ? from : "");
	tv_set_str(v, "to", to ? to : "");
	tv_set_str(v, "error", problem);
	tv *results = tv_set(v, "results", tv_list(a));
	tv_set_bool(v, "searched", searched);
	if (searched) {
		search_args args = {q, ids.data, author ? author : "", from ? from : "", to ? to : "",
		                    u->time_zone};
		PGresult *r = search_run(db, a, &args, explain);
		if (!r) {
			http_db_error(req);
			goto done;
		}
		if (explain) {
			buf plan;
			buf_init(&plan, a, 0);
			for (int i = 0; i < PQntuples(r); i++)
				buf_appendf(&plan, "%s\n", db_val(r, i, 0));
			PQclear(r);
			http_send(req, 200, "text/plain; charset=utf-8", plan.data, plan.len);
			goto done;
		}
		int c_num = PQfnumber(r, "number"), c_thread = PQfnumber(r, "thread_id");
		int c_title = PQfnumber(r, "title"), c_space = PQfnumber(r, "space");
		int c_author = PQfnumber(r, "display_name"), c_handle = PQfnumber(r, "handle");
		int c_day = PQfnumber(r, "day"), c_snippet = PQfnumber(r, "snippet");
		for (int i = 0; i < PQntuples(r); i++) {
			tv *o = tv_push(results, tv_obj(a));
			tv_set_str(o, "thread_id", arena_strdup(a, db_val(r, i, c_thread)));
			tv_set_str(o, "number", arena_strdup(a, db_val(r, i, c_num)));
			tv_set_str(o, "title", arena_strdup(a, db_val(r, i, c_title)));
			tv_set_str(o, "space", arena_strdup(a, db_val(r, i, c_space)));
			tv_set_str(o, "author", arena_strdup(a, db_val(r, i, c_author)));
			tv_set_str(o, "handle", arena_strdup(a, db_val(r, i, c_handle)));
			tv_set(o, "when", zone_time(a, db_val(r, i, c_day), u->time_zone, u->time_zone,
			                            ZONE_DATE));
			tv_set(o, "snippet", tv_str(a, search_snippet_html(a, db_val(r, i, c_snippet))));
			/* The snippet is folded behind the post's content note (guard.h). */
			const char *note = db_col(r, i, "content_note");
			tv_set_str(o, "note", *note ? arena_strdup(a, note) : NULL);
		}
		PQclear(r);
	}
	/* Leave the gate before rendering: the page itself is ordinary work. */
	if (gated) {
		gate_leave(&searches);
		gated = false;
	}
	tv_set_bool(v, "has_results", results->n > 0);
	http_render(req, problem ? 422 : 200, "search", q && *q ? arena_sprintf(a, "Search: %s", q)
	                                                        : "Search", v);
done:
	if (gated)
		gate_leave(&searches);
}

void search_routes(router *r)
{
	router_add(r, "GET", "/search", search_page, ACCESS_SIGNED_IN,
	           "search the posts I may read (space, author, dates)");
}
