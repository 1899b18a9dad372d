/*
 * fuzz_urlencoded.c - libFuzzer target for form_parse_urlencoded and the
 * getters and UTF-8 checks behind it.
 *
 * Not crashing is the least of it: for every input the target also checks
 * what form.h promises, and aborts (which libFuzzer reports as a crash) when
 * a promise is broken:
 *   - a parsed form has at most FORM_MAX_FIELDS fields, non-empty names of at
 *     most FORM_MAX_NAME bytes, values whose length is value_len, all of it
 *     acceptable text with no CR left; a refused input leaves n == 0;
 *   - re-encoding a parsed form and parsing it again gives the same form;
 *   - form_get_int agrees with a plain reference parser built on strtoll;
 *   - utf8_valid agrees with a reference decoder written from the definition.
 * Build and run it with tests/fuzz/run-smoke.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/form.h"

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: broken promise: %s\n",        \
			        __FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer gives a target no context pointer, so the arena that lives
 * across inputs (and is reset after each, as a worker's is after each
 * request) has to be a file-level variable. */
static arena fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	arena_init(&fuzz_arena, 4096);
	return 0;
}

/* UTF-8 as defined (RFC 3629): decode, then refuse overlongs, surrogates
 * and code points past U+10FFFF. Deliberately unlike form.c's table. */
static bool reference_utf8(const uint8_t *p, size_t len)
{
	static const unsigned long min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i], n;
		unsigned long cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (unsigned k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

/* The integer rule from form.h, written the obvious way. */
static bool reference_int(const char *s, long long *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	if (*d == '\0')
		return false;
	for (const char *c = d; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return false;
	*out = v;
	return true;
}

static void check_form(const form *f)
{
	CHECK(f->n <= FORM_MAX_FIELDS);
	for (size_t i = 0; i < f->n; i++) {
		const form_field *fl = &f->fields[i];
		size_t nl = strlen(fl->name);
		CHECK(nl > 0 && nl <= FORM_MAX_NAME);
		CHECK(strlen(fl->value) == fl->value_len);
		CHECK(text_acceptable(fl->name, nl));
		CHECK(text_acceptable(fl->value, fl->value_len));
		CHECK(memchr(fl->name, '\r', nl) == NULL);
		CHECK(memchr(fl->value, '\r', fl->value_len) == NULL);
	}
}

static void check_getters(const form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *name = f->fields[i].name;
		const char *first = form_get(f, name);
		CHECK(first != NULL);
		CHECK(form_count(f, name) >= 1);
		if (first != f->fields[i].value)
			continue;   /* not the first with this name */

		long long ref = 0, got = 0, narrow = 0;
		bool ref_ok = reference_int(first, &ref);
		bool got_ok = form_get_int(f, name, LLONG_MIN, LLONG_MAX, &got);
		CHECK(ref_ok == got_ok);
		if (got_ok)
			CHECK(ref == got);
		bool narrow_ok = form_get_int(f, name, -1000, 1000, &narrow);
		CHECK(narrow_ok == (got_ok && got >= -1000 && got <= 1000));
		if (narrow_ok)
			CHECK(narrow == got);
	}
}

/* Encode every byte that is not alphanumeric, so the text means exactly
 * the decoded bytes (no '+', no CR for the parser to fold). */
static char *reencode(const form *f, size_t *len)
{
	size_t cap = 1;
	for (size_t i = 0; i < f->n; i++)
		cap += 3 * strlen(f->fields[i].name) + 3 * f->fields[i].value_len + 2;
	char *s = arena_alloc(&fuzz_arena, cap), *p = s;
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < f->n; i++) {
		const char *parts[2] = {f->fields[i].name, f->fields[i].value};
		for (int k = 0; k < 2; k++) {
			for (const unsigned char *c = (const unsigned char *)parts[k];
			     *c; c++) {
				if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
				    (*c >= 'A' && *c <= 'Z')) {
					*p++ = (char)*c;
				} else {
					*p++ = '%';
					*p++ = hex[*c >> 4];
					*p++ = hex[*c & 15];
				}
			}
			*p++ = k == 0 ? '=' : '&';
		}
	}
	*len = (size_t)(p - s);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	CHECK(utf8_valid(s, size) == reference_utf8(data, size));
	if (text_acceptable(s, size))
		CHECK(utf8_valid(s, size));
	CHECK(utf8_length(s, size) <= size);

	form f;
	form_status st = form_parse_urlencoded(&fuzz_arena, s, size, &f);
	CHECK(form_status_text(st) != NULL);
	if (st != FORM_OK) {
		CHECK(st == FORM_BAD_ENCODING || st == FORM_TOO_MANY ||
		      st == FORM_NAME_TOO_LONG || st == FORM_EMPTY_NAME);
		CHECK(f.n == 0);
		goto done;
	}
	check_form(&f);
	check_getters(&f);

	size_t len;
	char *again = reencode(&f, &len);
	form g;
	CHECK(form_parse_urlencoded(&fuzz_arena, again, len, &g) == FORM_OK);
	CHECK(g.n == f.n);
	for (size_t i = 0; i < f.n; i++) {
		CHECK(strcmp(f.fields[i].name, g.fields[i].name) == 0);
		CHECK(f.fields[i].value_len == g.fields[i].value_len);
		CHECK(memcmp(f.fields[i].value, g.fields[i].value,
		             f.fields[i].value_len) == 0);
	}
done:
	arena_reset(&fuzz_arena);
	return 0;
}
