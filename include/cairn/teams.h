/*
 * teams.h - clinical teams enrolling together (issue 4): a coordinator
 * registers the team, sees the quote with the group discount, confirms, and
 * each member accepts a single-use invitation that enrolls them as part of
 * the team. The coordinator can resend, revoke and replace members until
 * the offering starts.
 */
#ifndef CAIRN_TEAMS_H
#define CAIRN_TEAMS_H

#include "cairn/http.h"

enum { TEAM_MAX_MEMBERS = 40, TEAM_INVITE_TTL_SECONDS = 21 * 86400 };

void teams_routes(router *r);

#endif
