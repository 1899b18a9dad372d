/*
 * agenda_import.h - read an offering's schedule pasted as plain text, the
 * way the course page prints it (DESIGN §4, §8 "agenda import").
 *
 * A pure parser: no database, no HTTP, memory from the caller's arena. The
 * admin pages preview its output, and import it only when every line was
 * read. The text looks like this (blank lines anywhere are ignored):
 *
 *     All agenda sessions are in Eastern Time.     a note, kept as is
 *     Day 1                                        starts day 1
 *     Wednesday, May 13, 2026                      that day's date
 *     Welcome to the Core Principles ...           an item's title
 *     Harry Han; Lindsay Dow                       its faculty (optional)
 *     10:00-10:30 am                               its time range
 *
 * An item is one or two text lines (title, then faculty) closed by a time
 * range. "Schedule" and "Agenda" heading lines are skipped. A date line
 * ("Wednesday, May 13, 2026", "May 13, 2026" or "2026-05-13") right after
 * "Day N" dates that day; a date line anywhere else starts the next day.
 * Items before any day heading belong to day 1.
 *
 * Time ranges ("10:00-10:30 am", "11:30 am-12:30 pm", "12:30-1:30 pm"; the
 * dash may be -, –, — or "to"; am/pm may be written a.m./AM): a trailing
 * am/pm belongs to the end; the start takes its own am/pm if it has one,
 * else the one that puts start before end with both inside 7 am-9 pm,
 * trying the end's first. So "12:30-1:30 pm" is 12:30-13:30 and
 * "10:00-10:30 am" is 10:00-10:30. A range with no am/pm at all is read as
 * a 24-hour clock ("14:00-15:30"). Ranges never cross midnight.
 *
 * Titles ending in " (Adult and Pediatric Sessions)" lose that suffix and
 * get tracks = true (one slot, two breakouts). The kind comes from the
 * title by the rules of agenda_import_kind(), which reproduce the kinds the
 * demo data (sql/demo/series.sql) gives the course page's 30 items.
 *
 * Every line that cannot be read becomes a problem (line number, the line,
 * why) rather than stopping the parse, so the admin sees them all at once.
 */
#ifndef CAIRN_AGENDA_IMPORT_H
#define CAIRN_AGENDA_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum {
	AGENDA_IMPORT_MAX_ITEMS = 300,     /* more is refused as a problem */
	AGENDA_IMPORT_MAX_PROBLEMS = 100,  /* more are counted, not listed */
	AGENDA_IMPORT_MAX_DAY = 60,
	AGENDA_IMPORT_MAX_TITLE = 300,     /* characters, as agenda_items.title allows */
	AGENDA_IMPORT_MAX_LINE = 1000,     /* bytes in one line */
};

typedef struct agenda_import_item {
	int line;             /* line number (1-based) of the title */
	int day;              /* 1..AGENDA_IMPORT_MAX_DAY */
	char date[11];        /* "YYYY-MM-DD" from the day's date line, or "" */
	char start[6], end[6];/* local "HH:MM", 24-hour; start < end */
	int start_min, end_min; /* the same as minutes after midnight */
	const char *title;    /* without the tracks suffix; 1..MAX_TITLE characters */
	const char *faculty;  /* "" when the item has no faculty line */
	const char *kind;     /* plenary, practice, small_group, reflection, break, lunch */
	bool tracks;
} agenda_import_item;

typedef struct agenda_import_problem {
	int line;             /* 1-based */
	const char *text;     /* the line as written (trimmed; at most 200 bytes) */
	const char *why;      /* a sentence saying what is wrong or what to write */
} agenda_import_problem;

typedef struct agenda_import {
	agenda_import_item *items;     /* in text order */
	size_t n_items;
	agenda_import_problem *problems; /* in line order, at most MAX_PROBLEMS */
	size_t n_problems;
	size_t n_problems_dropped;     /* problems beyond MAX_PROBLEMS */
	const char *note;              /* "All agenda sessions are in ..." line, or NULL */
} agenda_import;

/* Parse text[0..len). Never fails: what cannot be read is in out->problems.
 * Any bytes are accepted (a line that is not valid UTF-8 text is a
 * problem); text need not be NUL-terminated. Every string in *out lives in
 * a and is valid UTF-8 without control characters. */
void agenda_import_parse(arena *a, const char *text, size_t len, agenda_import *out);

/* The kind of an agenda item from its title (suffix already removed), first
 * rule that matches, letters compared without case:
 *   lunch       the first word is "Lunch";
 *   break       the title is "Break" or "Transition", or ends in " Break";
 *   practice    the last word is "Practice" ("... -- Practice", "...: Practice");
 *   reflection  it contains "reflection";
 *   small_group it contains "small group";
 *   plenary     anything else. */
const char *agenda_import_kind(const char *title);

#endif
