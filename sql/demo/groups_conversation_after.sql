-- After demo.c has written the groups' conversation (groups_conversation.sql):
-- what the facilitator did in the groups, what waits for him, and who has
-- read what. Same transaction; demo_threads maps each script key to its
-- thread. The moderation log is append-only: these rows are written once,
-- as the moderation pages would write them (sql/013_moderation.sql), with
-- the time each action happened.

-- Chidi pinned each group's welcome as he posted it.
UPDATE threads t SET pinned = true
  FROM demo_threads d WHERE d.key IN ('ag1-hello', 'ag2-hello', 'pg1-hello') AND t.id = d.id;
INSERT INTO moderation_log (at, actor_id, space_id, action, thread_id, reason)
SELECT p.created_at + interval '2 minutes', u.id, t.space_id, 'thread_pinned', t.id, ''
  FROM demo_threads d JOIN threads t ON t.id = d.id
  JOIN posts p ON p.thread_id = t.id AND p.number = 1
  JOIN users u ON u.handle = 'okafor'
 WHERE d.key IN ('ag1-hello', 'ag2-hello', 'pg1-hello')
 ORDER BY p.created_at;

-- Rachel flagged Dr. Bell's remark about social workers; Chidi hid it with
-- his reason, which resolved her flag. Dr. Bell was told, with the reason.
WITH p AS (
    SELECT p.id, p.thread_id, p.author_id, p.created_at FROM posts p
      JOIN demo_threads d ON d.id = p.thread_id
     WHERE d.key = 'ag2-time' AND p.number = 3)
INSERT INTO flags (post_id, flagger_id, reason, note, created_at, resolved_at, resolved_by, resolution)
SELECT p.id, k.id, 'disrespectful', '', p.created_at + interval '25 minutes',
       p.created_at + interval '2 hours 10 minutes', o.id, 'hidden'
  FROM p, users k, users o WHERE k.handle = 'kim' AND o.handle = 'okafor';

UPDATE posts p SET hidden = true,
       hidden_reason = 'It speaks of colleagues in another profession in a way that shuts them out of '
                       'the group. Marcus, the point about workload is a real one: please make it again '
                       'without the remark about social workers.'
  FROM demo_threads d WHERE d.key = 'ag2-time' AND p.thread_id = d.id AND p.number = 3;

WITH ml AS (
    INSERT INTO moderation_log (at, actor_id, space_id, action, thread_id, post_id, subject_id, reason)
    SELECT p.created_at + interval '2 hours 10 minutes', o.id, t.space_id, 'post_hidden', t.id, p.id,
           p.author_id, p.hidden_reason
      FROM demo_threads d JOIN threads t ON t.id = d.id
      JOIN posts p ON p.thread_id = t.id AND p.number = 3
      JOIN users o ON o.handle = 'okafor'
     WHERE d.key = 'ag2-time'
    RETURNING id, at, actor_id, thread_id, post_id, subject_id)
INSERT INTO notifications (user_id, kind, thread_id, post_id, first_number, actor_id, excerpt,
                           created_at, read_at, modlog_id)
SELECT ml.subject_id, 'moderation', ml.thread_id, ml.post_id, 3, ml.actor_id, '', ml.at,
       ml.at + interval '9 hours', ml.id
  FROM ml;

-- Once the call's time was settled, Chidi locked the thread so it stays easy to find.
UPDATE threads t SET locked = true FROM demo_threads d WHERE d.key = 'ag1-call' AND t.id = d.id;
INSERT INTO moderation_log (at, actor_id, space_id, action, thread_id, subject_id, reason)
SELECT p.created_at + interval '1 minute', u.id, t.space_id, 'thread_locked', t.id, t.author_id,
       'Settled: Thursdays at 12:30 Eastern. Locked so the time stays at the top.'
  FROM demo_threads d JOIN threads t ON t.id = d.id
  JOIN posts p ON p.thread_id = t.id AND p.number = t.last_number
  JOIN users u ON u.handle = 'okafor'
 WHERE d.key = 'ag1-call';

-- Waiting for Chidi: Naomi flagged Tomás's reply, which gives a bed number
-- and an age over 89. Only moderators see who flagged it.
INSERT INTO flags (post_id, flagger_id, reason, note, created_at)
SELECT p.id, u.id, 'identifies_patient', '', p.created_at + interval '4 hours'
  FROM demo_threads d JOIN posts p ON p.thread_id = d.id AND p.number = 3
  JOIN users u ON u.handle = 'adeyemi'
 WHERE d.key = 'ag1-pause';

-- "Helpful" marks, each a little after the post.
INSERT INTO reactions (post_id, user_id, created_at)
SELECT p.id, u.id, p.created_at + interval '35 minutes'
  FROM (VALUES ('ag1-family-meeting', 2, 'priya'), ('ag1-family-meeting', 3, 'priya'),
               ('ag1-family-meeting', 3, 'tomas'), ('ag1-family-meeting', 3, 'adeyemi'),
               ('ag1-pause', 2, 'sam'), ('ag1-pause', 2, 'adeyemi'), ('ag1-pause', 2, 'okafor'),
               ('ag2-time', 2, 'weiss'), ('ag2-time', 2, 'kim'), ('ag2-time', 4, 'cho'),
               ('pg1-child', 2, 'ruiz'), ('pg1-child', 2, 'amara'), ('pg1-child', 2, 'lee'),
               ('pg1-child', 3, 'ruiz'), ('pg1-siblings', 2, 'amara')) AS r (thread, number, handle)
  JOIN demo_threads d ON d.key = r.thread
  JOIN posts p ON p.thread_id = d.id AND p.number = r.number
  JOIN users u ON u.handle = r.handle
ON CONFLICT DO NOTHING;

-- Everyone in a group has read its threads to the end, except what is new:
-- Priya has not yet seen Naomi's reply about the pause, and Chidi has not
-- read past Priya's (he has a flag to look at first).
INSERT INTO reads (user_id, thread_id, last_number)
SELECT u.id, t.id,
       CASE WHEN d.key = 'ag1-pause' AND u.handle = 'priya' THEN t.last_number - 1
            WHEN d.key = 'ag1-pause' AND u.handle = 'okafor' THEN 2
            ELSE t.last_number END
  FROM demo_threads d JOIN threads t ON t.id = d.id
 CROSS JOIN users u
 WHERE cairn_space_role(u.id, t.space_id) >= 1 AND u.email LIKE '%@cairn.test'
ON CONFLICT (user_id, thread_id) DO UPDATE SET last_number = EXCLUDED.last_number;

-- Reading moved each reader's "last active" (space_activity, kept by a
-- trigger on reads) to the moment of loading; put it back to when they read,
-- half an hour after the newest post they have read, as the facilitator's
-- dashboard shows it.
UPDATE space_activity sa SET last_read_at = x.at
  FROM (SELECT r.user_id, t.space_id, max(p.created_at) + interval '30 minutes' AS at
          FROM reads r JOIN threads t ON t.id = r.thread_id
          JOIN demo_threads d ON d.id = t.id
          JOIN posts p ON p.thread_id = t.id AND p.number <= r.last_number
         GROUP BY r.user_id, t.space_id) x
 WHERE sa.space_id = x.space_id AND sa.user_id = x.user_id
   AND x.at < sa.last_read_at;

UPDATE notifications n SET read_at = p.created_at + interval '30 minutes'
  FROM posts p, reads r, demo_threads d
 WHERE p.id = n.post_id AND r.user_id = n.user_id AND r.thread_id = n.thread_id
   AND d.id = n.thread_id AND p.number <= r.last_number AND n.read_at IS NULL;

UPDATE outbox o SET open_topic = NULL
  FROM users u
 WHERE o.to_email = u.email AND o.open_topic IS NOT NULL AND o.sent_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM notifications n
                    WHERE n.user_id = u.id AND n.read_at IS NULL
                      AND o.open_topic = 'thread:' || n.thread_id);
