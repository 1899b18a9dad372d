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

/* Queue a message inside the caller's transaction. */
bool outbox_put(PGconn *db, arena *a, const char *to, const char *kind, const char *subject,
                const char *body, int64_t now);

/* Open a sealed body read from the outbox (NULL if it does not open). */
char *outbox_open_body(arena *a, const unsigned char *sealed, size_t len, const char *to,
                       const char *kind, const char *subject);

#endif
