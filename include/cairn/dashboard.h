/*
 * dashboard.h - the facilitator's dashboard (issue 11 item 4): for every
 * small group a person moderates, how its people are doing between live
 * sessions.
 *
 * Per group: members (those who read it now, not those between courses)
 * with their last activity and post count; who has not
 * posted since the last live session; which professions have been heard in
 * the group this week and which not (a balance to keep, never a ranking of
 * people); open flags and posts waiting for approval; threads nobody has
 * answered; the next sessions; and, for the reflection prompts that have
 * opened, how many of the group wrote from each (prompt.h: shown a week
 * after the prompt opened, then frozen, and only when the number cannot
 * point to anyone). Forty groups to a page, every figure from a
 * handful of set-based statements over kept counts (space_activity), so a
 * director's page of forty groups costs about what one group's does.
 */
#ifndef CAIRN_DASHBOARD_H
#define CAIRN_DASHBOARD_H

#include "cairn/http.h"

void dashboard_routes(router *r);

#endif
