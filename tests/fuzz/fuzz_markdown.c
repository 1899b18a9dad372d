// fuzz-link: server/markdown.c -lcmark
/*
 * fuzz_markdown.c - libFuzzer target for the forum's Markdown renderer.
 *
 * The input is rendered with a resolver that accepts every handle, then its
 * plain text is cut into an excerpt and quoted, and the quote is rendered
 * again. Beyond the sanitizers, it checks what markdown.h promises:
 *   - render succeeds exactly when the input is valid UTF-8 under the cap;
 *   - html and text are valid UTF-8 of the stated lengths;
 *   - every '<' in the HTML starts one of the renderer's own tags, with
 *     only its own attributes, each value properly quoted and escaped, and
 *     every href one of the allowed kinds of URL (so no "<script", no event
 *     handler, no javascript: or data: link can be produced);
 *   - outside tags there is no raw > " or ', and every & starts one of the
 *     five entities the renderer writes;
 *   - mentions are distinct lower-case handles, at most 50;
 *   - an excerpt is valid UTF-8 and no longer than asked (plus "…");
 *   - a quote renders as one block quote that starts with its attribution.
 *
 * The line at the top tells tests/fuzz/run-smoke to link markdown.c and
 * libcmark besides the usual plumbing (arena.c, buf.c, form.c). cmark
 * itself is not instrumented (a system library): the target fuzzes Cairn's
 * passes over cmark's tree and its renderer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/form.h"
#include "cairn/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool accept_all(void *ctx, const char *handle)
{
	size_t n = strlen(handle);
	if (n < 2 || n > 30 || strspn(handle, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		abort();
	(*(int *)ctx)++;
	return true;
}

static void broken(const char *what, const char *html)
{
	fprintf(stderr, "fuzz_markdown: %s\n--- html ---\n%s\n---\n", what, html);
	abort();
}

static bool lower_prefix(const char *v, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = v[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != p[i])
			return false;
	}
	return true;
}

static bool allowed_href(const char *v, size_t n)
{
	if (n >= 1 && v[0] == '#')
		return true;
	if (n >= 1 && v[0] == '/')
		return n == 1 || (v[1] != '/' && v[1] != '\\');
	return lower_prefix(v, n, "http:") || lower_prefix(v, n, "https:") ||
	       lower_prefix(v, n, "mailto:");
}

static size_t entity_len(const char *p)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
		if (strncmp(p, ents[i], strlen(ents[i])) == 0)
			return strlen(ents[i]);
	return 0;
}

static bool span_is(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(v, s, n) == 0;
}

/* The same structural check as tests/unit/test_markdown.c. */
static void check_html(const char *h)
{
	static const char *const tags[] = {
		"p", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
		"pre", "code", "hr", "br", "em", "strong", "a",
	};
	const char *p = h;
	while (*p) {
		if (*p == '&') {
			size_t n = entity_len(p);
			if (!n)
				broken("bare &", h);
			p += n;
			continue;
		}
		if (*p == '>' || *p == '"' || *p == '\'')
			broken("unescaped > \" or ' in text", h);
		if (*p != '<') {
			p++;
			continue;
		}
		p++;
		bool closing = *p == '/';
		if (closing)
			p++;
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		bool known = false;
		for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
			known |= span_is(p, n, tags[i]);
		if (!known)
			broken("unknown tag", h);
		bool is_a = span_is(p, n, "a"), is_ol = span_is(p, n, "ol"),
		     is_code = span_is(p, n, "code");
		p += n;
		while (!closing && *p == ' ') {
			p++;
			const char *name = p;
			size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyz");
			p += an;
			if (p[0] != '=' || p[1] != '"')
				broken("attribute without =\"", h);
			p += 2;
			const char *v = p;
			while (*p && *p != '"') {
				if (*p == '<' || *p == '>' || *p == '\'')
					broken("unescaped character in attribute", h);
				if (*p == '&') {
					size_t en = entity_len(p);
					if (!en)
						broken("bare & in attribute", h);
					p += en;
				} else {
					p++;
				}
			}
			if (*p != '"')
				broken("unterminated attribute", h);
			size_t vn = (size_t)(p - v);
			p++;
			if (is_a && span_is(name, an, "href")) {
				if (!allowed_href(v, vn))
					broken("href not allowed", h);
			} else if (is_a && span_is(name, an, "title")) {
				/* any escaped text */
			} else if (is_a && span_is(name, an, "rel")) {
				if (!span_is(v, vn, "nofollow ugc noopener"))
					broken("bad rel", h);
			} else if (is_a && span_is(name, an, "class")) {
				if (!span_is(v, vn, "mention"))
					broken("bad a class", h);
			} else if (is_ol && span_is(name, an, "start")) {
				if (vn == 0 || strspn(v, "-0123456789") < vn)
					broken("bad start", h);
			} else if (is_code && span_is(name, an, "class")) {
				if (vn < 10 || vn > 29 || strncmp(v, "language-", 9) != 0 ||
				    strspn(v + 9, "abcdefghijklmnopqrstuvwxyz0123456789+#-") < vn - 9)
					broken("bad code class", h);
			} else {
				broken("attribute not allowed on this tag", h);
			}
		}
		if (*p != '>')
			broken("tag not closed by >", h);
		p++;
	}
}

static void check_result(bool ok, const markdown_result *r)
{
	if (!ok) {
		if (r->html_len || r->text_len || r->mention_count || r->html[0] || r->text[0])
			abort();
		return;
	}
	if (strlen(r->html) != r->html_len || strlen(r->text) != r->text_len)
		abort();
	if (!utf8_valid(r->html, r->html_len) || !utf8_valid(r->text, r->text_len))
		broken("output is not UTF-8", r->html);
	check_html(r->html);
	if (r->mention_count > MARKDOWN_MAX_MENTIONS)
		abort();
	for (size_t i = 0; i < r->mention_count; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->mentions[i], r->mentions[j]) == 0)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a;
	arena_init(&a, 0);
	int calls = 0;
	markdown_options opt = {.resolve_mention = accept_all, .mention_ctx = &calls};
	markdown_result r;
	const char *src = (const char *)data;

	bool ok = markdown_render(&a, src, size, &opt, &r);
	if (ok != (size <= MARKDOWN_MAX_BYTES && utf8_valid(src, size)))
		abort();
	check_result(ok, &r);
	if (calls > MARKDOWN_MAX_LOOKUPS || (size_t)calls != r.mention_count)
		abort();

	if (ok) {
		/* Excerpt the plain text at a length taken from the input. */
		size_t max = size ? data[0] % 64 : 0;
		char *e = markdown_excerpt(&a, r.text, max);
		size_t en = strlen(e);
		if (!utf8_valid(e, en) || utf8_length(e, en) > max + 1)
			abort();
		if (en < r.text_len && (en < 3 || strcmp(e + en - 3, "\xE2\x80\xA6") != 0))
			abort();

		/* Quote the input (up to a NUL) and render the quote. */
		char *q = markdown_quote(&a, "quoter", arena_strndup(&a, src, size));
		markdown_result qr;
		calls = 0;
		if (markdown_render(&a, q, strlen(q), &opt, &qr)) {
			check_result(true, &qr);
			static const char head[] = "<blockquote>\n<p><a href=\"/u/quoter\" "
			                           "class=\"mention\">@quoter</a> wrote:";
			static const char tail[] = "</blockquote>\n";
			if (strncmp(qr.html, head, sizeof head - 1) != 0 ||
			    qr.html_len < sizeof tail - 1 ||
			    strcmp(qr.html + qr.html_len - (sizeof tail - 1), tail) != 0)
				broken("quote is not one block quote", qr.html);
			if (strncmp(qr.text, "@quoter wrote:", 14) != 0)
				broken("quote text lacks its attribution", qr.text);
		} else if (strlen(q) <= MARKDOWN_MAX_BYTES) {
			abort();   /* a quote of valid text is valid text */
		}
	}
	arena_free(&a);
	return 0;
}
