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
	if (!strcmp(req->method, "GET") || req->head) {
		char *enc = arena_alloc(req->a, 3 * strlen(req->path) + 1), *o = enc;
		for (const unsigned char *p = (const unsigned char *)req->path; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("/-_.~", *p)) {
				*o++ = (char)*p;
			} else {
				static const char hex[] = "0123456789ABCDEF";
				*o++ = '%';
				*o++ = hex[*p >> 4];
				*o++ = hex[*p & 15];
			}
		}
		*o = '\0';
		http_redirect(req, arena_sprintf(req->a, "/signin?next=%s", enc));
	} else {
		http_error(req, 403, "Please sign in first.");
	}
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
