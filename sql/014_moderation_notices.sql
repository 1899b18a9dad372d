-- Moderation notices (issue 11 item 3): the author of a post a moderator
-- acted on (hid, restored; locked, unlocked or moved its thread) is told,
-- with the reason, as a notification of kind 'moderation'. It names the
-- moderation_log entry it tells of: the action, the reason and where a
-- thread moved are read from there, so the notice and the log cannot
-- disagree. The log is append-only, so the reference never dangles.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications
    ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('mention', 'reply', 'follow', 'moderation')),
    ADD COLUMN modlog_id bigint REFERENCES moderation_log(id),
    ADD CONSTRAINT notifications_modlog CHECK ((kind = 'moderation') = (modlog_id IS NOT NULL));

-- A moderation notice is never coalesced: each action is its own notice,
-- and one must not be counted into (or take the place of) the open
-- notification of new posts in the same thread. The open index of sql/010
-- leaves them out; notify_post names the same predicate in its ON CONFLICT.
DROP INDEX notifications_open;
CREATE UNIQUE INDEX notifications_open
    ON notifications (user_id, thread_id, (kind = 'mention'))
    WHERE read_at IS NULL AND kind <> 'moderation';

-- The thread page asks whether its reader has an unread notice about it
-- (and reads it): a probe of this small index, not of all their
-- notifications.
CREATE INDEX notifications_moderation_unread ON notifications (user_id, thread_id)
    WHERE kind = 'moderation' AND read_at IS NULL;
