/*
 * accounts.h - making an account: its details (checked and normalised), the
 * user row and keys, signing the new owner in; and the answers for a link
 * whose token is needed. Identity code with no routes: the pages are in
 * invite.h (invitations), profile.h (a person's own account) and people.h
 * (the admin's), and enroll.h makes accounts on the way to a place.
 */
#ifndef CAIRN_ACCOUNTS_H
#define CAIRN_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/http.h"
#include "cairn/tokens.h"

/* The details a new account needs (CLI, demo data and sign-up share it). */
typedef struct account_fields {
	const char *email, *handle, *display_name, *profession, *pronouns, *time_zone, *track;
	bool is_admin;
} account_fields;

/* Why the fields are not acceptable (a sentence), or NULL. Normalises the
 * handle to lower case in place (the struct's strings are the caller's). */
const char *accounts_check(PGconn *db, arena *a, account_fields *f);

/* Insert the user and their keys inside the caller's transaction. On
 * success *user_id, jmk and code are filled in; on a duplicate email or
 * handle *conflict says which and false is returned. */
bool accounts_create(PGconn *db, arena *a, const account_fields *f, const char *password,
                     int64_t *user_id, uint8_t jmk[CRYPTO_KEY_BYTES],
                     char code[CRYPTO_RECOVERY_TEXT_BYTES + 1], const char **conflict);

/* Set the view fields of templates/partials/detail_fields.html from f. */
void accounts_detail_view(request *req, tv *v, const account_fields *f);
/* Read handle, display_name, profession, pronouns, time_zone and track from
 * the posted form into f (email and is_admin are left alone). */
void accounts_read_details(request *req, account_fields *f);

/* A new person's sign-up form: read the details and the password (twice)
 * into f and *password, and say what is wrong (a sentence) or NULL.
 * f->email and f->is_admin are the caller's to set first. */
const char *accounts_read_new(request *req, PGconn *db, account_fields *f,
                              const char **password);

/* Make the account and sign its owner in, with the new recovery code
 * waiting to be shown, inside the caller's transaction (the caller holds
 * the Argon2id gate). On a duplicate email or handle *conflict says which. */
bool accounts_sign_up(request *req, PGconn *db, const account_fields *f, const char *password,
                      int64_t *user_id, const char **conflict);

/* The professions (value, label) and whether a value is one of them. */
bool accounts_profession_valid(const char *p);
const char *accounts_profession_label(const char *p);

/* Answer a request whose link's token cannot be used (st is not
 * TOKEN_VALID): 404 for a token never issued, 410 for one used, withdrawn
 * or expired, the database error page on TOKEN_DB_ERROR. */
void accounts_link_error(request *req, token_state st);

/* The full link (the site's origin, path, ?token=) for a message. */
const char *accounts_link(request *req, const char *path, const char *token);

#endif
