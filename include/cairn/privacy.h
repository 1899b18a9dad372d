/*
 * privacy.h - does a text look like it identifies a patient? (issue 12)
 *
 * Clinicians bring real cases to their groups. Before a post, a title or an
 * edit is published, Cairn looks for what resembles a patient identifier and
 * shows the author what it found. The checker reads structure, not a list of
 * known patients: a name beside an age, a diagnosis or a room; a date of
 * birth; a record number; a phone number, an email or a street address; a
 * room or bed number; the exact day of an admission or a death; an age over
 * 89. Ordinary clinical talk ("a 70-year-old with dyspnea", "day 3 of
 * admission", "Dr. Dow's talk on serious news", "the family meeting on
 * Thursday") raises nothing. It cannot know who is a patient, so it errs
 * towards asking: the author confirms or revises.
 *
 * Pure computation over UTF-8 text: memory comes from the caller's arena, no
 * state is kept between calls, and any number of threads may call it at once.
 * Time is linear in the text (a 100,000-character post takes about a
 * millisecond). The reason codes and what each means are listed in the README
 * ("Patient privacy guard") and in tests/privacy/README.md; their names are
 * stable, because `cairn privacy-check` prints them and the labelled sentences
 * use them.
 */
#ifndef CAIRN_PRIVACY_H
#define CAIRN_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

/* The fixed list of reasons, in the order the command line prints them. */
typedef enum privacy_code {
	PRIVACY_NAME_WITH_AGE,
	PRIVACY_NAME_WITH_DIAGNOSIS,
	PRIVACY_NAME_WITH_ROOM,
	PRIVACY_DATE_OF_BIRTH,
	PRIVACY_RECORD_NUMBER,
	PRIVACY_PHONE,
	PRIVACY_EMAIL,
	PRIVACY_STREET_ADDRESS,
	PRIVACY_ROOM_BED,
	PRIVACY_EXACT_DATE,
	PRIVACY_AGE_OVER_89,
	PRIVACY_CODE_COUNT
} privacy_code;

/* One finding: bytes [start, end) of the text checked, and why. */
typedef struct privacy_span {
	size_t start, end;
	privacy_code code;
} privacy_span;

typedef enum privacy_status {
	PRIVACY_CHECKED,        /* the text was read; see codes and spans */
	PRIVACY_BAD_UTF8,       /* not UTF-8 (overlong forms and surrogates included) */
	PRIVACY_TOO_LONG        /* over PRIVACY_MAX_BYTES: not read */
} privacy_status;

/* Far above any post (the request body cap is 1 MiB); it keeps the byte
 * offsets of the checker's tokens in 32 bits. */
#define PRIVACY_MAX_BYTES ((size_t)256 * 1024 * 1024)

typedef struct privacy_report {
	unsigned codes;         /* bit (1u << code) for each reason found */
	privacy_span *spans;    /* from the arena, by start then code; NULL if none */
	size_t nspans;
} privacy_report;

/* Check len bytes of text (NUL bytes and other control characters count as
 * spaces; a line break ends a sentence). Fills *out (zeroed unless
 * PRIVACY_CHECKED) with the codes found and the spans that found them. */
privacy_status privacy_check(arena *a, const char *text, size_t len, privacy_report *out);

/* The stable name of a code ("name_with_age", ...); NULL when out of range. */
const char *privacy_code_name(privacy_code code);

/* For the unit test: true when every word list is sorted and lower-case, as
 * the binary searches over them assume. */
bool privacy_lists_ok(void);

#endif
