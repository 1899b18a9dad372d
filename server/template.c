/*
 * template.c - the Mustache engine: view values, a compiler from template
 * text to a flat node list, template sets, and the renderer.
 *
 * Compiling does all the work that depends only on the text. Tags are found
 * with the delimiters in force; standalone lines (a section, inverted,
 * close, comment, partial or delimiter tag alone on its line) are cut out;
 * text is split after every newline; names are split at their dots. The
 * result is an array of nodes in document order. A section node records the
 * index just past its body, so its body is the slice in between and a render
 * never looks at the text again.
 *
 * Partial indentation follows the spec's reference implementation: a
 * standalone partial's indentation goes in front of every line of the
 * partial's own text (not after newlines inside interpolated values), and
 * a standalone partial inside it adds its own indentation to that. The
 * compiler marks each node that begins a line of its template ("bol"); the
 * renderer writes the chain of indentations in force before each such node.
 *
 * A render keeps all its state on the C stack (the context stack is a list
 * of frames living in the callers' frames), so one set serves every worker
 * thread without locks. Templates live on the heap, owned by their set;
 * heap exhaustion is fatal, as everywhere in Cairn (arena.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem; the fuzz build compiles this file by hand */
#endif

#include "cairn/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	/* {{>a}} inside a inside a ...: a partial that includes itself with
	 * data that never runs out stops here instead of exhausting the stack. */
	MAX_PARTIAL_DEPTH = 64,
	/* Sections open at once in one template's text. */
	MAX_SECTION_NESTING = 100,
	/* Sections and partials open at once during a render, all templates
	 * together: bounds the renderer's recursion on the C stack. */
	MAX_RENDER_DEPTH = 256,
	/* A template file larger than this is a mistake, not a page. */
	MAX_FILE_SIZE = 8 << 20,
};

typedef enum node_kind {
	N_TEXT,     /* literal text, at most one line (ends at a newline) */
	N_VAR,      /* {{name}}: HTML-escaped */
	N_RAW,      /* {{{name}}}, {{&name}}: as is */
	N_SECTION,  /* {{#name}} body {{/name}} */
	N_INVERTED, /* {{^name}} body {{/name}} */
	N_PARTIAL,  /* {{>name}} */
} node_kind;

/* One piece of a dotted name; points into the template's text. */
typedef struct name_part {
	const char *s;
	size_t len;
} name_part;

typedef struct node {
	node_kind kind;
	bool bol;          /* begins a line of the text: indent it in a partial */
	bool standalone;   /* N_PARTIAL alone on its line: its lines are indented */
	unsigned line;     /* 1-based, for messages */
	const char *s;     /* N_TEXT: the text; tags: the name as written */
	size_t len;
	size_t part;       /* first piece of the name in tpl.parts */
	size_t nparts;     /* 0 for the implicit iterator "." */
	size_t end;        /* sections: index of the node after the body */
	const char *indent;/* standalone N_PARTIAL: the whitespace before it */
	size_t indent_len;
} node;

typedef struct tpl {
	char *name;
	size_t name_len;
	char *src;         /* a copy of the text; nodes and parts point into it */
	size_t len;
	node *nodes;
	size_t nnodes, nodes_cap;
	name_part *parts;
	size_t nparts, parts_cap;
} tpl;

/* Open addressing with linear probing; cap is a power of two. */
struct tpl_set {
	tpl **slots;
	size_t cap;
	size_t n;
};

typedef struct parser {
	tpl *t;
	tpl_error *err;
	const char *otag, *ctag;    /* delimiters in force */
	size_t olen, clen;
	size_t pos;                 /* where the search for a tag resumes */
	size_t text;                /* start of text not yet made a node */
	size_t line_pos;            /* line_at's cursor: line is the line at */
	unsigned line;              /* ... line_pos */
	size_t open[MAX_SECTION_NESTING]; /* node indexes of open sections */
	size_t nopen;
} parser;

/* The context stack: a frame per section entered, newest first. */
typedef struct frame {
	const tv *v;
	const struct frame *up;
} frame;

/* The indentation in force: the outermost partial's comes first. */
typedef struct indent {
	const char *s;
	size_t len;
	const struct indent *up;
} indent;

typedef struct render {
	const tpl_set *set;
	buf *out;
	bool strict;
	unsigned partials;   /* partials open */
	unsigned depth;      /* sections and partials open */
	tpl_error *err;
} render;

static const tv null_value = {.kind = TV_NULL};

static void set_err(tpl_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void *xrealloc(void *p, size_t count, size_t size);
static tv *tv_new(arena *a, tv_kind kind);
static void tv_grow(tv *c);
static unsigned line_at(parser *p, size_t pos);
static bool parse_fail(parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static node *add_node(parser *p, node_kind kind, size_t pos, bool bol);
static void add_text(parser *p, size_t from, size_t to);
static bool is_blank(char c);
static bool find_close(const parser *p, size_t from, char before, size_t *at);
static bool add_name_node(parser *p, node_kind kind, size_t cs, size_t ce,
                          size_t pos, bool bol);
static bool set_delimiters(parser *p, size_t cs, size_t ce, size_t pos);
static bool compile(tpl *t, tpl_error *err);
static void tpl_free(tpl *t);
static uint64_t hash_name(const char *s, size_t len);
static tpl **set_slot(const tpl_set *set, const char *name, size_t len);
static const tpl *set_find(const tpl_set *set, const char *name, size_t len);
static void set_insert(tpl_set *set, tpl *t);
static bool load_tree(tpl_set *set, arena *a, const char *root, const char *rel,
                      tpl_error *err);
static bool load_file(tpl_set *set, arena *a, const char *path, const char *name,
                      tpl_error *err);
static bool check_partials(const tpl_set *set, const char *dir, tpl_error *err);
static bool render_fail(render *r, const tpl *t, const node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static const tv *obj_getn(const tv *obj, const char *key, size_t len);
static const tv *lookup(const tpl *t, const node *n, const frame *ctx);
static bool truthy(const tv *v);
static void put_indent(buf *out, const indent *ind);
static bool put_value(render *r, const tpl *t, const node *n, const tv *v);
static bool render_nodes(render *r, const tpl *t, size_t from, size_t to,
                         const frame *ctx, const indent *ind);
static bool render_body(render *r, const tpl *t, size_t i, const frame *ctx,
                        const indent *ind);
static bool render_section(render *r, const tpl *t, size_t i, const frame *ctx,
                           const indent *ind);
static bool render_partial(render *r, const tpl *t, const node *n,
                           const frame *ctx, const indent *ind);

static void set_err(tpl_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* realloc for count * size bytes; overflow and exhaustion are fatal. */
static void *xrealloc(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		fatal("template: allocation of %zu x %zu overflows", count, size);
	size_t n = count * size;
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fatal("template: out of memory");
	return q;
}

/* ---- view values ---- */

static tv *tv_new(arena *a, tv_kind kind)
{
	tv *v = arena_calloc(a, 1, sizeof *v);
	v->kind = kind;
	v->a = a;
	return v;
}

tv *tv_null(arena *a)
{
	return tv_new(a, TV_NULL);
}

tv *tv_bool(arena *a, bool b)
{
	tv *v = tv_new(a, TV_BOOL);
	v->b = b;
	return v;
}

tv *tv_str(arena *a, const char *s)
{
	if (!s)
		return tv_null(a);
	return tv_strn(a, s, strlen(s));
}

tv *tv_strn(arena *a, const char *s, size_t len)
{
	tv *v = tv_new(a, TV_STR);
	v->s = s ? s : "";
	v->len = s ? len : 0;
	return v;
}

tv *tv_strf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vsprintf(a, fmt, ap);
	va_end(ap);
	return tv_strn(a, s, strlen(s));
}

tv *tv_int(arena *a, long long v)
{
	return tv_strf(a, "%lld", v);
}

tv *tv_count(arena *a, long long n, const char *one, const char *many)
{
	return tv_strf(a, "%lld %s", n, n == 1 ? one : many);
}

tv *tv_list(arena *a)
{
	return tv_new(a, TV_LIST);
}

tv *tv_obj(arena *a)
{
	return tv_new(a, TV_OBJ);
}

/* Room for one more item (and key, for objects). */
static void tv_grow(tv *c)
{
	if (c->n < c->cap)
		return;
	size_t cap = c->cap ? c->cap * 2 : 8;
	if (cap > SIZE_MAX / sizeof(tv *))
		fatal("template: view value too large");
	c->items = arena_realloc(c->a, c->items, c->cap * sizeof(tv *),
	                         cap * sizeof(tv *));
	if (c->kind == TV_OBJ)
		c->keys = arena_realloc(c->a, c->keys, c->cap * sizeof(char *),
		                        cap * sizeof(char *));
	c->cap = cap;
}

tv *tv_push(tv *list, tv *item)
{
	if (list->kind != TV_LIST)
		fatal("tv_push: not a list");
	if (!item)
		item = tv_null(list->a);
	tv_grow(list);
	list->items[list->n++] = item;
	return item;
}

tv *tv_set(tv *obj, const char *key, tv *value)
{
	if (obj->kind != TV_OBJ)
		fatal("tv_set: not an object (key %s)", key);
	if (!value)
		value = tv_null(obj->a);
	for (size_t i = 0; i < obj->n; i++) {
		if (strcmp(obj->keys[i], key) == 0) {
			obj->items[i] = value;
			return value;
		}
	}
	tv_grow(obj);
	obj->keys[obj->n] = key;
	obj->items[obj->n] = value;
	obj->n++;
	return value;
}

tv *tv_set_str(tv *obj, const char *key, const char *s)
{
	tv_set(obj, key, tv_str(obj->a, s));
	return obj;
}

tv *tv_set_bool(tv *obj, const char *key, bool b)
{
	tv_set(obj, key, tv_bool(obj->a, b));
	return obj;
}

tv *tv_set_int(tv *obj, const char *key, long long v)
{
	tv_set(obj, key, tv_int(obj->a, v));
	return obj;
}

tv *tv_get(const tv *obj, const char *key)
{
	if (!obj || obj->kind != TV_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

/* ---- the compiler ---- */

/* The line of pos. Positions asked for mostly increase, so counting goes on
 * from the last answer instead of from the start of the text. */
static unsigned line_at(parser *p, size_t pos)
{
	if (pos < p->line_pos) {
		p->line_pos = 0;
		p->line = 1;
	}
	const char *s = p->t->src;
	for (size_t i = p->line_pos; i < pos; i++)
		if (s[i] == '\n')
			p->line++;
	p->line_pos = pos;
	return p->line;
}

static bool parse_fail(parser *p, size_t pos, const char *fmt, ...)
{
	if (p->err) {
		char what[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		set_err(p->err, "%s:%u: %s", p->t->name, line_at(p, pos), what);
	}
	return false;
}

/* A zeroed node at the end of the list; valid until the next add_node. */
static node *add_node(parser *p, node_kind kind, size_t pos, bool bol)
{
	tpl *t = p->t;
	if (t->nnodes == t->nodes_cap) {
		t->nodes_cap = t->nodes_cap ? t->nodes_cap * 2 : 16;
		t->nodes = xrealloc(t->nodes, t->nodes_cap, sizeof *t->nodes);
	}
	node *n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->bol = bol;
	n->line = line_at(p, pos);
	n->s = t->src + pos; /* an empty text node appends from here */
	return n;
}

/* Text [from, to) as one node per line, so that every line start inside a
 * partial is a node start the renderer can indent. */
static void add_text(parser *p, size_t from, size_t to)
{
	const char *src = p->t->src;
	while (from < to) {
		const char *nl = memchr(src + from, '\n', to - from);
		size_t end = nl ? (size_t)(nl - src) + 1 : to;
		node *n = add_node(p, N_TEXT, from, from == 0 || src[from - 1] == '\n');
		n->s = src + from;
		n->len = end - from;
		from = end;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The closing delimiter at or after from; with before set, only one right
 * after that character (the '}' of "}}}" or the '=' of "=}}"), which must
 * itself be at or after from. */
static bool find_close(const parser *p, size_t from, char before, size_t *at)
{
	const char *src = p->t->src;
	size_t len = p->t->len;
	size_t scan = from;
	while (scan < len) {
		const char *c = memmem(src + scan, len - scan, p->ctag, p->clen);
		if (!c)
			return false;
		size_t i = (size_t)(c - src);
		if (!before || (i > from && src[i - 1] == before)) {
			*at = i;
			return true;
		}
		scan = i + 1;
	}
	return false;
}

/* A variable or section tag whose name is [cs, ce) (not yet trimmed). A name
 * is "." or pieces joined by single dots; blanks inside are refused, as they
 * always mean a typo. */
static bool add_name_node(parser *p, node_kind kind, size_t cs, size_t ce,
                          size_t pos, bool bol)
{
	tpl *t = p->t;
	const char *src = t->src;
	while (cs < ce && is_blank(src[cs]))
		cs++;
	while (ce > cs && is_blank(src[ce - 1]))
		ce--;
	if (cs == ce)
		return parse_fail(p, pos, "empty tag name");
	for (size_t i = cs; i < ce; i++)
		if (is_blank(src[i]) || src[i] == '\0')
			return parse_fail(p, pos, "bad tag name '%.*s'", (int)(ce - cs),
			                  src + cs);
	bool dot = ce - cs == 1 && src[cs] == '.';
	if (!dot && (src[cs] == '.' || src[ce - 1] == '.' ||
	             memmem(src + cs, ce - cs, "..", 2)))
		return parse_fail(p, pos, "bad dotted name '%.*s'", (int)(ce - cs),
		                  src + cs);
	size_t first = t->nparts;
	for (size_t i = cs; !dot && i < ce;) {
		const char *d = memchr(src + i, '.', ce - i);
		size_t e = d ? (size_t)(d - src) : ce;
		if (t->nparts == t->parts_cap) {
			t->parts_cap = t->parts_cap ? t->parts_cap * 2 : 16;
			t->parts = xrealloc(t->parts, t->parts_cap, sizeof *t->parts);
		}
		t->parts[t->nparts++] = (name_part){src + i, e - i};
		i = e + 1;
	}
	node *n = add_node(p, kind, pos, bol);
	n->s = src + cs;
	n->len = ce - cs;
	n->part = first;
	n->nparts = t->nparts - first;
	return true;
}

/* {{=<% %>=}}: [cs, ce) is what lies between the two '='. */
static bool set_delimiters(parser *p, size_t cs, size_t ce, size_t pos)
{
	const char *src = p->t->src;
	size_t a = cs, b, c, d = ce;
	while (a < d && is_blank(src[a]))
		a++;
	while (d > a && is_blank(src[d - 1]))
		d--;
	b = a;
	while (b < d && !is_blank(src[b]))
		b++;
	c = b;
	while (c < d && is_blank(src[c]))
		c++;
	bool ok = a < b && c < d;
	for (size_t i = a; ok && i < d; i++) {
		bool in_gap = i >= b && i < c;
		if (src[i] == '=' || src[i] == '\0' || (!in_gap && is_blank(src[i])))
			ok = false;
	}
	if (!ok)
		return parse_fail(p, pos, "bad delimiters '%.*s' (want two words "
		                  "without blanks or '=')", (int)(ce - cs), src + cs);
	p->otag = src + a;
	p->olen = b - a;
	p->ctag = src + c;
	p->clen = d - c;
	return true;
}

/* Compile t->src into t->nodes. On failure err says where and why. */
static bool compile(tpl *t, tpl_error *err)
{
	parser p = {.t = t, .err = err, .otag = "{{", .olen = 2, .ctag = "}}",
	            .clen = 2, .line = 1};
	const char *src = t->src;
	size_t len = t->len;

	for (;;) {
		const char *o = p.pos < len ? memmem(src + p.pos, len - p.pos, p.otag, p.olen)
		                            : NULL;
		if (!o)
			break;
		size_t start = (size_t)(o - src);
		size_t inner = start + p.olen;
		size_t cs, ce, end, at;
		char sigil = 0;

		if (inner < len && (src[inner] == '{' || src[inner] == '=')) {
			/* {{{name}}} and {{=a b=}} close with "}" or "=" before the
			 * closing delimiter. */
			sigil = src[inner];
			cs = inner + 1;
			if (!find_close(&p, cs, sigil == '{' ? '}' : '=', &at))
				return parse_fail(&p, start, "unclosed tag '%.*s%c'",
				                  (int)p.olen, p.otag, sigil);
			ce = at - 1;
		} else {
			if (!find_close(&p, inner, 0, &at))
				return parse_fail(&p, start, "unclosed tag '%.*s'",
				                  (int)p.olen, p.otag);
			cs = inner;
			ce = at;
			while (cs < ce && is_blank(src[cs]))
				cs++;
			if (cs < ce && strchr("#^/>&!<$", src[cs]) && src[cs] != '\0')
				sigil = src[cs++];
		}
		end = at + p.clen;

		/* Standalone: only blanks on the line around a tag that renders
		 * nothing in place; the whole line then disappears. */
		bool standalone = false;
		size_t ls = start, next = end;
		if (sigil && sigil != '{' && sigil != '&') {
			while (ls > p.text && (src[ls - 1] == ' ' || src[ls - 1] == '\t'))
				ls--;
			if (ls == 0 || src[ls - 1] == '\n') {
				size_t e = end;
				while (e < len && (src[e] == ' ' || src[e] == '\t'))
					e++;
				if (e == len) {
					standalone = true;
					next = len;
				} else if (src[e] == '\n') {
					standalone = true;
					next = e + 1;
				} else if (src[e] == '\r' && e + 1 < len && src[e + 1] == '\n') {
					standalone = true;
					next = e + 2;
				}
			}
		}
		add_text(&p, p.text, standalone ? ls : start);
		bool bol = !standalone && (start == 0 || src[start - 1] == '\n');
		p.pos = p.text = next;

		switch (sigil) {
		case 0:
		case '&':
		case '{':
			if (!add_name_node(&p, sigil ? N_RAW : N_VAR, cs, ce, start, bol))
				return false;
			break;
		case '#':
		case '^':
			if (p.nopen == MAX_SECTION_NESTING)
				return parse_fail(&p, start, "sections nested deeper than %d",
				                  MAX_SECTION_NESTING);
			if (!add_name_node(&p, sigil == '#' ? N_SECTION : N_INVERTED, cs, ce,
			                   start, bol))
				return false;
			p.open[p.nopen++] = t->nnodes - 1;
			break;
		case '/': {
			while (cs < ce && is_blank(src[cs]))
				cs++;
			while (ce > cs && is_blank(src[ce - 1]))
				ce--;
			if (p.nopen == 0)
				return parse_fail(&p, start, "'%.*s' closes no section",
				                  (int)(ce - cs), src + cs);
			node *open = &t->nodes[p.open[p.nopen - 1]];
			if (open->len != ce - cs || memcmp(open->s, src + cs, ce - cs) != 0)
				return parse_fail(&p, start, "'/%.*s' closes section '%.*s' "
				                  "opened on line %u", (int)(ce - cs), src + cs,
				                  (int)open->len, open->s, open->line);
			/* Text before the close tag on its line belongs to the body;
			 * so does the indentation in front of it. */
			if (bol)
				add_node(&p, N_TEXT, start, true);
			t->nodes[p.open[--p.nopen]].end = t->nnodes;
			break;
		}
		case '>': {
			while (cs < ce && is_blank(src[cs]))
				cs++;
			while (ce > cs && is_blank(src[ce - 1]))
				ce--;
			if (cs == ce)
				return parse_fail(&p, start, "empty partial name");
			for (size_t i = cs; i < ce; i++)
				if (is_blank(src[i]))
					return parse_fail(&p, start, "bad partial name '%.*s'",
					                  (int)(ce - cs), src + cs);
			node *n = add_node(&p, N_PARTIAL, start, bol);
			n->s = src + cs;
			n->len = ce - cs;
			n->standalone = standalone;
			n->indent = src + ls;
			n->indent_len = standalone ? start - ls : 0;
			break;
		}
		case '!':
		case '=':
			if (sigil == '=' && !set_delimiters(&p, cs, ce, start))
				return false;
			if (bol) /* a line start with nothing of its own to render */
				add_node(&p, N_TEXT, start, true);
			break;
		default: /* '<' and '$' */
			return parse_fail(&p, start, "template inheritance ('%c') is not "
			                  "supported", sigil);
		}
	}
	add_text(&p, p.text, len);
	if (p.nopen) {
		const node *open = &t->nodes[p.open[p.nopen - 1]];
		set_err(err, "%s:%u: section '%.*s' is never closed", t->name,
		        open->line, (int)open->len, open->s);
		return false;
	}
	return true;
}

/* ---- template sets ---- */

static void tpl_free(tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t->parts);
	free(t);
}

/* FNV-1a. */
static uint64_t hash_name(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static tpl **set_slot(const tpl_set *set, const char *name, size_t len)
{
	size_t mask = set->cap - 1;
	for (size_t i = hash_name(name, len) & mask;; i = (i + 1) & mask) {
		tpl *t = set->slots[i];
		if (!t || (t->name_len == len && memcmp(t->name, name, len) == 0))
			return &set->slots[i];
	}
}

static const tpl *set_find(const tpl_set *set, const char *name, size_t len)
{
	return *set_slot(set, name, len);
}

/* Add t, replacing (and freeing) a template of the same name. */
static void set_insert(tpl_set *set, tpl *t)
{
	tpl **slot = set_slot(set, t->name, t->name_len);
	if (*slot) {
		tpl_free(*slot);
		*slot = t;
		return;
	}
	*slot = t;
	set->n++;
	if (set->n * 4 < set->cap * 3)
		return;
	/* Keep the table under 3/4 full so probes stay short and end. */
	tpl **old = set->slots;
	size_t old_cap = set->cap;
	set->cap *= 2;
	set->slots = xrealloc(NULL, set->cap, sizeof *set->slots);
	memset(set->slots, 0, set->cap * sizeof *set->slots);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			*set_slot(set, old[i]->name, old[i]->name_len) = old[i];
	free(old);
}

tpl_set *tpl_set_new(void)
{
	tpl_set *set = xrealloc(NULL, 1, sizeof *set);
	set->cap = 16;
	set->n = 0;
	set->slots = xrealloc(NULL, set->cap, sizeof *set->slots);
	memset(set->slots, 0, set->cap * sizeof *set->slots);
	return set;
}

bool tpl_set_add(tpl_set *set, const char *name, const char *text, size_t len,
                 tpl_error *err)
{
	tpl *t = xrealloc(NULL, 1, sizeof *t);
	memset(t, 0, sizeof *t);
	t->name_len = strlen(name);
	t->name = xrealloc(NULL, t->name_len + 1, 1);
	memcpy(t->name, name, t->name_len + 1);
	t->len = len;
	t->src = xrealloc(NULL, len + 1, 1);
	if (len)
		memcpy(t->src, text, len);
	t->src[len] = '\0';
	if (!compile(t, err))
		goto fail;
	set_insert(set, t);
	return true;
fail:
	tpl_free(t);
	return false;
}

bool tpl_set_has(const tpl_set *set, const char *name)
{
	return set_find(set, name, strlen(name)) != NULL;
}

void tpl_set_free(tpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->cap; i++)
		tpl_free(set->slots[i]);
	free(set->slots);
	free(set);
}

/* ---- loading a directory ---- */

/* Read path whole and add it as template name. */
static bool load_file(tpl_set *set, arena *a, const char *path, const char *name,
                      tpl_error *err)
{
	buf text;
	buf_init(&text, a, MAX_FILE_SIZE);
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_err(err, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (!buf_append(&text, chunk, n))
			break;
	if (ferror(f)) {
		set_err(err, "%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	if (text.failed) {
		set_err(err, "%s: larger than %d bytes", path, MAX_FILE_SIZE);
		goto fail;
	}
	fclose(f);
	return tpl_set_add(set, name, text.data, text.len, err);
fail:
	if (f)
		fclose(f);
	return false;
}

/* Load root/rel (rel "" for root itself) and below. Entries come sorted so
 * loading, and so the first error reported, does not depend on readdir's
 * order. Hidden entries (editor droppings) are skipped; symbolic links to
 * files are followed, to directories not (no loops). */
static bool load_tree(tpl_set *set, arena *a, const char *root, const char *rel,
                      tpl_error *err)
{
	const char *dir = *rel ? arena_sprintf(a, "%s/%s", root, rel) : root;
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);
	bool ok = false;
	if (n < 0) {
		set_err(err, "%s: cannot read directory: %s", dir, strerror(errno));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		if (e[0] == '.')
			continue;
		const char *path = arena_sprintf(a, "%s/%s", dir, e);
		const char *child = *rel ? arena_sprintf(a, "%s/%s", rel, e) : e;
		struct stat st;
		if (lstat(path, &st) != 0) {
			set_err(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!load_tree(set, a, root, child, err))
				goto out;
			continue;
		}
		size_t len = strlen(child);
		if (len <= 5 || strcmp(child + len - 5, ".html") != 0)
			continue;
		if (S_ISLNK(st.st_mode) && stat(path, &st) != 0) {
			set_err(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!load_file(set, a, path, arena_strndup(a, child, len - 5), err))
			goto out;
	}
	ok = true;
out:
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ok;
}

/* Every {{>name}} must name a template of the set: in a loaded directory a
 * missing partial is a typo, and the spec would render it as nothing. */
static bool check_partials(const tpl_set *set, const char *dir, tpl_error *err)
{
	for (size_t i = 0; i < set->cap; i++) {
		const tpl *t = set->slots[i];
		for (size_t k = 0; t && k < t->nnodes; k++) {
			const node *n = &t->nodes[k];
			if (n->kind == N_PARTIAL && !set_find(set, n->s, n->len)) {
				set_err(err, "%s:%u: partial '%.*s' is not in %s", t->name,
				        n->line, (int)n->len, n->s, dir);
				return false;
			}
		}
	}
	return true;
}

tpl_set *tpl_set_load_dir(const char *dir, tpl_error *err)
{
	arena a;
	arena_init(&a, 0);
	tpl_set *set = tpl_set_new();
	if (!load_tree(set, &a, dir, "", err))
		goto fail;
	if (!check_partials(set, dir, err))
		goto fail;
	arena_free(&a);
	return set;
fail:
	arena_free(&a);
	tpl_set_free(set);
	return NULL;
}

/* ---- rendering ---- */

static bool render_fail(render *r, const tpl *t, const node *n, const char *fmt, ...)
{
	if (r->err) {
		char what[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		set_err(r->err, "%s:%u: %s", t->name, n->line, what);
	}
	return false;
}

static const tv *obj_getn(const tv *obj, const char *key, size_t len)
{
	if (!obj || obj->kind != TV_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strncmp(obj->keys[i], key, len) == 0 && obj->keys[i][len] == '\0')
			return obj->items[i];
	return NULL;
}

/* The spec's lookup: the first piece of a name is looked for in each frame,
 * newest first; the rest must follow from what was found, with no second
 * search down the stack. NULL if the name does not resolve. */
static const tv *lookup(const tpl *t, const node *n, const frame *ctx)
{
	if (n->nparts == 0)
		return ctx->v;
	const name_part *part = &t->parts[n->part];
	const tv *v = NULL;
	for (const frame *f = ctx; f && !v; f = f->up)
		v = obj_getn(f->v, part[0].s, part[0].len);
	for (size_t i = 1; v && i < n->nparts; i++)
		v = obj_getn(v, part[i].s, part[i].len);
	return v;
}

static bool truthy(const tv *v)
{
	switch (v->kind) {
	case TV_NULL: return false;
	case TV_BOOL: return v->b;
	case TV_LIST: return v->n > 0;
	case TV_STR:
	case TV_OBJ: return true;
	}
	return false;
}

static void put_indent(buf *out, const indent *ind)
{
	if (!ind)
		return;
	put_indent(out, ind->up);
	buf_append(out, ind->s, ind->len);
}

static bool put_value(render *r, const tpl *t, const node *n, const tv *v)
{
	const char *s = "";
	size_t len = 0;
	switch (v->kind) {
	case TV_NULL:
		return true;
	case TV_BOOL:
		s = v->b ? "true" : "false";
		len = strlen(s);
		break;
	case TV_STR:
		s = v->s;
		len = v->len;
		break;
	case TV_LIST:
	case TV_OBJ:
		/* Mustache prints nothing sensible for these; asking is a bug. */
		if (r->strict)
			return render_fail(r, t, n, "'%.*s' is %s, not a value", (int)n->len,
			                   n->s, v->kind == TV_LIST ? "a list" : "an object");
		return true;
	}
	if (n->kind == N_VAR)
		buf_append_html(r->out, s, len);
	else
		buf_append(r->out, s, len);
	return true;
}

static bool render_nodes(render *r, const tpl *t, size_t from, size_t to,
                         const frame *ctx, const indent *ind)
{
	for (size_t i = from; i < to;) {
		const node *n = &t->nodes[i];
		if (n->bol)
			put_indent(r->out, ind);
		switch (n->kind) {
		case N_TEXT:
			buf_append(r->out, n->s, n->len);
			i++;
			break;
		case N_VAR:
		case N_RAW: {
			const tv *v = lookup(t, n, ctx);
			if (v && !put_value(r, t, n, v))
				return false;
			if (!v && r->strict)
				return render_fail(r, t, n, "'%.*s' is not in the view",
				                   (int)n->len, n->s);
			i++;
			break;
		}
		case N_SECTION:
		case N_INVERTED:
			if (!render_section(r, t, i, ctx, ind))
				return false;
			i = n->end;
			break;
		case N_PARTIAL:
			if (!render_partial(r, t, n, ctx, ind))
				return false;
			i++;
			break;
		}
		/* The flag is sticky: stop at once rather than walk the rest of
		 * a big list for nothing. */
		if (r->out->failed)
			return render_fail(r, t, n, "output passes the buffer's limit "
			                   "of %zu bytes", r->out->max);
	}
	return true;
}

/* The body of section node i, one level deeper. */
static bool render_body(render *r, const tpl *t, size_t i, const frame *ctx,
                        const indent *ind)
{
	const node *n = &t->nodes[i];
	if (r->depth >= MAX_RENDER_DEPTH)
		return render_fail(r, t, n, "sections and partials nested deeper "
		                   "than %d", MAX_RENDER_DEPTH);
	r->depth++;
	bool ok = render_nodes(r, t, i + 1, n->end, ctx, ind);
	r->depth--;
	return ok;
}

static bool render_section(render *r, const tpl *t, size_t i, const frame *ctx,
                           const indent *ind)
{
	const node *n = &t->nodes[i];
	const tv *v = lookup(t, n, ctx);
	if (!v && r->strict)
		return render_fail(r, t, n, "section '%.*s' is not in the view",
		                   (int)n->len, n->s);
	bool yes = v && truthy(v);
	if (n->kind == N_INVERTED)
		return yes || render_body(r, t, i, ctx, ind);
	if (!yes)
		return true;
	if (v->kind != TV_LIST) {
		frame f = {v, ctx};
		return render_body(r, t, i, &f, ind);
	}
	for (size_t k = 0; k < v->n; k++) {
		frame f = {v->items[k] ? v->items[k] : &null_value, ctx};
		if (!render_body(r, t, i, &f, ind))
			return false;
	}
	return true;
}

static bool render_partial(render *r, const tpl *t, const node *n,
                           const frame *ctx, const indent *ind)
{
	const tpl *p = set_find(r->set, n->s, n->len);
	if (!p) {
		if (r->strict)
			return render_fail(r, t, n, "partial '%.*s' is not in the set",
			                   (int)n->len, n->s);
		return true;
	}
	if (r->partials >= MAX_PARTIAL_DEPTH)
		return render_fail(r, t, n, "partials nested deeper than %d "
		                   "(endless recursion?)", MAX_PARTIAL_DEPTH);
	if (r->depth >= MAX_RENDER_DEPTH)
		return render_fail(r, t, n, "sections and partials nested deeper "
		                   "than %d", MAX_RENDER_DEPTH);
	/* A standalone partial indents every line of its text by its own
	 * indentation after the one already in force; an inline one starts
	 * with none, as in the spec's reference. */
	indent own = {n->indent, n->indent_len, ind};
	const indent *pind = NULL;
	if (n->standalone)
		pind = n->indent_len ? &own : ind;
	r->partials++;
	r->depth++;
	bool ok = render_nodes(r, p, 0, p->nnodes, ctx, pind);
	r->depth--;
	r->partials--;
	return ok;
}

bool tpl_render(const tpl_set *set, const char *name, const tv *view,
                buf *out, int flags, tpl_error *err)
{
	const tpl *t = set_find(set, name, strlen(name));
	if (!t) {
		set_err(err, "%s: no such template", name);
		return false;
	}
	if (out->failed) {
		set_err(err, "%s: the output buffer had already failed", name);
		return false;
	}
	render r = {.set = set, .out = out, .strict = (flags & TPL_STRICT) != 0,
	            .err = err};
	frame root = {view ? view : &null_value, NULL};
	if (!render_nodes(&r, t, 0, t->nnodes, &root, NULL))
		return false;
	if (out->failed) {
		set_err(err, "%s: output passes the buffer's limit of %zu bytes", name,
		        out->max);
		return false;
	}
	return true;
}
