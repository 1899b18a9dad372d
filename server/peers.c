/*
 * peers.c - see peers.h. Sort by address, then newest first; within each
 * address the first cap stay and the rest are marked.
 */
#include "cairn/peers.h"

#include <stdlib.h>
#include <string.h>

static int by_addr_newest(const void *pa, const void *pb)
{
	const peer_conn *a = pa, *b = pb;
	int c = strcmp(a->addr, b->addr);
	if (c)
		return c;
	return a->serial < b->serial ? 1 : a->serial > b->serial ? -1 : 0;
}

size_t peers_mark_surplus(peer_conn *conns, size_t n, int cap)
{
	if (cap < 1)
		cap = 1;
	if (n == 0)
		return 0;
	qsort(conns, n, sizeof *conns, by_addr_newest);
	size_t marked = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(conns[j].addr, conns[i].addr))
			j++;
		/* conns[i..j) are one address, newest first: the oldest cap stay. */
		size_t over = j - i > (size_t)cap ? j - i - (size_t)cap : 0;
		for (size_t k = i; k < j; k++) {
			conns[k].refuse = k - i < over;
			marked += conns[k].refuse;
		}
		i = j;
	}
	return marked;
}
