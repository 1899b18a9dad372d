/*
 * search.h - full-text search over the posts a person may read (issue 5).
 *
 * PostgreSQL ranks the matches (websearch syntax: words, "phrases", -not,
 * or). Only a bounded set is ranked: the newest 200 matches the searcher
 * may read, found through the full-text index window by window from the
 * newest posts back, then ordered by rank with recency breaking ties; so a
 * search costs about the same at a million posts as at ten thousand.
 * Searches run under their own small gate (gate.h) with JIT and parallel
 * workers off and a 3 s statement limit: when the gate is full, a further
 * search is answered 503 with Retry-After while pages are still served.
 * Snippets come from ts_headline with private-use sentinel characters
 * around the hits; the snippet is HTML-escaped first and only then are the
 * sentinels turned into <mark> tags, so nothing a post contains can become
 * markup. Results are limited to the spaces the searcher can read, computed
 * before the query runs: a post the searcher cannot open is never returned.
 */
#ifndef CAIRN_SEARCH_H
#define CAIRN_SEARCH_H

#include "cairn/http.h"

void search_routes(router *r);

/* Size the search gate once at start: slots searches at once, twice as
 * many waiting (up to 2 s each). */
void search_configure(int slots);

#ifdef CAIRN_TEST_HOOKS
/* Make every search sleep ms inside its transaction (0: off). In test
 * builds, GET /search?q=...&explain=1 also answers the query's plan. */
void search_test_delay(int ms);
#endif

/* Escape text for HTML and turn the sentinels U+E000/U+E001 into
 * <mark>/</mark>; unbalanced sentinels are dropped. */
char *search_snippet_html(arena *a, const char *text);

#endif
