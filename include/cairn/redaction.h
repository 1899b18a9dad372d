/*
 * redaction.h - taking text that identifies a patient out of Cairn (issue
 * 11 item 2): a moderator redacts a post's current body (a passage, or the
 * whole body) or purges one of its earlier versions.
 *
 * The text leaves every copy Cairn made of it: the post's source, HTML,
 * plain text and search entry, its revisions, the excerpts of its
 * notifications and the queued (unsent) outbox messages about its thread;
 * a redaction puts REDACTION_MARKER where the text was. Other posts that
 * quote the text, in the spaces the moderator moderates, are listed so they
 * can be redacted too. The action is logged (modlog.h) as a redaction or a
 * purge with counts, never with the text; the author is told, without it.
 * Backups made before keep the text until they expire, and the pages say
 * so. Only the space's moderators (SPACE_MODERATE) act here.
 */
#ifndef CAIRN_REDACTION_H
#define CAIRN_REDACTION_H

#include "cairn/http.h"

/* What a redaction leaves where the text was (Markdown that renders as
 * itself). */
#define REDACTION_MARKER "[removed by a moderator: identifies a patient]"

enum {
	REDACTION_PASSAGE_MIN_CHARS = 2,    /* fewer would take letters out of words */
	REDACTION_PASSAGE_MAX_CHARS = 2000,
	REDACTION_QUOTES_MAX = 100,         /* other posts listed after a redaction */
};

void redaction_routes(router *r);

#endif
