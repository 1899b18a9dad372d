/*
 * test_arena_pool.c - arenas share their spare chunks: a big block freed by
 * one arena's reset is the memory the next arena's block of that class gets
 * (no trip through the heap, so no fresh pages to fault in), the default
 * chunk stays with its arena, and blocks above the largest class are not
 * kept. Under AddressSanitizer the pooled chunks are poisoned in between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cairn/arena.h"

/* A block of 300 KB is in the 512 KiB class: released by one arena's
 * reset, it is the next arena's block of that class. */
static void big_blocks_are_reused(void **state)
{
	(void)state;
	arena a, b;
	arena_init(&a, 256 * 1024);
	arena_init(&b, 256 * 1024);
	unsigned char *p = arena_alloc(&a, 300 * 1000);
	memset(p, 0xab, 300 * 1000);
	arena_reset(&a);
	unsigned char *q = arena_alloc(&b, 400 * 1000);
	assert_ptr_equal(p, q);
	memset(q, 0xcd, 400 * 1000);   /* the whole block is usable again */
	arena_free(&b);
	arena_free(&a);
}

/* The default chunk stays with its arena across resets: the first small
 * block after a reset is where the first one was. */
static void default_chunk_is_kept(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 0);
	void *first = arena_alloc(&a, 100);
	(void)arena_alloc(&a, 200 * 1000);   /* a big chunk of its own */
	arena_reset(&a);
	assert_ptr_equal(arena_alloc(&a, 100), first);
	arena_free(&a);
}

/* A block above the largest class (8 MiB) goes back to the heap: the
 * next one of that size is not handed the same chunk from the pool (the
 * heap may or may not give the same address, so only the pool's answer is
 * checked: a class-sized request gets a different, pooled chunk). */
static void huge_blocks_are_not_pooled(void **state)
{
	(void)state;
	arena a, b;
	arena_init(&a, 0);
	arena_init(&b, 0);
	unsigned char *huge = arena_alloc(&a, 9 * 1024 * 1024);
	huge[0] = 1;
	huge[9 * 1024 * 1024 - 1] = 2;
	arena_reset(&a);
	unsigned char *big = arena_alloc(&b, 5 * 1024 * 1024);   /* the 8 MiB class */
	assert_ptr_not_equal(big, huge);
	big[5 * 1024 * 1024 - 1] = 3;
	arena_free(&b);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(big_blocks_are_reused),
		cmocka_unit_test(default_chunk_is_kept),
		cmocka_unit_test(huge_blocks_are_not_pooled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
