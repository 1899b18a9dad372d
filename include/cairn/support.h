/*
 * support.h - each series' support page: resources for clinicians in
 * distress (issue 12 item 6).
 *
 * GET /series/:slug/support is for anyone, signed in or not: it is help for
 * someone having a hard time, and nothing on it is private, so nothing
 * stands between them and it. The series' directors (confirmed directors of
 * any offering of the series) and administrators edit it in Markdown at
 * /series/:slug/support/edit; the posts' safe renderer (markdown.h) makes
 * its HTML, without mentions. Every save is kept as a version with who
 * saved it and when (sql/019_support_pages.sql); the page says when it was
 * last updated and by whom. A series whose directors have not written it
 * yet shows a short built-in text with the crisis lines.
 *
 * Every group page and every content-noted post links here
 * (support_path).
 */
#ifndef CAIRN_SUPPORT_H
#define CAIRN_SUPPORT_H

#include "cairn/arena.h"
#include "cairn/router.h"

enum { SUPPORT_MAX_CHARS = 20000 }; /* the page's Markdown, in characters */

void support_routes(router *r);

/* "/series/<slug>/support", for links from other pages; an arena string.
 * slug is a series' slug as stored (lower-case letters, digits, hyphens). */
const char *support_path(arena *a, const char *series_slug);

#endif
