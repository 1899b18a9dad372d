/*
 * testhooks.h - doors that exist only in test builds (CAIRN_TEST_HOOKS):
 * setting the clock and signing in as an existing user without a password.
 * The shipped binary is built without them; `cairn routes` shows them only
 * in a test build.
 */
#ifndef CAIRN_TESTHOOKS_H
#define CAIRN_TESTHOOKS_H

#include "cairn/http.h"

#ifdef CAIRN_TEST_HOOKS
void testhooks_routes(router *r);
#endif

#endif
