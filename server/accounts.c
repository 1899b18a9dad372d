/*
 * accounts.c - making an account and checking its details. See accounts.h.
 *
 * Identity code with no routes of its own: the pages that make or look
 * after accounts (invite.c, profile.c, people.c, enroll.c's sign-up on the
 * way) call it, so it needs none of them.
 */
#include "cairn/accounts.h"
#include "cairn/keys.h"
#include "cairn/session.h"
#include "cairn/tokens.h"
#include "cairn/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	INVITE_TTL_SECONDS = 14 * 86400,
	RESET_TTL_SECONDS = 3 * 86400,
};

static const struct { const char *value, *label; } professions[] = {
	{"physician", "Physician"},
	{"nurse", "Nurse"},
	{"np", "Nurse practitioner"},
	{"pa", "Physician assistant"},
	{"psychologist", "Psychologist"},
	{"psychiatrist", "Psychiatrist"},
	{"social_worker", "Social worker"},
	{"chaplain", "Chaplain"},
	{"pharmacist", "Pharmacist"},
	{"resident_fellow", "Resident or fellow"},
	{"other", "Other"},
};

static const struct { const char *value, *label; } tracks[] = {
	{"adult", "Adult"},
	{"pediatric", "Pediatric"},
	{"both", "Both adult and pediatric"},
};

bool accounts_profession_valid(const char *p)
{
	for (size_t i = 0; p && i < sizeof professions / sizeof professions[0]; i++)
		if (!strcmp(p, professions[i].value))
			return true;
	return false;
}

const char *accounts_profession_label(const char *p)
{
	for (size_t i = 0; p && i < sizeof professions / sizeof professions[0]; i++)
		if (!strcmp(p, professions[i].value))
			return professions[i].label;
	return "Other";
}

/* ---- shared form pieces ---- */

static tv *options(arena *a, const char *selected, const char *const *values,
                   const char *const *labels, size_t n)
{
	tv *list = tv_list(a);
	for (size_t i = 0; i < n; i++) {
		tv *o = tv_push(list, tv_obj(a));
		tv_set_str(o, "value", values[i]);
		tv_set_str(o, "label", labels ? labels[i] : values[i]);
		tv_set_bool(o, "selected", selected && !strcmp(selected, values[i]));
	}
	return list;
}

void accounts_detail_view(request *req, tv *v, const account_fields *f)
{
	arena *a = req->a;
	const char *pv[sizeof professions / sizeof professions[0]], *pl[sizeof pv / sizeof pv[0]];
	for (size_t i = 0; i < sizeof pv / sizeof pv[0]; i++) {
		pv[i] = professions[i].value;
		pl[i] = professions[i].label;
	}
	const char *tv_[3], *tl[3];
	for (size_t i = 0; i < 3; i++) {
		tv_[i] = tracks[i].value;
		tl[i] = tracks[i].label;
	}
	tv_set(v, "professions", options(a, f->profession, pv, pl, sizeof pv / sizeof pv[0]));
	tv_set(v, "tracks", options(a, f->track ? f->track : "adult", tv_, tl, 3));
	/* Any IANA zone PostgreSQL knows is accepted; the form offers the list. */
	tv_set(v, "zones", zone_options(a, f->time_zone ? f->time_zone : "America/New_York"));
	tv_set_str(v, "email", f->email ? f->email : "");
	tv_set_str(v, "handle", f->handle ? f->handle : "");
	tv_set_str(v, "display_name", f->display_name ? f->display_name : "");
	tv_set_str(v, "pronouns", f->pronouns ? f->pronouns : "");
}

void accounts_read_details(request *req, account_fields *f)
{
	f->handle = http_form(req, "handle");
	f->display_name = http_form(req, "display_name");
	f->profession = http_form(req, "profession");
	f->pronouns = http_form(req, "pronouns");
	f->time_zone = http_form(req, "time_zone");
	f->track = http_form(req, "track");
}

const char *accounts_check(PGconn *db, arena *a, account_fields *f)
{
	if (!f->email || !*f->email || strlen(f->email) > 254 || !strchr(f->email, '@') ||
	    strchr(f->email, ' '))
		return "Enter a valid email address.";
	if (!f->handle || !*f->handle)
		return "Choose a handle: it is how people mention you (@handle).";
	char *h = arena_strdup(a, *f->handle == '@' ? f->handle + 1 : f->handle);
	size_t hl = strlen(h);
	if (hl < 2 || hl > 30)
		return "Handles are 2 to 30 characters: letters, digits and underscores.";
	for (char *p = h; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return "Handles are 2 to 30 characters: letters, digits and underscores.";
	}
	f->handle = h;
	if (!f->display_name || !*f->display_name || utf8_length(f->display_name,
	                                                          strlen(f->display_name)) > 100)
		return "Enter your name as you would like others to see it (up to 100 characters).";
	if (!accounts_profession_valid(f->profession))
		return "Choose your profession.";
	if (f->pronouns && utf8_length(f->pronouns, strlen(f->pronouns)) > 40)
		return "Pronouns can be at most 40 characters.";
	if (!f->pronouns)
		f->pronouns = "";
	if (!f->track || (strcmp(f->track, "adult") && strcmp(f->track, "pediatric") &&
	                  strcmp(f->track, "both")))
		return "Choose the track you practise in: adult, pediatric, or both.";
	if (!f->time_zone || !*f->time_zone || strlen(f->time_zone) > 64)
		return "Choose your time zone.";
	PGresult *r = db_q(db, "SELECT 1 FROM time_zones WHERE name = $1", f->time_zone);
	if (!r)
		return "Cairn cannot check the time zone right now. Please try again.";
	bool known = PQntuples(r) > 0;
	PQclear(r);
	if (!known)
		return "Choose a time zone from the list.";
	return NULL;
}

bool accounts_create(PGconn *db, arena *a, const account_fields *f, const char *password,
                     int64_t *user_id, uint8_t jmk[CRYPTO_KEY_BYTES],
                     char code[CRYPTO_RECOVERY_TEXT_BYTES + 1], const char **conflict)
{
	*conflict = NULL;
	PGresult *r = db_query(db,
		"INSERT INTO users (email, handle, display_name, profession, pronouns, time_zone,"
		" track, is_admin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
		8, (const char *[]){f->email, f->handle, f->display_name, f->profession, f->pronouns,
		                    f->time_zone, f->track, f->is_admin ? "true" : "false"});
	if (!r) {
		if (!strcmp(db_last_sqlstate(), "23505"))
			*conflict = !strcmp(db_last_constraint(), "users_email_lower")
			                ? "An account with this email address already exists."
			                : "That handle is taken. Please choose another.";
		return false;
	}
	*user_id = atoll(db_val(r, 0, 0));
	PQclear(r);
	(void)a;
	return keys_create(db, *user_id, password, jmk, code);
}

const char *accounts_read_new(request *req, PGconn *db, account_fields *f,
                              const char **password)
{
	accounts_read_details(req, f);
	*password = http_form(req, "password");
	const char *again = http_form(req, "password_again");
	const char *problem = accounts_check(db, req->a, f);
	if (!problem)
		problem = keys_password_problem(*password ? *password : "", f->email, f->display_name);
	if (!problem && (!again || strcmp(*password, again)))
		problem = "The two passwords do not match.";
	return problem;
}

bool accounts_sign_up(request *req, PGconn *db, const account_fields *f, const char *password,
                      int64_t *user_id, const char **conflict)
{
	uint8_t jmk[CRYPTO_KEY_BYTES];
	char code[CRYPTO_RECOVERY_TEXT_BYTES + 1];
	bool ok = accounts_create(db, req->a, f, password, user_id, jmk, code, conflict) &&
	          session_create(req, db, *user_id, jmk, 1, code);
	sodium_memzero(jmk, sizeof jmk);
	sodium_memzero(code, sizeof code);
	return ok;
}

/* ---- links that carry a token ---- */

void accounts_link_error(request *req, token_state st)
{
	if (st == TOKEN_DB_ERROR) {
		http_db_error(req);
		return;
	}
	http_error(req, st == TOKEN_UNKNOWN ? 404 : 410, token_state_text(st));
}

const char *accounts_link(request *req, const char *path, const char *token)
{
	return arena_sprintf(req->a, "%s%s?token=%s", req->app->cfg->origin, path, token);
}
