/*
 * main.c - the cairn command: serve, migrate, demo, routes.
 *
 * This is the top of the layer cake: it wires configuration, the database
 * pool, templates, static files and every feature's routes into one app,
 * then serves until SIGTERM or SIGINT, finishing in-flight requests.
 */
#include "cairn/assets.h"
#include "cairn/clock.h"
#include "cairn/config.h"
#include "cairn/db.h"
#include "cairn/http.h"
#include "cairn/log.h"
#include "cairn/migrate.h"
#include "cairn/series.h"

#include <civetweb.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: cairn [command] [flags]\n"
	        "commands:\n"
	        "  serve     migrate the database, then serve (the default)\n"
	        "  migrate   apply the SQL migrations and exit\n"
	        "  demo      migrate, load the demo series if absent, print demo logins\n"
	        "  routes    print the route table (method, pattern, who may call it)\n"
	        "flags:\n%s",
	        config_usage());
}

static void add_routes(router *r)
{
	http_routes(r);
	series_routes(r);
}

static int cmd_routes(void)
{
	router r;
	router_init(&r);
	add_routes(&r);
	printf("%-6s %-36s %-12s %s\n", "METHOD", "PATTERN", "ACCESS", "WHAT");
	for (size_t i = 0; i < r.n; i++)
		printf("%-6s %-36s %-12s %s\n", r.routes[i].method, r.routes[i].pattern,
		       r.routes[i].access, r.routes[i].summary);
	return 0;
}

static PGconn *connect_and_migrate(const config *cfg)
{
	PGconn *db = db_connect(cfg->database_url);
	if (!db) {
		log_error("cannot reach the database (%s)", cfg->database_url);
		return NULL;
	}
	if (!migrate_run(db, cfg->sql_dir)) {
		PQfinish(db);
		return NULL;
	}
	return db;
}

static int cmd_migrate(const config *cfg)
{
	PGconn *db = connect_and_migrate(cfg);
	if (!db)
		return 1;
	PQfinish(db);
	return 0;
}

static int cmd_demo(const config *cfg)
{
	PGconn *db = connect_and_migrate(cfg);
	if (!db)
		return 1;
	int rc = 1;
	PGresult *r = db_q0(db, "SELECT count(*) FROM series WHERE slug = 'palliative-care'");
	if (!r)
		goto out;
	bool loaded = strcmp(db_val(r, 0, 0), "0") != 0;
	PQclear(r);
	if (!loaded) {
		char path[4096];
		snprintf(path, sizeof path, "%s/demo/series.sql", cfg->sql_dir);
		if (!migrate_run_file(db, path))
			goto out;
		printf("Loaded the demo series (Palliative Care Education Series).\n");
	} else {
		printf("The demo series is already loaded.\n");
	}
	rc = 0;
out:
	PQfinish(db);
	return rc;
}

static int cmd_serve(const config *cfg)
{
	int rc = 1;
	app application;
	memset(&application, 0, sizeof application);
	application.cfg = cfg;

	PGconn *db = connect_and_migrate(cfg);
	if (!db)
		return 1;
	PQfinish(db);

	if (!cfg->dev) {
		tpl_error err;
		application.templates = tpl_set_load_dir(cfg->templates_dir, &err);
		if (!application.templates) {
			log_error("templates: %s", err.message);
			return 1;
		}
	}
	application.static_files = assets_load(cfg->static_dir, cfg->dev);
	if (!application.static_files)
		goto out;
	application.pool = db_pool_new(cfg->database_url, cfg->pool_size, cfg->pool_wait_ms);
	router_init(&application.routes);
	add_routes(&application.routes);

	/* Block the stop signals in every thread; main waits for them below. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!http_start(&application))
		goto out;
	log_info("cairn serving on http://%s (origin %s, %d threads, %d connections)%s",
	         cfg->listen, cfg->origin, cfg->threads, cfg->pool_size,
	         cfg->dev ? " in dev mode" : "");
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("received %s: finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(&application);
	log_info("stopped");
	rc = 0;
out:
	db_pool_free(application.pool);
	assets_free(application.static_files);
	tpl_set_free(application.templates);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = "serve";
	int first_flag = 1;
	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		first_flag = 2;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	mg_init_library(0);
#ifdef CAIRN_TEST_HOOKS
	const char *pinned = getenv("CAIRN_TEST_NOW");
	if (pinned && *pinned)
		clock_set((time_t)atoll(pinned));
#endif

	config cfg;
	if (!strcmp(cmd, "routes"))
		return cmd_routes();
	if (!config_load(&cfg, argc - first_flag, argv + first_flag))
		return 2;
	int rc;
	if (!strcmp(cmd, "serve"))
		rc = cmd_serve(&cfg);
	else if (!strcmp(cmd, "migrate"))
		rc = cmd_migrate(&cfg);
	else if (!strcmp(cmd, "demo"))
		rc = cmd_demo(&cfg);
	else {
		usage(stderr);
		rc = 2;
	}
	mg_exit_library();
	return rc;
}
