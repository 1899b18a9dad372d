/*
 * test_router.c - unit tests for router.c: matching (literals over
 * parameters, 405 with the methods that exist) and the access rules every
 * route carries (their names, as `cairn routes` prints them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/router.h"

static void h(struct request *req)
{
	(void)req;
}

static void h2(struct request *req)
{
	(void)req;
}

/* Every access_rule value has its own name, and names are found by value. */
static void test_access_names(void **state)
{
	(void)state;
	const char *seen[32] = {0};
	size_t n = 0;
	for (unsigned bit = 1; bit & ACCESS_ALL_; bit <<= 1) {
		const char *name = router_access_name((access_rule)bit);
		assert_non_null(name);
		assert_true(*name);
		for (size_t i = 0; i < n; i++)
			assert_string_not_equal(seen[i], name);
		seen[n++] = name;
	}
	assert_int_equal(n, 15);
	assert_null(router_access_name(ACCESS_UNSET));
	assert_null(router_access_name((access_rule)(ACCESS_ADMIN | ACCESS_ANYONE)));
	assert_string_equal(router_access_name(ACCESS_SPACE_MEMBER), "space member");
}

/* A rule of several values reads as their names in the order of the enum. */
static void test_access_text(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1024);
	assert_string_equal(router_access_text(&a, ACCESS_ADMIN), "admin");
	assert_string_equal(router_access_text(&a, ACCESS_SPACE_MODERATOR | ACCESS_POST_AUTHOR),
	                    "post author, space moderator");
	assert_string_equal(router_access_text(&a, ACCESS_ADMIN | ACCESS_OFFERING_DIRECTOR |
	                                                ACCESS_ENROLLMENT_OWNER),
	                    "enrollment owner, offering director, admin");
	assert_string_equal(router_access_text(&a, ACCESS_UNSET), "");
	arena_free(&a);
}

/* The table keeps each route's rule; literals win over parameters; a path
 * with only another method's route is 405 with what exists. */
static void test_match_and_rules(void **state)
{
	(void)state;
	arena a;
	arena_init(&a, 1024);
	router *r = calloc(1, sizeof *r);
	assert_non_null(r);
	router_init(r);
	router_add(r, "GET", "/t/:id", h, ACCESS_SPACE_MEMBER, "a thread");
	router_add(r, "GET", "/t/new", h2, ACCESS_SIGNED_IN, "new");
	router_add(r, "POST", "/t/:id/pin", h, ACCESS_SPACE_MODERATOR, "pin");
	const route *rt = NULL;
	route_params p;
	const char *allow = NULL;
	assert_int_equal(router_match(r, &a, "GET", "/t/new", &rt, &p, &allow), ROUTER_FOUND);
	assert_ptr_equal(rt->handler, h2);
	assert_int_equal(rt->access, ACCESS_SIGNED_IN);
	assert_int_equal(router_match(r, &a, "HEAD", "/t/42", &rt, &p, &allow), ROUTER_FOUND);
	assert_int_equal(rt->access, ACCESS_SPACE_MEMBER);
	assert_string_equal(route_param(&p, "id"), "42");
	assert_int_equal(router_match(r, &a, "GET", "/t/42/pin", &rt, &p, &allow), ROUTER_BAD_METHOD);
	assert_string_equal(allow, "POST");
	assert_int_equal(router_match(r, &a, "GET", "/u/42", &rt, &p, &allow), ROUTER_NOT_FOUND);
	free(r);
	arena_free(&a);
}

/* router_mark_sensitive marks the route added last, and only it. */
static void test_sensitive(void **state)
{
	(void)state;
	router r;
	router_init(&r);
	router_add(&r, "GET", "/a", h, ACCESS_ANYONE, "a");
	router_add(&r, "GET", "/journal/:id", h2, ACCESS_SIGNED_IN, "b");
	router_mark_sensitive(&r);
	router_add(&r, "GET", "/c", h, ACCESS_ANYONE, "c");
	assert_false(r.routes[0].sensitive);
	assert_true(r.routes[1].sensitive);
	assert_false(r.routes[2].sensitive);
	arena a;
	arena_init(&a, 0);
	const route *rt = NULL;
	route_params p;
	const char *allow = NULL;
	assert_int_equal(router_match(&r, &a, "GET", "/journal/7", &rt, &p, &allow), ROUTER_FOUND);
	assert_true(rt->sensitive);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sensitive),
		cmocka_unit_test(test_access_names),
		cmocka_unit_test(test_access_text),
		cmocka_unit_test(test_match_and_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
