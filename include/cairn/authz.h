/*
 * authz.h - who may do what, decided in one place (DESIGN §5).
 *
 * Handlers ask here before they read or write anything that is not public.
 * The require_* functions answer the request themselves when the answer is
 * no (a redirect to sign in, or 403/404), and return false; the handler then
 * simply returns.
 */
#ifndef CAIRN_AUTHZ_H
#define CAIRN_AUTHZ_H

#include <stdbool.h>

#include "cairn/http.h"
#include "cairn/session.h"

/* Signed in? Anyone else is sent to sign in (303 to /signin?next=<where
 * to come back to>, see http_return_path) and nothing else is done. */
user *authz_require_user(request *req);
/* Signed in as an admin? Others get 403 (anonymous: sign in first). */
user *authz_require_admin(request *req);
bool authz_is_admin(const user *u);

#endif
