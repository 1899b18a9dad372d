/*
 * share.h - sharing an excerpt of one's journal with one's group (issue 14
 * item 4; DESIGN §6: "sharing is explicit").
 *
 * From one of their entries, a learner cuts the text down to what they
 * mean to share (a text box that starts with the entry's text), chooses a
 * thread of a space they belong to, previews it as the draft post it will
 * be, edits it, and publishes it as an ordinary reply through the forum's
 * own reply path (forum_reply in forum.h): the privacy guard, mutes, locked
 * threads, slow mode and pre-moderation apply exactly as to a reply typed
 * in the thread. The excerpt travels only in the form: the preview is a
 * POST that renders it back, and nothing is stored (no draft, no row, no
 * log line) until Publish, so an abandoned share leaves nothing behind.
 * The post says nothing of the journal, and the entry stays as it was.
 *
 * The routes are journal routes: the entry is the reader's own (404 for
 * anyone else's), and they are sensitive (the request's memory is wiped).
 */
#ifndef CAIRN_SHARE_H
#define CAIRN_SHARE_H

#include "cairn/router.h"

/* GET and POST /journal/:id/share. */
void share_routes(router *r);

#endif
