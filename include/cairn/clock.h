/*
 * clock.h - the one clock that everything depending on "now" reads.
 *
 * Deadlines, early prices, prompts that open after a reflection block and
 * "next session" all ask clock_now(). In builds with CAIRN_TEST_HOOKS the
 * clock can be pinned (clock_set) so tests can stand on either side of a
 * deadline; the shipped binary has no such door and always reads the system
 * clock.
 */
#ifndef CAIRN_CLOCK_H
#define CAIRN_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Seconds since the epoch. */
time_t clock_now(void);
/* Microseconds since the epoch (for timestamps stored with precision). */
int64_t clock_now_us(void);
/* Monotonic microseconds, for measuring durations only. */
int64_t clock_monotonic_us(void);
/* The absolute CLOCK_REALTIME instant ms milliseconds from now, as
 * pthread_cond_timedwait wants its deadline (the system clock, never the
 * pinned test clock: waits are real). */
struct timespec clock_deadline_ms(int ms);

#ifdef CAIRN_TEST_HOOKS
/* Pin the clock to t (seconds since the epoch); 0 returns to the real clock. */
void clock_set(time_t t);
/* The pinned time in microseconds, or 0 when the clock is not pinned. */
int64_t clock_pinned_us(void);
#endif

#endif
