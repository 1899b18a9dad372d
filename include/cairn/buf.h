/*
 * buf.h - a capped, growable byte buffer with a sticky error flag.
 *
 * Invariants, after buf_init and until buf_release:
 *   - b->data is never NULL and b->data[b->len] == '\0', so the contents
 *     can always be used as a C string (they may also hold NUL bytes);
 *   - b->len <= b->max; an append that would pass b->max appends nothing,
 *     sets b->failed and leaves the contents as they were;
 *   - once b->failed is set it stays set, and every later append is a
 *     no-op. Build a whole response, then check the flag once (SQLite's
 *     StrAccum does the same).
 * Memory comes from the arena given at init (freed with the arena), or from
 * the heap when the arena is NULL (freed by buf_release). Heap exhaustion is
 * fatal, as everywhere in Cairn (see arena.h).
 */
#ifndef CAIRN_BUF_H
#define CAIRN_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;   /* bytes allocated for data, excluding the NUL */
	size_t max;   /* len never exceeds this */
	bool failed;
	arena *arena; /* NULL: heap */
} buf;

/* Start empty. max == 0 means SIZE_MAX / 2. */
void buf_init(buf *b, arena *a, size_t max);
/* Free heap memory (no-op for arena buffers); leaves an empty valid buf. */
void buf_release(buf *b);
/* Empty the contents; keeps memory and the failed flag is cleared. */
void buf_clear(buf *b);

bool buf_append(buf *b, const void *data, size_t n);
bool buf_puts(buf *b, const char *s);
bool buf_putc(buf *b, char c);
bool buf_appendf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vappendf(buf *b, const char *fmt, va_list ap);
/* Append with HTML escaping of & < > " ' (the template engine's default). */
bool buf_append_html(buf *b, const char *s, size_t n);

/* Hand the contents over: returns data (heap: caller frees) and re-inits b. */
char *buf_detach(buf *b, size_t *len);

#endif
