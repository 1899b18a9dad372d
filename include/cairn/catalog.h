/*
 * catalog.h - the admin's catalogue (DESIGN §8 "Admin"): the series, its
 * courses, their dated offerings (dates, zone, format, capacity, deadlines,
 * fee table, group discount, credits, policies) and each offering's agenda,
 * item by item or imported from a schedule pasted as text
 * (agenda_import.h).
 *
 * Every route is for administrators only. Writes follow POST-redirect-GET,
 * one transaction each; a form with a problem comes back with status 422,
 * what was typed, and a sentence saying what to fix. Local times (agenda
 * items, deadlines) are typed in the offering's own time zone and turned
 * into timestamptz by PostgreSQL (AT TIME ZONE offerings.time_zone). Money
 * is typed in dollars ("1,795.50") and stored as exact integer cents.
 */
#ifndef CAIRN_CATALOG_H
#define CAIRN_CATALOG_H

#include "cairn/http.h"

/* Register the /admin/series, /admin/courses, /admin/offerings and
 * /admin/agenda-items routes. */
void catalog_routes(router *r);

#endif
