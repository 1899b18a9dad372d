-- After demo.c has written the conversation (conversation.sql): what people
-- did besides posting. Same transaction; demo_threads maps each script key
-- to its thread.

-- The thread about the morning's plenary is linked to it, as a facilitator
-- would link it from the thread page.
UPDATE threads t SET agenda_item_id = i.id
  FROM demo_threads d, agenda_items i JOIN offerings o ON o.id = i.offering_id
 WHERE d.key = 'serious-news' AND t.id = d.id
   AND o.slug = 'core-practice-2026-05' AND i.title = 'Delivering Serious News';

-- Tomás corrected his answer a quarter of an hour after posting it: the
-- first version said to reduce by 25-30%. The earlier text stays as a
-- revision, visible to him and the moderators, exactly as an edit keeps it.
WITH p AS (
    SELECT p.id, p.created_at FROM posts p JOIN demo_threads d ON d.id = p.thread_id
     WHERE d.key = 'conversion' AND p.number = 2)
INSERT INTO post_revisions (post_id, body_src, created_at, replaced_at)
SELECT p.id, replace(x.body_src, '25–50%', '25–30%'), p.created_at, p.created_at + interval '15 minutes'
  FROM p JOIN posts x ON x.id = p.id;
UPDATE posts p SET edited_at = p.created_at + interval '15 minutes'
  FROM demo_threads d WHERE d.key = 'conversion' AND p.thread_id = d.id AND p.number = 2;

-- "Helpful" marks, each a little after the post.
INSERT INTO reactions (post_id, user_id, created_at)
SELECT p.id, u.id, p.created_at + interval '40 minutes'
  FROM (VALUES ('serious-news', 2, 'sam'), ('serious-news', 2, 'okafor'),
               ('serious-news', 3, 'amara'), ('serious-news', 4, 'priya'),
               ('conversion', 2, 'priya'), ('conversion', 2, 'okafor'), ('conversion', 2, 'lee'),
               ('dyspnea', 2, 'lee'), ('dyspnea', 3, 'lee'), ('dyspnea', 4, 'amara'),
               ('goals', 1, 'priya'), ('goals', 1, 'amara'), ('goals', 3, 'sam'),
               ('next-run', 2, 'amara')) AS r (thread, number, handle)
  JOIN demo_threads d ON d.key = r.thread
  JOIN posts p ON p.thread_id = d.id AND p.number = r.number
  JOIN users u ON u.handle = r.handle
ON CONFLICT DO NOTHING;

-- Everyone who belongs to a space has read its threads to the end, except
-- what Priya has not seen yet: Amara's reply of a few hours ago (which
-- mentions her) and the newest reply about coming back as a team.
INSERT INTO reads (user_id, thread_id, last_number)
SELECT u.id, t.id,
       CASE WHEN u.handle = 'priya' AND d.key IN ('goals', 'next-run') THEN t.last_number - 1
            ELSE t.last_number END
  FROM demo_threads d JOIN threads t ON t.id = d.id
 CROSS JOIN users u
 WHERE u.handle IN ('rivera', 'okafor', 'priya', 'sam', 'lee', 'amara', 'tomas', 'admin')
   AND cairn_space_role(u.id, t.space_id) >= 1
ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number = EXCLUDED.last_number;

-- Notifications about posts a person has read were read then; the rest wait.
UPDATE notifications n SET read_at = p.created_at + interval '30 minutes'
  FROM posts p, reads r
 WHERE p.id = n.post_id AND r.user_id = n.user_id AND r.thread_id = n.thread_id
   AND p.number <= r.last_number AND n.read_at IS NULL;

-- Reading a thread also closes the reader's queued message about it, so the
-- next post starts a new one (server/notify.c, notify_caught_up): the same
-- for the threads read above.
UPDATE outbox o SET open_topic = NULL
  FROM users u
 WHERE o.to_email = u.email AND o.open_topic IS NOT NULL AND o.sent_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM notifications n
                    WHERE n.user_id = u.id AND n.read_at IS NULL
                      AND o.open_topic = 'thread:' || n.thread_id);
