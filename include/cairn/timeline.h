/*
 * timeline.h - a learner's reflections across the series (issue 14 item
 * 2): Foundations, then Core Practice, then the third course, each course
 * with the runs the learner took and, day by day, the prompts that opened
 * for them (prompt.h) with what they wrote from each, and their other
 * entries of that day.
 *
 * Everything that places an entry on the timeline is in clear (its
 * course, prompt and date: journal.h); only the titles of the entries the
 * page shows are opened (journal_titles), at most TIMELINE_MAX_ENTRIES,
 * the newest. The route is sensitive (router_mark_sensitive), like every
 * page that shows journal text.
 */
#ifndef CAIRN_TIMELINE_H
#define CAIRN_TIMELINE_H

#include "cairn/http.h"

enum { TIMELINE_MAX_ENTRIES = 500 };

/* GET /journal/timeline. */
void timeline_routes(router *r);

#endif
