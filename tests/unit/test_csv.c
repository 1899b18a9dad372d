/*
 * test_csv.c - unit tests for the strict RFC 4180 reader in csv.c.
 *
 * Every parse goes through parse(), which asserts what csv.h promises
 * whatever the input (a table of header.n-wide records inside the limits,
 * fields that are valid UTF-8 C strings, line numbers that only grow; on
 * failure an empty table and a line number and sentence), so each case
 * tests the contract as well as its own expected values. Inputs carry
 * explicit lengths so embedded NUL bytes can be tested.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/buf.h"
#include "cairn/csv.h"
#include "cairn/form.h"

/* --- fixtures and helpers --------------------------------------------- */

static int setup(void **state)
{
	arena *a = malloc(sizeof *a);
	if (!a)
		return -1;
	arena_init(a, 4096);
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	free(*state);
	return 0;
}

static void check_record(const csv_record *r)
{
	assert_true(r->n >= 1 && r->n <= CSV_MAX_COLUMNS);
	assert_non_null(r->fields);
	assert_true(r->line >= 1);
	for (size_t i = 0; i < r->n; i++) {
		assert_non_null(r->fields[i]);
		size_t len = strlen(r->fields[i]);
		assert_true(len <= CSV_MAX_FIELD);
		assert_true(utf8_valid(r->fields[i], len));
	}
}

/* Parse s[0..len) and check the contract either way. */
static bool parse_n(arena *a, const char *s, size_t len, csv_table *t, csv_error *e)
{
	bool ok = csv_parse(a, s, len, t, e);
	if (ok) {
		check_record(&t->header);
		assert_true(t->nrows <= CSV_MAX_ROWS);
		int last = t->header.line;
		for (size_t i = 0; i < t->nrows; i++) {
			check_record(&t->rows[i]);
			assert_int_equal(t->rows[i].n, t->header.n);
			assert_true(t->rows[i].line > last);
			last = t->rows[i].line;
		}
	} else {
		assert_int_equal(t->nrows, 0);
		assert_int_equal(t->header.n, 0);
		assert_non_null(t->header.fields);
		assert_true(e->line >= 1);
		assert_true(strlen(e->message) > 10);
		assert_true(e->message[strlen(e->message) - 1] == '.');
	}
	return ok;
}

static bool parse(arena *a, const char *s, csv_table *t, csv_error *e)
{
	return parse_n(a, s, strlen(s), t, e);
}

/* Expect a refusal on line `line` whose message contains `words`. */
static void refused_n(arena *a, const char *s, size_t len, int line, const char *words)
{
	csv_table t;
	csv_error e;
	if (parse_n(a, s, len, &t, &e))
		fail_msg("accepted: %.*s", (int)(len > 60 ? 60 : len), s);
	if (e.line != line || !strstr(e.message, words))
		fail_msg("line %d: %s (wanted line %d, \"%s\")", e.line, e.message, line, words);
}

static void refused(arena *a, const char *s, int line, const char *words)
{
	refused_n(a, s, strlen(s), line, words);
}

/* --- well-formed input ---------------------------------------------- */

static void test_simple_lf_and_crlf(void **state)
{
	arena *a = *state;
	const char *inputs[] = {
		"name,email\nAda,ada@example.test\nBo,bo@example.test\n",
		"name,email\r\nAda,ada@example.test\r\nBo,bo@example.test\r\n",
		"name,email\r\nAda,ada@example.test\nBo,bo@example.test",
	};
	for (size_t k = 0; k < 3; k++) {
		csv_table t;
		csv_error e;
		assert_true(parse(a, inputs[k], &t, &e));
		assert_int_equal(t.header.n, 2);
		assert_string_equal(t.header.fields[0], "name");
		assert_string_equal(t.header.fields[1], "email");
		assert_int_equal(t.header.line, 1);
		assert_int_equal(t.nrows, 2);
		assert_string_equal(t.rows[0].fields[0], "Ada");
		assert_string_equal(t.rows[0].fields[1], "ada@example.test");
		assert_string_equal(t.rows[1].fields[1], "bo@example.test");
		assert_int_equal(t.rows[0].line, 2);
		assert_int_equal(t.rows[1].line, 3);
	}
}

static void test_quoted_fields(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a,
		"a,b,c\n"
		"\"Smith, Jo\",\"She said \"\"hi\"\"\",\"\"\n"
		"\"\"\"\",plain,\"x\"\n",
		&t, &e));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[0].fields[0], "Smith, Jo");
	assert_string_equal(t.rows[0].fields[1], "She said \"hi\"");
	assert_string_equal(t.rows[0].fields[2], "");
	assert_string_equal(t.rows[1].fields[0], "\"");
	assert_string_equal(t.rows[1].fields[1], "plain");
	assert_string_equal(t.rows[1].fields[2], "x");
}

static void test_line_breaks_inside_quotes_count_lines(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, "a,b\n\"one\ntwo\r\nthree\",x\nlast,y\n", &t, &e));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[0].fields[0], "one\ntwo\r\nthree");
	assert_int_equal(t.rows[0].line, 2);
	assert_int_equal(t.rows[1].line, 5);
	/* An error after a multi-line field names the physical line. */
	refused(a, "a,b\n\"one\ntwo\",x\nonly-one\n", 4, "1 field where the header has 2");
}

static void test_empty_fields_and_trailing_comma(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, "a,b,c\n,,\nx,,\n,,z", &t, &e));
	assert_int_equal(t.nrows, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(t.rows[i].n, 3);
	assert_string_equal(t.rows[0].fields[2], "");
	assert_string_equal(t.rows[1].fields[0], "x");
	assert_string_equal(t.rows[2].fields[2], "z");
}

static void test_spaces_and_unicode_kept(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, " name ,team\n  Zoë Ñúñez ,\tÉquipe 北\n", &t, &e));
	assert_string_equal(t.header.fields[0], " name ");
	assert_string_equal(t.rows[0].fields[0], "  Zoë Ñúñez ");
	assert_string_equal(t.rows[0].fields[1], "\tÉquipe 北");
}

static void test_bom_and_blank_lines(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, "\xEF\xBB\xBFname,email\n\nAda,a@x.test\r\n\r\n\nBo,b@x.test\n\n\n",
	                  &t, &e));
	assert_string_equal(t.header.fields[0], "name");
	assert_int_equal(t.nrows, 2);
	assert_int_equal(t.rows[0].line, 3);
	assert_int_equal(t.rows[1].line, 6);
	/* Blank lines before the header are skipped too. */
	assert_true(parse(a, "\n\r\nname\nx\n", &t, &e));
	assert_int_equal(t.header.line, 3);
	assert_int_equal(t.rows[0].line, 4);
	/* A BOM anywhere else is text (U+FEFF), not skipped. */
	assert_true(parse(a, "name\n\xEF\xBB\xBFx\n", &t, &e));
	assert_string_equal(t.rows[0].fields[0], "\xEF\xBB\xBFx");
}

static void test_header_only_and_single_column(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, "name,email\n", &t, &e));
	assert_int_equal(t.nrows, 0);
	assert_int_equal(t.header.n, 2);
	assert_true(parse(a, "email\nx@y.test\n\"q@y.test\"", &t, &e));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[1].fields[0], "q@y.test");
}

/* --- refusals --------------------------------------------------------- */

static void test_nothing_to_read(void **state)
{
	arena *a = *state;
	refused(a, "", 1, "nothing to read");
	refused(a, "\n\r\n\n", 1, "nothing to read");
	refused(a, "\xEF\xBB\xBF", 1, "nothing to read");
}

static void test_unclosed_quote_names_its_first_line(void **state)
{
	arena *a = *state;
	refused(a, "a,b\nx,y\n\"open,z\nmore\nand more\n", 3, "never closed");
	refused(a, "a,b\nx,\"", 2, "never closed");
}

static void test_stray_quotes(void **state)
{
	arena *a = *state;
	refused(a, "a,b\nx,\"quoted\"tail\n", 2, "follows the closing quote");
	refused(a, "a,b\nx,\"quoted\" \n", 2, "follows the closing quote");
	refused(a, "a,b\nx,in\"side\n", 2, "does not start with one");
	refused(a, "a,b\nx, \"late\"\n", 2, "does not start with one");
}

static void test_lone_carriage_returns(void **state)
{
	arena *a = *state;
	refused(a, "a,b\rx,y\r", 1, "carriage return");
	refused(a, "a,b\nx,y\r", 2, "carriage return");
	refused(a, "a,b\nx,\"y\"\rz\n", 2, "carriage return");
	refused(a, "a\n\r\n\rx\n", 3, "carriage return");
	/* Inside quotes a CR is data. */
	csv_table t;
	csv_error e;
	assert_true(parse(a, "a\n\"x\ry\"\n", &t, &e));
	assert_string_equal(t.rows[0].fields[0], "x\ry");
}

static void test_field_count_must_match_header(void **state)
{
	arena *a = *state;
	refused(a, "a,b,c\nx,y,z\nx,y\n", 3, "2 fields where the header has 3");
	refused(a, "a,b\nx,y,z\n", 2, "3 fields where the header has 2");
	refused(a, "a,b\n\nx\n", 3, "1 field where the header has 2");
}

static void test_invalid_utf8_names_the_line(void **state)
{
	arena *a = *state;
	refused(a, "a,b\nx,y\nbad,\xff\n", 3, "not valid UTF-8");
	refused(a, "\xc0\xaf,b\n", 1, "not valid UTF-8");           /* overlong '/' */
	refused(a, "a\n\"ok\n\xed\xa0\x80\"\n", 3, "not valid UTF-8"); /* surrogate */
	refused(a, "a\nx\xe2\x82", 2, "not valid UTF-8");            /* cut short at the end */
	refused(a, "a\n\x80\n", 2, "not valid UTF-8");               /* lone continuation */
	refused(a, "a\nx\xf4\x90\x80\x80\n", 2, "not valid UTF-8");  /* past U+10FFFF */
	/* The first problem in the text wins, whatever its kind. */
	refused(a, "a,b\n\"open\nx,\xff\n", 3, "not valid UTF-8");
	refused(a, "a,b\nx,\"y\"z\n\xff\n", 2, "follows the closing quote");
}

static void test_control_characters_refused(void **state)
{
	arena *a = *state;
	refused_n(a, "a\nx\0y\n", 6, 2, "control character (byte 0x00)");
	refused(a, "a\nx\x01\n", 2, "byte 0x01");
	refused(a, "a\n\"q\x1b\"\n", 2, "byte 0x1B");
	refused(a, "a\nx\x7f\n", 2, "byte 0x7F");
	/* TAB is text. */
	csv_table t;
	csv_error e;
	assert_true(parse(a, "a\tb\nx\ty\n", &t, &e));
	assert_string_equal(t.rows[0].fields[0], "x\ty");
}

static void test_field_length_cap(void **state)
{
	arena *a = *state;
	buf b;
	csv_table t;
	csv_error e;
	buf_init(&b, a, 0);
	/* Exactly CSV_MAX_FIELD bytes, unquoted and quoted, is fine. */
	buf_puts(&b, "a,b\n");
	for (int i = 0; i < CSV_MAX_FIELD; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, ",\"");
	for (int i = 0; i < CSV_MAX_FIELD / 2; i++)
		buf_puts(&b, "\"\"");   /* each pair is one byte */
	buf_puts(&b, "\"\n");
	assert_false(b.failed);
	assert_true(parse_n(a, b.data, b.len, &t, &e));
	assert_int_equal(strlen(t.rows[0].fields[0]), CSV_MAX_FIELD);
	assert_int_equal(strlen(t.rows[0].fields[1]), CSV_MAX_FIELD / 2);

	/* One byte more is refused, naming the line. */
	buf_clear(&b);
	buf_puts(&b, "a\nok\n");
	for (int i = 0; i <= CSV_MAX_FIELD; i++)
		buf_putc(&b, 'y');
	buf_putc(&b, '\n');
	refused_n(a, b.data, b.len, 3, "longer than 500 bytes");

	buf_clear(&b);
	buf_puts(&b, "a\n\"");
	for (int i = 0; i <= CSV_MAX_FIELD; i++)
		buf_putc(&b, i == 100 ? '\n' : 'z');
	buf_puts(&b, "\"\n");
	refused_n(a, b.data, b.len, 2, "longer than 500 bytes");

	/* Multi-byte characters count in bytes: 250 two-byte letters fit,
	 * 251 do not. */
	buf_clear(&b);
	buf_puts(&b, "a\n");
	for (int i = 0; i < CSV_MAX_FIELD / 2; i++)
		buf_puts(&b, "é");
	assert_true(parse_n(a, b.data, b.len, &t, &e));
	buf_puts(&b, "é");
	refused_n(a, b.data, b.len, 2, "longer than 500 bytes");
}

static void test_column_cap(void **state)
{
	arena *a = *state;
	buf b;
	csv_table t;
	csv_error e;
	buf_init(&b, a, 0);
	for (int i = 0; i < CSV_MAX_COLUMNS; i++)
		buf_appendf(&b, "%sc%d", i ? "," : "", i);
	buf_putc(&b, '\n');
	assert_true(parse_n(a, b.data, b.len, &t, &e));
	assert_int_equal(t.header.n, CSV_MAX_COLUMNS);
	buf_puts(&b, "x");
	for (int i = 0; i < CSV_MAX_COLUMNS; i++)
		buf_putc(&b, ',');
	buf_putc(&b, '\n');
	refused_n(a, b.data, b.len, 2, "more than 50 fields");
}

static void test_row_cap(void **state)
{
	arena *a = *state;
	buf b;
	csv_table t;
	csv_error e;
	buf_init(&b, a, 0);
	buf_puts(&b, "name,email\r\n");
	for (int i = 1; i <= CSV_MAX_ROWS; i++)
		buf_appendf(&b, "Person %d,p%d@example.test\r\n", i, i);
	assert_false(b.failed);
	assert_true(parse_n(a, b.data, b.len, &t, &e));
	assert_int_equal(t.nrows, CSV_MAX_ROWS);
	assert_string_equal(t.rows[CSV_MAX_ROWS - 1].fields[0], "Person 2000");
	assert_int_equal(t.rows[CSV_MAX_ROWS - 1].line, CSV_MAX_ROWS + 1);
	/* Trailing blank lines do not count as rows. */
	buf_puts(&b, "\r\n\r\n");
	assert_true(parse_n(a, b.data, b.len, &t, &e));
	/* Row 2001 is refused, and the error names its line (header + 2000
	 * rows + the two blank lines before it). */
	buf_puts(&b, "One Too Many,late@example.test\r\n");
	refused_n(a, b.data, b.len, CSV_MAX_ROWS + 4, "more than 2000 rows");
}

static void test_error_leaves_empty_table(void **state)
{
	arena *a = *state;
	csv_table t;
	csv_error e;
	assert_true(parse(a, "a,b\nx,y\n", &t, &e));
	assert_false(parse(a, "a,b\nx,y\nz\n", &t, &e));
	assert_null(t.rows);
	assert_int_equal(t.header.line, 0);
	/* A success clears an earlier error. */
	assert_true(parse(a, "a\n", &t, &e));
	assert_int_equal(e.line, 0);
	assert_string_equal(e.message, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_simple_lf_and_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_breaks_inside_quotes_count_lines, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_empty_fields_and_trailing_comma, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spaces_and_unicode_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_and_blank_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_only_and_single_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclosed_quote_names_its_first_line, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_stray_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lone_carriage_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_count_must_match_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_names_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_length_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_column_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_leaves_empty_table, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
