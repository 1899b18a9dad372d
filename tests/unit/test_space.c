/*
 * test_space.c - what each standing in a space lets a person do (DESIGN §5):
 * nothing without standing; members read, post and start threads except in
 * announcements; moderators do everything, in every kind of space; a mute
 * takes posting away from a member but not reading or reacting; a
 * pre-moderated space holds members' posts, never a moderator's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cairn/space.h"

static const char *const kinds[] = {"series", "cohort", "announcements", "group"};
static const space_state plain = {0};

static void no_standing_no_capability(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		assert_int_equal(space_caps(kinds[i], 0, plain), 0);
		assert_int_equal(space_caps(kinds[i], -1, plain), 0);
	}
}

static void members_read_post_and_start_except_announcements(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		unsigned c = space_caps(kinds[i], 1, plain);
		assert_true(c & SPACE_READ);
		assert_true(c & SPACE_POST);
		assert_true(c & SPACE_REACT);
		assert_false(c & SPACE_MODERATE);
		assert_false(c & SPACE_HELD);
		assert_int_equal(!!(c & SPACE_START), i != 2);
	}
}

static void moderators_do_everything(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		space s = {.caps = space_caps(kinds[i], 2, plain)};
		assert_true(space_can(&s, SPACE_READ | SPACE_POST | SPACE_START | SPACE_MODERATE));
	}
	space member = {.caps = space_caps("cohort", 1, plain)};
	assert_true(space_can(&member, SPACE_READ | SPACE_POST));
	assert_false(space_can(&member, SPACE_READ | SPACE_MODERATE));
}

static void muted_members_read_and_react_but_do_not_post(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		unsigned c = space_caps(kinds[i], 1, (space_state){.muted = true});
		assert_int_equal(c, SPACE_READ | SPACE_REACT);
		c = space_caps(kinds[i], 1, (space_state){.muted = true, .premoderated = true});
		assert_int_equal(c, SPACE_READ | SPACE_REACT);
		/* A mute never reaches a moderator. */
		c = space_caps(kinds[i], 2, (space_state){.muted = true});
		assert_true(c & SPACE_POST && c & SPACE_MODERATE);
	}
}

static void premoderation_holds_members_not_moderators(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		unsigned c = space_caps(kinds[i], 1, (space_state){.premoderated = true});
		assert_true(c & SPACE_HELD);
		assert_true(c & SPACE_POST);
		assert_false(space_caps(kinds[i], 2, (space_state){.premoderated = true}) & SPACE_HELD);
		assert_int_equal(space_caps(kinds[i], 0, (space_state){.premoderated = true}), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_standing_no_capability),
		cmocka_unit_test(members_read_post_and_start_except_announcements),
		cmocka_unit_test(moderators_do_everything),
		cmocka_unit_test(muted_members_read_and_react_but_do_not_post),
		cmocka_unit_test(premoderation_holds_members_not_moderators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
