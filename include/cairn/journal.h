/*
 * journal.h - the private journal (issue 13, DESIGN §6): a learner's own
 * entries, readable by nobody else, and what the learner sees of their
 * journal keys (the recovery code, entering it, rotating the key).
 *
 * What is stored: one journal_entries row per entry (sql/020_journal.sql).
 * Title, body (Markdown) and tags are sealed together: padded to 256-byte
 * blocks, XChaCha20-Poly1305 with a fresh random nonce on every write,
 * under a per-entry subkey of the author's journal master key (JMK), with
 * associated data binding user, entry id, key version and format version
 * (crypto_entry_seal). In clear: the author, the course (offering), the
 * prompt it was written from (prompt.h), the key version and format, and
 * when it was written and last changed.
 *
 * The JMK of a request comes from the session (session_jmk: wrapped under
 * the session key, which only the cookie holds); entries under older key
 * versions are opened through the chain of keys.h, or are "locked" until
 * the recovery code is entered after a reset.
 *
 * Finding and keeping (issue 14 item 3): the list decrypts only the page it
 * shows (JOURNAL_PAGE entries; a course filter is done in SQL, since the
 * course is in clear); a tag filter or a search decrypts the learner's
 * entries for that one request. A tag travels in a URL only as an opaque
 * token (a keyed hash under the learner's key: journal_tag_token); search
 * words travel only in a POST body, and the results are that POST's
 * response. The whole journal can be exported as one Markdown file or read
 * as a printable page; an entry that does not open says so there.
 *
 * Every journal route is marked sensitive (router_mark_sensitive): the
 * request's arena, body and response are wiped when it ends, cmark
 * allocates from that arena, and pages are no-store. Nothing of an entry's
 * text goes into a URL, a log line, an error message or a <title>.
 */
#ifndef CAIRN_JOURNAL_H
#define CAIRN_JOURNAL_H

#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/http.h"

enum {
	JOURNAL_BODY_MAX_CHARS = 100000,  /* characters (code points) of the body */
	JOURNAL_TITLE_MAX_CHARS = 200,
	JOURNAL_TAGS_MAX = 20,
	JOURNAL_TAG_MAX_CHARS = 40,
	JOURNAL_FORMAT = 1,               /* title NUL tags NUL body, tags joined by '\n' */
	JOURNAL_LIST_MAX = 1000,          /* entries on the journal's page */
	JOURNAL_PROMPTS_LISTED = 10,      /* prompts waiting, on the journal's page */
	JOURNAL_PAGE = 20,                /* entries per page of the list */
	JOURNAL_OPEN_MAX = 5000,          /* entries a filter or a search opens */
	JOURNAL_SEARCH_MAX_CHARS = 200,   /* characters of a search */
	JOURNAL_SEARCH_TERMS = 10,        /* words or "phrases" of a search */
	JOURNAL_SEARCH_SHOWN = 100,       /* results listed */
};

/* Write a new entry of user_id, sealed under jmk (key version `version`),
 * written at `at` (Unix seconds); offering_id and prompt_id 0 for none (the
 * caller has checked the prompt is open to the user). Inside the
 * caller's transaction; the plaintext copy lives in a (wipe it if it must
 * not outlive the call). The entry's id goes to *id (may be NULL). For the
 * journal's own form and the demo loader, which holds the key at account
 * creation. */
bool journal_write(PGconn *db, arena *a, int64_t user_id, const uint8_t jmk[CRYPTO_KEY_BYTES],
                   int version, int64_t offering_id, int64_t prompt_id, const char *title,
                   const char *tags, const char *body, long long at, int64_t *id);

/* One of the reader's entries as another module's page lists it. */
typedef struct journal_title {
	long long id;
	bool open;           /* it opened: title holds its title ("" for none) */
	bool locked;         /* its key version is locked (else: it cannot be opened) */
	const char *title;
} journal_title;

/* The titles of the signed-in reader's entries ids[0..n) (the timeline):
 * out[i] for ids[i], opened with the session's keys; an id that is not
 * theirs comes back neither open nor locked. Only for a sensitive route
 * (router_mark_sensitive): the plaintext lives in the request's arena.
 * false on a database error. */
bool journal_titles(request *req, PGconn *db, const long long *ids, int n, journal_title *out);

/* One of the signed-in reader's entries, opened, for pages of other
 * modules that start from an entry (sharing an excerpt: share.h). */
typedef struct journal_text {
	int64_t id;
	bool open;          /* title, tags and body are set */
	bool locked;        /* when not open: locked (else it cannot be opened) */
	const char *title;  /* "" when none */
	const char *tags;   /* joined by '\n' */
	const char *body;   /* Markdown */
	const char *day;    /* "14 May 2026", in the reader's zone */
} journal_text;

/* Load entry `id` of the signed-in reader: 1 found, 0 not theirs or none
 * (answer 404, as for anyone else's), -1 database error (already answered).
 * The plaintext is in the request's arena: call it only from a sensitive
 * route, whose arena is wiped. */
int journal_text_of(request *req, PGconn *db, int64_t id, journal_text *out);

/* /journal..., /recovery-code, /recover. */
void journal_routes(router *r);

#endif
