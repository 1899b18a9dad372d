-- Content notes, and posts held again by the patient-privacy guard (issue 12
-- items 1 and 4).
--
-- A content note ("death of a child") folds a post's text behind it wherever
-- the text is shown, so that a colleague chooses when to read a hard story.
-- '' is no note; a note has 1 to 100 characters and is not only spaces. An
-- earlier version of a post keeps the note it had.
ALTER TABLE posts ADD COLUMN content_note text NOT NULL DEFAULT ''
    CHECK (length(content_note) <= 100 AND (content_note = '' OR btrim(content_note) <> ''));
ALTER TABLE post_revisions ADD COLUMN content_note text NOT NULL DEFAULT '';

-- A published post its author edits over the privacy guard's warning is
-- held again until a moderator approves the new text. It keeps its number:
-- its place in the thread, the replies that quote it and every reader's
-- unread count stay as they were, and approval gives it back to readers
-- where it was (sql/016 gave held posts no number because a new post's
-- number would have told of a post others cannot see; a post already
-- numbered tells nothing new). So: no number only while held, not the other
-- way round.
ALTER TABLE posts DROP CONSTRAINT posts_held_unnumbered;
ALTER TABLE posts ADD CONSTRAINT posts_unnumbered_held CHECK (number IS NOT NULL OR held);

-- The guard's own entry in the moderation log: Cairn (actor NULL) held a
-- post published over its warning. detail names what it found, by code.
ALTER TABLE moderation_log DROP CONSTRAINT moderation_log_action_check;
ALTER TABLE moderation_log ADD CONSTRAINT moderation_log_action_check CHECK (action IN (
    'flag_dismissed', 'post_hidden', 'post_restored', 'post_approved',
    'post_rejected', 'thread_locked', 'thread_unlocked', 'thread_pinned',
    'thread_unpinned', 'thread_moved', 'member_muted', 'member_unmuted',
    'premoderation_on', 'premoderation_off', 'slow_mode_on', 'slow_mode_off',
    'revision_purged', 'post_redacted', 'post_held'));
