/*
 * db.c - connection pool and query helpers. See db.h.
 *
 * The pool is an array of slots guarded by one mutex and a condition
 * variable. A slot holds a connection (or NULL until first use) and a busy
 * flag. Connecting happens outside the lock so a slow or unreachable
 * database never blocks threads that only return connections.
 */
#include "cairn/db.h"
#include "cairn/clock.h"
#include "cairn/arena.h"
#include "cairn/log.h"

#include <errno.h>
#include <libpq-events.h>
#include <stdio.h>
#include <sodium.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
	PGconn *conn;
	bool busy;
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *conninfo;
	int size;
	int wait_ms;
	struct slot *slots;
};

static _Thread_local char last_sqlstate[6];
static _Thread_local char last_constraint[64];

static void notice_quiet(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;
}

/* ---- prepared statements ----
 *
 * Every statement is prepared once per connection and executed by name
 * afterwards, so PostgreSQL plans it once instead of on every request (a
 * page's statements spent more time being planned than run). Each
 * connection carries its own table of what it has prepared, attached with
 * libpq's event mechanism so it is cleared when the connection is reset
 * (prepared statements die with the server session) and freed with it.
 */
enum { PREP_SLOTS = 1024 };

typedef struct prep_entry {
	uint64_t hash;
	char *sql;      /* NULL: empty slot */
} prep_entry;

typedef struct prep_table {
	prep_entry slots[PREP_SLOTS];
	unsigned count;
} prep_table;

static void prep_clear(prep_table *t)
{
	for (unsigned i = 0; i < PREP_SLOTS; i++) {
		free(t->slots[i].sql);
		t->slots[i].sql = NULL;
	}
	t->count = 0;
}

static int prep_events(PGEventId id, void *info, void *pass)
{
	(void)pass;
	if (id == PGEVT_CONNRESET || id == PGEVT_CONNDESTROY) {
		PGconn *c = id == PGEVT_CONNRESET ? ((PGEventConnReset *)info)->conn
		                                  : ((PGEventConnDestroy *)info)->conn;
		prep_table *t = PQinstanceData(c, prep_events);
		if (t) {
			prep_clear(t);
			if (id == PGEVT_CONNDESTROY) {
				free(t);
				PQsetInstanceData(c, prep_events, NULL);
			}
		}
	}
	return 1;
}

static void prep_attach(PGconn *c)
{
	prep_table *t = calloc(1, sizeof *t);
	if (!t)
		fatal("db: out of memory");
	if (!PQregisterEventProc(c, prep_events, "cairn-prepared", NULL) ||
	    !PQsetInstanceData(c, prep_events, t))
		free(t); /* statements then simply run unprepared */
}

static uint64_t hash_sql(const char *sql)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The name under which sql is prepared on c, preparing it first if need
 * be; NULL when it cannot be prepared (run it unnamed instead). */
static const char *prep_name(PGconn *c, const char *sql, int nparams, char name[24])
{
	prep_table *t = PQinstanceData(c, prep_events);
	if (!t || PQtransactionStatus(c) == PQTRANS_INERROR)
		return NULL;
	uint64_t h = hash_sql(sql);
	unsigned i = (unsigned)(h % PREP_SLOTS);
	for (unsigned probes = 0; probes < PREP_SLOTS; probes++, i = (i + 1) % PREP_SLOTS) {
		prep_entry *e = &t->slots[i];
		if (!e->sql)
			break;
		if (e->hash == h && !strcmp(e->sql, sql)) {
			snprintf(name, 24, "c%u", i);
			return name;
		}
	}
	/* Keep the table at most three quarters full; beyond that (a flood of
	 * distinct statement texts) statements run unprepared. */
	if (t->slots[i].sql || t->count >= PREP_SLOTS * 3 / 4)
		return NULL;
	snprintf(name, 24, "c%u", i);
	PGresult *r = PQprepare(c, name, sql, nparams, NULL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return NULL;
	t->slots[i].hash = h;
	t->slots[i].sql = strdup(sql);
	if (!t->slots[i].sql)
		fatal("db: out of memory");
	t->count++;
	return name;
}

static PGresult *run(PGconn *c, const char *sql, int nparams, const char *const *params)
{
	char name[24];
	const char *n = prep_name(c, sql, nparams, name);
	if (n)
		return PQexecPrepared(c, n, nparams, params, NULL, NULL, 0);
	return PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
}

/* Settings every connection has, also after a transparent reconnect. JIT
 * compilation and parallel workers cost a request-sized query far more
 * than they save (0.5-0.9 s measured on a loaded 2-core machine). */
#ifdef CAIRN_TEST_HOOKS
/* The database reads "now" through cairn_now() (sql/011): every connection
 * handed out is told the pinned test clock, or '' for the real one, so SQL
 * and C agree on the time. The shipped binary never sets it. */
#define CLOCK_SQL "SELECT set_config('cairn.now', CASE WHEN $1 = '' THEN '' ELSE" \
                  " to_timestamp($1::bigint)::text END, false)"

static const char *pinned_param(char buf[32])
{
	int64_t us = clock_pinned_us();
	if (us)
		snprintf(buf, 32, "%lld", (long long)(us / 1000000));
	else
		buf[0] = '\0';
	return buf;
}
#endif

static void setup_session(PGconn *c)
{
	PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'; SET statement_timeout = '15s'; SET jit = off;"
	                        " SET max_parallel_workers_per_gather = 0");
	PQclear(r);
#ifdef CAIRN_TEST_HOOKS
	char buf[32];
	const char *p[1] = {pinned_param(buf)};
	PQclear(PQexecParams(c, CLOCK_SQL, 1, NULL, p, NULL, NULL, 0));
#endif
}

/* Has the server closed this connection while it sat in the pool? Reading
 * what is pending (a termination notice, then EOF) tells without a round
 * trip. */
static bool still_open(PGconn *c)
{
	return PQstatus(c) == CONNECTION_OK && PQconsumeInput(c) && PQstatus(c) == CONNECTION_OK;
}

PGconn *db_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (!c)
		fatal("db: out of memory");
	if (PQstatus(c) != CONNECTION_OK) {
		log_warn("db: cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* NOTICEs (e.g. "relation already exists, skipping") are not errors. */
	PQsetNoticeReceiver(c, notice_quiet, NULL);
	prep_attach(c);
	setup_session(c);
	return c;
}

db_pool *db_pool_new(const char *conninfo, int size, int wait_ms)
{
	db_pool *p = calloc(1, sizeof *p);
	if (!p)
		fatal("db: out of memory");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->conninfo = strdup(conninfo);
	p->size = size;
	p->wait_ms = wait_ms;
	p->slots = calloc((size_t)size, sizeof *p->slots);
	if (!p->conninfo || !p->slots)
		fatal("db: out of memory");
	return p;
}

void db_pool_free(db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		if (p->slots[i].conn)
			PQfinish(p->slots[i].conn);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->slots);
	free(p->conninfo);
	free(p);
}

PGconn *db_acquire(db_pool *p)
{
	struct timespec deadline = clock_deadline_ms(p->wait_ms);

	pthread_mutex_lock(&p->lock);
	int found = -1;
	for (;;) {
		/* Prefer a slot with an open connection; else any free slot. */
		for (int i = 0; i < p->size; i++) {
			if (p->slots[i].busy)
				continue;
			if (p->slots[i].conn) {
				found = i;
				break;
			}
			if (found < 0)
				found = i;
		}
		if (found >= 0)
			break;
		int rc = pthread_cond_timedwait(&p->freed, &p->lock, &deadline);
		if (rc == ETIMEDOUT) {
			pthread_mutex_unlock(&p->lock);
			log_warn("db: no connection free within %d ms", p->wait_ms);
			return NULL;
		}
	}
	struct slot *s = &p->slots[found];
	s->busy = true;
	PGconn *c = s->conn;
	s->conn = NULL;
	pthread_mutex_unlock(&p->lock);

	if (c && !still_open(c)) {
		PQfinish(c);
		c = NULL;
	}
	if (!c)
		c = db_connect(p->conninfo);
	if (!c) {
		pthread_mutex_lock(&p->lock);
		s->busy = false;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
#ifdef CAIRN_TEST_HOOKS
	/* Through db_query, which reconnects a connection the server dropped. */
	PQclear(db_query(c, CLOCK_SQL, 1, (const char *[]){pinned_param((char[32]){0})}));
#endif
	/* Remember which slot it came from by parking it there while busy. */
	pthread_mutex_lock(&p->lock);
	s->conn = c;
	pthread_mutex_unlock(&p->lock);
	return c;
}

void db_release(db_pool *p, PGconn *c)
{
	if (!c)
		return;
	if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c, "ROLLBACK");
		PQclear(r);
	}
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->size; i++) {
		if (p->slots[i].conn == c) {
			p->slots[i].busy = false;
			if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
				PQfinish(c);
				p->slots[i].conn = NULL;
			}
			break;
		}
	}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

const char *db_col(const PGresult *res, int row, const char *name)
{
	int col = PQfnumber(res, name);
	if (col < 0)
		fatal("db: the query has no column %s", name);
	return PQgetvalue(res, row, col);
}

const char *db_last_sqlstate(void)
{
	return last_sqlstate;
}

const char *db_last_constraint(void)
{
	return last_constraint;
}

bool db_broken(PGconn *conn)
{
	return !conn || PQstatus(conn) != CONNECTION_OK;
}

PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	last_sqlstate[0] = '\0';
	last_constraint[0] = '\0';
	bool idle = PQtransactionStatus(conn) == PQTRANS_IDLE;
	PGresult *r = run(conn, sql, nparams, params);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	/* A connection the server dropped since its last use (a restart, an
	 * idle timeout) fails its first statement. Outside a transaction nothing
	 * was half-done, so reconnect once and run it again. */
	if (idle && PQstatus(conn) == CONNECTION_BAD) {
		PQclear(r);
		PQreset(conn);
		if (PQstatus(conn) != CONNECTION_OK)
			return NULL;
		setup_session(conn);
		r = run(conn, sql, nparams, params);
		st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
			return r;
	}
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	if (state)
		strncpy(last_sqlstate, state, sizeof last_sqlstate - 1);
	snprintf(last_constraint, sizeof last_constraint, "%s", constraint ? constraint : "");
	/* Constraint violations are answered to the user by the caller; they
	 * are expected, so they are not logged as errors. */
	if (!state || strncmp(state, "23", 2))
		log_error("db: %s (in: %.80s)", PQerrorMessage(conn), sql);
	PQclear(r);
	return NULL;
}

bool db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_query(conn, sql, nparams, params);
	PQclear(r);
	return r != NULL;
}

bool db_begin(PGconn *conn)
{
	return db_exec(conn, "BEGIN", 0, NULL);
}

bool db_commit(PGconn *conn)
{
	return db_exec(conn, "COMMIT", 0, NULL);
}

void db_rollback(PGconn *conn)
{
	PGresult *r = PQexec(conn, "ROLLBACK");
	PQclear(r);
}

const char *db_bytea_param(arena *a, const void *data, size_t len)
{
	char *hex = arena_alloc(a, 2 * len + 3);
	hex[0] = '\\';
	hex[1] = 'x';
	sodium_bin2hex(hex + 2, 2 * len + 1, data, len);
	return hex;
}

const char *db_text_array_param(arena *a, const char *const *v, size_t n)
{
	size_t len = 3; /* "{", "}", NUL */
	for (size_t i = 0; i < n; i++) {
		len += 1 + (v[i] ? 2 + strlen(v[i]) : 4); /* "," and '"..."' or NULL */
		for (const char *c = v[i]; c && *c; c++)
			len += *c == '"' || *c == '\\';
	}
	char *out = arena_alloc(a, len), *o = out;
	*o++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		if (!v[i]) {
			memcpy(o, "NULL", 4);
			o += 4;
			continue;
		}
		*o++ = '"';
		for (const char *c = v[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

unsigned char *db_bytea(arena *a, const PGresult *res, int row, int col, size_t *len)
{
	*len = 0;
	if (PQgetisnull(res, row, col))
		return NULL;
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
	if (!raw)
		fatal("db: out of memory");
	unsigned char *out = arena_alloc(a, n ? n : 1);
	memcpy(out, raw, n);
	sodium_memzero(raw, n);
	PQfreemem(raw);
	*len = n;
	return out;
}

bool db_bytea_exact(const PGresult *res, int row, int col, void *out, size_t want)
{
	if (PQgetisnull(res, row, col))
		return false;
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
	if (!raw)
		fatal("db: out of memory");
	bool ok = n == want;
	if (ok)
		memcpy(out, raw, n);
	sodium_memzero(raw, n);
	PQfreemem(raw);
	return ok;
}
