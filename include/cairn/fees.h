/*
 * fees.h - what an enrollment costs, in integer cents (DESIGN §4).
 *
 * The course fee depends on the fee category and on whether today is on or
 * before the early deadline (the early price applies through the end of the
 * deadline instant). Members of a team at least as large as the offering's
 * group-discount size get the discount percentage off their course fee. The
 * processing fee is added to every enrollment and never discounted.
 *
 * Rounding (written down because money must be exact): the discount is
 * fee * percent / 100 rounded to the nearest cent, halves rounded up, so a
 * half cent always goes to the learner. Example: 10% of $1,795.50 is
 * exactly $179.55; 15% of $1,795.55 is 26933.25 cents -> $269.33; 10% of
 * $0.05 is 0.5 cents -> 1 cent.
 */
#ifndef CAIRN_FEES_H
#define CAIRN_FEES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct fee_rule {
	int64_t regular_cents;
	int64_t early_cents;        /* < 0: no early price */
	time_t early_deadline;      /* 0: no early deadline */
	int64_t processing_cents;
	int discount_min_size;      /* 0: no group discount */
	int discount_percent;       /* 0..100 */
} fee_rule;

typedef struct fee_quote {
	bool early;
	int64_t course_fee_cents;
	int64_t discount_cents;
	int64_t processing_cents;
	int64_t total_cents;        /* course fee - discount + processing */
} fee_quote;

/* The quote for one person enrolling at `now`, in a team of team_size
 * (1 for an individual). */
fee_quote fees_quote(const fee_rule *rule, time_t now, int team_size);

/* percent of cents, rounded half up (see above). */
int64_t fees_percent_of(int64_t cents, int percent);

/* The fee category a profession defaults to. */
const char *fees_default_category(const char *profession);

#endif
