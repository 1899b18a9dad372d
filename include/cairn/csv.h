/*
 * csv.h - a strict RFC 4180 reader for text pasted from a spreadsheet or a
 * portal's export.
 *
 * A pure parser: no database, no HTTP, memory from the caller's arena; the
 * input is not modified. It reads the whole text or refuses it: the first
 * thing that is not RFC 4180 stops the parse, and the error names the line
 * (1-based, counting physical lines, so a quoted field that spans lines
 * moves the count on as an editor would) and says what to fix.
 *
 * What is accepted:
 *   - records separated by CR LF or LF (a CR anywhere else outside quotes is
 *     refused); the last record may end without a line break;
 *   - fields separated by commas; a field is either unquoted, with no '"'
 *     in it, or wholly quoted ("..."), where a quote is written twice ("")
 *     and commas, CR and LF are data; nothing may follow a closing quote
 *     but a comma, a line break or the end;
 *   - the first record is the header; every later record has exactly as
 *     many fields as the header;
 *   - a UTF-8 byte order mark at the very start is skipped (spreadsheets
 *     write one), and an empty line is skipped wherever it is (pasted text
 *     often ends with several);
 *   - the text must be valid UTF-8 (utf8_valid in form.h) with no control
 *     characters other than TAB, CR and LF: fields are C strings, and names
 *     and addresses with invisible characters help nobody.
 * Fields are returned as they were written: no trimming, no case change.
 *
 * Limits: at most CSV_MAX_ROWS records after the header, CSV_MAX_COLUMNS
 * fields in a record and CSV_MAX_FIELD bytes in a field (after undoubling
 * quotes); more is an error naming the line where the limit was passed.
 * Time is linear in the input's length.
 */
#ifndef CAIRN_CSV_H
#define CAIRN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum {
	CSV_MAX_ROWS = 2000,    /* data records (the header is not counted) */
	CSV_MAX_COLUMNS = 50,
	CSV_MAX_FIELD = 500,    /* bytes in one field */
};

typedef struct csv_record {
	int line;               /* the line the record starts on (1-based) */
	size_t n;               /* number of fields: 1..CSV_MAX_COLUMNS */
	const char **fields;    /* n NUL-terminated strings, never NULL */
} csv_record;

typedef struct csv_table {
	csv_record header;
	csv_record *rows;       /* nrows records, each with header.n fields */
	size_t nrows;           /* 0..CSV_MAX_ROWS */
} csv_table;

typedef struct csv_error {
	int line;               /* where the problem is (1-based) */
	char message[160];      /* a sentence without the line number */
} csv_error;

/* Parse s[0..len). On success fills *out and returns true. On failure
 * returns false, *out is the empty table (no header fields, no rows) and
 * *err says where and why; an input with no record at all is an error on
 * line 1. err may not be NULL. */
bool csv_parse(arena *a, const char *s, size_t len, csv_table *out, csv_error *err);

#endif
