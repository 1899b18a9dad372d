/*
 * test_markdown.c - unit tests for markdown.c: rendering, mentions, the
 * link and image rules, an XSS corpus, plain text, excerpts and quotes.
 *
 * Every successful render goes through check_result(), which asserts what
 * markdown.h promises of any output: the HTML holds only the listed tags
 * and attributes, every href is an allowed URL, nothing outside a tag is an
 * unescaped > " or ', every & starts one of the five entities the renderer
 * writes, lengths match, and the mentions are distinct valid handles. So
 * each case checks the contract as well as its own expectations.
 * (tests/fuzz/fuzz_markdown.c applies the same checks to arbitrary input.)
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
#include "cairn/form.h"
#include "cairn/markdown.h"

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

/* The people who exist: alice, bob, carol_9, and user00..user99. The
 * resolver counts its calls and remembers the last handle asked about. */
typedef struct people {
	int calls;
	char last[64];
} people;

static bool resolve(void *ctx, const char *handle)
{
	people *p = ctx;
	p->calls++;
	snprintf(p->last, sizeof p->last, "%s", handle);
	if (strcmp(handle, "alice") == 0 || strcmp(handle, "bob") == 0 ||
	    strcmp(handle, "carol_9") == 0)
		return true;
	return strlen(handle) == 6 && strncmp(handle, "user", 4) == 0 &&
	       handle[4] >= '0' && handle[4] <= '9' &&
	       handle[5] >= '0' && handle[5] <= '9';
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Only the markup of h: its tags, text between them dropped (escaped text
 * can hold no '<', so what is left is what a browser would parse as tags). */
static char *tags_only(arena *a, const char *h)
{
	char *out = arena_alloc(a, strlen(h) + 1), *o = out;
	bool in_tag = false;
	for (; *h; h++) {
		if (*h == '<')
			in_tag = true;
		if (in_tag)
			*o++ = *h;
		if (*h == '>')
			in_tag = false;
	}
	*o = '\0';
	return out;
}

static bool allowed_href(const char *v, size_t n)
{
	if (n >= 1 && v[0] == '#')
		return true;
	if (n >= 1 && v[0] == '/')
		return n == 1 || (v[1] != '/' && v[1] != '\\');
	return (n >= 5 && strncasecmp(v, "http:", 5) == 0) ||
	       (n >= 6 && strncasecmp(v, "https:", 6) == 0) ||
	       (n >= 7 && strncasecmp(v, "mailto:", 7) == 0);
}

static size_t entity_len(const char *p)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
		if (strncmp(p, ents[i], strlen(ents[i])) == 0)
			return strlen(ents[i]);
	return 0;
}

/* NULL if html keeps the renderer's promises, else what is wrong. */
static const char *html_problem(const char *h)
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
				return "bare &";
			p += n;
			continue;
		}
		if (*p == '>' || *p == '"' || *p == '\'')
			return "unescaped > \" or ' in text";
		if (*p != '<') {
			p++;
			continue;
		}
		p++;
		bool closing = *p == '/';
		if (closing)
			p++;
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		char tag[16] = "";
		if (n == 0 || n >= sizeof tag)
			return "not a tag";
		memcpy(tag, p, n);
		bool known = false;
		for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
			known |= strcmp(tag, tags[i]) == 0;
		if (!known)
			return "unknown tag";
		p += n;
		while (!closing && *p == ' ') {
			p++;
			size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyz");
			char attr[16] = "";
			if (an == 0 || an >= sizeof attr)
				return "bad attribute name";
			memcpy(attr, p, an);
			p += an;
			if (p[0] != '=' || p[1] != '"')
				return "attribute without =\"";
			p += 2;
			const char *v = p;
			while (*p && *p != '"') {
				if (*p == '<' || *p == '>' || *p == '\'')
					return "unescaped character in attribute";
				if (*p == '&') {
					size_t en = entity_len(p);
					if (!en)
						return "bare & in attribute";
					p += en;
				} else {
					p++;
				}
			}
			if (*p != '"')
				return "unterminated attribute";
			size_t vn = (size_t)(p - v);
			p++;
			bool is_a = strcmp(tag, "a") == 0;
			if (is_a && strcmp(attr, "href") == 0) {
				if (!allowed_href(v, vn))
					return "href not allowed";
			} else if (is_a && strcmp(attr, "title") == 0) {
				/* any escaped text */
			} else if (is_a && strcmp(attr, "rel") == 0) {
				if (vn != 21 || strncmp(v, "nofollow ugc noopener", vn) != 0)
					return "bad rel";
			} else if (is_a && strcmp(attr, "class") == 0) {
				if (vn != 7 || strncmp(v, "mention", vn) != 0)
					return "bad a class";
			} else if (strcmp(tag, "ol") == 0 && strcmp(attr, "start") == 0) {
				if (vn == 0 || strspn(v, "-0123456789") < vn)
					return "bad start";
			} else if (strcmp(tag, "code") == 0 && strcmp(attr, "class") == 0) {
				if (vn < 10 || vn > 29 || strncmp(v, "language-", 9) != 0 ||
				    strspn(v + 9, "abcdefghijklmnopqrstuvwxyz0123456789+#-") < vn - 9)
					return "bad code class";
			} else {
				return "attribute not allowed on this tag";
			}
		}
		if (*p != '>')
			return "tag not closed by >";
		p++;
	}
	return NULL;
}

static void check_result(const markdown_result *r)
{
	assert_non_null(r->html);
	assert_non_null(r->text);
	assert_int_equal(strlen(r->html), r->html_len);
	assert_int_equal(strlen(r->text), r->text_len);
	assert_true(utf8_valid(r->html, r->html_len));
	assert_true(utf8_valid(r->text, r->text_len));
	const char *problem = html_problem(r->html);
	if (problem)
		fail_msg("%s in: %s", problem, r->html);
	assert_false(ci_contains(r->html, "<script"));
	assert_false(ci_contains(r->html, "<img"));
	assert_true(r->mention_count <= MARKDOWN_MAX_MENTIONS);
	for (size_t i = 0; i < r->mention_count; i++) {
		const char *m = r->mentions[i];
		size_t n = strlen(m);
		assert_true(n >= 2 && n <= 30);
		assert_int_equal(strspn(m, "abcdefghijklmnopqrstuvwxyz0123456789_"), n);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, r->mentions[j]);
	}
}

static markdown_result render_with(arena *a, const char *src, people *p)
{
	markdown_options opt = {.resolve_mention = resolve, .mention_ctx = p};
	markdown_result r;
	assert_true(markdown_render(a, src, strlen(src), &opt, &r));
	check_result(&r);
	return r;
}

static markdown_result render(arena *a, const char *src)
{
	people p = {0};
	return render_with(a, src, &p);
}

static const char *html(arena *a, const char *src)
{
	return render(a, src).html;
}

/* --- basic Markdown --------------------------------------------------- */

static void test_basic(void **state)
{
	arena *a = *state;
	assert_string_equal(html(a, ""), "");
	assert_string_equal(html(a, "Hello *world* and **you**"),
	                    "<p>Hello <em>world</em> and <strong>you</strong></p>\n");
	assert_string_equal(html(a, "one\ntwo  \nthree\n\nnext"),
	                    "<p>one\ntwo<br>\nthree</p>\n<p>next</p>\n");
	assert_string_equal(html(a, "- a\n- b\n"),
	                    "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	assert_string_equal(html(a, "- a\n\n- b\n"),
	                    "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n");
	assert_string_equal(html(a, "1. a\n2. b\n"),
	                    "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
	assert_string_equal(html(a, "7. a\n"), "<ol start=\"7\">\n<li>a</li>\n</ol>\n");
	assert_string_equal(html(a, "0. a\n"), "<ol start=\"0\">\n<li>a</li>\n</ol>\n");
	assert_string_equal(html(a, "> quoted\n"),
	                    "<blockquote>\n<p>quoted</p>\n</blockquote>\n");
	assert_string_equal(html(a, "a\n\n---\n\nb"), "<p>a</p>\n<hr>\n<p>b</p>\n");
	assert_string_equal(html(a, "use `a < b` here"),
	                    "<p>use <code>a &lt; b</code> here</p>\n");
	assert_string_equal(html(a, "    int x = 1 < 2;\n"),
	                    "<pre><code>int x = 1 &lt; 2;\n</code></pre>\n");
	assert_string_equal(html(a, "[site](https://example.org/a?b=1&c=2)"),
	                    "<p><a href=\"https://example.org/a?b=1&amp;c=2\" "
	                    "rel=\"nofollow ugc noopener\">site</a></p>\n");
	/* Smart punctuation. */
	assert_string_equal(html(a, "it's \"so\" -- yes..."),
	                    "<p>it\xE2\x80\x99s \xE2\x80\x9Cso\xE2\x80\x9D \xE2\x80\x93 yes\xE2\x80\xA6</p>\n");
	/* Nested blocks. */
	assert_string_equal(html(a, "> - a\n>   > b\n"),
	                    "<blockquote>\n<ul>\n<li>a\n<blockquote>\n<p>b</p>\n"
	                    "</blockquote>\n</li>\n</ul>\n</blockquote>\n");
}

static void test_heading_shift(void **state)
{
	arena *a = *state;
	assert_string_equal(html(a, "# one"), "<h3>one</h3>\n");
	assert_string_equal(html(a, "## two"), "<h4>two</h4>\n");
	assert_string_equal(html(a, "### three"), "<h5>three</h5>\n");
	assert_string_equal(html(a, "#### four"), "<h6>four</h6>\n");
	assert_string_equal(html(a, "##### five"), "<h6>five</h6>\n");
	assert_string_equal(html(a, "###### six"), "<h6>six</h6>\n");
	assert_string_equal(html(a, "Setext\n======"), "<h3>Setext</h3>\n");
	assert_string_equal(html(a, "Setext\n------"), "<h4>Setext</h4>\n");
	const char *h = html(a, "# a\n## b\n");
	assert_null(strstr(h, "<h1"));
	assert_null(strstr(h, "<h2"));
}

static void test_code_block_language(void **state)
{
	arena *a = *state;
	assert_string_equal(html(a, "```python\nx = '<'\n```"),
	                    "<pre><code class=\"language-python\">x = &#39;&lt;&#39;\n</code></pre>\n");
	/* First word only, lower-cased. */
	assert_string_equal(html(a, "```Python linenos\nx\n```"),
	                    "<pre><code class=\"language-python\">x\n</code></pre>\n");
	assert_string_equal(html(a, "```c++\nx\n```"),
	                    "<pre><code class=\"language-c++\">x\n</code></pre>\n");
	assert_string_equal(html(a, "```c#\nx\n```"),
	                    "<pre><code class=\"language-c#\">x\n</code></pre>\n");
	assert_string_equal(html(a, "~~~objective-c\nx\n~~~"),
	                    "<pre><code class=\"language-objective-c\">x\n</code></pre>\n");
	/* 20 characters pass, 21 do not. */
	assert_string_equal(html(a, "```abcdefghij0123456789\nx\n```"),
	                    "<pre><code class=\"language-abcdefghij0123456789\">x\n</code></pre>\n");
	assert_string_equal(html(a, "```abcdefghij0123456789k\nx\n```"),
	                    "<pre><code>x\n</code></pre>\n");
	/* Anything else gives no class at all. */
	static const char *const bad[] = {
		"```\"onclick=\"x\nx\n```",
		"```&quot;onclick=&quot;x\nx\n```",
		"```a<b\nx\n```",
		"```a\"b\nx\n```",
		"```py.thon\nx\n```",
		"```a/b\nx\n```",
		"```caf\xC3\xA9\nx\n```",
		"```\nx\n```",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_string_equal(html(a, bad[i]), "<pre><code>x\n</code></pre>\n");
	/* The contents are escaped, never interpreted. */
	assert_string_equal(html(a, "```\n<script>alert(1)</script>\n&amp;\n```"),
	                    "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n&amp;amp;\n</code></pre>\n");
}

/* --- mentions --------------------------------------------------------- */

static void test_mentions_known_and_unknown(void **state)
{
	arena *a = *state;
	people p = {0};
	markdown_result r = render_with(a, "hi @bob and @nobody", &p);
	assert_string_equal(r.html, "<p>hi <a href=\"/u/bob\" class=\"mention\">@bob</a> "
	                    "and @nobody</p>\n");
	assert_int_equal(r.mention_count, 1);
	assert_string_equal(r.mentions[0], "bob");
	assert_int_equal(p.calls, 2);
	assert_string_equal(r.text, "hi @bob and @nobody");
}

static void test_mentions_where_not(void **state)
{
	arena *a = *state;
	people p = {0};
	markdown_result r = render_with(a,
		"`@bob` and\n\n    @bob in code\n\n```\n@alice\n```\n\n"
		"[see @bob](/x) <https://h/@bob> ![@carol_9](/i.png) "
		"bob@bob.com x@alice _@alice_ caf\xC3\xA9@alice", &p);
	/* Only the one in emphasis (after a non-word boundary) counts. */
	assert_int_equal(r.mention_count, 1);
	assert_string_equal(r.mentions[0], "alice");
	assert_non_null(strstr(r.html, "<code>@bob</code>"));
	assert_non_null(strstr(r.html, "<pre><code>@bob in code\n</code></pre>"));
	assert_non_null(strstr(r.html, "<a href=\"/x\">see @bob</a>"));
	assert_non_null(strstr(r.html, "bob@bob.com x@alice "));
	assert_non_null(strstr(r.html, "<em><a href=\"/u/alice\" class=\"mention\">@alice</a></em>"));
	assert_non_null(strstr(r.html, "caf\xC3\xA9@alice</p>"));
	/* The image became a link whose text is not scanned. */
	assert_non_null(strstr(r.html, "<a href=\"/i.png\">@carol_9</a>"));
	assert_int_equal(p.calls, 1);
}

static void test_mentions_shapes(void **state)
{
	arena *a = *state;
	/* Upper case is folded; the link text is the normalised handle. */
	markdown_result r = render(a, "@BoB");
	assert_string_equal(r.html, "<p><a href=\"/u/bob\" class=\"mention\">@bob</a></p>\n");
	assert_string_equal(r.mentions[0], "bob");
	assert_string_equal(r.text, "@bob");

	/* At the start and the end, with punctuation after. */
	r = render(a, "@alice, @bob. (@carol_9)! @user01? @user02: @user03\xE2\x80\x99s");
	assert_int_equal(r.mention_count, 6);
	assert_string_equal(r.mentions[0], "alice");
	assert_string_equal(r.mentions[1], "bob");
	assert_string_equal(r.mentions[2], "carol_9");
	assert_string_equal(r.mentions[5], "user03");
	assert_non_null(strstr(r.html, "(<a href=\"/u/carol_9\" class=\"mention\">@carol_9</a>)!"));
	assert_string_equal(r.text, "@alice, @bob. (@carol_9)! @user01? @user02: @user03\xE2\x80\x99s");

	r = render(a, "end @bob");
	assert_string_equal(r.html, "<p>end <a href=\"/u/bob\" class=\"mention\">@bob</a></p>\n");

	/* Not mentions: too short, too long, run into '@', lone '@'. */
	people p = {0};
	r = render_with(a, "@a @ @@bob @bob@host "
	                "@abcdefghij0123456789abcdefghijk", &p);
	assert_int_equal(r.mention_count, 0);
	assert_int_equal(p.calls, 0);
	/* Exactly 30 characters is a handle (unknown here). */
	r = render_with(a, "@abcdefghij0123456789abcdefghij", &p);
	assert_int_equal(p.calls, 1);
	assert_string_equal(p.last, "abcdefghij0123456789abcdefghij");

	/* In headings, emphasis, list items, quotes. */
	r = render(a, "# @bob\n\n- **@alice**\n\n> @carol_9");
	assert_int_equal(r.mention_count, 3);
	assert_non_null(strstr(r.html, "<h3><a href=\"/u/bob\" class=\"mention\">@bob</a></h3>"));

	/* A handle with '_' survives cmark's splitting of text at '_'. */
	r = render(a, "@carol_9 and @user_1_ and _@carol_9_");
	assert_string_equal(r.mentions[0], "carol_9");
	assert_non_null(strstr(r.html, "<em><a href=\"/u/carol_9\" class=\"mention\">@carol_9</a></em>"));

	/* In a link whose URL is refused, the text is plain and may mention. */
	r = render(a, "[hi @bob](javascript:x)");
	assert_string_equal(r.html, "<p>hi <a href=\"/u/bob\" class=\"mention\">@bob</a></p>\n");
}

static void test_mentions_duplicates(void **state)
{
	arena *a = *state;
	people p = {0};
	markdown_result r = render_with(a, "@bob @Bob @BOB @nobody @nobody\n\n*@bob*", &p);
	assert_int_equal(r.mention_count, 1);
	assert_string_equal(r.mentions[0], "bob");
	assert_int_equal(p.calls, 2);   /* once per distinct handle */
	size_t links = 0;
	for (const char *s = r.html; (s = strstr(s, "class=\"mention\"")); s++)
		links++;
	assert_int_equal(links, 4);
}

static void test_mentions_too_many(void **state)
{
	arena *a = *state;
	char src[2048] = "";
	for (int i = 0; i < 60; i++) {
		char one[16];
		snprintf(one, sizeof one, "@user%02d ", i);
		strcat(src, one);
	}
	strcat(src, "@user00 @user55");
	people p = {0};
	markdown_result r = render_with(a, src, &p);
	assert_int_equal(r.mention_count, MARKDOWN_MAX_MENTIONS);
	assert_string_equal(r.mentions[0], "user00");
	assert_string_equal(r.mentions[49], "user49");
	assert_int_equal(p.calls, MARKDOWN_MAX_MENTIONS);
	/* The 51st stays text; a repeat of an accepted one is still linked. */
	assert_non_null(strstr(r.html, " @user50 "));
	assert_non_null(strstr(r.html, "@user59 <a href=\"/u/user00\""));
	assert_non_null(strstr(r.html, "</a> @user55</p>"));

	/* Lookups are capped too, so a post cannot make many queries. */
	src[0] = '\0';
	for (int i = 0; i < 120; i++) {
		char one[16];
		snprintf(one, sizeof one, "@nope%03d ", i);
		strcat(src, one);
	}
	strcat(src, "@bob");
	p = (people){0};
	r = render_with(a, src, &p);
	assert_int_equal(p.calls, MARKDOWN_MAX_LOOKUPS);
	assert_int_equal(r.mention_count, 0);
}

static void test_mentions_without_resolver(void **state)
{
	arena *a = *state;
	markdown_result r;
	assert_true(markdown_render(a, "@bob", 4, NULL, &r));
	check_result(&r);
	assert_string_equal(r.html, "<p>@bob</p>\n");
	assert_int_equal(r.mention_count, 0);
	assert_non_null(r.mentions);
}

/* --- links and images ------------------------------------------------- */

static void test_links(void **state)
{
	arena *a = *state;
	/* Allowed, with rel only on links that leave Cairn. */
	assert_string_equal(html(a, "[a](http://x.org) [b](HTTPS://x.org) [c](mailto:a@b.org)"),
	                    "<p><a href=\"http://x.org\" rel=\"nofollow ugc noopener\">a</a> "
	                    "<a href=\"HTTPS://x.org\" rel=\"nofollow ugc noopener\">b</a> "
	                    "<a href=\"mailto:a@b.org\" rel=\"nofollow ugc noopener\">c</a></p>\n");
	assert_string_equal(html(a, "[a](/t/1#p2) [b](#top) [c](/)"),
	                    "<p><a href=\"/t/1#p2\">a</a> <a href=\"#top\">b</a> "
	                    "<a href=\"/\">c</a></p>\n");
	assert_string_equal(html(a, "<https://x.org/a> and <me@x.org>"),
	                    "<p><a href=\"https://x.org/a\" rel=\"nofollow ugc noopener\">https://x.org/a</a>"
	                    " and <a href=\"mailto:me@x.org\" rel=\"nofollow ugc noopener\">me@x.org</a></p>\n");
	/* Refused: the text stays, as text. */
	static const char *const refused[] = {
		"[a](//evil.org)", "[a](/\\evil.org)", "[a](ftp://x.org)", "[a](x.html)",
		"[a]()", "[a](file:///etc/passwd)", "[a](<>)", "[a](< //evil.org>)",
		"[a](&#x2F;&#x2F;evil.org)", "[a](\\/\\/evil.org)",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_string_equal(html(a, refused[i]), "<p>a</p>\n");
	/* A refused autolink goes whole: its text is the refused URL. */
	assert_string_equal(html(a, "x <ftp://x.org/f> y"), "<p>x  y</p>\n");
	/* Percent-encoding in href. */
	assert_string_equal(html(a, "[a](</p q\"x'\\<\\>\xC3\xA9>)"),
	                    "<p><a href=\"/p%20q%22x&#39;%3C%3E%C3%A9\">a</a></p>\n");
	/* Titles are escaped. */
	assert_string_equal(html(a, "[a](/x \"it's <b> & \\\"q\\\"\")"),
	                    "<p><a href=\"/x\" title=\"it&#39;s &lt;b&gt; &amp; &quot;q&quot;\">a</a></p>\n");
	/* Reference links follow the same rules. */
	assert_string_equal(html(a, "[a][r] [b][j]\n\n[r]: /ok\n[j]: javascript:alert(1)\n"),
	                    "<p><a href=\"/ok\">a</a> b</p>\n");
	/* An autolink inside link text cannot nest an <a>. */
	assert_string_equal(html(a, "[<http://a.org>](/b)"),
	                    "<p><a href=\"/b\">http://a.org</a></p>\n");
}

static void test_images(void **state)
{
	arena *a = *state;
	assert_string_equal(html(a, "![a *cat*](http://x.org/c.png \"T\")"),
	                    "<p><a href=\"http://x.org/c.png\" title=\"T\" "
	                    "rel=\"nofollow ugc noopener\">a cat</a></p>\n");
	assert_string_equal(html(a, "![cat](/c.png)"), "<p><a href=\"/c.png\">cat</a></p>\n");
	/* No alt text: the URL is the text. */
	assert_string_equal(html(a, "![](/c.png)"), "<p><a href=\"/c.png\">/c.png</a></p>\n");
	/* Refused URL: alt text alone, or nothing. */
	assert_string_equal(html(a, "![cat](javascript:x)"), "<p>cat</p>\n");
	assert_string_equal(html(a, "x ![](data:image/png;base64,AAAA) y"), "<p>x  y</p>\n");
	/* Inside a link: alt text only, since <a> cannot nest. */
	assert_string_equal(html(a, "[![cat](/c.png)](/big)"),
	                    "<p><a href=\"/big\">cat</a></p>\n");
	/* Images in image descriptions go with them. */
	assert_string_equal(html(a, "![a ![b](/b.png) [c](/c)](/a.png)"),
	                    "<p><a href=\"/a.png\">a b c</a></p>\n");
	/* Reference images. */
	assert_string_equal(html(a, "![cat][i]\n\n[i]: /c.png"),
	                    "<p><a href=\"/c.png\">cat</a></p>\n");
}

/* --- XSS corpus ------------------------------------------------------- */

static void test_xss_corpus(void **state)
{
	arena *a = *state;
	static const char *const corpus[] = {
		"<script>alert(1)</script>",
		"<SCRIPT SRC=//x.org/x.js></SCRIPT>",
		"x <script>alert(1)</script> y",
		"<img src=x onerror=alert(1)>",
		"x <img src=x onerror=alert(1)> y",
		"[x](javascript:alert(1))",
		"[x](JAVASCRIPT:alert(1))",
		"[x](  javascript:alert(1)  )",
		"[x](java&#x73;cript:alert(1))",
		"[x](java&#115;cript:alert(1))",
		"[x](&#106;avascript:alert(1))",
		"[x](java%73cript:alert(1))",
		"[x](<javascript:alert(1)>)",
		"[x](javascript&colon;alert(1))",
		"[x](\\javascript:alert(1))",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"[x](DATA:text/html,<script>alert(1)</script>)",
		"![x](data:image/png;base64,iVBORw0KGgo=)",
		"![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
		"[x](vbscript:msgbox(1))",
		"[x](VBScript:msgbox(1))",
		"[x](file:///etc/passwd)",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<a href='javascript:alert(1)'>x</a>",
		"<div onmouseover=\"alert(1)\">x</div>",
		"<iframe src=\"javascript:alert(1)\"></iframe>",
		"<svg/onload=alert(1)>",
		"<style>body{}</style>",
		"<!-- comment -->",
		"x <!-- comment --> y",
		"<![CDATA[<script>alert(1)</script>]]>",
		"<?php echo 1 ?>",
		"<javascript:alert(1)>",
		"<JAVASCRIPT:alert(1)>",
		"<data:text/html,x>",
		"<vbscript:x>",
		"[x][r]\n\n[r]: javascript:alert(1)",
		"[x][r]\n\n[r]: data:text/html,x",
		"[*__x__*](javascript:alert(1))",
		"[**a** `b` *c*](javascript:alert(1))",
		"[x](http://a \"t\\\" onmouseover=\\\"alert(1)\")",
		"[x](http://a 't\\' onmouseover=alert(1)')",
		"[x](http://a (t\" onmouseover=\"alert(1)))",
		"[x](http://a\"onmouseover=\"alert(1))",
		"[x](</a\" onmouseover=\"alert(1)>)",
		"```\" onclick=\"alert(1)\nx\n```",
		"`<script>alert(1)</script>`",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"&#60;script&#62;alert(1)&#60;/script&#62;",
		"\\<script>alert(1)\\</script>",
		"<scr<script>ipt>alert(1)</script>",
	};
	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		markdown_result r = render(a, corpus[i]);
		/* Raw HTML is shown as the text typed, so its words may appear as
		 * escaped text: only the markup must be free of them. */
		const char *h = tags_only(a, r.html);
		if (ci_contains(h, "<script") || ci_contains(h, "onerror") ||
		    ci_contains(h, "javascript:") || ci_contains(h, "vbscript:") ||
		    ci_contains(h, "data:") || ci_contains(h, "<img") ||
		    ci_contains(h, "<iframe") || ci_contains(h, "<svg") ||
		    ci_contains(h, "<style") || ci_contains(h, "<div") ||
		    ci_contains(h, "<!--") || ci_contains(h, "file:"))
			fail_msg("corpus %zu: %s\n-> %s", i, corpus[i], h);
		/* No attribute but ours (check_result): a handler name may
		 * appear only as escaped text inside a title. */
		if (strstr(h, "onmouseover=\"") || strstr(h, "onerror=\"") ||
		    strstr(h, "onclick=\""))
			fail_msg("corpus %zu: handler attribute in %s", i, h);
	}
	/* Handler text in alt text or a title stays escaped text. */
	assert_string_equal(html(a, "![x\" onerror=\"alert(1)](/i.png)"),
	                    "<p><a href=\"/i.png\">x\xE2\x80\x9D onerror=\xE2\x80\x9C"
	                    "alert(1)</a></p>\n");
	assert_string_equal(html(a, "![x](/i.png \"\\\" onerror=\\\"alert(1)\")"),
	                    "<p><a href=\"/i.png\" title=\"&quot; onerror=&quot;alert(1)\">"
	                    "x</a></p>\n");
	/* Raw HTML is never markup: it shows as the text the author typed
	 * (issue 9: "<patient name>" vanished). */
	assert_string_equal(html(a, "<script>alert(1)</script>"),
	                    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
	assert_string_equal(html(a, "x <img src=x onerror=alert(1)> y"),
	                    "<p>x &lt;img src=x onerror=alert(1)&gt; y</p>\n");
	assert_string_equal(html(a, "<!-- comment -->"), "<p>&lt;!-- comment --&gt;</p>\n");
	assert_string_equal(html(a, "Call <patient name> back"),
	                    "<p>Call &lt;patient name&gt; back</p>\n");
	assert_string_equal(html(a, "<b>bold</b> and\n<div>\nline two\n</div>"),
	                    "<p>&lt;b&gt;bold&lt;/b&gt; and</p>\n"
	                    "<p>&lt;div&gt;\nline two\n&lt;/div&gt;</p>\n");
	/* A refused link keeps its text, markup included. */
	assert_string_equal(html(a, "[*__x__*](javascript:alert(1))"),
	                    "<p><em><strong>x</strong></em></p>\n");
	assert_string_equal(html(a, "[x](java&#x73;cript:alert(1))"), "<p>x</p>\n");
	/* Quotes in titles stay inside the title attribute. */
	assert_string_equal(html(a, "[x](http://a \"t\\\" onmouseover=\\\"alert(1)\")"),
	                    "<p><a href=\"http://a\" title=\"t&quot; onmouseover=&quot;alert(1)\" "
	                    "rel=\"nofollow ugc noopener\">x</a></p>\n");
	/* Entities are decoded by Markdown, then escaped again: text. */
	assert_string_equal(html(a, "&lt;script&gt;"), "<p>&lt;script&gt;</p>\n");
	assert_string_equal(html(a, "&amp;lt;script&amp;gt;"), "<p>&amp;lt;script&amp;gt;</p>\n");
	assert_string_equal(html(a, "`&lt;script&gt;`"),
	                    "<p><code>&amp;lt;script&amp;gt;</code></p>\n");
	assert_string_equal(html(a, "\\<script>"), "<p>&lt;script&gt;</p>\n");
	assert_string_equal(html(a, "AT&T <3"), "<p>AT&amp;T &lt;3</p>\n");
}

/* --- bare URLs -------------------------------------------------------- */

static void test_bare_urls(void **state)
{
	arena *a = *state;
	assert_string_equal(html(a, "See https://capc.org for more."),
	                    "<p>See <a href=\"https://capc.org\" rel=\"nofollow ugc noopener\">"
	                    "https://capc.org</a> for more.</p>\n");
	/* Trailing punctuation and an unbalanced bracket stay outside. */
	assert_string_equal(html(a, "(at http://x.org/a_(b)), then"),
	                    "<p>(at <a href=\"http://x.org/a_(b)\" rel=\"nofollow ugc noopener\">"
	                    "http://x.org/a_(b)</a>), then</p>\n");
	assert_string_equal(html(a, "mail mailto:team@x.org!"),
	                    "<p>mail <a href=\"mailto:team@x.org\" rel=\"nofollow ugc noopener\">"
	                    "team@x.org</a>!</p>\n");
	/* Inside code and existing links nothing changes; other schemes stay text. */
	assert_string_equal(html(a, "`https://x.org` [y](https://y.org) javascript:alert(1) ftp://f.org"),
	                    "<p><code>https://x.org</code> <a href=\"https://y.org\" "
	                    "rel=\"nofollow ugc noopener\">y</a> javascript:alert(1) ftp://f.org</p>\n");
	/* A scheme glued to a word is not a URL start, and a bare scheme is not a link. */
	assert_string_equal(html(a, "xhttps://x.org and https:// alone"),
	                    "<p>xhttps://x.org and https:// alone</p>\n");
}

/* --- plain text ------------------------------------------------------- */

static void test_plain_text(void **state)
{
	arena *a = *state;
	markdown_result r = render(a,
		"# Title\n\nSome *very* **strong** `code` and a [link](http://x.org)\n"
		"soft break  \nhard break\n\n- one\n- two\n\n> quoted @bob\n\n"
		"```c\nint x;\n```\n\n---\n\n![alt](/i.png) <b>raw</b> &amp; &lt;\n\n\n");
	assert_string_equal(r.text,
		"Title\nSome very strong code and a link soft break\nhard break\n"
		"one\ntwo\nquoted @bob\nint x;\nalt <b>raw</b> & <");
	assert_string_equal(render(a, "").text, "");
	assert_string_equal(render(a, "\n\n  \n").text, "");
}

/* --- input checks ----------------------------------------------------- */

static void test_input_limits(void **state)
{
	arena *a = *state;
	markdown_result r;
	markdown_options opt = {.max_bytes = 8};
	assert_true(markdown_render(a, "12345678", 8, &opt, &r));
	assert_string_equal(r.html, "<p>12345678</p>\n");
	assert_false(markdown_render(a, "123456789", 9, &opt, &r));
	assert_string_equal(r.html, "");
	assert_string_equal(r.text, "");
	assert_int_equal(r.mention_count, 0);

	/* Default cap: 64 KiB. */
	size_t n = MARKDOWN_MAX_BYTES + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'a', n);
	assert_false(markdown_render(a, big, n, NULL, &r));
	assert_true(markdown_render(a, big, n - 1, NULL, &r));
	check_result(&r);
	free(big);

	/* Invalid UTF-8 of every kind. */
	static const char *const bad[] = {
		"\xff", "a\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
		"\xF4\x90\x80\x80", "\xC3", "\xE2\x82",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r.html = NULL;
		assert_false(markdown_render(a, bad[i], strlen(bad[i]), NULL, &r));
		assert_string_equal(r.html, "");
	}
	/* Not NUL-terminated, and NUL bytes inside (cmark makes them U+FFFD). */
	assert_true(markdown_render(a, "*a*XXXX", 3, NULL, &r));
	assert_string_equal(r.html, "<p><em>a</em></p>\n");
	assert_true(markdown_render(a, "a\0b", 3, NULL, &r));
	assert_string_equal(r.html, "<p>a\xEF\xBF\xBD" "b</p>\n");
	assert_true(markdown_render(a, NULL, 0, NULL, &r));
	assert_string_equal(r.html, "");
}

/* Deep nesting must not exhaust the stack (the walks are iterative). */
static void test_deep_nesting(void **state)
{
	arena *a = *state;
	size_t n = 60000;
	char *src = malloc(n + 2);
	assert_non_null(src);
	memset(src, '>', n);
	src[n] = 'x';
	src[n + 1] = '\0';
	markdown_result r = render(a, src);
	assert_non_null(strstr(r.html, "<p>x</p>"));
	assert_string_equal(r.text, "x");
	for (size_t i = 0; i < n; i += 2) {
		src[i] = '-';
		src[i + 1] = ' ';
	}
	r = render(a, src);
	assert_non_null(strstr(r.html, "<li>x</li>"));
	free(src);
}

/* --- excerpts --------------------------------------------------------- */

static void test_excerpt(void **state)
{
	arena *a = *state;
	assert_string_equal(markdown_excerpt(a, "short", 10), "short");
	assert_string_equal(markdown_excerpt(a, "exactly", 7), "exactly");
	assert_string_equal(markdown_excerpt(a, "", 0), "");
	assert_string_equal(markdown_excerpt(a, "x", 0), "\xE2\x80\xA6");
	/* Cut at a word boundary in the second half. */
	assert_string_equal(markdown_excerpt(a, "hello brave new world", 13),
	                    "hello brave\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, "hello world", 5), "hello\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, "hello world", 6), "hello\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, "one\ntwo three", 9), "one\ntwo\xE2\x80\xA6");
	/* No boundary late enough: cut inside the word. */
	assert_string_equal(markdown_excerpt(a, "a supercalifragilistic", 10),
	                    "a supercal\xE2\x80\xA6");
	/* Multibyte: counts code points, never splits one. */
	const char *fr = "\xC3\xA9t\xC3\xA9 \xC3\xA0 la plage";   /* "été à la plage" */
	assert_string_equal(markdown_excerpt(a, fr, 3), "\xC3\xA9t\xC3\xA9\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, fr, 2), "\xC3\xA9t\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, fr, 1), "\xC3\xA9\xE2\x80\xA6");
	const char *emoji = "\xF0\x9F\x98\x80\xF0\x9F\x98\x81\xF0\x9F\x98\x82";
	assert_string_equal(markdown_excerpt(a, emoji, 2),
	                    "\xF0\x9F\x98\x80\xF0\x9F\x98\x81\xE2\x80\xA6");
	assert_string_equal(markdown_excerpt(a, emoji, 3), emoji);
	const char *cjk = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";   /* 日本語 */
	char *e = markdown_excerpt(a, cjk, 1);
	assert_string_equal(e, "\xE6\x97\xA5\xE2\x80\xA6");
	for (size_t k = 0; k <= 4; k++) {
		e = markdown_excerpt(a, fr, k);
		assert_true(utf8_valid(e, strlen(e)));
	}
}

/* --- quotes ----------------------------------------------------------- */

static void test_quote(void **state)
{
	arena *a = *state;
	assert_string_equal(markdown_quote(a, "bob", "one\ntwo\n\nthree\n"),
	                    "> @bob wrote:\n>\n> one\n> two\n>\n> three\n\n");
	/* CR LF and lone CR; leading and trailing blank lines dropped. */
	assert_string_equal(markdown_quote(a, "alice", "\r\n  \r\na\r\nb\rc\r\n\r\n\r\n"),
	                    "> @alice wrote:\n>\n> a\n> b\n> c\n\n");
	/* Nested quotes nest. */
	assert_string_equal(markdown_quote(a, "bob", "> earlier\n\nreply"),
	                    "> @bob wrote:\n>\n> > earlier\n>\n> reply\n\n");
	/* Leading tabs become spaces, so indented code stays code. */
	assert_string_equal(markdown_quote(a, "bob", "\tcode\n  \tx"),
	                    "> @bob wrote:\n>\n>     code\n>     x\n\n");
	/* Upper case folded; anything but a handle is refused. */
	assert_string_equal(markdown_quote(a, "BoB", "x"), "> @bob wrote:\n>\n> x\n\n");
	assert_string_equal(markdown_quote(a, "bob\n# evil", "x"), "> Someone wrote:\n>\n> x\n\n");
	assert_string_equal(markdown_quote(a, "b", "x"), "> Someone wrote:\n>\n> x\n\n");
	assert_string_equal(markdown_quote(a, NULL, NULL), "> Someone wrote:\n\n");
	assert_string_equal(markdown_quote(a, "bob", ""), "> @bob wrote:\n\n");

	/* The quote renders as one block quote whose first paragraph is the
	 * attribution, with the mention linked. */
	const char *q = markdown_quote(a, "bob", "```\ncode\n```\n\n    indented\n\n- item\n\ntext");
	markdown_result r = render(a, q);
	assert_string_equal(r.html,
		"<blockquote>\n<p><a href=\"/u/bob\" class=\"mention\">@bob</a> wrote:</p>\n"
		"<pre><code>code\n</code></pre>\n<pre><code>indented\n</code></pre>\n"
		"<ul>\n<li>item</li>\n</ul>\n<p>text</p>\n</blockquote>\n");
	assert_int_equal(r.mention_count, 1);
}

/* The checker itself: it must refuse what the renderer must never write. */
static void test_checker_refuses(void **state)
{
	static const char *const bad[] = {
		"<script>", "<SCRIPT>", "<img src=\"/x\">", "<p onclick=\"x\">",
		"<a href=\"javascript:x\">", "<a href=\"data:x\">", "<a href=\"//evil\">",
		"<a href=\"/\\evil\">", "<a href='/x'>", "<a href=\"/x\" rel=\"x\">",
		"<code class=\"language-x y\">", "<ol start=\"1x\">", "a > b", "a \" b",
		"it's", "&foo;", "&amp", "<a href=\"/x>", "<p", "<!-- x -->", "</div>",
		"<a title=\"x\"y\">",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!html_problem(bad[i]))
			fail_msg("checker accepted %s", bad[i]);
	assert_null(html_problem("<p><a href=\"/u/bob\" class=\"mention\">@bob</a> &amp; "
	                         "<code class=\"language-c++\">x</code></p>\n<ol start=\"3\">"));
}

/* cmark_in_arena (the journal's pages): the same output as cmark's own
 * allocator, and cmark's work (which copies the source) is in the arena, so
 * arena_wipe reaches it. */
static void test_cmark_in_arena(void **state)
{
	arena *a = *state;
	static const char *inputs[] = {
		"",
		"plain words",
		"# Title\n\n*em* **strong** `code` [link](https://example.org) <b>raw</b>\n\n"
		"> quote\n>\n> - a\n> - b\n\n```c\nint x;\n```\n\n![alt](/x.png) @someone",
		"1. one\n2. two\n\n---\n\nhttps://example.org/path and mailto:x@example.org",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *src = inputs[i];
		markdown_result heap, in_arena;
		markdown_options plain = {0}, opt = {.cmark_in_arena = true};
		size_t before = a->used_total;
		assert_true(markdown_render(a, src, strlen(src), &plain, &heap));
		size_t heap_used = a->used_total - before;
		before = a->used_total;
		assert_true(markdown_render(a, src, strlen(src), &opt, &in_arena));
		size_t arena_used = a->used_total - before;
		assert_string_equal(heap.html, in_arena.html);
		assert_string_equal(heap.text, in_arena.text);
		assert_true(arena_used >= heap_used + strlen(src));
	}
	/* Deep nesting and a long text work with the arena too. */
	size_t n = 20000;
	char *deep = arena_alloc(a, n + 1);
	memset(deep, '>', n);
	deep[n] = '\0';
	markdown_result r;
	markdown_options opt = {.cmark_in_arena = true};
	assert_true(markdown_render(a, deep, n, &opt, &r));
	/* A render with cmark's own allocator afterwards is unaffected. */
	assert_true(markdown_render(a, "*x*", 3, NULL, &r));
	assert_string_equal(r.html, "<p><em>x</em></p>\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heading_shift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_block_language, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_known_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_where_not, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_without_resolver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xss_corpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excerpt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmark_in_arena, setup, teardown),
		cmocka_unit_test(test_checker_refuses),
	};
	return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
