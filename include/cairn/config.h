/*
 * config.h - settings read once at start from flags and the environment.
 *
 * Flags win over environment variables, which win over defaults. After
 * config_load returns the struct is read-only for the life of the process.
 */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct config {
	const char *database_url;  /* CAIRN_DATABASE_URL, libpq conninfo */
	const char *listen;        /* CAIRN_LISTEN, "127.0.0.1:8080" */
	const char *origin;        /* CAIRN_ORIGIN, e.g. "http://127.0.0.1:8080" */
	const char *templates_dir; /* CAIRN_TEMPLATES */
	const char *static_dir;    /* CAIRN_STATIC */
	const char *sql_dir;       /* CAIRN_SQL */
	const char *secret_file;   /* CAIRN_SECRET_FILE: the outbox key, outside the database */
	const char *trusted_proxy; /* CAIRN_TRUSTED_PROXY: peer whose X-Forwarded-For is believed */
	int threads;               /* CAIRN_THREADS: CivetWeb workers */
	int pool_size;             /* CAIRN_POOL: database connections */
	int pool_wait_ms;          /* CAIRN_POOL_WAIT_MS: bounded wait for a connection */
	size_t max_body;           /* CAIRN_MAX_BODY: request body cap in bytes */
	int request_timeout_ms;    /* CAIRN_REQUEST_TIMEOUT_MS: headers, and each wait for body bytes */
	int keepalive_timeout_ms;  /* CAIRN_KEEPALIVE_TIMEOUT_MS: an idle keep-alive connection */
	int max_per_address;       /* CAIRN_MAX_PER_ADDRESS: open connections one client may hold */
	int search_slots;          /* CAIRN_SEARCH_SLOTS: searches at once (pool / 4) */
	bool dev;                  /* --dev: re-read templates and static files on change */
	bool secure_cookies;       /* origin is https */
} config;

/* Parse argv (after the subcommand) and the environment into cfg.
 * Returns false and prints a message on a bad flag or value. */
bool config_load(config *cfg, int argc, char **argv);
/* The usage text for flags, for `cairn --help`. */
const char *config_usage(void);

#endif
