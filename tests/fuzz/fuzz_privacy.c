/*
 * fuzz_privacy.c - libFuzzer target for privacy_check.
 *
 * Beyond not crashing (and running in time linear in the input: a slow input
 * is a libFuzzer timeout), the target checks what privacy.h promises for
 * every input, and aborts when a promise is broken:
 *   - PRIVACY_BAD_UTF8 exactly when the input is not UTF-8 (form.h's
 *     utf8_valid is the independent judge), and then nothing is reported;
 *   - a checked text's spans lie inside it, are not empty, start and end on
 *     character boundaries, come sorted by start then code, have codes from
 *     the fixed list, and their codes are exactly the codes reported;
 *   - the same text checked twice gives the same report.
 * Build and run it with tests/fuzz/run-smoke.
 */
// fuzz-link: server/privacy.c
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/arena.h"
#include "cairn/form.h"
#include "cairn/privacy.h"

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: broken promise: %s\n",        \
			        __FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer gives a target no context pointer, so the arena that lives
 * across inputs (and is reset after each) has to be a file-level variable. */
static arena fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	arena_init(&fuzz_arena, 4096);
	return 0;
}

static bool boundary(const uint8_t *data, size_t size, size_t at)
{
	return at == size || (data[at] & 0xC0) != 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	privacy_report r, again;
	privacy_status st = privacy_check(&fuzz_arena, s, size, &r);
	if (!utf8_valid(s, size)) {
		CHECK(st == PRIVACY_BAD_UTF8);
		CHECK(r.codes == 0 && r.nspans == 0 && r.spans == NULL);
		goto done;
	}
	CHECK(st == PRIVACY_CHECKED);
	CHECK(r.codes < (1u << PRIVACY_CODE_COUNT));
	CHECK((r.nspans == 0) == (r.spans == NULL));
	CHECK((r.nspans == 0) == (r.codes == 0));
	unsigned seen = 0;
	for (size_t i = 0; i < r.nspans; i++) {
		const privacy_span *p = &r.spans[i];
		CHECK(p->start < p->end && p->end <= size);
		CHECK(boundary(data, size, p->start) && boundary(data, size, p->end));
		CHECK((unsigned)p->code < PRIVACY_CODE_COUNT);
		if (i) {
			const privacy_span *q = &r.spans[i - 1];
			CHECK(q->start < p->start || (q->start == p->start && q->code <= p->code));
		}
		seen |= 1u << p->code;
	}
	CHECK(seen == r.codes);
	CHECK(privacy_check(&fuzz_arena, s, size, &again) == PRIVACY_CHECKED);
	CHECK(again.codes == r.codes && again.nspans == r.nspans);
	for (size_t i = 0; i < r.nspans; i++)   /* field by field: padding may differ */
		CHECK(again.spans[i].start == r.spans[i].start && again.spans[i].end == r.spans[i].end &&
		      again.spans[i].code == r.spans[i].code);
done:
	arena_reset(&fuzz_arena);
	return 0;
}
