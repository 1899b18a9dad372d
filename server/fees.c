/*
 * fees.c - see fees.h.
 */
#include "cairn/fees.h"

#include <string.h>

int64_t fees_percent_of(int64_t cents, int percent)
{
	return (cents * percent + 50) / 100;
}

fee_quote fees_quote(const fee_rule *rule, time_t now, int team_size)
{
	fee_quote q = {0};
	q.early = rule->early_cents >= 0 && rule->early_deadline && now <= rule->early_deadline;
	q.course_fee_cents = q.early ? rule->early_cents : rule->regular_cents;
	if (rule->discount_min_size > 0 && team_size >= rule->discount_min_size &&
	    rule->discount_percent > 0)
		q.discount_cents = fees_percent_of(q.course_fee_cents, rule->discount_percent);
	q.processing_cents = rule->processing_cents;
	q.total_cents = q.course_fee_cents - q.discount_cents + q.processing_cents;
	return q;
}

const char *fees_default_category(const char *profession)
{
	static const struct { const char *profession, *category; } map[] = {
		{"physician", "physician"},       {"psychiatrist", "physician"},
		{"nurse", "nurse"},               {"np", "nurse"},
		{"pa", "pa"},                     {"psychologist", "psychologist"},
		{"resident_fellow", "resident_fellow"}, {"social_worker", "social_worker"},
	};
	for (size_t i = 0; profession && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(profession, map[i].profession))
			return map[i].category;
	return "allied_other";
}
