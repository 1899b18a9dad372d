/*
 * series.h - the public face of the series: its courses, their offerings,
 * each offering's fees and agenda. Anyone may read these pages.
 */
#ifndef CAIRN_SERIES_H
#define CAIRN_SERIES_H

#include "cairn/http.h"

/* Register GET / and GET /offerings/:slug. */
void series_routes(router *r);

/* What an agenda item is, for its label: "Whole-cohort session", or for
 * an item with tracks "Parallel breakouts, adult and pediatric"; "" for an
 * unknown kind. */
const char *series_kind_label(const char *kind, bool tracks);
/* Is kind one of the agenda's kinds? */
bool series_kind_ok(const char *kind);
/* The kinds as {value, label, selected} for a form's list. */
tv *series_kind_choices(arena *a, const char *selected);

#endif
