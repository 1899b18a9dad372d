/*
 * profile.h - a person's own account pages: recovery code, password reset
 * by link, profile details and sessions, password change.
 */
#ifndef CAIRN_PROFILE_H
#define CAIRN_PROFILE_H

#include "cairn/http.h"

void profile_routes(router *r);

#endif
