/*
 * zone.h - time zones and how a time is shown: the one list of zones people
 * choose from (with friendly names), and the one way every page prints an
 * instant.
 *
 * The rule every page follows: a time is a <time datetime="..."> element
 * (templates/partials/time.html) whose datetime is ISO 8601 with the offset
 * of the zone it is written in, and whose text is in the reader's zone
 * (their profile's; for someone not signed in, the offering's) or else
 * names its zone ("10:15 am EDT"). tests/browser/times.test.mjs checks it.
 *
 * PostgreSQL knows the zone rules, so an instant reaches C as ZONE_SQL(ts,
 * zone): the wall-clock time in that zone and the Unix second. Their
 * difference is the offset, so C needs no zone database of its own; the
 * abbreviation comes from the list below (or is "UTC+5:45" for a zone or an
 * offset the list does not name).
 */
#ifndef CAIRN_ZONE_H
#define CAIRN_ZONE_H

#include "cairn/arena.h"
#include "cairn/template.h"

/* A SQL expression (text) for the instant `ts` seen in zone `zone` (both
 * SQL expressions), for zone_time(): "2026-05-14T10:15:00 1778768100".
 * NULL when ts is NULL. */
#define ZONE_SQL(ts, zone)                                                        \
	"(to_char((" ts ") AT TIME ZONE (" zone "), 'YYYY-MM-DD\"T\"HH24:MI:SS')"     \
	" || ' ' || floor(extract(epoch FROM (" ts ")))::bigint)"

typedef enum zone_style {
	ZONE_CLOCK, /* 10:15 am */
	ZONE_DATE,  /* May 14, 2026 (a day alone never names a zone) */
	ZONE_SHORT, /* May 14, 10:15 am */
	ZONE_FULL,  /* May 14, 2026, 10:15 am */
	ZONE_DAY,   /* Thursday, May 14, 10:15 am */
	ZONE_LONG,  /* April 15, 2026, 11:59 pm */
} zone_style;

/* Flags or'ed into a zone_style for zone_time and zone_text. */
enum { ZONE_NAMED = 0x100 }; /* name the zone even in the reader's own */

/* A time for a template, {iso, text}, to be rendered by the partial
 * partials/time ({{#when}}{{> partials/time}}{{/when}}). value is a
 * ZONE_SQL column seen in `zone`; the text names the zone when reader_zone
 * is NULL or another zone, or when flags has ZONE_NAMED. An empty value
 * (SQL NULL) or one that is not a ZONE_SQL value gives TV_NULL, so a
 * section around it shows nothing. */
tv *zone_time(arena *a, const char *value, const char *zone, const char *reader_zone,
              unsigned flags);

/* The same text alone, for places that cannot hold an element (an
 * <option>); NULL where zone_time gives TV_NULL. */
const char *zone_text(arena *a, const char *value, const char *zone, const char *reader_zone,
                      unsigned flags);

/* A friendly name for an IANA zone: "US Eastern Time" for a listed zone,
 * "Kathmandu (Asia)" for another. */
const char *zone_name(arena *a, const char *zone);

/* The zones offered in forms, each {value, label, selected}, in the
 * list's order: value the IANA identifier that is submitted, label its
 * friendly name and place ("US Pacific Time (Los Angeles)"). A chosen zone
 * the list lacks (any zone PostgreSQL knows is accepted) is added at the
 * end, so a form never loses it. chosen may be NULL. */
tv *zone_options(arena *a, const char *chosen);

#endif
