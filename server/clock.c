/*
 * clock.c - see clock.h. The pinned value is an atomic so worker threads
 * may read it while a test hook changes it.
 */
#include "cairn/clock.h"

#include <stdatomic.h>

#ifdef CAIRN_TEST_HOOKS
static _Atomic int64_t pinned_us;

void clock_set(time_t t)
{
	atomic_store(&pinned_us, (int64_t)t * 1000000);
}

int64_t clock_pinned_us(void)
{
	return atomic_load(&pinned_us);
}
#endif

int64_t clock_now_us(void)
{
#ifdef CAIRN_TEST_HOOKS
	int64_t p = atomic_load(&pinned_us);
	if (p)
		return p;
#endif
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

time_t clock_now(void)
{
	return (time_t)(clock_now_us() / 1000000);
}

int64_t clock_monotonic_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct timespec clock_deadline_ms(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
