/*
 * markdown.h - forum posts from Markdown to safe HTML, plain text and a
 * list of mentioned people.
 *
 * A post is rendered once, when it is written, and the stored HTML is later
 * inserted raw into pages. So everything here errs on the side of refusing:
 *
 *   - Parsing is cmark's (CommonMark 0.30) in its safe mode: raw HTML,
 *     block or inline, is dropped entirely, never passed through.
 *   - The HTML is produced by Cairn's own small renderer over cmark's
 *     syntax tree, not by cmark's: every text and attribute is escaped
 *     (& < > " '), and only these tags come out: p, h3-h6, blockquote, ul,
 *     ol (start="N"), li, pre, code (class="language-x"), hr, br, em,
 *     strong, a (href, title, rel, class). No image ever does.
 *   - A link survives only if its URL is http:, https:, mailto: (any case),
 *     a path starting with a single '/' ("//host" and "/\host" name another
 *     host) or a fragment "#...". Anything else (javascript:, vbscript:,
 *     file:, data: of every kind, relative paths without '/', ftp:, ...)
 *     is refused: the link becomes its plain text. An autolink whose URL is
 *     refused ("<javascript:x>", whose text is the URL itself) is removed
 *     whole, so a refused URL never reaches a reader even as text.
 *   - Links that leave Cairn (http:, https:, mailto:) carry
 *     rel="nofollow ugc noopener". href values are percent-encoded the way
 *     cmark does it, then attribute-escaped.
 *   - Images are not allowed (img-src 'self', and readers' privacy): each
 *     becomes its alt text, linked to the image's URL when that URL would
 *     be allowed as a link and the image is not already inside a link.
 *   - Headings are shifted down two levels (# is h3, ## h4, the rest h5 or
 *     h6), since a post sits below the page's h1 and the thread's h2.
 *   - A fenced code block's info string becomes class="language-x" only
 *     when its first word, lower-cased, matches [a-z0-9+#-]{1,20}.
 *
 * These rewrites happen on cmark's syntax tree, never on HTML text
 * (DESIGN.md section 7). Rendering takes time and memory linear in the
 * input, apart from cmark's own parser (keep max_bytes modest).
 *
 * Memory: every result lives in the arena passed in; nothing needs freeing.
 * cmark's own allocations are released before markdown_render returns.
 * Exhausting the heap is fatal, as everywhere in Cairn (arena.h).
 */
#ifndef CAIRN_MARKDOWN_H
#define CAIRN_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

enum {
	MARKDOWN_MAX_BYTES = 64 * 1024,  /* default body cap (max_bytes == 0) */
	MARKDOWN_MAX_MENTIONS = 50,      /* distinct people linked per post */
	MARKDOWN_MAX_LOOKUPS = 100,      /* resolve_mention calls per post */
	MARKDOWN_HANDLE_MIN = 2,         /* a handle is [a-z0-9_]{2,30} */
	MARKDOWN_HANDLE_MAX = 30,
};

/*
 * Decide whether @handle names someone who may be mentioned here (exists,
 * and can see the thread). handle is lower case, [a-z0-9_]{2,30}, and
 * NUL-terminated; it is valid only during the call. Called at most once per
 * distinct handle and at most MARKDOWN_MAX_LOOKUPS times per render, in the
 * order the handles first appear.
 */
typedef bool (*markdown_resolve_fn)(void *ctx, const char *handle);

typedef struct markdown_options {
	size_t max_bytes;                   /* 0: MARKDOWN_MAX_BYTES */
	markdown_resolve_fn resolve_mention; /* NULL: no mentions at all */
	void *mention_ctx;                  /* passed to resolve_mention */
	bool cmark_in_arena;                /* cmark allocates from the arena too
	                                     * (cmark_parser_new_with_mem), so a
	                                     * caller that wipes the arena (arena_wipe)
	                                     * wipes every copy of the text: the
	                                     * journal's pages */
} markdown_options;

typedef struct markdown_result {
	const char *html;        /* NUL-terminated, safe to insert raw */
	size_t html_len;
	const char *text;        /* plain text: blocks end in '\n' (none at the
	                          * very end), soft breaks are spaces, links are
	                          * their text, mentions "@handle"; no markup */
	size_t text_len;
	const char **mentions;   /* accepted handles, lower case, first
	                          * appearance first, no duplicates */
	size_t mention_count;    /* <= MARKDOWN_MAX_MENTIONS */
} markdown_result;

/*
 * Render len bytes of Markdown at src (src need not be NUL-terminated and
 * may be NULL when len is 0). opt may be NULL for the defaults (no mentions).
 *
 * Mentions: "@handle" in ordinary text (not in code, code blocks, links or
 * image descriptions) where the handle is 2 to 30 of [A-Za-z0-9_], folded
 * to lower case. It must start the text or follow a byte that is not a
 * letter, digit, '_', '@' or part of a non-ASCII character (so "a@b.com"
 * and "@@bob" are not one), and must not run on into more handle
 * characters or an '@' ("@bob@host"). Each handle that resolve_mention accepts becomes a link to
 * /u/<handle> with class="mention" and the text "@handle", and is listed
 * in out->mentions. Once MARKDOWN_MAX_MENTIONS people are listed, or
 * MARKDOWN_MAX_LOOKUPS handles were asked about, further new handles stay
 * plain text (repeats of accepted ones are still linked).
 *
 * Returns false, with *out set to empty strings and no mentions, when src
 * is not valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF) or len exceeds the cap. Otherwise returns true.
 */
bool markdown_render(arena *a, const char *src, size_t len,
                     const markdown_options *opt, markdown_result *out);

/*
 * The first max_chars code points of text (plain text, as made by
 * markdown_render), cut at a word boundary when one lies in the second half
 * of that span, with trailing white space removed and "…" appended when
 * anything was cut. Text that fits is returned whole (as a copy). Never
 * splits a UTF-8 sequence. text is NUL-terminated; the result is in a.
 */
char *markdown_excerpt(arena *a, const char *text, size_t max_chars);

/*
 * Markdown source for a reply quoting src (NUL-terminated Markdown) by
 * author_handle:
 *
 *     > @handle wrote:
 *     >
 *     > first line of src
 *     >
 *     > line after a blank line
 *     (blank line)
 *
 * Every source line is prefixed with "> ", blank lines become ">", CR LF
 * and lone CR count as line ends, and trailing blank lines are dropped. The
 * ">" line after the attribution keeps it a paragraph of its own. The
 * handle is folded to lower case; one that is not [A-Za-z0-9_]{2,30} (or
 * NULL) gives "> Someone wrote:", so nothing but a handle can be injected
 * there. src may be NULL (nothing quoted). The result is in a; it is
 * longer than src, so a quote of a post near the cap is over it (the
 * person replying trims it, or the reply is refused like any long post).
 */
char *markdown_quote(arena *a, const char *author_handle, const char *src);

#endif
