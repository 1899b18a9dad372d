/*
 * markdown.c - forum posts: Markdown to safe HTML, plain text and mentions.
 * See markdown.h for the contract and the safety rules.
 *
 * The work is done in passes over cmark's syntax tree, so no rewrite ever
 * touches HTML text:
 *
 *   1. sanitize: refused links are unwrapped (their children take their
 *      place), refused autolinks removed, and every image replaced by its
 *      alt text, linked or not. Nodes are collected during an iteration
 *      and changed after it, because cmark's iterator does not survive
 *      changes to the tree under it.
 *   2. consolidate adjacent text nodes (cmark leaves "@foo_bar" as several
 *      text nodes around the unmatched '_'), then turn accepted @handles in
 *      ordinary text into links, splitting each text node in one pass.
 *   3. render HTML and plain text with our own walks. Only the tags listed
 *      in markdown.h are written, every text and attribute is escaped, and
 *      the renderer checks each link's URL again rather than trusting the
 *      earlier pass, so a missed case in (1) cannot become a live link.
 *
 * All walks use cmark's iterator, not recursion: 64 KiB of ">" nests that
 * deep, and a recursive walk would run out of stack.
 */
#include "cairn/markdown.h"

#include <cmark.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cairn/buf.h"
#include "cairn/form.h"

/* Never CMARK_OPT_UNSAFE: raw HTML must stay omitted. */
#define PARSE_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART)

#define EXTERNAL_REL "nofollow ugc noopener"
#define MENTION_PATH "/u/"
#define LANG_MAX 20

/* Marks the link nodes made for mentions (as cmark user data), so the
 * renderer can give them class="mention". */
static const char mention_mark[] = "mention";

/* A growable array of nodes collected during one iteration. */
typedef struct node_ref {
	cmark_node *node;
	bool in_link;     /* images: lies inside a link */
} node_ref;

typedef struct node_list {
	node_ref *v;
	size_t n, cap;
} node_list;

typedef struct mentions {
	arena *a;
	const markdown_options *opt;
	const char **accepted;          /* MARKDOWN_MAX_MENTIONS slots */
	size_t n_accepted;
	const char *rejected[MARKDOWN_MAX_LOOKUPS];
	size_t n_rejected;
	size_t lookups;
} mentions;

static void list_push(arena *a, node_list *l, cmark_node *node, bool in_link);
static void sanitize(arena *a, cmark_node *doc);
static void replace_image(arena *a, cmark_node *img, bool in_link);
static void drop_link(cmark_node *link);
static bool is_autolink(cmark_node *link);
static void plain_subtree(cmark_node *root, buf *b);
static void html_as_text(arena *a, cmark_node *html);
static void link_bare_urls(arena *a, cmark_node *doc);
static void split_urls(arena *a, cmark_node *text);
static node_list texts_outside_links(arena *a, cmark_node *doc, char c);
static void link_mentions(arena *a, cmark_node *doc, mentions *m);
static void split_mentions(cmark_node *text, mentions *m);
static bool mention_ok(mentions *m, const char *handle);
static const char *literal(cmark_node *n);
static cmark_node *new_text(arena *a, const char *s, size_t n);
static cmark_node *new_node(cmark_node_type type);
static void insert_before(cmark_node *at, cmark_node *n);
static void render_html(cmark_node *doc, buf *b);
static void render_text(cmark_node *doc, buf *b);
static void put_href(buf *b, const char *url);
static void put_code_class(buf *b, const char *info);
static void cr(buf *b);
static bool url_allowed(const char *url);
static bool url_external(const char *url);
static bool prefix_ci(const char *s, const char *prefix);
static bool is_handle_char(unsigned char c);
static bool is_word_byte(unsigned char c);
static bool is_blank_line(const char *s, size_t n);
static bool handle_valid(const char *s);

/* ---- cmark's memory from the arena (markdown_options.cmark_in_arena) ---
 *
 * cmark_mem has no context pointer, so the arena of the render in progress
 * is the thread's (one render at a time per thread). Each block starts with
 * its size, for realloc; free does nothing: the arena's owner releases (and
 * may wipe) everything at once. New nodes of ours use the same allocator
 * (new_node), so the whole tree lives in one place. */
static _Thread_local arena *cmark_arena;
static _Thread_local cmark_mem *node_mem;

#define MEM_HEADER ((sizeof(size_t) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static void *mem_alloc(size_t n)
{
	if (n > SIZE_MAX - MEM_HEADER)
		fatal("markdown: allocation of %zu bytes overflows", n);
	unsigned char *p = arena_alloc(cmark_arena, n + MEM_HEADER);
	memcpy(p, &n, sizeof n);
	return p + MEM_HEADER;
}

static void *mem_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		fatal("markdown: calloc %zu x %zu overflows", count, size);
	void *p = mem_alloc(count * size);
	memset(p, 0, count * size);
	return p;
}

static void *mem_realloc(void *old, size_t n)
{
	if (!old)
		return mem_alloc(n);
	size_t old_n;
	memcpy(&old_n, (unsigned char *)old - MEM_HEADER, sizeof old_n);
	if (n <= old_n)
		return old;
	void *p = mem_alloc(n);
	memcpy(p, old, old_n);
	return p;
}

static void mem_free(void *p)
{
	(void)p;
}

static cmark_mem arena_mem = {mem_calloc, mem_realloc, mem_free};

bool markdown_render(arena *a, const char *src, size_t len,
                     const markdown_options *opt, markdown_result *out)
{
	static const markdown_options defaults = {0};
	if (!opt)
		opt = &defaults;
	size_t max = opt->max_bytes ? opt->max_bytes : MARKDOWN_MAX_BYTES;

	out->html = "";
	out->html_len = 0;
	out->text = "";
	out->text_len = 0;
	out->mentions = arena_calloc(a, MARKDOWN_MAX_MENTIONS, sizeof *out->mentions);
	out->mention_count = 0;
	if (len > max || (len > 0 && !utf8_valid(src, len)))
		return false;

	cmark_mem *mem = cmark_get_default_mem_allocator();
	if (opt->cmark_in_arena) {
		cmark_arena = a;
		mem = &arena_mem;
	}
	node_mem = mem;
	cmark_parser *parser = cmark_parser_new_with_mem(PARSE_OPTIONS, mem);
	if (!parser)
		fatal("markdown: cmark has no parser");
	cmark_parser_feed(parser, len ? src : "", len);
	cmark_node *doc = cmark_parser_finish(parser);
	cmark_parser_free(parser);
	if (!doc)
		fatal("markdown: cmark returned no document");
	sanitize(a, doc);
	cmark_consolidate_text_nodes(doc);
	link_bare_urls(a, doc);
	mentions m = {.a = a, .opt = opt, .accepted = out->mentions};
	if (opt->resolve_mention)
		link_mentions(a, doc, &m);

	buf html, text;
	buf_init(&html, a, 0);
	buf_init(&text, a, 0);
	render_html(doc, &html);
	render_text(doc, &text);
	cmark_node_free(doc);
	cmark_arena = NULL;
	node_mem = NULL;
	/* Unbounded arena buffers only fail if lengths pass SIZE_MAX / 2. */
	if (html.failed || text.failed)
		fatal("markdown: output buffer failed");

	out->html = buf_detach(&html, &out->html_len);
	out->text = buf_detach(&text, &out->text_len);
	out->mention_count = m.n_accepted;
	return true;
}

/* ---- pass 1: links and images ---------------------------------------- */

static void list_push(arena *a, node_list *l, cmark_node *node, bool in_link)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		l->v = arena_realloc(a, l->v, l->cap * sizeof *l->v, cap * sizeof *l->v);
		l->cap = cap;
	}
	l->v[l->n++] = (node_ref){node, in_link};
}

static void sanitize(arena *a, cmark_node *doc)
{
	node_list images = {0}, links = {0}, html = {0};
	int link_depth = 0, image_depth = 0;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if ((t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_HTML_BLOCK) && image_depth == 0) {
			list_push(a, &html, n, false);
			continue;
		}
		if (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE)
			continue;
		int *depth = t == CMARK_NODE_LINK ? &link_depth : &image_depth;
		if (ev == CMARK_EVENT_EXIT) {
			(*depth)--;
			continue;
		}
		/* Whatever lies inside an image is replaced along with it. */
		if (image_depth == 0)
			list_push(a, t == CMARK_NODE_LINK ? &links : &images, n,
			          link_depth > 0);
		(*depth)++;
	}
	cmark_iter_free(it);

	/* Raw HTML is never markup, but what the author typed ("<patient
	 * name>", "<b>bold</b>") is theirs: it stays, as the literal text. */
	for (size_t i = 0; i < html.n; i++)
		html_as_text(a, html.v[i].node);
	/* Images first: an image inside a link is replaced in place, and the
	 * link (kept or unwrapped) is handled after. */
	for (size_t i = 0; i < images.n; i++)
		replace_image(a, images.v[i].node, images.v[i].in_link);
	for (size_t i = 0; i < links.n; i++) {
		cmark_node *link = links.v[i].node;
		if (url_allowed(cmark_node_get_url(link)))
			continue;
		if (is_autolink(link))
			cmark_node_free(link);   /* its text is the refused URL */
		else
			drop_link(link);
	}
}

/* An image becomes its alt text, as a link to the image when that would be
 * an allowed link (and not a link inside a link), else as plain text. */
static void replace_image(arena *a, cmark_node *img, bool in_link)
{
	buf alt;
	buf_init(&alt, a, 0);
	plain_subtree(img, &alt);
	const char *url = cmark_node_get_url(img);
	cmark_node *repl = NULL;
	if (!in_link && url_allowed(url)) {
		repl = new_node(CMARK_NODE_LINK);
		if (!cmark_node_set_url(repl, url))
			fatal("markdown: cannot set a link's URL");
		const char *title = cmark_node_get_title(img);
		if (title && *title && !cmark_node_set_title(repl, title))
			fatal("markdown: cannot set a link's title");
		/* With no description the URL itself is the only text to show. */
		const char *label = alt.len ? alt.data : url;
		if (!cmark_node_append_child(repl, new_text(a, label, strlen(label))))
			fatal("markdown: cannot build a link");
	} else if (alt.len) {
		repl = new_text(a, alt.data, alt.len);
	}
	if (repl)
		insert_before(img, repl);
	cmark_node_free(img);   /* unlinks it, and frees its children */
}

/* Raw HTML becomes the text it was typed as: inline, a text node; a block,
 * a paragraph whose lines are joined by soft breaks. */
static void html_as_text(arena *a, cmark_node *html)
{
	const char *lit = literal(html);
	if (cmark_node_get_type(html) == CMARK_NODE_HTML_INLINE) {
		insert_before(html, new_text(a, lit, strlen(lit)));
		cmark_node_free(html);
		return;
	}
	cmark_node *para = new_node(CMARK_NODE_PARAGRAPH);
	const char *line = lit;
	while (*line) {
		size_t n = strcspn(line, "\n");
		size_t end = n;
		while (end > 0 && line[end - 1] == '\r')
			end--;
		if (end && cmark_node_first_child(para) &&
		    !cmark_node_append_child(para, new_node(CMARK_NODE_SOFTBREAK)))
			fatal("markdown: cannot build a paragraph");
		if (end && !cmark_node_append_child(para, new_text(a, line, end)))
			fatal("markdown: cannot build a paragraph");
		line += n + (line[n] == '\n');
	}
	if (cmark_node_first_child(para))
		insert_before(html, para);
	else
		cmark_node_free(para);
	cmark_node_free(html);
}

/* ---- pass 1b: bare URLs ---------------------------------------------- */

/* "https://capc.org" typed in a sentence becomes a link, by the same rules
 * as written links (url_allowed). Text inside links, code and images is
 * left alone. */
static void link_bare_urls(arena *a, cmark_node *doc)
{
	node_list texts = texts_outside_links(a, doc, ':');
	for (size_t i = 0; i < texts.n; i++)
		split_urls(a, texts.v[i].node);
}

/* The text nodes outside links and images that hold the byte c, collected
 * first (the passes then change the tree, which an iterator must not see).
 * Code spans and blocks are other node types, so they are never included. */
static node_list texts_outside_links(arena *a, cmark_node *doc, char c)
{
	node_list texts = {0};
	int skip_depth = 0;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			skip_depth += ev == CMARK_EVENT_ENTER ? 1 : -1;
			break;
		case CMARK_NODE_TEXT:
			if (skip_depth == 0 && strchr(literal(n), c))
				list_push(a, &texts, n, false);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	return texts;
}

/* Where a bare URL starts at s[i] (after a non-word byte), its length with
 * trailing punctuation and unbalanced closing brackets left out; else 0. */
static size_t bare_url_at(const char *s, size_t i, size_t len)
{
	if (i > 0 && (is_word_byte((unsigned char)s[i - 1]) || s[i - 1] == '/'))
		return 0;
	const char *p = s + i;
	size_t scheme = prefix_ci(p, "https://") ? 8 : prefix_ci(p, "http://") ? 7
	                : prefix_ci(p, "mailto:") ? 7 : 0;
	if (!scheme)
		return 0;
	size_t n = scheme;
	while (i + n < len && !strchr(" \t\r\n<>\"`", p[n]))
		n++;
	for (;;) {
		if (n <= scheme)
			return 0;
		char c = p[n - 1];
		if (strchr(".,:;!?'*_~", c)) {
			n--;
			continue;
		}
		if (c == ')' || c == ']') {
			char open = c == ')' ? '(' : '[';
			int depth = 0;
			for (size_t k = 0; k < n; k++)
				depth += p[k] == open ? 1 : p[k] == c ? -1 : 0;
			if (depth < 0) {
				n--;
				continue;
			}
		}
		break;
	}
	return n;
}

static void split_urls(arena *a, cmark_node *text)
{
	const char *s = literal(text);
	size_t len = strlen(s), done = 0;
	bool changed = false;
	for (size_t i = 0; i < len; i++) {
		size_t n = bare_url_at(s, i, len);
		if (!n)
			continue;
		char *url = arena_strndup(a, s + i, n);
		if (!url_allowed(url)) {
			i += n - 1;
			continue;
		}
		if (i > done)
			insert_before(text, new_text(a, s + done, i - done));
		/* A mail link shows the address, as cmark's own autolinks do. */
		const char *label = prefix_ci(url, "mailto:") ? url + 7 : url;
		cmark_node *link = new_node(CMARK_NODE_LINK);
		if (!cmark_node_set_url(link, url) ||
		    !cmark_node_append_child(link, new_text(a, label, strlen(label))))
			fatal("markdown: cannot build a link");
		insert_before(text, link);
		i += n - 1;
		done = i + 1;
		changed = true;
	}
	if (!changed)
		return;
	if (done < len)
		insert_before(text, new_text(a, s + done, len - done));
	cmark_node_free(text);
}

/* The link's children take its place, so its text stays as text. */
static void drop_link(cmark_node *link)
{
	cmark_node *c;
	while ((c = cmark_node_first_child(link)))
		insert_before(link, c);
	cmark_node_free(link);
}

/* "<scheme:...>" and links written the same way by hand: the only child is
 * text equal to the URL (or to the URL without "mailto:"). */
static bool is_autolink(cmark_node *link)
{
	cmark_node *c = cmark_node_first_child(link);
	if (!c || cmark_node_next(c) || cmark_node_get_type(c) != CMARK_NODE_TEXT)
		return false;
	const char *text = literal(c);
	const char *url = cmark_node_get_url(link);
	if (!url)
		return false;
	if (prefix_ci(url, "mailto:") && strcmp(url + 7, text) == 0)
		return true;
	return strcmp(url, text) == 0;
}

/* The text of a subtree without markup (an image's alt text): literals of
 * text and code, breaks as spaces, raw HTML left out. */
static void plain_subtree(cmark_node *root, buf *b)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(b, literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(b, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* ---- pass 2: mentions ------------------------------------------------ */

static void link_mentions(arena *a, cmark_node *doc, mentions *m)
{
	node_list texts = texts_outside_links(a, doc, '@');
	for (size_t i = 0; i < texts.n; i++)
		split_mentions(texts.v[i].node, m);
}

/* Replace a text node by text, mention link, text, ... in one left-to-right
 * scan. The node is left alone when it holds no accepted mention. */
static void split_mentions(cmark_node *text, mentions *m)
{
	const char *s = literal(text);
	size_t len = strlen(s);
	size_t done = 0;   /* s[0..done) has been moved into new nodes */
	bool changed = false;
	size_t i = 0;
	while (i < len) {
		if (s[i] != '@') {
			i++;
			continue;
		}
		size_t at = i;
		size_t j = at + 1;
		while (j < len && is_handle_char((unsigned char)s[j]))
			j++;
		size_t hlen = j - at - 1;
		/* No mention can start before j (handle characters are word
		 * bytes), so resuming there keeps the scan linear. */
		i = j;
		if (at > 0 && (is_word_byte((unsigned char)s[at - 1]) || s[at - 1] == '@'))
			continue;
		if (hlen < MARKDOWN_HANDLE_MIN || hlen > MARKDOWN_HANDLE_MAX)
			continue;
		if (j < len && s[j] == '@')
			continue;
		char handle[MARKDOWN_HANDLE_MAX + 1];
		for (size_t k = 0; k < hlen; k++) {
			unsigned char c = (unsigned char)s[at + 1 + k];
			handle[k] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		handle[hlen] = '\0';
		if (!mention_ok(m, handle))
			continue;

		if (at > done)
			insert_before(text, new_text(m->a, s + done, at - done));
		cmark_node *link = new_node(CMARK_NODE_LINK);
		char url[sizeof MENTION_PATH + MARKDOWN_HANDLE_MAX];
		memcpy(url, MENTION_PATH, sizeof MENTION_PATH - 1);
		memcpy(url + sizeof MENTION_PATH - 1, handle, hlen + 1);
		char label[MARKDOWN_HANDLE_MAX + 2];
		label[0] = '@';
		memcpy(label + 1, handle, hlen + 1);
		if (!cmark_node_set_url(link, url) ||
		    !cmark_node_set_user_data(link, (void *)mention_mark) ||
		    !cmark_node_append_child(link, new_text(m->a, label, hlen + 1)))
			fatal("markdown: cannot build a mention");
		insert_before(text, link);
		done = j;
		changed = true;
	}
	if (!changed)
		return;
	if (done < len)
		insert_before(text, new_text(m->a, s + done, len - done));
	cmark_node_free(text);
}

/* Whether to link @handle: accepted before, or asked now within limits. */
static bool mention_ok(mentions *m, const char *handle)
{
	for (size_t k = 0; k < m->n_accepted; k++)
		if (strcmp(m->accepted[k], handle) == 0)
			return true;
	for (size_t k = 0; k < m->n_rejected; k++)
		if (strcmp(m->rejected[k], handle) == 0)
			return false;
	if (m->n_accepted >= MARKDOWN_MAX_MENTIONS || m->lookups >= MARKDOWN_MAX_LOOKUPS)
		return false;
	m->lookups++;
	const char *copy = arena_strdup(m->a, handle);
	if (m->opt->resolve_mention(m->opt->mention_ctx, copy)) {
		m->accepted[m->n_accepted++] = copy;
		return true;
	}
	m->rejected[m->n_rejected++] = copy;
	return false;
}

/* ---- tree helpers ---------------------------------------------------- */

static cmark_node *new_node(cmark_node_type type)
{
	/* cmark's default allocator aborts when the heap is exhausted, which
	 * is Cairn's policy too; NULL here would mean a bad node type. */
	cmark_node *n = cmark_node_new_with_mem(type, node_mem ? node_mem
	                                                        : cmark_get_default_mem_allocator());
	if (!n)
		fatal("markdown: cmark_node_new(%d) failed", (int)type);
	return n;
}

/* A node's literal text, never NULL. */
static const char *literal(cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);
	return s ? s : "";
}

static cmark_node *new_text(arena *a, const char *s, size_t n)
{
	cmark_node *t = new_node(CMARK_NODE_TEXT);
	if (!cmark_node_set_literal(t, arena_strndup(a, s, n)))
		fatal("markdown: cannot set a text node");
	return t;
}

static void insert_before(cmark_node *at, cmark_node *n)
{
	if (!cmark_node_insert_before(at, n))
		fatal("markdown: cmark refused a tree change");
}

/* ---- pass 3: HTML ---------------------------------------------------- */

static void render_html(cmark_node *doc, buf *b)
{
	cmark_node *open_link = NULL;   /* the link whose <a> is open */
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		bool enter = ev == CMARK_EVENT_ENTER;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_BLOCK_QUOTE:
			cr(b);
			buf_puts(b, enter ? "<blockquote>\n" : "</blockquote>\n");
			break;
		case CMARK_NODE_LIST: {
			bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
			cr(b);
			if (!enter) {
				buf_puts(b, ordered ? "</ol>\n" : "</ul>\n");
			} else if (!ordered) {
				buf_puts(b, "<ul>\n");
			} else {
				int start = cmark_node_get_list_start(n);
				if (start == 1)
					buf_puts(b, "<ol>\n");
				else
					buf_appendf(b, "<ol start=\"%d\">\n", start);
			}
			break;
		}
		case CMARK_NODE_ITEM:
			if (enter) {
				cr(b);
				buf_puts(b, "<li>");
			} else {
				buf_puts(b, "</li>\n");
			}
			break;
		case CMARK_NODE_HEADING: {
			int level = cmark_node_get_heading_level(n) + 2;
			if (level > 6)
				level = 6;
			if (enter) {
				cr(b);
				buf_appendf(b, "<h%d>", level);
			} else {
				buf_appendf(b, "</h%d>\n", level);
			}
			break;
		}
		case CMARK_NODE_CODE_BLOCK: {
			const char *lit = literal(n);
			cr(b);
			buf_puts(b, "<pre><code");
			put_code_class(b, cmark_node_get_fence_info(n));
			buf_putc(b, '>');
			buf_append_html(b, lit, strlen(lit));
			buf_puts(b, "</code></pre>\n");
			break;
		}
		case CMARK_NODE_PARAGRAPH: {
			/* Tight list items hold their text without <p>, as in
			 * cmark's own renderer. */
			cmark_node *item = cmark_node_parent(n);
			cmark_node *list = item ? cmark_node_parent(item) : NULL;
			if (list && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
			    cmark_node_get_list_tight(list))
				break;
			if (enter) {
				cr(b);
				buf_puts(b, "<p>");
			} else {
				buf_puts(b, "</p>\n");
			}
			break;
		}
		case CMARK_NODE_THEMATIC_BREAK:
			cr(b);
			buf_puts(b, "<hr>\n");
			break;
		case CMARK_NODE_TEXT: {
			const char *lit = literal(n);
			buf_append_html(b, lit, strlen(lit));
			break;
		}
		case CMARK_NODE_SOFTBREAK:
			buf_putc(b, '\n');
			break;
		case CMARK_NODE_LINEBREAK:
			buf_puts(b, "<br>\n");
			break;
		case CMARK_NODE_CODE: {
			const char *lit = literal(n);
			buf_puts(b, "<code>");
			buf_append_html(b, lit, strlen(lit));
			buf_puts(b, "</code>");
			break;
		}
		case CMARK_NODE_EMPH:
			buf_puts(b, enter ? "<em>" : "</em>");
			break;
		case CMARK_NODE_STRONG:
			buf_puts(b, enter ? "<strong>" : "</strong>");
			break;
		case CMARK_NODE_LINK: {
			/* A link inside a link (an autolink in link text) is
			 * written as its text: <a> cannot nest. */
			if (!enter) {
				if (n == open_link) {
					buf_puts(b, "</a>");
					open_link = NULL;
				}
				break;
			}
			const char *url = cmark_node_get_url(n);
			if (open_link || !url_allowed(url))
				break;
			open_link = n;
			buf_puts(b, "<a href=\"");
			put_href(b, url);
			buf_putc(b, '"');
			const char *title = cmark_node_get_title(n);
			if (title && *title) {
				buf_puts(b, " title=\"");
				buf_append_html(b, title, strlen(title));
				buf_putc(b, '"');
			}
			if (url_external(url))
				buf_puts(b, " rel=\"" EXTERNAL_REL "\"");
			if (cmark_node_get_user_data(n) == mention_mark)
				buf_puts(b, " class=\"mention\"");
			buf_putc(b, '>');
			break;
		}
		case CMARK_NODE_IMAGE:
			/* Replaced in pass 1; should one remain, only its
			 * description (the children) is written. */
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			/* Raw HTML is never written, not even as a comment. */
		case CMARK_NODE_CUSTOM_BLOCK:
		case CMARK_NODE_CUSTOM_INLINE:
			/* Only made through the API, never by the parser; their
			 * on_enter/on_exit strings are raw and ignored. */
		case CMARK_NODE_DOCUMENT:
		case CMARK_NODE_NONE:
			break;
		}
	}
	cmark_iter_free(it);
}

/* href: percent-encode what is not safe in a URL (cmark's HREF_SAFE set,
 * as its houdini_escape_href does), then escape & and ' for the attribute.
 * " < > and every control or non-ASCII byte are percent-encoded. */
static void put_href(buf *b, const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char safe_punct[] = "-_.~!*();:@=+$,/?#%[]";
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		unsigned char c = *p;
		if (c == '&') {
			buf_puts(b, "&amp;");
		} else if (c == '\'') {
			buf_puts(b, "&#39;");
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || strchr(safe_punct, c)) {
			buf_putc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(b, e, sizeof e);
		}
	}
}

/* class="language-x" from the first word of a fence's info string, lower
 * cased, only when it is 1..LANG_MAX of [a-z0-9+#-]. */
static void put_code_class(buf *b, const char *info)
{
	if (!info)
		return;
	char lang[LANG_MAX + 1];
	size_t n = 0;
	for (; info[n] && info[n] != ' ' && info[n] != '\t'; n++) {
		unsigned char c = (unsigned char)info[n];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (n == LANG_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '#' || c == '-'))
			return;
		lang[n] = (char)c;
	}
	if (n == 0)
		return;
	lang[n] = '\0';
	buf_appendf(b, " class=\"language-%s\"", lang);
}

/* Start a block on a fresh line. */
static void cr(buf *b)
{
	if (b->len && b->data[b->len - 1] != '\n')
		buf_putc(b, '\n');
}

/* ---- pass 3: plain text ---------------------------------------------- */

static void render_text(cmark_node *doc, buf *b)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		switch (t) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(b, literal(n));
			break;
		case CMARK_NODE_CODE_BLOCK:
			cr(b);
			buf_puts(b, literal(n));
			cr(b);
			break;
		case CMARK_NODE_SOFTBREAK:
			buf_putc(b, ' ');
			break;
		case CMARK_NODE_LINEBREAK:
			buf_putc(b, '\n');
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_THEMATIC_BREAK:
		case CMARK_NODE_BLOCK_QUOTE:
		case CMARK_NODE_LIST:
		case CMARK_NODE_ITEM:
			cr(b);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	while (b->len && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
}

/* ---- URLs and characters --------------------------------------------- */

/* http:, https:, mailto:, "/path" (not "//host" or "/\host", which
 * browsers read as another host) and "#fragment". Everything else,
 * javascript: and data: included, is refused. */
static bool url_allowed(const char *url)
{
	if (!url)
		return false;
	if (url[0] == '#')
		return true;
	if (url[0] == '/')
		return url[1] != '/' && url[1] != '\\';
	return prefix_ci(url, "http:") || prefix_ci(url, "https:") ||
	       prefix_ci(url, "mailto:");
}

static bool url_external(const char *url)
{
	return url[0] != '/' && url[0] != '#';
}

/* ASCII case-insensitive prefix test, independent of the locale. */
static bool prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)*prefix)
			return false;
	}
	return true;
}

static bool is_handle_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* A byte that makes a following '@' part of a word: handle characters and
 * any byte of a non-ASCII character ("josé@example.org"). */
static bool is_word_byte(unsigned char c)
{
	return is_handle_char(c) || c >= 0x80;
}

static bool is_blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static bool handle_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_handle_char((unsigned char)s[n]))
			return false;
	return n >= MARKDOWN_HANDLE_MIN && n <= MARKDOWN_HANDLE_MAX;
}

/* ---- excerpts and quotes --------------------------------------------- */

char *markdown_excerpt(arena *a, const char *text, size_t max_chars)
{
	size_t len = strlen(text);
	size_t cut = 0;
	for (size_t chars = 0; cut < len && chars < max_chars; chars++) {
		cut++;
		while (cut < len && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut++;
	}
	if (cut >= len)
		return arena_strndup(a, text, len);

	/* Prefer to end at white space in the second half of the span. */
	size_t end = cut;
	for (size_t k = cut; k > cut / 2; k--) {
		char c = text[k];
		if (c == ' ' || c == '\t' || c == '\n') {
			end = k;
			break;
		}
	}
	while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
	                   text[end - 1] == '\n'))
		end--;
	return arena_sprintf(a, "%.*s\xE2\x80\xA6", (int)end, text);
}

char *markdown_quote(arena *a, const char *author_handle, const char *src)
{
	buf b;
	buf_init(&b, a, 0);
	if (author_handle && handle_valid(author_handle)) {
		buf_puts(&b, "> @");
		for (const char *h = author_handle; *h; h++)
			buf_putc(&b, (char)(*h >= 'A' && *h <= 'Z' ? *h - 'A' + 'a' : *h));
		buf_puts(&b, " wrote:\n");
	} else {
		buf_puts(&b, "> Someone wrote:\n");
	}

	size_t len = src ? strlen(src) : 0;
	size_t pos = 0;
	bool started = false;   /* a non-blank line was written */
	size_t blanks = 0;      /* blank lines waiting for a non-blank one */
	while (pos < len) {
		size_t eol = pos;
		while (eol < len && src[eol] != '\n' && src[eol] != '\r')
			eol++;
		const char *line = src + pos;
		size_t n = eol - pos;
		pos = eol;
		if (pos < len && src[pos] == '\r')
			pos++;
		if (pos < len && src[pos] == '\n')   /* LF, or the LF of CR LF */
			pos++;

		if (is_blank_line(line, n)) {
			blanks++;
			continue;
		}
		if (!started)
			blanks = 1;   /* the ">" that separates the attribution */
		for (; blanks; blanks--)
			buf_puts(&b, ">\n");
		started = true;
		buf_puts(&b, "> ");
		/* A leading tab would lose columns after "> " (indented code
		 * would stop being code), so leading tabs become spaces. */
		size_t col = 0, k = 0;
		for (; k < n && (line[k] == ' ' || line[k] == '\t'); k++) {
			size_t to = line[k] == '\t' ? (col / 4 + 1) * 4 : col + 1;
			for (; col < to; col++)
				buf_putc(&b, ' ');
		}
		buf_append(&b, line + k, n - k);
		buf_putc(&b, '\n');
	}
	buf_putc(&b, '\n');
	if (b.failed)
		fatal("markdown: quote buffer failed");
	return buf_detach(&b, NULL);
}
