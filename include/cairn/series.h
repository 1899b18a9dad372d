/*
 * series.h - the public face of the series: its courses, their offerings,
 * each offering's fees and agenda. Anyone may read these pages.
 */
#ifndef CAIRN_SERIES_H
#define CAIRN_SERIES_H

#include "cairn/http.h"

/* Register GET / and GET /offerings/:slug. */
void series_routes(router *r);

/* A friendly name for an IANA zone ("US Eastern Time"); the zone itself
 * when it has no friendly name. */
const char *series_zone_name(const char *zone);

#endif
