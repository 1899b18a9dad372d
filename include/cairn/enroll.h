/*
 * enroll.h - people in offerings: roles, individual enrollment, the
 * enrollment record, the cohort roster, and staff invitations (issue 4).
 *
 * Roles in an offering are learner, facilitator and director, held as
 * enrollments. Only a confirmed enrollment holds a role: one waiting for
 * payment is a place kept, not membership (DESIGN §5), and a cancelled one
 * is nothing. Directors of any offering of a series direct the series.
 * authz-style checks for offerings live here because they need the
 * enrollment tables.
 */
#ifndef CAIRN_ENROLL_H
#define CAIRN_ENROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/fees.h"
#include "cairn/http.h"

typedef enum offering_role {
	OROLE_NONE = 0,
	OROLE_LEARNER,
	OROLE_FACILITATOR,
	OROLE_DIRECTOR,
} offering_role;

typedef enum enroll_result {
	ENROLL_OK,
	ENROLL_CLOSED,        /* past the registration deadline, or started */
	ENROLL_FULL,          /* no seat left */
	ENROLL_ALREADY,       /* already enrolled in this offering */
	ENROLL_BAD_CATEGORY,  /* not in the offering's fee table */
	ENROLL_NO_OFFERING,
	ENROLL_DB_ERROR,
} enroll_result;

void enroll_routes(router *r);

/* The person's highest role in the offering held by a confirmed enrollment
 * (OROLE_NONE while it waits for payment); false on a DB error. */
bool enroll_role(PGconn *db, int64_t user_id, int64_t offering_id, offering_role *out);

/* The fee rule for a category of an offering; false if the category is not
 * in its fee table (or the database failed: *db_failed says which). */
bool enroll_fee_rule(PGconn *db, int64_t offering_id, const char *category, fee_rule *out,
                     bool *db_failed);

/* Enroll a learner inside the caller's transaction. Locks the offering row
 * so capacity holds under concurrency. With enforce_limits, deadlines and
 * capacity apply (imports of enrollments confirmed elsewhere skip them).
 * frozen (may be NULL) is a quote already agreed (a team member's);
 * otherwise the quote for `now` and team_size is computed. */
enroll_result enroll_learner(PGconn *db, arena *a, int64_t offering_id, int64_t user_id,
                             const char *category, const char *state, const char *source,
                             int team_size, int64_t team_id, const fee_quote *frozen,
                             long long now, bool enforce_limits, int64_t *enrollment_id);

/* Add a facilitator or director (idempotent). A learner who becomes staff
 * keeps their one row, now confirmed: staff do not pay. */
bool enroll_staff(PGconn *db, int64_t offering_id, int64_t user_id, const char *role,
                  long long now);

/* Is the offering open for registration at now? (false also on DB error) */
bool enroll_is_open(PGconn *db, int64_t offering_id, long long now, bool *db_failed);

/* After someone signs up from an invitation issued for an offering: give
 * them what it names. Staff invitations (by a director or facilitator)
 * grant the role; a learner invited by staff is enrolled confirmed in the
 * fee category of their profession, without the capacity check (staff
 * invited them on purpose and answer for the place). An invitation from an
 * enrollment import
 * ("import": true) carries the category, team and price the portal
 * recorded, and enrolls the person confirmed. No-op for an invitation
 * without an offering. Inside the caller's transaction. */
bool enroll_after_invite(PGconn *db, arena *a, int64_t token_id, int64_t user_id,
                         const char *profession, long long now);

/* A person's enrollments as a template list, newest first: those in one
 * offering (offering_id > 0) or in all, cancelled ones only with
 * with_cancelled, at most limit. Each item: id, slug, title, dates, role,
 * learner, state_label, pending, confirmed, cancelled, amount, team (or
 * null), and contacts: for one waiting for payment, whom to ask about it
 * (the offering's directors, else the administrators: name, email, what),
 * empty otherwise. Two statements whatever the number of rows. NULL on a
 * database error. */
tv *enroll_mine_view(PGconn *db, arena *a, int64_t user_id, int64_t offering_id,
                     bool with_cancelled, int limit);

/* What giving up a place means for its holder's money, in a sentence for a
 * page or a message: nothing owed for a place waiting for payment; for a
 * confirmed one, a refund under the offering's cancellation policy (the
 * caller quotes the policy), the processing fee kept. state and source are
 * the enrollment's before the change: a confirmed place is said to be paid
 * only when payment is what confirmed it (source "self" or "import"); a
 * team member's or a staff-invited learner's may not be. Amounts in cents. */
const char *enroll_refund_words(arena *a, const char *state, const char *source,
                                long long amount_cents, long long processing_cents);

/* A sentence for a person about a result that is not ENROLL_OK. */
const char *enroll_result_text(enroll_result r);

#endif
