/*
 * template.h - Mustache templates, compiled once, escaped by default.
 *
 * A template set is loaded from a directory at start-up: every file
 * NAME.html below it (subdirectories included, name relative to the
 * directory without ".html", e.g. "layout", "partials/nav") is parsed once.
 * A set that fails to parse is refused, so the server does not start with a
 * broken template. Partials ({{> name}}) are looked up in the same set at
 * render time, so a partial may be defined after the template that uses it.
 *
 * Supported: {{name}} (HTML-escaped: & < > " '), {{{name}}} and {{& name}}
 * (raw: only for HTML that Cairn produced itself, such as cmark output),
 * dotted names, the implicit iterator {{.}}, sections {{#x}}...{{/x}},
 * inverted sections {{^x}}...{{/x}}, comments {{! ...}}, partials with the
 * spec's standalone-line and indentation rules, and set delimiters
 * {{=<% %>=}}. Lambdas are not supported; neither is the spec's optional
 * inheritance ({{<parent}}, {{$block}}), which is a parse error.
 *
 * Views are trees of tv values allocated in an arena. Falsy values for
 * sections: TV_NULL, false and the empty list. Strings (even "") are truthy,
 * as the spec requires. Interpolation prints strings as they are (numbers
 * are made into strings by tv_int or tv_strf), true and false as "true" and
 * "false", null as nothing.
 *
 * Strict mode (for tests): rendering fails if any name is not found in the
 * view's context stack, and the error names the missing variable. In normal
 * mode a missing name renders as empty, as the spec requires. tpl_render
 * lists exactly what strict mode refuses.
 */
#ifndef CAIRN_TEMPLATE_H
#define CAIRN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/arena.h"
#include "cairn/buf.h"

/* ---- view values ---- */

typedef enum tv_kind { TV_NULL, TV_BOOL, TV_STR, TV_LIST, TV_OBJ } tv_kind;

typedef struct tv tv;
struct tv {
	tv_kind kind;
	bool b;            /* TV_BOOL */
	const char *s;     /* TV_STR: not necessarily NUL-free */
	size_t len;        /* TV_STR */
	tv **items;        /* TV_LIST: items; TV_OBJ: values */
	const char **keys; /* TV_OBJ: keys (same order as items) */
	size_t n, cap;     /* TV_LIST / TV_OBJ */
	arena *a;          /* where the value and its growth live */
};

tv *tv_null(arena *a);
tv *tv_bool(arena *a, bool b);
/* The string is referenced, not copied: it must live as long as the view.
 * tv_str(a, NULL) gives TV_NULL. */
tv *tv_str(arena *a, const char *s);
tv *tv_strn(arena *a, const char *s, size_t len);
tv *tv_strf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
tv *tv_int(arena *a, long long v);
/* A count and its noun, singular for exactly one: "1 item", "3 items". */
tv *tv_count(arena *a, long long n, const char *one, const char *many);
tv *tv_list(arena *a);
tv *tv_obj(arena *a);

/* Append to a list; returns item. A NULL item is stored as TV_NULL.
 * Calling tv_push on a non-list (or tv_set on a non-object) is a bug and
 * fatal. Lookups are linear: views are small. */
tv *tv_push(tv *list, tv *item);
/* Set key in an object (replacing an existing value); returns value. The key
 * is referenced, not copied. */
tv *tv_set(tv *obj, const char *key, tv *value);
/* Shorthands that return the object for chaining. */
tv *tv_set_str(tv *obj, const char *key, const char *s);   /* NULL -> TV_NULL */
tv *tv_set_bool(tv *obj, const char *key, bool b);
tv *tv_set_int(tv *obj, const char *key, long long v);
/* Look up a key in an object (no dotted names); NULL if absent. */
tv *tv_get(const tv *obj, const char *key);

/* ---- templates ---- */

typedef struct tpl_set tpl_set;

typedef struct tpl_error {
	char message[256]; /* "file:line: what went wrong" */
} tpl_error;

/* Load every *.html below dir. NULL on failure, with err filled in.
 * Entries whose names start with '.' are skipped, as are symbolic links to
 * directories (links to files are followed). Beyond parse errors the load
 * also fails if any {{>name}} names a template the directory lacks: there a
 * missing partial is a typo, though the spec would render it as nothing. */
tpl_set *tpl_set_load_dir(const char *dir, tpl_error *err);
/* An empty set to which templates are added from memory (tests, spec). */
tpl_set *tpl_set_new(void);
/* Parse and add a template, replacing (and freeing) one of the same name;
 * so only before the set is shared. The text is copied. false on a parse
 * error (unclosed tag or section, a close tag that does not match, bad
 * delimiters, an empty or blank-containing name, inheritance tags), and
 * then a template of that name already in the set is kept. */
bool tpl_set_add(tpl_set *set, const char *name, const char *text, size_t len,
                 tpl_error *err);
bool tpl_set_has(const tpl_set *set, const char *name);
void tpl_set_free(tpl_set *set);

enum { TPL_STRICT = 1 };

/* Render template `name` with view into out (appending). Returns false if
 * the template does not exist, the output buffer failed (over its cap, or
 * already before the call), partials nest deeper than 64 (a partial that
 * includes itself with data that never runs out), or strict mode found a
 * missing name; err says which, as "template:line: ...", naming the
 * partial the problem is in. On false, out holds partial output: discard
 * it. A tpl_set is read-only after loading, so any number of threads may
 * render from it at once. view may be NULL (an empty view); err may be NULL.
 *
 * TPL_STRICT fails on: a variable or section name (including {{^name}})
 * not found in the context stack; a partial not in the set; and
 * interpolating a list or object. The implicit iterator {{.}} and names
 * whose value is null are always fine. */
bool tpl_render(const tpl_set *set, const char *name, const tv *view,
                buf *out, int flags, tpl_error *err);

#endif
