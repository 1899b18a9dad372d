/*
 * search.c - see search.h.
 */
#include "cairn/search.h"
#include "cairn/authz.h"
#include "cairn/session.h"

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

static void search_page(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return;
	arena *a = req->a;
	PGconn *db = http_db_required(req);
	if (!db)
		return;
	const char *q = http_query(req, "q"), *space = http_query(req, "space");
	const char *author = http_query(req, "author");
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	long long space_id = 0;
	const char *problem = NULL;
	if (space && *space && !form_get_int(&req->query, "space", 1, 9000000000000000000LL, &space_id))
		problem = "Choose a space from the list.";
	if ((from && *from && !valid_date(from)) || (to && *to && !valid_date(to)))
		problem = "Dates are written YYYY-MM-DD.";
	if (q && strlen(q) > 200)
		problem = "Searches can be at most 200 characters.";
	if (author && *author == '@')
		author++;

	/* The spaces the searcher may read, decided first. */
	PGresult *sp = db_q(db,
		"SELECT s.id, s.title || coalesce(' · ' || c.title || ', ' ||"
		" to_char(o.starts_on, 'FMMon YYYY'), '') FROM spaces s"
		" LEFT JOIN offerings o ON o.id = s.offering_id LEFT JOIN courses c ON c.id = o.course_id"
		" WHERE cairn_space_role($1, s.id) >= 1 ORDER BY s.id",
		num(a, u->id));
	if (!sp) {
		http_db_error(req);
		return;
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
	if (!space_ok)
		problem = "Choose a space from the list.";
	tv_set_str(v, "q", q ? q : "");
	tv_set_str(v, "author", author ? author : "");
	tv_set_str(v, "from", from ? from : "");
	tv_set_str(v, "to", to ? to : "");
	tv_set_str(v, "error", problem);
	tv *results = tv_set(v, "results", tv_list(a));
	bool searched = q && *q && !problem;
	tv_set_bool(v, "searched", searched);
	if (searched) {
		PGresult *r = db_q(db,
			"WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q)"
			" SELECT p.id, p.number, t.id, t.title, s.title, au.display_name, au.handle,"
			" to_char(p.created_at AT TIME ZONE $7, 'FMMon FMDD, YYYY'),"
			" ts_headline('english', p.body_text, q.q, 'StartSel=' || chr(57344) ||"
			"   ', StopSel=' || chr(57345) || ', MaxWords=35, MinWords=12, MaxFragments=2,"
			"   FragmentDelimiter=\" … \"')"
			" FROM posts p CROSS JOIN q JOIN threads t ON t.id = p.thread_id"
			" JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id"
			" WHERE p.search @@ q.q AND t.space_id = ANY($2::bigint[])"
			" AND p.deleted_at IS NULL AND NOT p.hidden AND NOT t.hidden"
			" AND ($3 = '' OR au.handle = lower($3))"
			" AND ($4 = '' OR p.created_at >= ($4::date)::timestamp AT TIME ZONE $7)"
			" AND ($5 = '' OR p.created_at < ($5::date + 1)::timestamp AT TIME ZONE $7)"
			" ORDER BY ts_rank_cd(p.search, q.q) DESC, p.id DESC LIMIT $6",
			q, ids.data, author ? author : "", from ? from : "", to ? to : "", "30",
			u->time_zone);
		if (!r) {
			http_db_error(req);
			return;
		}
		for (int i = 0; i < PQntuples(r); i++) {
			tv *o = tv_push(results, tv_obj(a));
			tv_set_str(o, "thread_id", arena_strdup(a, db_val(r, i, 2)));
			tv_set_str(o, "number", arena_strdup(a, db_val(r, i, 1)));
			tv_set_str(o, "title", arena_strdup(a, db_val(r, i, 3)));
			tv_set_str(o, "space", arena_strdup(a, db_val(r, i, 4)));
			tv_set_str(o, "author", arena_strdup(a, db_val(r, i, 5)));
			tv_set_str(o, "handle", arena_strdup(a, db_val(r, i, 6)));
			tv_set_str(o, "when", arena_strdup(a, db_val(r, i, 7)));
			tv_set(o, "snippet", tv_str(a, search_snippet_html(a, db_val(r, i, 8))));
		}
		PQclear(r);
	}
	tv_set_bool(v, "has_results", results->n > 0);
	http_render(req, problem ? 422 : 200, "search", q && *q ? arena_sprintf(a, "Search: %s", q)
	                                                        : "Search", v);
}

void search_routes(router *r)
{
	router_add(r, "GET", "/search", search_page, "signed-in",
	           "search the posts I may read (space, author, dates)");
}
