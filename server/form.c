/*
 * form.c - strict parsers for urlencoded text and Cookie headers, the typed
 * getters over them, and the UTF-8 checks the rest of Cairn reuses. See
 * form.h for the contract.
 *
 * Every parser here works in one left-to-right pass over its input and
 * allocates at most a small constant times the input length, so a hostile
 * body costs linear time. Decoding happens first (percent escapes, '+',
 * CR LF folding) into an arena buffer no longer than the raw text, and the
 * decoded bytes are then checked with text_acceptable(): checking the
 * decoded form is what matters, because "%C0%80" is as dangerous as the raw
 * bytes it stands for.
 */
#include "cairn/form.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* The length of the UTF-8 sequence that lead byte c starts, with the range
 * its second byte must fall in; 0 marks a byte that cannot start one.
 * Narrowing the second byte is how overlongs (E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points past U+10FFFF (F4 90..) are
 * refused without decoding (the table in RFC 3629, section 4). */
typedef struct utf8_lead {
	unsigned char len, lo, hi;
} utf8_lead;

static utf8_lead utf8_lead_of(unsigned char c);
static bool utf8_check(const char *s, size_t len, bool text);
static form_status decode_component(arena *a, const char *s, size_t len,
                                    const char **out, size_t *out_len);
static form_status add_field(arena *a, form *f, size_t *cap,
                             const char *name, const char *value,
                             size_t value_len);
static int hex_value(unsigned char c);
static bool is_token_char(unsigned char c);
static bool is_cookie_octet(unsigned char c);
static bool is_cookie_space(unsigned char c);
static bool cookie_split(const char *p, size_t n, const char **name,
                         size_t *name_len, const char **value,
                         size_t *value_len);

static utf8_lead utf8_lead_of(unsigned char c)
{
	if (c < 0x80)
		return (utf8_lead){1, 0, 0};
	if (c < 0xC2)   /* continuation bytes, and C0/C1 (always overlong) */
		return (utf8_lead){0, 0, 0};
	if (c < 0xE0)
		return (utf8_lead){2, 0x80, 0xBF};
	if (c == 0xE0)
		return (utf8_lead){3, 0xA0, 0xBF};
	if (c == 0xED)
		return (utf8_lead){3, 0x80, 0x9F};
	if (c < 0xF0)
		return (utf8_lead){3, 0x80, 0xBF};
	if (c == 0xF0)
		return (utf8_lead){4, 0x90, 0xBF};
	if (c < 0xF4)
		return (utf8_lead){4, 0x80, 0xBF};
	if (c == 0xF4)
		return (utf8_lead){4, 0x80, 0x8F};
	return (utf8_lead){0, 0, 0};   /* F5..FF: past U+10FFFF */
}

/* Shared by utf8_valid and text_acceptable so the two cannot drift apart. */
static bool utf8_check(const char *s, size_t len, bool text)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (text && (c == 0x7F ||
			             (c < 0x20 && c != '\t' && c != '\n' && c != '\r')))
				return false;
			i++;
			continue;
		}
		utf8_lead l = utf8_lead_of(c);
		if (l.len == 0 || len - i < l.len)
			return false;
		if (p[i + 1] < l.lo || p[i + 1] > l.hi)
			return false;
		for (size_t k = 2; k < l.len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
		i += l.len;
	}
	return true;
}

bool utf8_valid(const char *s, size_t len)
{
	return utf8_check(s, len, false);
}

bool text_acceptable(const char *s, size_t len)
{
	return utf8_check(s, len, true);
}

size_t utf8_length(const char *s, size_t len)
{
	/* In valid UTF-8 every code point has exactly one byte that is not a
	 * continuation byte. On invalid input the count is meaningless but
	 * still bounded by len. */
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one name or value of an urlencoded pair into a fresh NUL-terminated
 * arena string. CR LF becomes LF and a lone CR becomes LF, so handlers only
 * ever see one line ending whatever the browser sent (textareas send CR LF).
 * The check runs on the decoded bytes; decoding never lengthens the text, so
 * len + 1 bytes are enough. */
static form_status decode_component(arena *a, const char *s, size_t len,
                                    const char **out, size_t *out_len)
{
	char *d = arena_alloc(a, len + 1);
	size_t n = 0;
	bool after_cr = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3)
				return FORM_BAD_ENCODING;
			int hi = hex_value((unsigned char)s[i + 1]);
			int lo = hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return FORM_BAD_ENCODING;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\n' && after_cr) {
			after_cr = false;
			continue;   /* the LF of a CR LF already written */
		}
		after_cr = c == '\r';
		d[n++] = after_cr ? '\n' : (char)c;
	}
	d[n] = '\0';
	/* NUL is a control byte, so this also refuses %00: a NUL inside a
	 * value would make the C string and value_len disagree. */
	if (!text_acceptable(d, n))
		return FORM_BAD_ENCODING;
	*out = d;
	*out_len = n;
	return FORM_OK;
}

/* Append one field, growing the array by doubling (amortised linear). */
static form_status add_field(arena *a, form *f, size_t *cap,
                             const char *name, const char *value,
                             size_t value_len)
{
	if (f->n == FORM_MAX_FIELDS)
		return FORM_TOO_MANY;
	if (f->n == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 8;
		if (new_cap > FORM_MAX_FIELDS)
			new_cap = FORM_MAX_FIELDS;
		f->fields = arena_realloc(a, f->fields, *cap * sizeof(form_field),
		                          new_cap * sizeof(form_field));
		*cap = new_cap;
	}
	f->fields[f->n++] = (form_field){name, value, value_len};
	return FORM_OK;
}

form_status form_parse_urlencoded(arena *a, const char *s, size_t len, form *out)
{
	form f = {NULL, 0};
	size_t cap = 0;
	form_status st = FORM_OK;
	const char *end = s + len;
	const char *seg = s;

	while (seg < end) {
		const char *amp = memchr(seg, '&', (size_t)(end - seg));
		const char *seg_end = amp ? amp : end;
		size_t seg_len = (size_t)(seg_end - seg);
		if (seg_len == 0)
			goto next;   /* "a=1&&b=2", a leading or trailing '&' */
		/* Refuse the extra pair before spending work decoding it. */
		if (f.n == FORM_MAX_FIELDS) {
			st = FORM_TOO_MANY;
			goto fail;
		}

		const char *eq = memchr(seg, '=', seg_len);
		size_t name_len = eq ? (size_t)(eq - seg) : seg_len;
		if (name_len == 0) {
			st = FORM_EMPTY_NAME;
			goto fail;
		}
		const char *name;
		size_t dname_len;
		st = decode_component(a, seg, name_len, &name, &dname_len);
		if (st != FORM_OK)
			goto fail;
		if (dname_len > FORM_MAX_NAME) {
			st = FORM_NAME_TOO_LONG;
			goto fail;
		}
		const char *value = "";   /* no '=': the value is "" (never NULL) */
		size_t value_len = 0;
		if (eq) {
			st = decode_component(a, eq + 1, (size_t)(seg_end - eq - 1),
			                      &value, &value_len);
			if (st != FORM_OK)
				goto fail;
		}
		st = add_field(a, &f, &cap, name, value, value_len);
		if (st != FORM_OK)
			goto fail;
	next:
		if (!amp)
			break;
		seg = amp + 1;
	}
	*out = f;
	return FORM_OK;

fail:
	/* All or nothing: a caller that ignores the status sees no fields. */
	out->fields = NULL;
	out->n = 0;
	return st;
}

/* RFC 7230 token characters: what a cookie name may be made of (RFC 6265
 * section 4.1.1 says cookie-name = token). */
static bool is_token_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7F)
		return false;
	return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/* RFC 6265 cookie-octet: visible ASCII except '"', ',', ';' and '\\'. */
static bool is_cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' &&
	       c != '\\';
}

static bool is_cookie_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Find the name and value in one pair (the text between two ';'). false
 * if the pair is malformed, which the caller skips. Offsets rather than
 * pointer differences keep every bound visibly inside [0, n). */
static bool cookie_split(const char *p, size_t n, const char **name,
                         size_t *name_len, const char **value,
                         size_t *value_len)
{
	size_t i = 0;
	while (i < n && is_cookie_space((unsigned char)p[i]))
		i++;
	while (n > i && is_cookie_space((unsigned char)p[n - 1]))
		n--;
	size_t eq = i;
	while (eq < n && p[eq] != '=')
		eq++;
	if (eq == n)
		return false;   /* no '=' (or an empty pair) */

	size_t name_end = eq;
	while (name_end > i && is_cookie_space((unsigned char)p[name_end - 1]))
		name_end--;
	if (name_end == i || name_end - i > FORM_MAX_NAME)
		return false;
	for (size_t k = i; k < name_end; k++)
		if (!is_token_char((unsigned char)p[k]))
			return false;

	size_t v0 = eq + 1, v1 = n;
	while (v0 < v1 && is_cookie_space((unsigned char)p[v0]))
		v0++;
	if (v1 - v0 >= 2 && p[v0] == '"' && p[v1 - 1] == '"') {
		v0++;
		v1--;
	}
	for (size_t k = v0; k < v1; k++)
		if (!is_cookie_octet((unsigned char)p[k]))
			return false;

	*name = p + i;
	*name_len = name_end - i;
	*value = p + v0;
	*value_len = v1 - v0;
	return true;
}

form_status form_parse_cookies(arena *a, const char *s, size_t len, form *out)
{
	form f = {NULL, 0};
	size_t cap = 0;
	form_status st = FORM_OK;
	size_t start = 0;

	while (start < len) {
		const char *semi = memchr(s + start, ';', len - start);
		size_t stop = semi ? (size_t)(semi - s) : len;
		const char *name, *value;
		size_t name_len, value_len;
		if (cookie_split(s + start, stop - start, &name, &name_len,
		                 &value, &value_len)) {
			/* Only well-formed pairs count towards the limit: junk
			 * is skipped, and a header with that many real cookies
			 * is not a browser's. */
			st = add_field(a, &f, &cap, arena_strndup(a, name, name_len),
			               arena_strndup(a, value, value_len), value_len);
			if (st != FORM_OK)
				goto fail;
		}
		start = stop + 1;
	}
	*out = f;
	return FORM_OK;

fail:
	out->fields = NULL;
	out->n = 0;
	return st;
}

const char *form_get(const form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

size_t form_count(const form *f, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			n++;
	return n;
}

bool form_get_int(const form *f, const char *name, long long min, long long max,
                  long long *out)
{
	const char *s = form_get(f, name);
	if (!s)
		return false;
	bool neg = *s == '-';
	if (neg)
		s++;
	if (*s == '\0')
		return false;   /* "" or a bare "-" */

	/* Accumulate the magnitude unsigned so LLONG_MIN, whose magnitude
	 * does not fit in a long long, parses too. */
	unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1
	                               : (unsigned long long)LLONG_MAX;
	unsigned long long mag = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (mag > (limit - d) / 10)
			return false;   /* mag * 10 + d would pass the limit */
		mag = mag * 10 + d;
	}

	long long v;
	if (!neg)
		v = (long long)mag;
	else if (mag == (unsigned long long)LLONG_MAX + 1)
		v = LLONG_MIN;
	else
		v = -(long long)mag;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

const char *form_status_text(form_status st)
{
	switch (st) {
	case FORM_OK:
		return "ok";
	case FORM_BAD_ENCODING:
		return "bad encoding";
	case FORM_TOO_MANY:
		return "too many fields";
	case FORM_NAME_TOO_LONG:
		return "field name too long";
	case FORM_EMPTY_NAME:
		return "empty field name";
	}
	return "unknown form status";
}
