/*
 * test_peers.c - the per-address cap's decision: which connections go.
 * Each address keeps its oldest cap connections; the newest beyond the cap
 * are refused; other addresses are untouched; the input order does not
 * matter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cairn/peers.h"

static peer_conn conn(const char *addr, unsigned long long serial)
{
	peer_conn c = {.serial = serial, .fd = (int)serial, .refuse = true};
	snprintf(c.addr, sizeof c.addr, "%s", addr);
	return c;
}

static void newest_beyond_cap_go(void **state)
{
	(void)state;
	/* Shuffled: serials say which came first. */
	peer_conn cs[] = {
		conn("10.0.0.1", 50), conn("10.0.0.2", 7), conn("10.0.0.1", 10),
		conn("10.0.0.1", 30), conn("10.0.0.2", 8), conn("10.0.0.1", 20),
		conn("10.0.0.1", 40),
	};
	size_t n = sizeof cs / sizeof cs[0];
	assert_int_equal(peers_mark_surplus(cs, n, 3), 2);
	for (size_t i = 0; i < n; i++) {
		bool expect = !strcmp(cs[i].addr, "10.0.0.1") && cs[i].serial >= 40;
		assert_int_equal(cs[i].refuse, expect);
		assert_int_equal(cs[i].fd, (int)cs[i].serial); /* entries move whole */
	}
}

static void at_the_cap_nothing_goes(void **state)
{
	(void)state;
	peer_conn cs[64];
	for (int i = 0; i < 64; i++)
		cs[i] = conn("127.0.0.1", (unsigned long long)(1000 - i));
	assert_int_equal(peers_mark_surplus(cs, 64, 64), 0);
	for (int i = 0; i < 64; i++)
		assert_false(cs[i].refuse);
	/* One more, and exactly the newest goes. */
	peer_conn more[65];
	memcpy(more, cs, sizeof cs);
	more[64] = conn("127.0.0.1", 5000);
	assert_int_equal(peers_mark_surplus(more, 65, 64), 1);
	for (int i = 0; i < 65; i++)
		assert_int_equal(more[i].refuse, more[i].serial == 5000);
}

static void empty_and_tiny_caps(void **state)
{
	(void)state;
	assert_int_equal(peers_mark_surplus(NULL, 0, 64), 0);
	peer_conn cs[] = {conn("a", 1), conn("a", 2)};
	/* A cap below one counts as one. */
	assert_int_equal(peers_mark_surplus(cs, 2, 0), 1);
	assert_true(cs[0].serial == 2 ? cs[0].refuse : cs[1].refuse);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(newest_beyond_cap_go),
		cmocka_unit_test(at_the_cap_nothing_goes),
		cmocka_unit_test(empty_and_tiny_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
