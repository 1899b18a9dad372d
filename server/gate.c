/*
 * gate.c - see gate.h. One mutex and one condition variable per gate; the
 * waiters' deadline is absolute (CLOCK_REALTIME, as pthread_cond_timedwait
 * wants), so spurious wake-ups never extend a wait.
 */
#include "cairn/gate.h"
#include "cairn/clock.h"

#include <errno.h>
#include <time.h>

void gate_configure(gate *g, int slots, int queue, int wait_ms)
{
	pthread_mutex_lock(&g->lock);
	g->slots = slots > 0 ? slots : 1;
	g->queue = queue > 0 ? queue : 0;
	g->wait_ms = wait_ms > 0 ? wait_ms : 0;
	pthread_mutex_unlock(&g->lock);
}

/* How many may run at once; an unconfigured gate admits one. Called locked. */
static int slots_of(const gate *g)
{
	return g->slots > 0 ? g->slots : 1;
}

bool gate_enter(gate *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->busy < slots_of(g)) {
		g->busy++;
		pthread_mutex_unlock(&g->lock);
		return true;
	}
	if (g->waiting >= g->queue || g->wait_ms == 0) {
		pthread_mutex_unlock(&g->lock);
		return false;
	}
	struct timespec deadline = clock_deadline_ms(g->wait_ms);
	g->waiting++;
	while (g->busy >= slots_of(g)) {
		if (pthread_cond_timedwait(&g->freed, &g->lock, &deadline) == ETIMEDOUT) {
			g->waiting--;
			pthread_mutex_unlock(&g->lock);
			return false;
		}
	}
	g->waiting--;
	g->busy++;
	pthread_mutex_unlock(&g->lock);
	return true;
}

void gate_leave(gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->busy--;
	pthread_cond_signal(&g->freed);
	pthread_mutex_unlock(&g->lock);
}
