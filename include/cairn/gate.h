/*
 * gate.h - a counting gate that bounds how many requests of one costly kind
 * run at once.
 *
 * Some requests are expensive by nature: a sign-in runs Argon2id (64 MiB,
 * a core for a fifth of a second), a full-text search can hold a database
 * connection for many milliseconds. Left alone, a burst of them takes every
 * worker thread or every pooled connection and the rest of the site stops.
 * A gate lets `slots` of them run, lets at most `queue` more wait (each for
 * at most `wait_ms`), and refuses the rest at once, so the caller can answer
 * 503 with Retry-After while ordinary pages are still served.
 *
 * A gate is plain data: declare it with GATE_INIT, size it once with
 * gate_configure (before or after serving starts: it takes the lock), and
 * pair every successful gate_enter with one gate_leave.
 */
#ifndef CAIRN_GATE_H
#define CAIRN_GATE_H

#include <pthread.h>
#include <stdbool.h>

typedef struct gate {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int slots;   /* how many may run at once; 0 until configured */
	int queue;   /* how many may wait for a slot */
	int wait_ms; /* how long one may wait */
	int busy;    /* running now */
	int waiting; /* waiting now */
} gate;

#define GATE_INIT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0}

/* Size the gate: slots >= 1 (smaller values become 1), queue >= 0, wait_ms
 * >= 0. A gate never configured admits one at a time with no queue. */
void gate_configure(gate *g, int slots, int queue, int wait_ms);

/* Take a slot, waiting in the queue if there is room. false when the queue
 * is full or the wait ran out: the caller must not run and must not leave. */
bool gate_enter(gate *g);

/* Give the slot back and wake one waiter. */
void gate_leave(gate *g);

#endif
