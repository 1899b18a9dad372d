/*
 * search.h - full-text search over the posts a person may read (issue 5).
 *
 * PostgreSQL ranks the matches (websearch syntax: words, "phrases", -not,
 * or). Snippets come from ts_headline with private-use sentinel characters
 * around the hits; the snippet is HTML-escaped first and only then are the
 * sentinels turned into <mark> tags, so nothing a post contains can become
 * markup. Results are limited to the spaces the searcher can read, computed
 * before the query runs: a post the searcher cannot open is never returned.
 */
#ifndef CAIRN_SEARCH_H
#define CAIRN_SEARCH_H

#include "cairn/http.h"

void search_routes(router *r);

/* Escape text for HTML and turn the sentinels U+E000/U+E001 into
 * <mark>/</mark>; unbalanced sentinels are dropped. */
char *search_snippet_html(arena *a, const char *text);

#endif
