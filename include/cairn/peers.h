/*
 * peers.h - which open connections go beyond their address's cap.
 *
 * CivetWeb gives every open connection a worker thread for its whole life,
 * including the time a slow client takes to send its headers and the time
 * an idle keep-alive connection waits. One careless or hostile address
 * could therefore take every worker. http.c lists the server's open client
 * connections now and then (when more are open than one address may hold)
 * and shuts down, for each address over its cap, its newest connections
 * beyond the cap, so other addresses are always served. This module is the
 * decision, kept apart from the sockets so it can be tested on its own.
 */
#ifndef CAIRN_PEERS_H
#define CAIRN_PEERS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct peer_conn {
	char addr[48];             /* the client's address, as text */
	unsigned long long serial; /* larger = opened later (the socket's inode) */
	int fd;
	bool refuse;               /* set by peers_mark_surplus */
} peer_conn;

/* Mark, for every address with more than cap connections in conns, its
 * newest connections beyond the cap (refuse = true); clear the rest.
 * Reorders conns. Returns how many were marked. */
size_t peers_mark_surplus(peer_conn *conns, size_t n, int cap);

#endif
