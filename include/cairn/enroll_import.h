/*
 * enroll_import.h - enrollments confirmed in an official registration
 * portal, imported by an admin from the portal's CSV export (issue 4,
 * item 5).
 *
 * Three steps, all on one address, GET and POST /admin/offerings/:id/import:
 *   1. the admin pastes the CSV (columns name, email, profession, fee
 *      category and, optionally, team; any order, header names in any
 *      case);
 *   2. a preview, which writes nothing, says for every row what will
 *      happen (enroll an existing account, invite a new person, or skip
 *      someone already enrolled or already invited) and names every row
 *      that cannot be imported, with its line and why;
 *   3. confirming resubmits the same text with confirm=1, and the good
 *      rows are imported in one transaction: existing accounts are
 *      enrolled as confirmed, source "import", at the individual price as
 *      of now, without the deadline and capacity checks (the portal
 *      already took their place and payment); new people get an
 *      invitation whose acceptance does the same (enroll_after_invite);
 *      a team named in the file is found on the offering or created,
 *      confirmed, with the admin as its coordinator. The invitation links
 *      are shown once on the result page, and sealed in the outbox.
 * Importing the same file again enrolls nobody twice and issues no second
 * invitation while the first is still waiting.
 */
#ifndef CAIRN_ENROLL_IMPORT_H
#define CAIRN_ENROLL_IMPORT_H

#include "cairn/http.h"

enum {
	IMPORT_INVITE_TTL_SECONDS = 14 * 86400,
};

void enroll_import_routes(router *r);

#endif
