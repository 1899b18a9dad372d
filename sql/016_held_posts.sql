-- Held posts get their number when they are approved (issue 11 item 2).
--
-- A post held for approval (sql/013: posts.held) reaches only its author and
-- the space's moderators. Numbers are what everyone else counts by: a thread's
-- last_number is its newest post's number, unread counts are last_number
-- minus the reader's last read number, pages and post addresses are numbers.
-- Had a held post taken the next number, every reader's unread count, the
-- thread's reply count and its pages would have told of a post they cannot
-- see, and the numbers they can see would have had a gap. So a held post has
-- no number (NULL, which UNIQUE (thread_id, number) allows any number of
-- times) and takes the thread's next one when a moderator approves it; the
-- thread's counters (last_number, last_post_at, last_poster_id) move then, not
-- before. A thread whose opening post is held has last_number 0 and is shown
-- to its author and the moderators only.
ALTER TABLE posts ALTER COLUMN number DROP NOT NULL;
ALTER TABLE posts ADD CONSTRAINT posts_held_unnumbered CHECK ((number IS NULL) = held);
