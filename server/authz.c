/*
 * authz.c - see authz.h. Per-offering roles (learner, facilitator,
 * director) are added by the enrollment module's checks on top of these.
 */
#include "cairn/authz.h"

#include <string.h>

bool authz_is_admin(const user *u)
{
	return u && u->is_admin;
}

user *authz_require_user(request *req)
{
	user *u = session_user(req);
	if (u)
		return u;
	/* To sign-in, and back: for a page, to it (the query comes along: a
	 * page like /team-invite?token=... is nothing without it); for a form,
	 * to the page it was sent from. Nothing a form sent is acted on. */
	const char *back = http_return_path(req);
	http_redirect(req, back ? arena_sprintf(req->a, "/signin?next=%s", back) : "/signin");
	return NULL;
}

user *authz_require_admin(request *req)
{
	user *u = authz_require_user(req);
	if (!u)
		return NULL;
	if (!u->is_admin) {
		http_error(req, 403, "Only an administrator can do that.");
		return NULL;
	}
	return u;
}
