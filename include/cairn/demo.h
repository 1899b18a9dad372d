/*
 * demo.h - the demo cohort that `scripts/run` loads: the series from the
 * course page (sql/demo/series.sql) and a handful of people with known
 * passwords, so every feature can be tried today.
 */
#ifndef CAIRN_DEMO_H
#define CAIRN_DEMO_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

/* Load whatever part of the demo is missing: the series, the people, their
 * enrollments, the conversation and the small groups, placed by the
 * placement code (origin is the site's URL, for links in
 * the notification messages it queues). Prints the demo logins to out.
 * Safe to run again: it never duplicates or overwrites. */
bool demo_load(PGconn *db, const char *sql_dir, const char *origin, FILE *out);

#endif
