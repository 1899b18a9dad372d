/*
 * arena.h - region allocation for one request (or one start-up task).
 *
 * An arena hands out memory that is released all at once by arena_reset()
 * or arena_free(). Each CivetWeb worker thread owns one arena and resets it
 * after every request, so handlers never free what they allocate here.
 * Anything that must outlive the request is copied out on purpose.
 *
 * Out-of-memory policy (whole project): exhausting the heap is fatal. The
 * allocators here log and abort rather than return NULL, so callers never
 * check for NULL. Limits the project sets itself (body caps, buffer maxima)
 * are ordinary errors and are reported to the caller.
 */
#ifndef CAIRN_ARENA_H
#define CAIRN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;   /* chunk being filled; older chunks follow */
	size_t chunk_size;   /* default size of a new chunk */
	size_t used_total;   /* bytes handed out since the last reset */
} arena;

/* Zero the arena; no memory is taken until the first allocation. */
void arena_init(arena *a, size_t chunk_size);
/* Release every chunk. Safe to call twice. */
void arena_free(arena *a);
/* Forget everything handed out but keep the first chunk for reuse. */
void arena_reset(arena *a);
/* Overwrite with zeros every byte handed out since the last reset, in every
 * chunk (a compiler may not drop it). For requests that held secrets, such
 * as a journal entry's plaintext (journal.h), before arena_reset: reset
 * alone frees chunks with their contents and keeps the first one dirty. */
void arena_wipe(arena *a);

/* Memory aligned for any type; never NULL. n == 0 gives a valid pointer. */
void *arena_alloc(arena *a, size_t n);
/* As arena_alloc, zero-filled; count * size is overflow-checked. */
void *arena_calloc(arena *a, size_t count, size_t size);
/* Grow an allocation made from this arena (copying); never NULL. */
void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_sprintf(arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena *a, const char *fmt, va_list ap);

/* Abort with a message: for states that cannot happen (and OOM). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
