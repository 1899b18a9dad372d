/*
 * migrate.c - numbered migrations under an advisory lock. See migrate.h.
 */
#include "cairn/migrate.h"
#include "cairn/arena.h"
#include "cairn/db.h"
#include "cairn/log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An arbitrary constant naming Cairn's migration lock. */
#define MIGRATE_LOCK_KEY "7231980427"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
			data = malloc((size_t)n + 1);
			if (!data)
				fatal("migrate: out of memory");
			if (fread(data, 1, (size_t)n, f) != (size_t)n) {
				free(data);
				data = NULL;
			} else {
				data[n] = '\0';
			}
		}
	}
	fclose(f);
	return data;
}

static bool exec_script(PGconn *conn, const char *sql, const char *what)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		log_error("migrate: %s failed: %s", what, PQerrorMessage(conn));
	PQclear(r);
	return ok;
}

bool migrate_exec_file(PGconn *conn, const char *path)
{
	char *sql = read_file(path);
	if (!sql) {
		log_error("migrate: cannot read %s", path);
		return false;
	}
	bool ok = exec_script(conn, sql, path);
	free(sql);
	return ok;
}

bool migrate_run_file(PGconn *conn, const char *path)
{
	bool ok = db_begin(conn) && migrate_exec_file(conn, path) && db_commit(conn);
	if (!ok)
		db_rollback(conn);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration(const char *name)
{
	size_t n = strlen(name);
	return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
	       name[2] >= '0' && name[2] <= '9' && name[3] == '_' &&
	       !strcmp(name + n - 4, ".sql");
}

bool migrate_run(PGconn *conn, const char *dir)
{
	bool ok = false;
	char **names = NULL;
	size_t count = 0, cap = 0;
	DIR *d = opendir(dir);
	if (!d) {
		log_error("migrate: cannot open %s", dir);
		return false;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_migration(e->d_name))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				fatal("migrate: out of memory");
		}
		names[count] = strdup(e->d_name);
		if (!names[count])
			fatal("migrate: out of memory");
		count++;
	}
	closedir(d);
	qsort(names, count, sizeof *names, by_name);

	if (!db_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL))
		goto out;
	if (!db_exec(conn,
	             "CREATE TABLE IF NOT EXISTS schema_migrations ("
	             " version text PRIMARY KEY,"
	             " applied_at timestamptz NOT NULL DEFAULT now())",
	             0, NULL))
		goto unlock;

	for (size_t i = 0; i < count; i++) {
		const char *version = names[i];
		PGresult *r = db_q(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", version);
		if (!r)
			goto unlock;
		bool applied = PQntuples(r) > 0;
		PQclear(r);
		if (applied)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, version);
		char *sql = read_file(path);
		if (!sql) {
			log_error("migrate: cannot read %s", path);
			goto unlock;
		}
		bool step = db_begin(conn) && exec_script(conn, sql, version) &&
		            db_exec(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
		                    (const char *[]){version}) &&
		            db_commit(conn);
		free(sql);
		if (!step) {
			db_rollback(conn);
			goto unlock;
		}
		log_info("migrate: applied %s", version);
	}
	ok = true;
unlock:
	db_exec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0, NULL);
out:
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return ok;
}
