/*
 * people.h - the admin's pages about people: the accounts (with a
 * password-reset link for one) and the outbox of messages Cairn would send.
 */
#ifndef CAIRN_PEOPLE_H
#define CAIRN_PEOPLE_H

#include "cairn/http.h"

void people_routes(router *r);

#endif
