/*
 * db.h - a small pool of PostgreSQL connections and parameterised queries.
 *
 * The pool's size is fixed by configuration and does not grow with the
 * number of worker threads: a worker borrows a connection for one request
 * and waits a bounded time when all are busy. Connections are opened
 * lazily, and one found broken is re-opened on the next borrow, so the
 * server rides out a database restart: requests in the gap get 503.
 *
 * A connection returned with a transaction still open (a handler that
 * failed half-way) is rolled back before anyone else may use it.
 *
 * SQL is always constant text with $1..$n parameters (PQexecParams); values
 * are passed as text. Nothing here formats SQL.
 */
#ifndef CAIRN_DB_H
#define CAIRN_DB_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "cairn/arena.h"

typedef struct db_pool db_pool;

/* A pool for conninfo with at most size connections. Never NULL. */
db_pool *db_pool_new(const char *conninfo, int size, int wait_ms);
void db_pool_free(db_pool *pool);

/* Borrow a connection: NULL if none became free within the wait or the
 * database cannot be reached (the caller answers 503). */
PGconn *db_acquire(db_pool *pool);
/* Give it back (rolls back an open transaction; drops a broken one). */
void db_release(db_pool *pool, PGconn *conn);

/* Open a single connection outside any pool (CLI commands). NULL on failure,
 * with the reason logged. */
PGconn *db_connect(const char *conninfo);

/* Run a parameterised statement. Returns the result when it succeeded
 * (PGRES_COMMAND_OK or PGRES_TUPLES_OK), NULL otherwise (the error is
 * logged, the result freed). The caller PQclear()s a non-NULL result. */
PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* db_q(conn, sql, p1, p2, ...): db_query with the parameters counted. */
#define db_q(conn, sql, ...) \
	db_query((conn), (sql), \
	         (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), \
	         (const char *[]){__VA_ARGS__})
#define db_q0(conn, sql) db_query((conn), (sql), 0, NULL)

/* Run sql with no result wanted; true on success. */
bool db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params);
bool db_begin(PGconn *conn);
bool db_commit(PGconn *conn);
void db_rollback(PGconn *conn);

/* The SQLSTATE of the last failed db_query on this thread ("" if none):
 * lets callers tell a unique violation (23505) from a real fault. */
const char *db_last_sqlstate(void);
/* The constraint a failed query violated ("" if none): tells which unique
 * index a duplicate hit, without a query in the aborted transaction. */
const char *db_last_constraint(void);

/* true if the connection is unusable (the caller answers 503, not 500). */
bool db_broken(PGconn *conn);

/* A bytea parameter ("\\x" + hex) for data, allocated in a. */
const char *db_bytea_param(arena *a, const void *data, size_t len);
/* A one-dimensional array parameter (text[], and through a cast bytea[] of
 * db_bytea_param values) holding v[0..n-1], allocated in a: every element
 * quoted and escaped; a NULL element is SQL NULL. Lets one statement take
 * a whole set (unnest) instead of one statement per row. */
const char *db_text_array_param(arena *a, const char *const *v, size_t n);
/* Copy a bytea column into out if it is not NULL and exactly want bytes
 * long; false otherwise. */
bool db_bytea_exact(const PGresult *res, int row, int col, void *out, size_t want);
/* A bytea column as newly arena-allocated bytes; NULL for SQL NULL. */
unsigned char *db_bytea(arena *a, const PGresult *res, int row, int col, size_t *len);

/* Value helpers: "" for NULL. */
static inline const char *db_val(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}
static inline bool db_isnull(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col);
}
/* The value of the column called name ("" for NULL), for queries that may
 * grow. A name the query does not have is a bug: fatal. */
const char *db_col(const PGresult *res, int row, const char *name);

#endif
