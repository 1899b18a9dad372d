/*
 * migrate.h - apply the numbered SQL migrations in order.
 *
 * Files named NNN_description.sql in the migrations directory are applied
 * in numeric order, each in its own transaction, and recorded in
 * schema_migrations. A PostgreSQL advisory lock is held throughout, so two
 * instances starting together do not race: the second waits, then finds
 * nothing left to do.
 */
#ifndef CAIRN_MIGRATE_H
#define CAIRN_MIGRATE_H

#include <stdbool.h>
#include <libpq-fe.h>

/* Apply what is missing. Returns false (with the reason logged) if a file
 * cannot be read or fails; earlier files stay applied. */
bool migrate_run(PGconn *conn, const char *dir);

/* Run one SQL script file (several statements) inside the caller's
 * transaction (or none). false, with the reason logged, if it fails. */
bool migrate_exec_file(PGconn *conn, const char *path);

/* Run one SQL script file (several statements) in a transaction. */
bool migrate_run_file(PGconn *conn, const char *path);

#endif
