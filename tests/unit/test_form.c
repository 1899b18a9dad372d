/*
 * test_form.c - unit tests for the strict parsers in form.c.
 *
 * Every successful parse goes through check_invariants(), which asserts what
 * form.h promises about any parsed form (names non-empty and short, values
 * acceptable text of the stated length, no CR left after folding), so each
 * case tests the contract as well as its own expected values. Inputs are
 * passed with explicit lengths so embedded NUL bytes can be tested.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/form.h"

/* --- fixtures and helpers --------------------------------------------- */

/* A small chunk size, so parses cross chunk boundaries and big blocks. */
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

static void check_invariants(const form *f)
{
	assert_true(f->n <= FORM_MAX_FIELDS);
	for (size_t i = 0; i < f->n; i++) {
		const form_field *fl = &f->fields[i];
		assert_non_null(fl->name);
		assert_non_null(fl->value);
		size_t nl = strlen(fl->name);
		assert_true(nl > 0 && nl <= FORM_MAX_NAME);
		assert_int_equal(strlen(fl->value), fl->value_len);
		assert_true(text_acceptable(fl->name, nl));
		assert_true(text_acceptable(fl->value, fl->value_len));
		assert_null(memchr(fl->name, '\r', nl));
		assert_null(memchr(fl->value, '\r', fl->value_len));
	}
}

static form_status parse_n(arena *a, const char *s, size_t len, form *f)
{
	f->fields = (form_field *)(uintptr_t)1;   /* must be overwritten */
	f->n = 12345;
	form_status st = form_parse_urlencoded(a, s, len, f);
	if (st == FORM_OK)
		check_invariants(f);
	else
		assert_int_equal(f->n, 0);   /* all or nothing */
	return st;
}

static form_status parse(arena *a, const char *s, form *f)
{
	return parse_n(a, s, strlen(s), f);
}

static form parse_ok(arena *a, const char *s)
{
	form f;
	assert_int_equal(parse(a, s, &f), FORM_OK);
	return f;
}

static form_status parse_st(arena *a, const char *s)
{
	form f;
	return parse(a, s, &f);
}

/* The value of "v" in "v=<raw>", which must parse. */
static const char *value_of(arena *a, const char *raw)
{
	char *s = arena_sprintf(a, "v=%s", raw);
	form f = parse_ok(a, s);
	assert_int_equal(f.n, 1);
	return f.fields[0].value;
}

static form cookies_ok(arena *a, const char *s, size_t len)
{
	form f;
	assert_int_equal(form_parse_cookies(a, s, len, &f), FORM_OK);
	check_invariants(&f);
	return f;
}

static form cookies(arena *a, const char *s)
{
	return cookies_ok(a, s, strlen(s));
}

/* --- urlencoded: structure -------------------------------------------- */

static void test_empty_input(void **state)
{
	form f = parse_ok(*state, "");
	assert_int_equal(f.n, 0);
	assert_null(form_get(&f, "a"));
	assert_int_equal(form_count(&f, "a"), 0);
	f = parse_ok(*state, "&");
	assert_int_equal(f.n, 0);
	f = parse_ok(*state, "&&&");
	assert_int_equal(f.n, 0);
}

static void test_basic_pairs(void **state)
{
	form f = parse_ok(*state, "a=1&b=two&c=");
	assert_int_equal(f.n, 3);
	assert_string_equal(f.fields[0].name, "a");
	assert_string_equal(f.fields[0].value, "1");
	assert_string_equal(f.fields[1].name, "b");
	assert_string_equal(f.fields[1].value, "two");
	assert_int_equal(f.fields[1].value_len, 3);
	assert_string_equal(f.fields[2].value, "");
	assert_int_equal(f.fields[2].value_len, 0);
}

static void test_empty_segments_skipped(void **state)
{
	form f = parse_ok(*state, "&a=1&&b=2&");
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "2");
}

static void test_missing_equals(void **state)
{
	form f = parse_ok(*state, "flag&a=1&other");
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "flag"), "");
	assert_int_equal(f.fields[0].value_len, 0);
	assert_string_equal(form_get(&f, "other"), "");
}

static void test_equals_in_value(void **state)
{
	form f = parse_ok(*state, "a==b&c=d=e");
	assert_string_equal(form_get(&f, "a"), "=b");
	assert_string_equal(form_get(&f, "c"), "d=e");
}

static void test_empty_name(void **state)
{
	assert_int_equal(parse_st(*state, "=x"), FORM_EMPTY_NAME);
	assert_int_equal(parse_st(*state, "="), FORM_EMPTY_NAME);
	assert_int_equal(parse_st(*state, "a=1&=2"), FORM_EMPTY_NAME);
	assert_int_equal(parse_st(*state, "a=1&=&b=2"), FORM_EMPTY_NAME);
}

static void test_repeated_names(void **state)
{
	form f = parse_ok(*state, "tag=a&x=1&tag=b&tag=c");
	assert_int_equal(f.n, 4);
	assert_string_equal(form_get(&f, "tag"), "a");
	assert_int_equal(form_count(&f, "tag"), 3);
	assert_int_equal(form_count(&f, "x"), 1);
	assert_int_equal(form_count(&f, "missing"), 0);
	assert_string_equal(f.fields[2].value, "b");
	assert_string_equal(f.fields[3].value, "c");
}

static void test_names_match_exactly(void **state)
{
	form f = parse_ok(*state, "ab=1&A=2");
	assert_null(form_get(&f, "a"));
	assert_null(form_get(&f, "abc"));
	assert_null(form_get(&f, "AB"));
	assert_string_equal(form_get(&f, "A"), "2");
	/* Names are decoded before matching. */
	f = parse_ok(*state, "%61=1&b%5B%5D=2&c+d=3");
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b[]"), "2");
	assert_string_equal(form_get(&f, "c d"), "3");
}

static void test_input_not_modified_or_read_past_len(void **state)
{
	/* Only len bytes are read: the "&b=2" after len is not seen. */
	const char s[] = "a=1&b=2";
	form f;
	assert_int_equal(parse_n(*state, s, 3, &f), FORM_OK);
	assert_int_equal(f.n, 1);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(s, "a=1&b=2");
	/* A '%' cut off by len is truncated, not completed from beyond. */
	const char t[] = "a=%41";
	assert_int_equal(parse_n(*state, t, 4, &f), FORM_BAD_ENCODING);
}

/* --- urlencoded: decoding --------------------------------------------- */

static void test_plus_is_space(void **state)
{
	assert_string_equal(value_of(*state, "a+b++c+"), "a b  c ");
	assert_string_equal(value_of(*state, "%2B1"), "+1");
	assert_string_equal(value_of(*state, "%20"), " ");
}

static void test_percent_decoding(void **state)
{
	assert_string_equal(value_of(*state, "%41%62%7e%7E"), "Ab~~");
	assert_string_equal(value_of(*state, "%25"), "%");
	assert_string_equal(value_of(*state, "%2541"), "%41");   /* once only */
	assert_string_equal(value_of(*state, "%26%3D"), "&=");
	form f = parse_ok(*state, "a=%26b%3Dc&d=1");
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "a"), "&b=c");
}

static void test_percent_errors(void **state)
{
	const char *bad[] = {
		"v=%", "v=%4", "v=x%", "v=x%4", "v=%G1", "v=%1G", "v=%%",
		"v=%%41", "v=% 1", "v=%+1", "v=%-1", "v=%0x", "v=%4%41",
		"%=1", "%4=1", "a%G=1", "v=1&w=%Z0",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		form_status st = parse_st(*state, bad[i]);
		if (st != FORM_BAD_ENCODING)
			fail_msg("\"%s\" gave %s", bad[i], form_status_text(st));
	}
	/* Truncated at the end of the whole input, and before an '&'. */
	assert_int_equal(parse_st(*state, "a=1&b=%4"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "a=%4&b=1"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "a=%&b=1"), FORM_BAD_ENCODING);
}

static void test_nul_refused(void **state)
{
	form f;
	assert_int_equal(parse_st(*state, "v=%00"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "v=a%00b"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "%00=1"), FORM_BAD_ENCODING);
	/* A raw NUL inside len is refused as well, in value and in name. */
	const char raw[] = "a=1&v=x\0y";
	assert_int_equal(parse_n(*state, raw, sizeof raw - 1, &f),
	                 FORM_BAD_ENCODING);
	const char raw_name[] = "a\0b=1";
	assert_int_equal(parse_n(*state, raw_name, sizeof raw_name - 1, &f),
	                 FORM_BAD_ENCODING);
	const char raw_seg[] = "a=1&\0";
	assert_int_equal(parse_n(*state, raw_seg, sizeof raw_seg - 1, &f),
	                 FORM_BAD_ENCODING);
}

static void test_control_bytes(void **state)
{
	static const char *bad[] = {
		"%01", "%07", "%08", "%0B", "%0C", "%1B", "%1F", "%7F", "a%7Fb",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *s = arena_sprintf(*state, "v=%s", bad[i]);
		assert_int_equal(parse_st(*state, s), FORM_BAD_ENCODING);
	}
	/* Raw control bytes and DEL are checked just like decoded ones. */
	assert_int_equal(parse_st(*state, "v=a\x01"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "v=\x7F"), FORM_BAD_ENCODING);
	assert_int_equal(parse_st(*state, "\x1b=1"), FORM_BAD_ENCODING);
	/* TAB and LF are text. */
	assert_string_equal(value_of(*state, "a%09b%0Ac"), "a\tb\nc");
	assert_string_equal(value_of(*state, "a\tb"), "a\tb");
	/* The last printable ASCII byte and the first non-ASCII code point. */
	assert_string_equal(value_of(*state, "%7E%C2%80"), "~\xC2\x80");
}

static void test_crlf_normalised(void **state)
{
	arena *a = *state;
	assert_string_equal(value_of(a, "x%0D%0Ay"), "x\ny");
	assert_string_equal(value_of(a, "x%0Dy"), "x\ny");          /* lone CR */
	assert_string_equal(value_of(a, "x%0D"), "x\n");            /* at end */
	assert_string_equal(value_of(a, "%0D%0A"), "\n");
	assert_string_equal(value_of(a, "%0D%0D%0A"), "\n\n");
	assert_string_equal(value_of(a, "%0A%0D"), "\n\n");         /* LF CR */
	assert_string_equal(value_of(a, "%0D%0A%0D%0A"), "\n\n");
	assert_string_equal(value_of(a, "%0A%0A"), "\n\n");
	assert_string_equal(value_of(a, "%0d%0a"), "\n");           /* lower hex */
	assert_string_equal(value_of(a, "x\r\ny"), "x\ny");         /* raw */
	assert_string_equal(value_of(a, "x\r%0Ay"), "x\ny");        /* mixed */
	assert_string_equal(value_of(a, "x%0D\ny"), "x\ny");
	assert_string_equal(value_of(a, "x%0D+%0Ay"), "x\n \ny");   /* not adjacent */

	form f = parse_ok(a, "t=line1%0D%0Aline2%0D%0A&u=1");
	assert_string_equal(form_get(&f, "t"), "line1\nline2\n");
	assert_int_equal(f.fields[0].value_len, 12);
	/* A CR at the end of one value does not swallow the next one's LF. */
	f = parse_ok(a, "a=%0D&b=%0Ax");
	assert_string_equal(form_get(&f, "a"), "\n");
	assert_string_equal(form_get(&f, "b"), "\nx");
	/* The name and the value are folded separately. */
	f = parse_ok(a, "n%0D=%0Av");
	assert_string_equal(f.fields[0].name, "n\n");
	assert_string_equal(f.fields[0].value, "\nv");
}

/* --- UTF-8 -------------------------------------------------------------- */

static const char *const utf8_good[] = {
	"%C2%80",             /* U+0080, smallest 2-byte */
	"%C3%A9",             /* é */
	"%DF%BF",             /* U+07FF, largest 2-byte */
	"%E0%A0%80",          /* U+0800, smallest 3-byte */
	"%E2%82%AC",          /* € */
	"%ED%9F%BF",          /* U+D7FF, just below the surrogates */
	"%EE%80%80",          /* U+E000, just above them */
	"%EF%BF%BD",          /* U+FFFD */
	"%EF%BF%BF",          /* U+FFFF (a noncharacter, still valid) */
	"%F0%90%80%80",       /* U+10000, smallest 4-byte */
	"%F0%9F%98%80",       /* 😀 */
	"%F3%BF%BF%BF",
	"%F4%8F%BF%BF",       /* U+10FFFF, the last code point */
	"caf%C3%A9+%E2%82%AC%F0%9F%98%80",
	"\xC3\xA9",           /* raw UTF-8 is fine too */
};

static const char *const utf8_bad[] = {
	/* lone continuation bytes */
	"%80", "%BF", "a%80b", "%C3%A9%A9",
	/* overlong 2-byte (C0, C1 leads) */
	"%C0%80", "%C0%AF", "%C1%BF",
	/* overlong 3-byte */
	"%E0%80%80", "%E0%80%AF", "%E0%9F%BF",
	/* overlong 4-byte */
	"%F0%80%80%80", "%F0%80%80%AF", "%F0%8F%BF%BF",
	/* UTF-16 surrogates U+D800..U+DFFF, alone and paired */
	"%ED%A0%80", "%ED%AD%BF", "%ED%B0%80", "%ED%BF%BF",
	"%ED%A0%BD%ED%B8%80",
	/* past U+10FFFF */
	"%F4%90%80%80", "%F4%BF%BF%BF", "%F5%80%80%80", "%F7%BF%BF%BF",
	"%F8%88%80%80%80", "%FC%84%80%80%80%80", "%FE", "%FF", "%FE%FF",
	/* truncated sequences: at the end, before ASCII, before another lead */
	"%C3", "%E2%82", "%F0%9F%98", "%F0", "%C3A", "%E2%82A", "%F0%9F%98A",
	"%C3%C3%A9", "%E2%E2%82%AC",
	/* a bad continuation in the second, third or fourth position */
	"%C3%28", "%E2%28%A1", "%E2%82%28", "%F0%28%8C%BC", "%F0%9F%28%98",
	"%F0%9F%98%28", "%C3%C0",
	/* raw, not percent-encoded */
	"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3",
};

static void test_utf8_accepted(void **state)
{
	for (size_t i = 0; i < sizeof utf8_good / sizeof utf8_good[0]; i++) {
		char *s = arena_sprintf(*state, "v=%s", utf8_good[i]);
		form_status st = parse_st(*state, s);
		if (st != FORM_OK)
			fail_msg("\"%s\" refused: %s", utf8_good[i],
			         form_status_text(st));
	}
	assert_string_equal(value_of(*state, "%F0%9F%98%80"), "\xF0\x9F\x98\x80");
}

static void test_utf8_refused(void **state)
{
	for (size_t i = 0; i < sizeof utf8_bad / sizeof utf8_bad[0]; i++) {
		char *s = arena_sprintf(*state, "v=%s", utf8_bad[i]);
		form_status st = parse_st(*state, s);
		if (st != FORM_BAD_ENCODING)
			fail_msg("\"%s\" gave %s", utf8_bad[i], form_status_text(st));
		/* And in a name. */
		s = arena_sprintf(*state, "%s=v", utf8_bad[i]);
		assert_int_equal(parse_st(*state, s), FORM_BAD_ENCODING);
	}
}

/* Compare the table-driven validator with the definition, decoding every
 * one- to four-byte sequence whose lead is interesting. */
static bool reference_utf8(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i], n;
		unsigned long cp;
		if (c < 0x80) { i++; continue; }
		else if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
		else return false;
		if (len - i < n)
			return false;
		for (unsigned k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

static void test_utf8_valid_matches_definition(void **state)
{
	static const unsigned char tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
	                                      0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
	const size_t nt = sizeof tails;
	unsigned char s[4];
	for (unsigned lead = 0; lead < 256; lead++) {
		s[0] = (unsigned char)lead;
		assert_int_equal(utf8_valid((char *)s, 1), reference_utf8(s, 1));
		for (size_t a = 0; a < nt; a++) {
			s[1] = tails[a];
			assert_int_equal(utf8_valid((char *)s, 2), reference_utf8(s, 2));
			for (size_t b = 0; b < nt; b++) {
				s[2] = tails[b];
				assert_int_equal(utf8_valid((char *)s, 3),
				                 reference_utf8(s, 3));
				for (size_t c = 0; c < nt; c++) {
					s[3] = tails[c];
					if (utf8_valid((char *)s, 4) != reference_utf8(s, 4))
						fail_msg("%02X %02X %02X %02X", s[0], s[1],
						         s[2], s[3]);
				}
			}
		}
	}
}

static void test_utf8_functions(void **state)
{
	assert_true(utf8_valid("", 0));
	assert_true(text_acceptable("", 0));
	assert_int_equal(utf8_length("", 0), 0);
	/* utf8_valid has no control-byte rule; text_acceptable does. */
	assert_true(utf8_valid("a\0b\x01\x7F", 5));
	assert_false(text_acceptable("a\0b", 3));
	assert_false(text_acceptable("\x01", 1));
	assert_false(text_acceptable("\x1F", 1));
	assert_false(text_acceptable("\x7F", 1));
	assert_true(text_acceptable("\t\n\r ~", 5));
	assert_false(text_acceptable("\xC0\x80", 2));   /* overlong NUL */
	/* C1 code points are UTF-8 text, not control bytes. */
	assert_true(text_acceptable("\xC2\x85", 2));
	/* Only len bytes are looked at. */
	assert_true(utf8_valid("\xE2\x82\xAC", 3));
	assert_false(utf8_valid("\xE2\x82\xAC", 2));
	assert_true(utf8_valid("ab\xFF", 2));

	assert_int_equal(utf8_length("abc", 3), 3);
	assert_int_equal(utf8_length("\xC3\xA9", 2), 1);
	const char *mix = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
	assert_int_equal(utf8_length(mix, strlen(mix)), 5);
	assert_true(utf8_length("\x80\x80\xFF", 3) <= 3);
}

/* --- limits -------------------------------------------------------------- */

static char *repeat(arena *a, const char *unit, size_t times)
{
	size_t ul = strlen(unit);
	char *s = arena_alloc(a, ul * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * times] = '\0';
	return s;
}

static void test_name_length_limit(void **state)
{
	arena *a = *state;
	char *name = repeat(a, "n", FORM_MAX_NAME);
	form f = parse_ok(a, arena_sprintf(a, "%s=1", name));
	assert_string_equal(form_get(&f, name), "1");
	/* Without a value too. */
	parse_ok(a, name);

	char *over = repeat(a, "n", FORM_MAX_NAME + 1);
	assert_int_equal(parse_st(a, arena_sprintf(a, "%s=1", over)),
	                 FORM_NAME_TOO_LONG);
	assert_int_equal(parse_st(a, over), FORM_NAME_TOO_LONG);
	assert_int_equal(parse_st(a, arena_sprintf(a, "a=1&%s=1", over)),
	                 FORM_NAME_TOO_LONG);

	/* The limit is on decoded bytes: 128 "%41" is 384 raw bytes. */
	f = parse_ok(a, arena_sprintf(a, "%s=1", repeat(a, "%41", FORM_MAX_NAME)));
	assert_int_equal(strlen(f.fields[0].name), FORM_MAX_NAME);
	assert_int_equal(parse_st(a, arena_sprintf(a, "%s=1",
	                 repeat(a, "%41", FORM_MAX_NAME + 1))), FORM_NAME_TOO_LONG);
	/* Multi-byte characters count in bytes: 64 x é is 128 bytes. */
	parse_ok(a, arena_sprintf(a, "%s=1", repeat(a, "%C3%A9", 64)));
	assert_int_equal(parse_st(a, arena_sprintf(a, "%sx=1",
	                 repeat(a, "%C3%A9", 64))), FORM_NAME_TOO_LONG);
	/* Values have no such limit. */
	f = parse_ok(a, arena_sprintf(a, "v=%s", repeat(a, "x", 100000)));
	assert_int_equal(f.fields[0].value_len, 100000);
}

static void test_field_count_limit(void **state)
{
	arena *a = *state;
	char *at = repeat(a, "k=v&", FORM_MAX_FIELDS);
	form f = parse_ok(a, at);
	assert_int_equal(f.n, FORM_MAX_FIELDS);
	assert_int_equal(form_count(&f, "k"), FORM_MAX_FIELDS);

	/* Empty segments do not count. */
	f = parse_ok(a, arena_sprintf(a, "%s&&&", at));
	assert_int_equal(f.n, FORM_MAX_FIELDS);

	form g;
	assert_int_equal(parse(a, arena_sprintf(a, "%sk=v", at), &g),
	                 FORM_TOO_MANY);
	assert_int_equal(parse(a, arena_sprintf(a, "%sflag", at), &g),
	                 FORM_TOO_MANY);
	assert_int_equal(parse_st(a, repeat(a, "k&", 10000)), FORM_TOO_MANY);
}

static void test_large_input_is_linear(void **state)
{
	/* A quadratic parser would take minutes here; this one takes
	 * milliseconds (ctest's timeout catches a regression). */
	arena *a = *state;
	char *big = repeat(a, "%41", 1000000);
	form f = parse_ok(a, arena_sprintf(a, "v=%s", big));
	assert_int_equal(f.fields[0].value_len, 1000000);
	f = parse_ok(a, arena_sprintf(a, "v=%s", repeat(a, "%0D%0A", 500000)));
	assert_int_equal(f.fields[0].value_len, 500000);
	assert_int_equal(parse_st(a, repeat(a, "&", 2000000)), FORM_OK);
}

/* --- cookies ------------------------------------------------------------- */

static void test_cookie_basic(void **state)
{
	form f = cookies(*state, "a=1; b=two");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.fields[0].name, "a");
	assert_string_equal(f.fields[0].value, "1");
	assert_string_equal(form_get(&f, "b"), "two");
	assert_int_equal(f.fields[1].value_len, 3);

	f = cookies(*state, "");
	assert_int_equal(f.n, 0);
	f = cookies(*state, ";;; ;  ;");
	assert_int_equal(f.n, 0);

	/* A Cairn session cookie: base64url. */
	f = cookies(*state, "sid=AbC-_09xyz");
	assert_string_equal(form_get(&f, "sid"), "AbC-_09xyz");
}

static void test_cookie_spaces(void **state)
{
	form f = cookies(*state, "a=1;b=2");
	assert_int_equal(f.n, 2);
	f = cookies(*state, "  a = 1 ;\tb=\t2\t;  c=3  ");
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "2");
	assert_string_equal(form_get(&f, "c"), "3");
	/* A space inside a value is not a cookie-octet: skipped. */
	f = cookies(*state, "a=b c; d=e");
	assert_int_equal(f.n, 1);
	assert_string_equal(form_get(&f, "d"), "e");
	/* A space inside a name is not a token: skipped. */
	f = cookies(*state, "a b=1; c=2");
	assert_int_equal(f.n, 1);
	assert_null(form_get(&f, "a b"));
}

static void test_cookie_quotes(void **state)
{
	form f = cookies(*state, "a=\"xyz\"; b=\"\"; c= \"q\" ");
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "a"), "xyz");
	assert_int_equal(f.fields[0].value_len, 3);
	assert_string_equal(form_get(&f, "b"), "");
	assert_string_equal(form_get(&f, "c"), "q");
	/* Unbalanced or inner quotes are malformed. */
	static const char *bad[] = {
		"a=\"", "a=\"x", "a=x\"", "a=x\"y", "a=\"x\"y\"", "a=\"\"\"",
		"a=\"x y\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = cookies(*state, arena_sprintf(*state, "%s; ok=1", bad[i]));
		if (f.n != 1)
			fail_msg("'%s' was not skipped", bad[i]);
		assert_string_equal(form_get(&f, "ok"), "1");
	}
}

static void test_cookie_malformed_skipped(void **state)
{
	static const char *bad[] = {
		"flag",           /* no '=' */
		"=1",             /* empty name */
		" = 1",
		"a@b=1",          /* separator in name */
		"a\"=1",
		"\xC3\xA9=1",     /* non-ASCII name */
		"a=\xC3\xA9",     /* non-ASCII value */
		"a=x,y",          /* comma */
		"a=x\\y",         /* backslash */
		"a=\x01",         /* control byte */
		"a=\x7F",
		"a\x01=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		form f = cookies(*state,
		                 arena_sprintf(*state, "x=1; %s; y=2", bad[i]));
		if (f.n != 2)
			fail_msg("'%s' was not skipped (%zu fields)", bad[i], f.n);
		assert_string_equal(f.fields[0].name, "x");
		assert_string_equal(f.fields[1].name, "y");
	}
	/* An embedded NUL spoils only its own pair. */
	const char nul[] = "x=1; a=b\0c; y=2";
	form f = cookies_ok(*state, nul, sizeof nul - 1);
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "y"), "2");
}

static void test_cookie_values_raw(void **state)
{
	form f = cookies(*state, "a=%41; b=x+y; c=b=c; d=; e=a:b/c?d");
	assert_string_equal(form_get(&f, "a"), "%41");     /* not decoded */
	assert_string_equal(form_get(&f, "b"), "x+y");     /* '+' kept */
	assert_string_equal(form_get(&f, "c"), "b=c");
	assert_string_equal(form_get(&f, "d"), "");
	assert_int_equal(f.fields[3].value_len, 0);
	assert_string_equal(form_get(&f, "e"), "a:b/c?d");
}

static void test_cookie_duplicates(void **state)
{
	form f = cookies(*state, "sid=newer; theme=dark; sid=older");
	assert_int_equal(form_count(&f, "sid"), 2);
	assert_string_equal(form_get(&f, "sid"), "newer");
	assert_string_equal(f.fields[2].value, "older");
	/* Names are case-sensitive. */
	f = cookies(*state, "SID=1; sid=2");
	assert_string_equal(form_get(&f, "sid"), "2");
}

static void test_cookie_limits(void **state)
{
	arena *a = *state;
	char *name = repeat(a, "n", FORM_MAX_NAME);
	form f = cookies(a, arena_sprintf(a, "%s=1", name));
	assert_string_equal(form_get(&f, name), "1");
	char *over = repeat(a, "n", FORM_MAX_NAME + 1);
	f = cookies(a, arena_sprintf(a, "%s=1; a=2", over));
	assert_int_equal(f.n, 1);
	assert_string_equal(form_get(&f, "a"), "2");

	char *at = repeat(a, "c=v; ", FORM_MAX_FIELDS);
	f = cookies(a, at);
	assert_int_equal(f.n, FORM_MAX_FIELDS);
	/* Skipped junk does not count towards the limit. */
	f = cookies(a, arena_sprintf(a, "%s%s", repeat(a, "junk; ", 1000), at));
	assert_int_equal(f.n, FORM_MAX_FIELDS);
	form g = {(form_field *)(uintptr_t)1, 99};
	char *over_n = arena_sprintf(a, "%sc=v", at);
	assert_int_equal(form_parse_cookies(a, over_n, strlen(over_n), &g),
	                 FORM_TOO_MANY);
	assert_int_equal(g.n, 0);
}

/* --- form_get_int ------------------------------------------------------- */

/* Parse "n=<raw>" and run form_get_int with the given range. */
static bool get_int(arena *a, const char *raw, long long min, long long max,
                    long long *out)
{
	form f = parse_ok(a, arena_sprintf(a, "n=%s", raw));
	return form_get_int(&f, "n", min, max, out);
}

static void test_int_valid(void **state)
{
	arena *a = *state;
	long long v;
	assert_true(get_int(a, "0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(get_int(a, "42", 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(get_int(a, "-42", -100, 100, &v));
	assert_int_equal(v, -42);
	assert_true(get_int(a, "007", 0, 10, &v));    /* decimal, not octal */
	assert_int_equal(v, 7);
	assert_true(get_int(a, "010", 0, 100, &v));
	assert_int_equal(v, 10);
	assert_true(get_int(a, "-0", -1, 1, &v));
	assert_int_equal(v, 0);
	assert_true(get_int(a, "%2D5", -10, 10, &v));  /* decoded first */
	assert_int_equal(v, -5);
}

static void test_int_invalid(void **state)
{
	static const char *bad[] = {
		"", "-", "--1", "+1", "%2B1", "+", " 1", "1 ", "1+", "%091",
		"1%0A", "1a", "a1", "0x10", "1.0", "1e3", "1-", "1,000", "-+1",
		"%E2%88%921",   /* U+2212 MINUS SIGN */
		"%EF%BC%91",    /* FULLWIDTH DIGIT ONE */
	};
	long long v = 99;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (get_int(*state, bad[i], LLONG_MIN, LLONG_MAX, &v))
			fail_msg("\"%s\" accepted as %lld", bad[i], v);
	assert_int_equal(v, 99);   /* untouched on failure */

	form f = parse_ok(*state, "m=1");
	assert_false(form_get_int(&f, "n", LLONG_MIN, LLONG_MAX, &v));
}

static void test_int_overflow(void **state)
{
	arena *a = *state;
	long long v;
	assert_true(get_int(a, "9223372036854775807", LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MAX);
	assert_true(get_int(a, "-9223372036854775808", LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MIN);
	assert_true(get_int(a, "-9223372036854775807", LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MIN + 1);
	assert_true(get_int(a, "0000000000000000000000009223372036854775807",
	                    LLONG_MIN, LLONG_MAX, &v));
	assert_true(v == LLONG_MAX);

	static const char *over[] = {
		"9223372036854775808",          /* LLONG_MAX + 1 */
		"9223372036854775809",
		"9223372036854775810",          /* passes on the last digit */
		"9223372036854775817",
		"-9223372036854775809",         /* LLONG_MIN - 1 */
		"-9223372036854775810",
		"18446744073709551615",         /* ULLONG_MAX */
		"18446744073709551616",         /* wraps to 0 in unsigned */
		"18446744073709551617",         /* wraps to 1 in unsigned */
		"-18446744073709551615",        /* -ULLONG_MAX wraps to 1 */
		"36893488147419103232",         /* 2^65 */
		"99999999999999999999",
		"99999999999999999999999999999999999999999999",
	};
	for (size_t i = 0; i < sizeof over / sizeof over[0]; i++)
		if (get_int(a, over[i], LLONG_MIN, LLONG_MAX, &v))
			fail_msg("\"%s\" accepted as %lld", over[i], v);
}

static void test_int_range(void **state)
{
	arena *a = *state;
	long long v;
	assert_true(get_int(a, "1", 1, 10, &v));
	assert_true(get_int(a, "10", 1, 10, &v));
	assert_false(get_int(a, "0", 1, 10, &v));
	assert_false(get_int(a, "11", 1, 10, &v));
	assert_false(get_int(a, "-1", 0, 10, &v));
	assert_true(get_int(a, "-5", -5, -5, &v));
	assert_int_equal(v, -5);
	assert_false(get_int(a, "5", 10, 1, &v));   /* empty range */
	/* The first of repeated values is the one read. */
	form f = parse_ok(a, "n=3&n=300");
	assert_true(form_get_int(&f, "n", 0, 10, &v));
	assert_int_equal(v, 3);
	f = parse_ok(a, "n=300&n=3");
	assert_false(form_get_int(&f, "n", 0, 10, &v));
}

static void test_status_text(void **state)
{
	for (int st = FORM_OK; st <= FORM_EMPTY_NAME; st++) {
		const char *t = form_status_text((form_status)st);
		assert_non_null(t);
		assert_true(strlen(t) > 0);
	}
	assert_non_null(form_status_text((form_status)99));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_input),
		T(test_basic_pairs),
		T(test_empty_segments_skipped),
		T(test_missing_equals),
		T(test_equals_in_value),
		T(test_empty_name),
		T(test_repeated_names),
		T(test_names_match_exactly),
		T(test_input_not_modified_or_read_past_len),
		T(test_plus_is_space),
		T(test_percent_decoding),
		T(test_percent_errors),
		T(test_nul_refused),
		T(test_control_bytes),
		T(test_crlf_normalised),
		T(test_utf8_accepted),
		T(test_utf8_refused),
		T(test_utf8_valid_matches_definition),
		T(test_utf8_functions),
		T(test_name_length_limit),
		T(test_field_count_limit),
		T(test_large_input_is_linear),
		T(test_cookie_basic),
		T(test_cookie_spaces),
		T(test_cookie_quotes),
		T(test_cookie_malformed_skipped),
		T(test_cookie_values_raw),
		T(test_cookie_duplicates),
		T(test_cookie_limits),
		T(test_int_valid),
		T(test_int_invalid),
		T(test_int_overflow),
		T(test_int_range),
		T(test_status_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
