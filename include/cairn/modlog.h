/*
 * modlog.h - the moderation log: every moderation action, appended once
 * (issue 11 item 3; sql/013_moderation.sql).
 *
 * Who acted, what they did, to what, why and when. The log is append-only:
 * this module has no update or delete, and a trigger in the database
 * refuses UPDATE, DELETE and TRUNCATE. The space's moderators read it; a
 * purge or redaction is logged as such, never with the text it removed.
 */
#ifndef CAIRN_MODLOG_H
#define CAIRN_MODLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

typedef struct modlog_entry {
	int64_t actor_id;    /* 0: Cairn itself (e.g. the privacy guard) */
	int64_t space_id;    /* > 0 */
	const char *action;  /* one of the actions sql/013 lists, e.g. "post_hidden" */
	int64_t thread_id;   /* 0: none */
	int64_t post_id;     /* 0: none */
	int64_t subject_id;  /* the person acted on; 0: none */
	const char *reason;  /* NULL or "" for none; at most 500 characters */
	const char *detail;  /* a JSON object built by the caller's SQL, or NULL for {} */
} modlog_entry;

/* Append e, at the one clock's "now", inside the caller's transaction when
 * there is one (so an action and its entry commit together). Returns false
 * on a database error (an unknown action is one). */
bool modlog_append(PGconn *db, const modlog_entry *e);

/* As modlog_append, and *id is the new entry's id (a notice that tells of
 * the action names it: notify_moderation). */
bool modlog_append_id(PGconn *db, const modlog_entry *e, int64_t *id);

#endif
