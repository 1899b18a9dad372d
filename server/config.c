/*
 * config.c - flags and environment into a config struct. See config.h.
 */
#include "cairn/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_int(const char *what, const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "cairn: %s must be a whole number from %ld to %ld (got \"%s\")\n",
		        what, min, max, s);
		return false;
	}
	*out = v;
	return true;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

const char *config_usage(void)
{
	return "  --listen HOST:PORT   address to serve on (CAIRN_LISTEN, 127.0.0.1:8080)\n"
	       "  --origin URL         the site's public origin, for CSRF checks (CAIRN_ORIGIN)\n"
	       "  --database URL       libpq connection string (CAIRN_DATABASE_URL)\n"
	       "  --threads N          worker threads, one per open connection (CAIRN_THREADS, 256)\n"
	       "  --max-per-address N  open connections one client address may hold, except the\n"
	       "                       trusted proxy (CAIRN_MAX_PER_ADDRESS, 64)\n"
	       "  --pool N             database connections (CAIRN_POOL, 8)\n"
	       "  --templates DIR      templates (CAIRN_TEMPLATES, ./templates)\n"
	       "  --static DIR         static files (CAIRN_STATIC, ./static)\n"
	       "  --sql DIR            migrations and demo data (CAIRN_SQL, ./sql)\n"
	       "  --secret-file PATH   the outbox key, made if missing (CAIRN_SECRET_FILE, var/cairn.secret)\n"
	       "  --max-body BYTES     request body cap (CAIRN_MAX_BODY, 1048576)\n"
	       "  --dev                re-read templates and static files when they change\n";
}

bool config_load(config *cfg, int argc, char **argv)
{
	long v;
	memset(cfg, 0, sizeof *cfg);
	cfg->database_url = env_or("CAIRN_DATABASE_URL", "dbname=cairn");
	cfg->listen = env_or("CAIRN_LISTEN", "127.0.0.1:8080");
	cfg->origin = env_or("CAIRN_ORIGIN", NULL);
	cfg->templates_dir = env_or("CAIRN_TEMPLATES", "templates");
	cfg->static_dir = env_or("CAIRN_STATIC", "static");
	cfg->sql_dir = env_or("CAIRN_SQL", "sql");
	cfg->secret_file = env_or("CAIRN_SECRET_FILE", "var/cairn.secret");
	cfg->trusted_proxy = env_or("CAIRN_TRUSTED_PROXY", NULL);
	/* A worker thread per open connection (CivetWeb), so enough of them for
	 * the connections one instance should hold; each costs little until it
	 * serves (its stack and arena are touched on use). */
	cfg->threads = 256;
	cfg->pool_size = 8;
	cfg->pool_wait_ms = 2000;
	cfg->max_body = 1024 * 1024;
	/* Short, because a slow client holds a worker the whole time. */
	cfg->request_timeout_ms = 10000;
	cfg->keepalive_timeout_ms = 5000;
	/* A hospital ward behind one NAT address: some 30 people, a browser
	 * keeping one or two connections each. */
	cfg->max_per_address = 64;

	struct { const char *env; int *dst; long min, max; } ints[] = {
		{"CAIRN_THREADS", &cfg->threads, 2, 1024},
		{"CAIRN_POOL", &cfg->pool_size, 1, 256},
		{"CAIRN_POOL_WAIT_MS", &cfg->pool_wait_ms, 1, 60000},
		{"CAIRN_REQUEST_TIMEOUT_MS", &cfg->request_timeout_ms, 100, 600000},
		{"CAIRN_SEARCH_SLOTS", &cfg->search_slots, 1, 256},
		{"CAIRN_KEEPALIVE_TIMEOUT_MS", &cfg->keepalive_timeout_ms, 100, 600000},
		{"CAIRN_MAX_PER_ADDRESS", &cfg->max_per_address, 1, 100000},
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		const char *s = getenv(ints[i].env);
		if (s && *s) {
			if (!parse_int(ints[i].env, s, ints[i].min, ints[i].max, &v))
				return false;
			*ints[i].dst = (int)v;
		}
	}
	const char *mb = getenv("CAIRN_MAX_BODY");
	if (mb && *mb) {
		if (!parse_int("CAIRN_MAX_BODY", mb, 1024, 64L * 1024 * 1024, &v))
			return false;
		cfg->max_body = (size_t)v;
	}

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (!strcmp(a, "--dev")) {
			cfg->dev = true;
			takes = false;
		} else if (!val) {
			fprintf(stderr, "cairn: unknown flag or missing value: %s\n", a);
			return false;
		} else if (!strcmp(a, "--listen")) {
			cfg->listen = val;
		} else if (!strcmp(a, "--origin")) {
			cfg->origin = val;
		} else if (!strcmp(a, "--database")) {
			cfg->database_url = val;
		} else if (!strcmp(a, "--templates")) {
			cfg->templates_dir = val;
		} else if (!strcmp(a, "--static")) {
			cfg->static_dir = val;
		} else if (!strcmp(a, "--secret-file")) {
			cfg->secret_file = val;
		} else if (!strcmp(a, "--sql")) {
			cfg->sql_dir = val;
		} else if (!strcmp(a, "--threads")) {
			if (!parse_int("--threads", val, 2, 1024, &v))
				return false;
			cfg->threads = (int)v;
		} else if (!strcmp(a, "--pool")) {
			if (!parse_int("--pool", val, 1, 256, &v))
				return false;
			cfg->pool_size = (int)v;
		} else if (!strcmp(a, "--max-per-address")) {
			if (!parse_int("--max-per-address", val, 1, 100000, &v))
				return false;
			cfg->max_per_address = (int)v;
		} else if (!strcmp(a, "--max-body")) {
			if (!parse_int("--max-body", val, 1024, 64L * 1024 * 1024, &v))
				return false;
			cfg->max_body = (size_t)v;
		} else {
			fprintf(stderr, "cairn: unknown flag: %s\n%s", a, config_usage());
			return false;
		}
		if (takes)
			i++;
	}

	if (!cfg->origin) {
		/* The origin defaults to what a browser on this machine would send. */
		static char origin[300];
		snprintf(origin, sizeof origin, "http://%s", cfg->listen);
		cfg->origin = origin;
	}
	if (strncmp(cfg->origin, "http://", 7) && strncmp(cfg->origin, "https://", 8)) {
		fprintf(stderr, "cairn: the origin must start with http:// or https:// (got %s)\n",
		        cfg->origin);
		return false;
	}
	cfg->secure_cookies = !strncmp(cfg->origin, "https://", 8);
	/* Searches may hold at most a quarter of the pool; pages keep the rest. */
	if (cfg->search_slots == 0)
		cfg->search_slots = cfg->pool_size >= 8 ? cfg->pool_size / 4 : 1;
	if (cfg->search_slots >= cfg->pool_size && cfg->pool_size > 1)
		cfg->search_slots = cfg->pool_size - 1;
	return true;
}
