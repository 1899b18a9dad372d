/*
 * arena.c - chunked bump allocator. See arena.h for the contract.
 *
 * Chunks form a singly linked list, newest first. A request that needs a
 * block larger than the chunk size gets a chunk of its own, so one big
 * allocation does not waste a whole default chunk. arena_reset keeps only
 * the oldest (first-allocated, default-sized) chunk, which is what a worker
 * thread needs for the next ordinary request.
 *
 * The other chunks go back to a spare pool shared by every arena, by size
 * class (64 KiB to 8 MiB, powers of two; at most 16 MiB in all), and the
 * next arena that needs a chunk of that class takes one. A big page's
 * request memory (arena chunks and the doubling response buffer, several
 * hundred KB) used to be malloc'd and freed on every request, and glibc
 * handed such blocks back to the kernel: every request faulted its pages in
 * again, a third of cairn's CPU on the 175 KB dashboard. The cap bounds what
 * the pool keeps however many worker threads have served big pages. Under
 * AddressSanitizer a pooled chunk is poisoned, so a use after reset is
 * still caught.
 */
#include "cairn/arena.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
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

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { POOL_CLASSES = 8 };                      /* 64 KiB << 0 .. 7 */
#define POOL_MIN ((size_t)64 * 1024)
#define POOL_MAX (POOL_MIN << (POOL_CLASSES - 1))   /* 8 MiB */
#define POOL_BYTES ((size_t)16 * 1024 * 1024)

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static arena_chunk *pool[POOL_CLASSES];
static size_t pool_bytes;

/* The size class of a chunk of `size` usable bytes, or -1 when it is too
 * big to pool. Class k holds chunks of exactly POOL_MIN << k bytes. */
static int class_of(size_t size)
{
	for (int k = 0; k < POOL_CLASSES; k++)
		if (size <= POOL_MIN << k)
			return k;
	return -1;
}

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

static void chunk_release(arena_chunk *c);

void arena_init(arena *a, size_t chunk_size)
{
	a->head = NULL;
	/* Chunks come in the pool's classes: the default size is one, so that
	 * arena_reset recognises (and keeps) the chunk it was given. */
	int k = class_of(chunk_size ? chunk_size : POOL_MIN);
	a->chunk_size = k >= 0 ? POOL_MIN << k : chunk_size;
	a->used_total = 0;
}

void arena_free(arena *a)
{
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		chunk_release(c);
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
			chunk_release(c);
		c = next;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used_total = 0;
}

void arena_wipe(arena *a)
{
	/* explicit_bzero (glibc, _GNU_SOURCE) is a memset the optimiser keeps. */
	for (arena_chunk *c = a->head; c; c = c->next)
		explicit_bzero(c->data, c->used);
}

/* A chunk of at least `size` usable bytes: a pooled one of its class when
 * there is one, else a new one of the class's size (or exactly `size` above
 * the classes). */
static arena_chunk *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(arena_chunk))
		fatal("arena: allocation of %zu bytes overflows", size);
	int k = class_of(size);
	arena_chunk *c = NULL;
	if (k >= 0) {
		size = POOL_MIN << k;
		pthread_mutex_lock(&pool_lock);
		c = pool[k];
		if (c) {
			pool[k] = c->next;
			pool_bytes -= c->size;
		}
		pthread_mutex_unlock(&pool_lock);
		if (c)
			UNPOISON(c->data, c->size);
	}
	if (!c) {
		c = malloc(sizeof(arena_chunk) + size);
		if (!c)
			fatal("arena: out of memory (%zu bytes)", size);
		c->size = size;
	}
	c->next = NULL;
	c->used = 0;
	return c;
}

/* Give a chunk back: to the pool while it has room for its class, else to
 * the heap. */
static void chunk_release(arena_chunk *c)
{
	int k = class_of(c->size);
	if (k >= 0 && c->size == POOL_MIN << k) {
		pthread_mutex_lock(&pool_lock);
		bool room = pool_bytes + c->size <= POOL_BYTES;
		if (room) {
			POISON(c->data, c->size);
			c->next = pool[k];
			pool[k] = c;
			pool_bytes += c->size;
		}
		pthread_mutex_unlock(&pool_lock);
		if (room)
			return;
	}
	free(c);
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
