/*
 * fuzz_csv.c - libFuzzer target for csv_parse.
 *
 * Beyond not crashing, the target checks what csv.h promises for every
 * input, and aborts (which libFuzzer reports as a crash) when a promise is
 * broken:
 *   - an accepted table has a header of 1..CSV_MAX_COLUMNS fields, at most
 *     CSV_MAX_ROWS rows as wide as the header, fields of at most
 *     CSV_MAX_FIELD bytes that are valid UTF-8 without control characters
 *     other than TAB, CR and LF, and line numbers that grow and stay inside
 *     the text;
 *   - only text that is valid UTF-8 as a whole is accepted;
 *   - writing an accepted table back as CSV (every field quoted, CR LF
 *     between records) and parsing that gives the same fields;
 *   - a refused input gives the empty table and an error on a line that
 *     exists, with a sentence.
 * Build and run it with tests/fuzz/run-smoke.
 */
// fuzz-link: server/csv.c
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/buf.h"
#include "cairn/csv.h"
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
 * across inputs (and is reset after each) has to be a file-level variable. */
static arena fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	arena_init(&fuzz_arena, 4096);
	return 0;
}

static bool no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') || *p == 0x7F)
			return false;
	return true;
}

static void check_record(const csv_record *r, int lines)
{
	CHECK(r->n >= 1 && r->n <= CSV_MAX_COLUMNS);
	CHECK(r->fields != NULL);
	CHECK(r->line >= 1 && r->line <= lines);
	for (size_t i = 0; i < r->n; i++) {
		CHECK(r->fields[i] != NULL);
		size_t len = strlen(r->fields[i]);
		CHECK(len <= CSV_MAX_FIELD);
		CHECK(utf8_valid(r->fields[i], len));
		CHECK(no_controls(r->fields[i]));
	}
}

static void write_record(buf *b, const csv_record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '"');
		for (const char *c = r->fields[i]; *c; c++) {
			if (*c == '"')
				buf_putc(b, '"');
			buf_putc(b, *c);
		}
		buf_putc(b, '"');
	}
	buf_puts(b, "\r\n");
}

static bool same_record(const csv_record *x, const csv_record *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->fields[i], y->fields[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	csv_table t;
	csv_error e;
	if (!csv_parse(&fuzz_arena, s, size, &t, &e)) {
		CHECK(t.nrows == 0 && t.rows == NULL);
		CHECK(t.header.n == 0 && t.header.fields != NULL);
		CHECK(e.line >= 1 && e.line <= lines);
		CHECK(memchr(e.message, '\0', sizeof e.message) != NULL);
		CHECK(strlen(e.message) > 0);
		goto done;
	}
	CHECK(utf8_valid(s, size));
	CHECK(t.nrows <= CSV_MAX_ROWS);
	check_record(&t.header, lines);
	int last = t.header.line;
	for (size_t i = 0; i < t.nrows; i++) {
		check_record(&t.rows[i], lines);
		CHECK(t.rows[i].n == t.header.n);
		CHECK(t.rows[i].line > last);
		last = t.rows[i].line;
	}

	buf b;
	buf_init(&b, &fuzz_arena, 0);
	write_record(&b, &t.header);
	for (size_t i = 0; i < t.nrows; i++)
		write_record(&b, &t.rows[i]);
	CHECK(!b.failed);
	csv_table u;
	CHECK(csv_parse(&fuzz_arena, b.data, b.len, &u, &e));
	CHECK(u.nrows == t.nrows);
	CHECK(same_record(&u.header, &t.header));
	for (size_t i = 0; i < t.nrows; i++)
		CHECK(same_record(&u.rows[i], &t.rows[i]));
done:
	arena_reset(&fuzz_arena);
	return 0;
}
