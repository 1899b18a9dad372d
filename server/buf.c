/*
 * buf.c - capped growable buffer. See buf.h for the invariants.
 */
#include "cairn/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_string[1];

void buf_init(buf *b, arena *a, size_t max)
{
	b->data = empty_string;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
	b->failed = false;
	b->arena = a;
}

void buf_release(buf *b)
{
	if (!b->arena && b->data != empty_string)
		free(b->data);
	buf_init(b, b->arena, b->max);
}

void buf_clear(buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->failed = false;
}

/* Make room for n more bytes plus the NUL. */
static bool grow(buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n > b->max - b->len) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + n;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 4 ? need : cap * 2;
	if (cap > b->max)
		cap = b->max;
	char *p;
	if (b->arena) {
		p = arena_alloc(b->arena, cap + 1);
		memcpy(p, b->data, b->len + 1);
	} else {
		p = realloc(b->data == empty_string ? NULL : b->data, cap + 1);
		if (!p)
			fatal("buf: out of memory (%zu bytes)", cap + 1);
		if (b->len == 0)
			p[0] = '\0';
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool buf_append(buf *b, const void *data, size_t n)
{
	if (!grow(b, n))
		return false;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool buf_puts(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

bool buf_putc(buf *b, char c)
{
	return buf_append(b, &c, 1);
}

bool buf_vappendf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->failed = true;
		return false;
	}
	if (!grow(b, (size_t)n))
		return false;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return true;
}

bool buf_appendf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = buf_vappendf(b, fmt, ap);
	va_end(ap);
	return ok;
}

bool buf_append_html(buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

char *buf_detach(buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	if (p == empty_string)
		p = b->arena ? arena_strdup(b->arena, "") : calloc(1, 1);
	if (!p)
		fatal("buf: out of memory");
	buf_init(b, b->arena, b->max);
	return p;
}
