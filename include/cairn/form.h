/*
 * form.h - strict parsing of query strings, urlencoded bodies and cookies.
 *
 * Everything a client sends passes through here before a handler sees it.
 * Parsing is all-or-nothing: a malformed input is refused as a whole (the
 * caller answers 400) rather than half-used. Every decoded name and value
 * must be valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF)
 * and free of control bytes other than TAB, LF and CR (CR LF in a textarea
 * is normalised to LF). Memory comes from the arena; the input is not
 * modified.
 */
#ifndef CAIRN_FORM_H
#define CAIRN_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum {
	FORM_MAX_FIELDS = 256,     /* pairs in one query string, body or cookie header */
	FORM_MAX_NAME = 128,       /* bytes in one decoded name */
};

typedef struct form_field {
	const char *name;  /* NUL-terminated, decoded */
	const char *value; /* NUL-terminated, decoded (never NULL; "" if absent) */
	size_t value_len;
} form_field;

/* Fields in the order they were sent. fields may be NULL when n == 0. */
typedef struct form {
	form_field *fields;
	size_t n;
} form;

typedef enum form_status {
	FORM_OK = 0,
	FORM_BAD_ENCODING,  /* bad %XX, bad UTF-8, or a forbidden control byte */
	FORM_TOO_MANY,      /* more than FORM_MAX_FIELDS pairs */
	FORM_NAME_TOO_LONG,
	FORM_EMPTY_NAME,    /* "=x" */
} form_status;

/* Parse a=1&b=2 (query string or application/x-www-form-urlencoded body;
 * '+' is a space). An empty input gives an empty form. Empty segments
 * ("a=1&&b=2", a trailing '&') are skipped; a pair without '=' has the
 * value "". %XX must be two hex digits; a decoded NUL is refused. CR LF and
 * a lone CR become LF, in names and values. Runs in time linear in len.
 * On any error *out is the empty form and the status says why. */
form_status form_parse_urlencoded(arena *a, const char *s, size_t len, form *out);

/* Parse a Cookie header: "a=1; b=2". Cookie values are not percent-decoded
 * (Cairn only sets base64url values); surrounding double quotes are removed.
 * Pairs that are malformed are skipped, since browsers send cookies set by
 * other applications on the same host. Spaces and tabs around a pair and
 * around '=' are ignored. Well-formed means: a name of 1..FORM_MAX_NAME
 * token characters (RFC 6265 cookie-name) and a value of RFC 6265
 * cookie-octets (visible ASCII but '"' ',' ';' '\'; no inner spaces).
 * A repeated name gives repeated fields, first as sent (browsers send the
 * most specific path first). The only error is FORM_TOO_MANY. */
form_status form_parse_cookies(arena *a, const char *s, size_t len, form *out);

/* First value of name, or NULL. Linear in the number of fields. */
const char *form_get(const form *f, const char *name);
/* Number of fields with this name (for checkboxes and repeated fields). */
size_t form_count(const form *f, const char *name);

/* Typed getter: the first value of name as a decimal integer in [min, max]:
 * an optional '-' then one or more digits (leading zeros are decimal, not
 * octal), no '+', no spaces, nothing after. false if absent, invalid, out
 * of range or beyond long long; *out is written only on success. */
bool form_get_int(const form *f, const char *name, long long min, long long max,
                  long long *out);

/* true if s[0..len) is valid UTF-8 (as above, without the control-byte rule). */
bool utf8_valid(const char *s, size_t len);
/* true if valid UTF-8 and no control bytes other than TAB, LF, CR. */
bool text_acceptable(const char *s, size_t len);
/* Number of code points in valid UTF-8 (on invalid input: some count <= len). */
size_t utf8_length(const char *s, size_t len);

/* A short English description of st, for logs; never NULL. */
const char *form_status_text(form_status st);

#endif
