/*
 * outbox.h - every message Cairn would send, kept before (and after) email
 * delivery exists.
 *
 * Messages often carry a single-use link (an invitation, a password reset).
 * Tokens must never sit in the database in the clear (a dump would hand out
 * accounts), so the body is sealed under the server's outbox key, which
 * lives in a file outside the database (CAIRN_SECRET_FILE). Recipient,
 * kind and subject stay readable for the admin's outbox list.
 */
#ifndef CAIRN_OUTBOX_H
#define CAIRN_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cairn/arena.h"

/* Load the key from path, creating it (mode 0600, and any missing directory
 * above it, mode 0700) if it does not exist.
 * Call once at start. false (with a message) if it cannot be read or made. */
bool outbox_init(const char *path);

/* Queue a message inside the caller's transaction: always a new row. */
bool outbox_put(PGconn *db, arena *a, const char *to, const char *kind, const char *subject,
                const char *body, int64_t now);

/* A message for outbox_queue. */
typedef struct outbox_message {
	const char *to, *kind, *subject, *body;
	/* NULL: a message of its own. Otherwise the message replaces (kind,
	 * subject and body; updated_at = now) the queued, unsent message to the
	 * same address whose topic is still open, if there is one, instead of
	 * adding a row: one message about a thread however many posts arrive
	 * before the recipient reads it. */
	const char *topic;
} outbox_message;

/* Queue n messages inside the caller's transaction, in one statement. At
 * most one message per (to, topic) in one call. Concurrent callers with the
 * same (to, topic) end with one row (a unique index decides). */
bool outbox_queue(PGconn *db, arena *a, const outbox_message *m, size_t n, int64_t now);

/* Close the open topics[0..n-1] of the messages queued to `to`: the next
 * message with such a topic starts a new row. Sending a message closes its
 * topic too. */
bool outbox_close_topics(PGconn *db, arena *a, const char *to, const char *const *topics,
                         size_t n);

/* Take text out of queued mail: in every unsent message to an address in
 * to[0..n-1] whose kind starts with kind_prefix and whose subject contains
 * subject_part, each occurrence of texts[0..m-1] becomes replacement, and
 * the body is sealed again (its row keeps its place, kind and subject).
 * Bodies are sealed, so they are opened here one by one; the caller narrows
 * the set by address, kind and subject. Inside the caller's transaction;
 * the rows are locked first, so a concurrent rewrite of the same message
 * (outbox_queue) waits rather than restoring the text. *changed (may be
 * NULL) is the number of messages rewritten. */
bool outbox_scrub(PGconn *db, arena *a, const char *const *to, size_t n, const char *kind_prefix,
                  const char *subject_part, const char *const *texts, size_t m,
                  const char *replacement, int *changed);

/* Open a sealed body read from the outbox (NULL if it does not open). */
char *outbox_open_body(arena *a, const unsigned char *sealed, size_t len, const char *to,
                       const char *kind, const char *subject);

#endif
