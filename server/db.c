/*
 * db.c - connection pool and query helpers. See db.h.
 *
 * The pool is an array of slots guarded by one mutex and a condition
 * variable. A slot holds a connection (or NULL until first use) and a busy
 * flag. Connecting happens outside the lock so a slow or unreachable
 * database never blocks threads that only return connections.
 */
#include "cairn/db.h"
#include "cairn/arena.h"
#include "cairn/log.h"

#include <errno.h>
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

/* Settings every connection has, also after a transparent reconnect. */
static void setup_session(PGconn *c)
{
	PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'; SET statement_timeout = '15s'");
	PQclear(r);
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
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += p->wait_ms / 1000;
	deadline.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

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
	PGresult *r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
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
		r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
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
