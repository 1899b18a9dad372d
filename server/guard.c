/*
 * guard.c - the patient-privacy guard in the forms, and content notes. See
 * guard.h.
 *
 * The checker (privacy.c) decides what looks like an identifier; this file
 * turns its spans into what a writer reads ("“Mrs. Alvarez, 82” in the
 * post: a name beside an age"), and records a post published over the
 * warning the way a moderator's flag and a moderation action are recorded,
 * with Cairn as the one who acted.
 */
#include "cairn/guard.h"
#include "cairn/buf.h"
#include "cairn/db.h"
#include "cairn/form.h"
#include "cairn/modlog.h"
#include "cairn/privacy.h"

#include <stdio.h>
#include <string.h>

static const char *const REASON_WORDS[PRIVACY_CODE_COUNT] = {
	[PRIVACY_NAME_WITH_AGE] = "a name beside an age",
	[PRIVACY_NAME_WITH_DIAGNOSIS] = "a name beside a diagnosis",
	[PRIVACY_NAME_WITH_ROOM] = "a name beside a room or bed",
	[PRIVACY_DATE_OF_BIRTH] = "a date of birth",
	[PRIVACY_RECORD_NUMBER] = "a medical record, account or other identifying number",
	[PRIVACY_PHONE] = "a phone number",
	[PRIVACY_EMAIL] = "an email address",
	[PRIVACY_STREET_ADDRESS] = "a street address",
	[PRIVACY_ROOM_BED] = "a room or bed number",
	[PRIVACY_EXACT_DATE] = "the exact date of an admission or a death",
	[PRIVACY_AGE_OVER_89] = "an age over 89",
};

const char *guard_reason_words(int code)
{
	return code >= 0 && code < PRIVACY_CODE_COUNT ? REASON_WORDS[code] : NULL;
}

const char *guard_note(arena *a, const char *raw, const char **note)
{
	*note = "";
	if (!raw || !*raw)
		return NULL;
	size_t len = strlen(raw), start = 0;
	while (start < len && strchr(" \t\r\n", raw[start]))
		start++;
	while (len > start && strchr(" \t\r\n", raw[len - 1]))
		len--;
	if (len == start)
		return "A content note needs words (for example “death of a child”); leave the field "
		       "empty for no note.";
	if (memchr(raw + start, '\n', len - start) || memchr(raw + start, '\r', len - start))
		return "A content note is one line.";
	size_t chars = utf8_length(raw + start, len - start);
	if (chars > GUARD_NOTE_MAX_CHARS)
		return arena_sprintf(a, "A content note can be at most %d characters; this one has "
		                        "%zu.", GUARD_NOTE_MAX_CHARS, chars);
	char *s = arena_alloc(a, len - start + 1);
	memcpy(s, raw + start, len - start);
	s[len - start] = '\0';
	*note = s;
	return NULL;
}

bool guard_check(arena *a, const guard_field *fields, size_t n, guard_report *out)
{
	*out = (guard_report){.findings = tv_list(a)};
	for (size_t i = 0; i < n; i++) {
		const char *text = fields[i].text ? fields[i].text : "";
		privacy_report r;
		if (privacy_check(a, text, strlen(text), &r) != PRIVACY_CHECKED)
			return false;
		out->codes |= r.codes;
		for (size_t k = 0; k < r.nspans; k++) {
			const privacy_span *sp = &r.spans[k];
			/* The same words for the same reason are listed once. */
			bool seen = false;
			for (size_t j = 0; j < k && !seen; j++)
				seen = r.spans[j].code == sp->code &&
				       r.spans[j].end - r.spans[j].start == sp->end - sp->start &&
				       !memcmp(text + r.spans[j].start, text + sp->start, sp->end - sp->start);
			if (seen)
				continue;
			tv *f = tv_push(out->findings, tv_obj(a));
			tv_set_str(f, "where", fields[i].where);
			tv_set(f, "text", tv_strn(a, text + sp->start, sp->end - sp->start));
			tv_set_str(f, "reason", guard_reason_words((int)sp->code));
			out->n++;
		}
	}
	return true;
}

void guard_view(tv *v, arena *a, const guard_report *r)
{
	tv_set_bool(v, "guard_found", r && r->n > 0);
	tv_set(v, "findings", r && r->findings ? r->findings : tv_list(a));
	tv_set_str(v, "guard_rule",
	           "Before anything is posted, Cairn looks for what could identify a patient (a name "
	           "beside an age, a diagnosis or a room; dates of birth; record numbers; phone "
	           "numbers, emails and addresses; room and bed numbers; exact dates of admission or "
	           "death; ages over 89); if you post over its warning, the space's moderators "
	           "review the post before anyone else sees it.");
}

bool guard_confirmed(const char *privacy_field)
{
	return privacy_field && !strcmp(privacy_field, "confirmed");
}

bool guard_hold(PGconn *db, arena *a, int64_t space_id, int64_t thread_id, int64_t post_id,
                int64_t author_id, unsigned codes, long long now)
{
	/* The reasons in words for the flag's note and the log, and by code
	 * (the stable names) in the log entry's detail. */
	buf words, detail;
	buf_init(&words, a, 0);
	buf_init(&detail, a, 0);
	buf_appendf(&detail, "{\"codes\": [");
	for (int c = 0, k = 0; c < PRIVACY_CODE_COUNT; c++) {
		if (!(codes & (1u << c)))
			continue;
		buf_appendf(&words, "%s%s", k ? "; " : "", REASON_WORDS[c]);
		buf_appendf(&detail, "%s\"%s\"", k ? ", " : "", privacy_code_name((privacy_code)c));
		k++;
	}
	buf_appendf(&detail, "]}");
	const char *reason = arena_sprintf(a, "Published over the privacy guard's warning: %s.",
	                                   words.len ? words.data : "something identifying");
	char pid[24], at[24];
	snprintf(pid, sizeof pid, "%lld", (long long)post_id);
	snprintf(at, sizeof at, "%lld", now);
	/* One open flag of Cairn's per post: an edit published over the warning
	 * again adds none while the first is open. */
	if (!db_exec(db,
	             "INSERT INTO flags (post_id, flagger_id, reason, note, created_at)"
	             " SELECT $1, NULL, 'identifies_patient', $2, to_timestamp($3)"
	             " WHERE NOT EXISTS (SELECT 1 FROM flags WHERE post_id = $1 AND flagger_id IS NULL"
	             "  AND reason = 'identifies_patient' AND resolved_at IS NULL)",
	             3, (const char *[]){pid, reason, at}))
		return false;
	modlog_entry e = {.actor_id = 0, .space_id = space_id, .action = "post_held",
	                  .thread_id = thread_id, .post_id = post_id, .subject_id = author_id,
	                  .reason = reason, .detail = detail.data};
	return modlog_append(db, &e);
}
