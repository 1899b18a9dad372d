/*
 * fuzz_cookie.c - libFuzzer target for form_parse_cookies.
 *
 * Besides not crashing, every input is checked against form.h: the only
 * error is FORM_TOO_MANY (and leaves n == 0); every kept cookie has a token
 * name of 1..FORM_MAX_NAME bytes and a value of RFC 6265 cookie-octets
 * whose length is value_len; and writing the parsed cookies back out as a
 * header and parsing that again gives the same list (nothing well-formed is
 * lost or changed). Build and run it with tests/fuzz/run-smoke.
 */
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

/* libFuzzer gives a target no context pointer, so the arena reused across
 * inputs (reset after each, as a worker's is) is a file-level variable. */
static arena fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	arena_init(&fuzz_arena, 4096);
	return 0;
}

static bool token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7F && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static bool cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' &&
	       c != '\\';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	form f;
	form_status st = form_parse_cookies(&fuzz_arena, (const char *)data,
	                                    size, &f);
	if (st != FORM_OK) {
		CHECK(st == FORM_TOO_MANY);
		CHECK(f.n == 0);
		goto done;
	}
	CHECK(f.n <= FORM_MAX_FIELDS);

	size_t cap = 1;
	for (size_t i = 0; i < f.n; i++) {
		const form_field *fl = &f.fields[i];
		size_t nl = strlen(fl->name);
		CHECK(nl > 0 && nl <= FORM_MAX_NAME);
		for (size_t k = 0; k < nl; k++)
			CHECK(token_char((unsigned char)fl->name[k]));
		CHECK(strlen(fl->value) == fl->value_len);
		for (size_t k = 0; k < fl->value_len; k++)
			CHECK(cookie_octet((unsigned char)fl->value[k]));
		CHECK(form_get(&f, fl->name) != NULL);
		CHECK(form_count(&f, fl->name) >= 1);
		cap += nl + fl->value_len + 5;   /* = "" ; and a space */
	}

	/* Write the cookies back as a header, quoting every other value, and
	 * parse that: the same list must come back. */
	char *hdr = arena_alloc(&fuzz_arena, cap), *p = hdr;
	for (size_t i = 0; i < f.n; i++) {
		bool quote = i % 2;
		p += sprintf(p, quote ? "%s=\"%s\"" : "%s=%s", f.fields[i].name,
		             f.fields[i].value);
		if (i + 1 < f.n)
			p += sprintf(p, "; ");
	}
	form g;
	CHECK(form_parse_cookies(&fuzz_arena, hdr, (size_t)(p - hdr), &g) == FORM_OK);
	CHECK(g.n == f.n);
	for (size_t i = 0; i < f.n; i++) {
		CHECK(strcmp(f.fields[i].name, g.fields[i].name) == 0);
		CHECK(strcmp(f.fields[i].value, g.fields[i].value) == 0);
	}
done:
	arena_reset(&fuzz_arena);
	return 0;
}
