/*
 * home.h - the signed-in person's home page (DESIGN §8): what waits for
 * them between live sessions.
 */
#ifndef CAIRN_HOME_H
#define CAIRN_HOME_H

#include "cairn/http.h"

void home_routes(router *r);

#endif
