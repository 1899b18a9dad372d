/*
 * arena.c - chunked bump allocator. See arena.h for the contract.
 *
 * Chunks form a singly linked list, newest first. A request that needs a
 * block larger than the chunk size gets a chunk of its own, so one big
 * allocation does not waste a whole default chunk. arena_reset keeps only
 * the oldest (first-allocated, default-sized) chunk, which is what a worker
 * thread needs for the next ordinary request.
 */
#include "cairn/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	arena_chunk *next;
	size_t size;  /* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN (alignof(max_align_t))

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cairn: fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void arena_init(arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
	a->used_total = 0;
}

void arena_free(arena *a)
{
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

void arena_reset(arena *a)
{
	arena_chunk *c = a->head, *keep = NULL;
	while (c) {
		arena_chunk *next = c->next;
		if (next == NULL && c->size == a->chunk_size)
			keep = c;
		else
			free(c);
		c = next;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used_total = 0;
}

static arena_chunk *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(arena_chunk))
		fatal("arena: allocation of %zu bytes overflows", size);
	arena_chunk *c = malloc(sizeof(arena_chunk) + size);
	if (!c)
		fatal("arena: out of memory (%zu bytes)", size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *arena_alloc(arena *a, size_t n)
{
	if (n > SIZE_MAX - ALIGN)
		fatal("arena: allocation of %zu bytes overflows", n);
	size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (need == 0)
		need = ALIGN;
	arena_chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		if (need > a->chunk_size / 4) {
			/* A big block gets its own chunk, placed behind the
			 * current one so the current one keeps filling. */
			arena_chunk *big = chunk_new(need);
			big->used = need;
			if (c) {
				big->next = c->next;
				c->next = big;
			} else {
				a->head = big;
			}
			a->used_total += need;
			return big->data;
		}
		c = chunk_new(a->chunk_size);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used_total += need;
	return p;
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		fatal("arena: calloc %zu x %zu overflows", count, size);
	void *p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n)
{
	if (new_n <= old_n && old)
		return old;
	void *p = arena_alloc(a, new_n);
	if (old && old_n)
		memcpy(p, old, old_n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vsprintf(arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("arena: bad format string");
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_sprintf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vsprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
