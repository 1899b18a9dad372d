/*
 * test_arena.c - unit tests for arena.c: allocation, reset, and arena_wipe,
 * which the journal's sensitive requests rely on to leave no plaintext in
 * memory that is reused or handed back to the heap (issue 13).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cairn/arena.h"

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Every block handed out since the last reset is zeroed: small ones in
 * the shared chunks, big ones in chunks of their own, grown ones (the old
 * copy of an arena_realloc included). */
static void test_wipe_zeroes_everything(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1024);
	enum { SMALL = 40 };
	char *small[SMALL];
	for (int i = 0; i < SMALL; i++) {
		small[i] = arena_alloc(&a, 100);
		memset(small[i], 'x', 100);
	}
	char *big = arena_alloc(&a, 10000);
	memset(big, 'y', 10000);
	char *old = arena_alloc(&a, 64);
	memset(old, 'z', 64);
	char *grown = arena_realloc(&a, old, 64, 5000);
	assert_int_equal(grown[63], 'z');
	char *s = arena_strdup(&a, "a canary of the journal");
	arena_wipe(&a);
	for (int i = 0; i < SMALL; i++)
		assert_true(all_zero((unsigned char *)small[i], 100));
	assert_true(all_zero((unsigned char *)big, 10000));
	assert_true(all_zero((unsigned char *)old, 64));
	assert_true(all_zero((unsigned char *)grown, 5000));
	assert_true(all_zero((unsigned char *)s, strlen("a canary of the journal")));
	/* The arena still works afterwards, and a wipe of an empty one is fine. */
	char *again = arena_strdup(&a, "next");
	assert_string_equal(again, "next");
	arena_reset(&a);
	arena_wipe(&a);
	arena_free(&a);
	arena_init(&a, 0);
	arena_wipe(&a);
	arena_free(&a);
}

/* The first chunk is kept by arena_reset for the next request: after a
 * wipe, what the next request finds in it is zeros, not the last one's
 * text. */
static void test_reset_after_wipe_reuses_clean_chunk(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 4096);
	char *p = arena_alloc(&a, 200);
	memset(p, 'q', 200);
	arena_wipe(&a);
	arena_reset(&a);
	unsigned char *q = arena_alloc(&a, 200);
	assert_ptr_equal(q, p);
	assert_true(all_zero(q, 200));
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wipe_zeroes_everything),
		cmocka_unit_test(test_reset_after_wipe_reuses_clean_chunk),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
