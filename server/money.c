/*
 * money.c - see money.h.
 */
#include "cairn/money.h"

#include <stdio.h>

char *money_format(arena *a, int64_t cents)
{
	char digits[32], grouped[48];
	int neg = cents < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	uint64_t dollars = v / 100, rest = v % 100;
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)dollars);
	int j = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	if (rest)
		return arena_sprintf(a, "%s$%s.%02llu", neg ? "-" : "", grouped,
		                     (unsigned long long)rest);
	return arena_sprintf(a, "%s$%s", neg ? "-" : "", grouped);
}
