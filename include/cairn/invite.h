/*
 * invite.h - invitations: the sign-up page an invitation link opens (the
 * account is made, then what the invitation names is granted through
 * enroll.h), and the admin's invitation pages.
 */
#ifndef CAIRN_INVITE_H
#define CAIRN_INVITE_H

#include "cairn/http.h"

void invite_routes(router *r);

#endif
