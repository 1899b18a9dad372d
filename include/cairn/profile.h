/*
 * profile.h - a person's own account pages: password reset by link,
 * profile details and sessions, password change. (The recovery code and
 * key rotation are the journal's: journal.h.)
 */
#ifndef CAIRN_PROFILE_H
#define CAIRN_PROFILE_H

#include "cairn/http.h"

void profile_routes(router *r);

#endif
