-- Coalesced notifications and outbox messages (issue 9, item 8). Sixty
-- replies in a followed thread made sixty notifications for the follower
-- and sixty more for the thread's author, each with its own queued message
-- (120). Now a person has at most one unread notification per thread for
-- new posts and one for mentions of them (a mention is not lost inside a
-- count), each keeping its count; and at most one queued message per
-- thread, rewritten as posts arrive, until they read the thread (or, once
-- mail is delivered, it is sent).

-- Migrations hold an advisory lock, but an instance still running the
-- previous binary may be inserting notifications: keep writers out between
-- merging the unread duplicates and building the index that forbids them.
LOCK TABLE notifications IN SHARE ROW EXCLUSIVE MODE;

-- post_id is now the newest post the notification tells of (its actor,
-- excerpt and created_at describe that post); count is how many posts it
-- tells of, first_number the first of them (where its link leads; NULL:
-- post_id's own number). bump orders the list: a notification a new post
-- updates goes back to the top.
ALTER TABLE notifications
    ADD COLUMN count int NOT NULL DEFAULT 1 CHECK (count >= 1),
    ADD COLUMN first_number int,
    ADD COLUMN bump bigint;
CREATE SEQUENCE notifications_bump_seq OWNED BY notifications.bump;
UPDATE notifications SET bump = id;
SELECT setval('notifications_bump_seq', coalesce(max(id), 0) + 1, false) FROM notifications;
ALTER TABLE notifications
    ALTER COLUMN bump SET DEFAULT nextval('notifications_bump_seq'),
    ALTER COLUMN bump SET NOT NULL;

-- Merge what is unread today into one notification per person, thread and
-- kind of reason (mention or not): the newest row stays, with the count and
-- the first post of the others.
WITH runs AS (
    SELECT n.id, row_number() OVER newest AS rn, count(*) OVER run AS n_posts,
           min(p.number) OVER run AS first
      FROM notifications n JOIN posts p ON p.id = n.post_id
     WHERE n.read_at IS NULL
    WINDOW run AS (PARTITION BY n.user_id, n.thread_id, n.kind = 'mention'),
           newest AS (run ORDER BY p.number DESC, n.id DESC)),
kept AS (
    UPDATE notifications n SET count = r.n_posts, first_number = r.first
      FROM runs r WHERE n.id = r.id AND r.rn = 1 AND r.n_posts > 1)
DELETE FROM notifications n USING runs r WHERE n.id = r.id AND r.rn > 1;

-- At most one open (unread) notification per person, thread and kind of
-- reason: a new post updates it with INSERT ... ON CONFLICT, so two replies
-- at once cannot make two. It leads with user_id under the same predicate
-- as the index it replaces, so the header badge still reads only my unread
-- rows (server/notify.c).
CREATE UNIQUE INDEX notifications_open
    ON notifications (user_id, thread_id, (kind = 'mention')) WHERE read_at IS NULL;
DROP INDEX notifications_unread;
-- The list is newest activity first.
DROP INDEX notifications_user;
CREATE INDEX notifications_user ON notifications (user_id, bump DESC);
-- (user_id, post_id) was unique when every post made its own notification;
-- a post deleted by its author is now found by post_id alone.
ALTER TABLE notifications DROP CONSTRAINT notifications_user_id_post_id_key;
CREATE INDEX notifications_post ON notifications (post_id);

-- A queued message with an open topic is rewritten by the next message to
-- the same address with the same topic, instead of a new row being added;
-- the topic is closed (set to NULL) when the recipient has caught up, and
-- sending ends it too (server/outbox.c).
ALTER TABLE outbox
    ADD COLUMN open_topic text,
    ADD COLUMN updated_at timestamptz;
CREATE UNIQUE INDEX outbox_open_topic
    ON outbox (to_email, open_topic) WHERE open_topic IS NOT NULL AND sent_at IS NULL;
-- The admin's outbox pages newest first, all kinds or one.
CREATE INDEX outbox_kind ON outbox (kind, id);
