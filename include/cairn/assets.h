/*
 * assets.h - the static files under static/, served from memory.
 *
 * At start every file below the directory is read once, with its content
 * type and a strong ETag (a BLAKE2b digest of its bytes). In --dev mode a
 * lookup re-reads the file, so edits show on the next request. Paths with
 * "..", hidden files and anything outside the directory are never served.
 */
#ifndef CAIRN_ASSETS_H
#define CAIRN_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/arena.h"

typedef struct assets assets;

typedef struct asset {
	const char *path;          /* relative, e.g. "cairn.css" */
	const char *content_type;
	const char *etag;          /* quoted, e.g. "\"3f2a...\"" */
	const unsigned char *data;
	size_t len;
} asset;

/* Load every file below dir. NULL (with a message on stderr) if the
 * directory cannot be read. */
assets *assets_load(const char *dir, bool dev);
void assets_free(assets *as);
/* Find a file by its relative path; in dev mode the result lives in arena a.
 * NULL if absent or not allowed. */
const asset *assets_find(assets *as, arena *a, const char *path);
/* The ETag of a file, for cache-busting links (NULL if absent). */
const char *assets_etag(assets *as, const char *path);

#endif
