/*
 * main.c - the cairn command: serve, migrate, demo, routes.
 *
 * This is the top of the layer cake: it wires configuration, the database
 * pool, templates, static files and every feature's routes into one app,
 * then serves until SIGTERM or SIGINT, finishing in-flight requests.
 */
#include "cairn/accounts.h"
#include "cairn/assets.h"
#include "cairn/auth.h"
#include "cairn/catalog.h"
#include "cairn/clock.h"
#include "cairn/config.h"
#include "cairn/db.h"
#include "cairn/demo.h"
#include "cairn/enroll.h"
#include "cairn/enroll_import.h"
#include "cairn/forum.h"
#include "cairn/home.h"
#include "cairn/http.h"
#include "cairn/log.h"
#include "cairn/migrate.h"
#include "cairn/notify.h"
#include "cairn/outbox.h"
#include "cairn/search.h"
#include "cairn/series.h"
#include "cairn/session.h"
#include "cairn/teams.h"
#include "cairn/testhooks.h"

#include <civetweb.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/keys.h"

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: cairn [command] [flags]\n"
	        "commands:\n"
	        "  serve     migrate the database, then serve (the default)\n"
	        "  migrate   apply the SQL migrations and exit\n"
	        "  demo      migrate, load the demo series if absent, print demo logins\n"
	        "  routes    print the route table (method, pattern, who may call it)\n"
	        "  admin create --email E --handle H --name N\n"
	        "            make an administrator; the password is read from standard input\n"
	        "flags:\n%s",
	        config_usage());
}

static void add_routes(router *r)
{
	http_routes(r);
	series_routes(r);
	auth_routes(r);
	accounts_routes(r);
	catalog_routes(r);
	home_routes(r);
	enroll_routes(r);
	enroll_import_routes(r);
	teams_routes(r);
	forum_routes(r);
	notify_routes(r);
	search_routes(r);
#ifdef CAIRN_TEST_HOOKS
	testhooks_routes(r);
#endif
}

/* What every page's header shows: who is signed in, and how many
 * notifications wait for them. */
static void decorate_layout(request *req, tv *layout)
{
	session_decorate_layout(req, layout);
	user *u = session_user(req);
	PGconn *db = u ? http_db(req) : NULL;
	int unread = db ? notify_unread_count(db, u->id) : 0;
	if (u)
		tv_set(tv_get(layout, "user"), "unread_notifications",
		       unread > 0 ? tv_int(req->a, unread) : tv_null(req->a));
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
	bool ok = demo_load(db, cfg->sql_dir, stdout);
	PQfinish(db);
	return ok ? 0 : 1;
}

/* cairn admin create --email E --handle H --name N: the first admin. The
 * password comes from standard input so it never sits in shell history or
 * the process list. */
static int cmd_admin(int argc, char **argv)
{
	account_fields f = {.profession = "other", .pronouns = "", .time_zone = "America/New_York",
	                    .track = "both", .is_admin = true};
	if (argc < 1 || strcmp(argv[0], "create")) {
		fprintf(stderr, "usage: cairn admin create --email E --handle H --name N\n");
		return 2;
	}
	int rest = 1;
	for (; rest + 1 < argc; rest += 2) {
		if (!strcmp(argv[rest], "--email"))
			f.email = argv[rest + 1];
		else if (!strcmp(argv[rest], "--handle"))
			f.handle = argv[rest + 1];
		else if (!strcmp(argv[rest], "--name"))
			f.display_name = argv[rest + 1];
		else
			break;
	}
	config cfg;
	if (!config_load(&cfg, argc - rest, argv + rest))
		return 2;
	char password[1100];
	if (isatty(0))
		fprintf(stderr, "Password for %s: ", f.email ? f.email : "the admin");
	if (!fgets(password, sizeof password, stdin)) {
		fprintf(stderr, "cairn: no password given on standard input\n");
		return 2;
	}
	password[strcspn(password, "\r\n")] = '\0';
	PGconn *db = connect_and_migrate(&cfg);
	if (!db)
		return 1;
	arena a;
	arena_init(&a, 0);
	int rc = 1;
	const char *problem = accounts_check(db, &a, &f);
	if (!problem)
		problem = keys_password_problem(password, f.email, f.display_name);
	if (problem) {
		fprintf(stderr, "cairn: %s\n", problem);
		goto out;
	}
	int64_t uid;
	uint8_t jmk[CRYPTO_KEY_BYTES];
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	const char *conflict = NULL;
	if (!db_begin(db) || !accounts_create(db, &a, &f, password, &uid, jmk, code, &conflict) ||
	    !db_commit(db)) {
		db_rollback(db);
		fprintf(stderr, "cairn: %s\n", conflict ? conflict : "could not create the admin");
		goto out;
	}
	printf("Created administrator @%s (%s).\nRecovery code (shown once; keep it safe): %s\n",
	       f.handle, f.email, code);
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(code, sizeof code);
	rc = 0;
out:
	sodium_memzero(password, sizeof password);
	arena_free(&a);
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
	if (!outbox_init(cfg->secret_file))
		goto out;
	application.before = session_before;
	application.after = session_after;
	application.decorate_layout = decorate_layout;
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
	if (!strcmp(cmd, "admin"))
		return cmd_admin(argc - 2, argv + 2);
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
