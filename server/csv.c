/*
 * csv.c - the strict RFC 4180 reader. See csv.h.
 *
 * One pass over the text. Each physical line is checked (UTF-8, control
 * characters) when the reader first steps onto it, so errors come out in
 * the order of the text and the check costs one extra look at each byte.
 * A field is gathered in a fixed buffer of CSV_MAX_FIELD bytes and copied
 * into the arena when it ends; a record's fields are gathered the same way,
 * so a refused input leaves only those copies behind in the arena.
 */
#include "cairn/csv.h"
#include "cairn/form.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct reader {
	const char *p, *end;
	int line;           /* the physical line p is on */
	csv_error *err;
} reader;

static bool fail(reader *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool check_line(reader *r);
static bool next_line(reader *r);
static bool read_record(reader *r, arena *a, csv_record *rec);

static const char *no_fields[1];

static bool fail(reader *r, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->err->line = line;
	vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
	va_end(ap);
	return false;
}

/* Check the physical line that starts at r->p (up to the next LF). */
static bool check_line(reader *r)
{
	if (r->p == r->end)
		return true;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	size_t len = (size_t)((nl ? nl : r->end) - r->p);
	if (!utf8_valid(r->p, len))
		return fail(r, r->line, "This line is not valid UTF-8 text: export or save the file "
		                        "as UTF-8 and paste it again.");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)r->p[i];
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
			return fail(r, r->line, "This line holds an invisible control character "
			                        "(byte 0x%02X): remove it.", c);
	}
	return true;
}

/* r->p has just passed a LF: count the line and check the new one. */
static bool next_line(reader *r)
{
	r->line++;
	return check_line(r);
}

static bool at_line_break(const reader *r)
{
	return r->p < r->end &&
	       (*r->p == '\n' || (*r->p == '\r' && r->end - r->p >= 2 && r->p[1] == '\n'));
}

/* Read one record starting at r->p, which is not at a line break. On
 * return r->p is past the record's line break (or at the end). */
static bool read_record(reader *r, arena *a, csv_record *rec)
{
	const char *fields[CSV_MAX_COLUMNS];
	char field[CSV_MAX_FIELD];
	size_t nf = 0;
	rec->line = r->line;
	for (;;) {
		size_t len = 0;
		int start = r->line;
		if (nf == CSV_MAX_COLUMNS)
			return fail(r, r->line, "This line has more than %d fields.", CSV_MAX_COLUMNS);
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p == r->end)
					return fail(r, start, "A quoted field starts on this line and is never "
					                      "closed: a closing quote (\") is missing.");
				char c = *r->p++;
				if (c == '"') {
					if (r->p == r->end || *r->p != '"')
						break;
					r->p++;   /* "" is one quote */
				}
				if (len == CSV_MAX_FIELD)
					return fail(r, start, "A field on this line is longer than %d bytes.",
					            CSV_MAX_FIELD);
				field[len++] = c;
				if (c == '\n' && !next_line(r))
					return false;
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
				return fail(r, r->line, "Text follows the closing quote of a field; inside "
				                        "quotes, write a quote twice (\"\").");
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
				if (*r->p == '"')
					return fail(r, r->line, "A field has a quote (\") but does not start "
					                        "with one: quote the whole field and write the "
					                        "inner quote twice (\"\").");
				if (len == CSV_MAX_FIELD)
					return fail(r, start, "A field on this line is longer than %d bytes.",
					            CSV_MAX_FIELD);
				field[len++] = *r->p++;
			}
		}
		fields[nf++] = arena_strndup(a, field, len);
		if (r->p == r->end)
			break;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (!at_line_break(r))
			return fail(r, r->line, "This line has a carriage return (CR) that is not "
			                        "followed by a line feed (LF).");
		r->p += *r->p == '\r' ? 2 : 1;
		if (!next_line(r))
			return false;
		break;
	}
	const char **copy = arena_alloc(a, nf * sizeof *copy);
	memcpy(copy, fields, nf * sizeof *copy);
	rec->fields = copy;
	rec->n = nf;
	return true;
}

bool csv_parse(arena *a, const char *s, size_t len, csv_table *out, csv_error *err)
{
	reader r = {.p = s, .end = s + len, .line = 1, .err = err};
	size_t cap = 0;
	bool have_header = false;
	*out = (csv_table){.header = {.line = 0, .n = 0, .fields = no_fields}};
	err->line = 0;
	err->message[0] = '\0';
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		r.p += 3;
	if (!check_line(&r))
		goto fail;
	while (r.p < r.end) {
		if (at_line_break(&r)) {
			r.p += *r.p == '\r' ? 2 : 1;
			if (!next_line(&r))
				goto fail;
			continue;
		}
		csv_record rec;
		if (!read_record(&r, a, &rec))
			goto fail;
		if (!have_header) {
			out->header = rec;
			have_header = true;
			continue;
		}
		if (rec.n != out->header.n) {
			fail(&r, rec.line, "This line has %zu field%s where the header has %zu.", rec.n,
			     rec.n == 1 ? "" : "s", out->header.n);
			goto fail;
		}
		if (out->nrows == CSV_MAX_ROWS) {
			fail(&r, rec.line, "There are more than %d rows below the header: import at most "
			                   "%d at a time.", CSV_MAX_ROWS, CSV_MAX_ROWS);
			goto fail;
		}
		if (out->nrows == cap) {
			size_t grown = cap ? 2 * cap : 16;
			out->rows = arena_realloc(a, out->rows, cap * sizeof *out->rows,
			                          grown * sizeof *out->rows);
			cap = grown;
		}
		out->rows[out->nrows++] = rec;
	}
	if (!have_header) {
		fail(&r, 1, "There is nothing to read: paste the header line and the rows below it.");
		goto fail;
	}
	return true;
fail:
	*out = (csv_table){.header = {.line = 0, .n = 0, .fields = no_fields}};
	return false;
}
