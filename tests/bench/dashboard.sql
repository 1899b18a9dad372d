-- The facilitator's dashboard at the size issue 11 names (scripts/bench, "at scale"): @okafor
-- facilitates 40 small groups of 12 learners each for the demo's upcoming Core Practice run,
-- and each group has had a week of conversation (4 threads of 1 to 7 posts, one without a
-- reply, and one open flag in every fourth group), so that every part of the page has rows
-- to show: members with their last activity and post counts, who has not posted since the last
-- live session, professions heard this week, open flags, threads with no reply, upcoming
-- sessions. The 480 learners are made here (bench_dash_N), confirmed in that run. Prints
-- DASHBOARD_GROUPS=<n>. Idempotent (a second run adds nothing); set-based.
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO users (email, handle, display_name, profession, pronouns, time_zone, track)
SELECT 'bench.dash.' || i || '@example.test', 'bench_dash_' || i,
       'Bench Learner ' || i,
       (ARRAY['physician', 'nurse', 'np', 'pa', 'psychologist', 'social_worker', 'chaplain',
              'pharmacist', 'resident_fellow'])[1 + i % 9],
       '', 'America/New_York', CASE WHEN i % 4 = 0 THEN 'pediatric' ELSE 'adult' END
  FROM generate_series(1, 480) AS i
ON CONFLICT DO NOTHING;

INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
SELECT o.id, u.id, 'learner', 'confirmed', 'import', now(), now()
  FROM offerings o JOIN users u ON u.handle LIKE 'bench\_dash\_%'
 WHERE o.slug = 'core-practice-upcoming'
   AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.offering_id = o.id AND e.user_id = u.id);

INSERT INTO groups (series_id, track, name)
SELECT s.id, CASE WHEN g % 4 = 0 THEN 'pediatric' ELSE 'adult' END, 'Dashboard group ' || g
  FROM series s, generate_series(1, 40) AS g
 WHERE s.slug = 'palliative-care'
ON CONFLICT DO NOTHING;

-- Learner i joins group 1 + (i - 1) / 12: twelve each.
INSERT INTO group_members (group_id, series_id, user_id, joined_at, reason)
SELECT g.id, g.series_id, u.id, now() - interval '8 days', 'benchmark'
  FROM generate_series(1, 480) AS i
  JOIN users u ON u.handle = 'bench_dash_' || i
  JOIN groups g ON g.name = 'Dashboard group ' || (1 + (i - 1) / 12)
 WHERE NOT EXISTS (SELECT 1 FROM group_members m
                    WHERE m.user_id = u.id AND m.series_id = g.series_id AND m.left_at IS NULL);

INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
SELECT g.id, o.id, f.id, now()
  FROM groups g, offerings o, users f
 WHERE g.name LIKE 'Dashboard group %' AND o.slug = 'core-practice-upcoming' AND f.handle = 'okafor'
ON CONFLICT DO NOTHING;

-- A week of conversation in each group's space, written once.
CREATE TEMP TABLE dash_threads ON COMMIT DROP AS
SELECT s.id AS space_id, g.name, k AS n, 1 + (gn * 7 + k * 3) % 7 AS posts,
       now() - interval '7 days' + (k * interval '36 hours') AS started,
       (SELECT u.id FROM users u WHERE u.handle = 'bench_dash_' || ((gn - 1) * 12 + 1 + k)) AS author_id
  FROM groups g JOIN spaces s ON s.group_id = g.id,
       LATERAL (SELECT substr(g.name, 17)::int AS gn) x,
       generate_series(1, 4) AS k
 WHERE g.name LIKE 'Dashboard group %'
   AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.space_id = s.id);
UPDATE dash_threads SET posts = 1 WHERE n = 4;   -- one thread in each group waits for a reply

ALTER TABLE dash_threads ADD COLUMN thread_id bigint;
WITH made AS (
  INSERT INTO threads (space_id, author_id, title, created_at, last_post_at, last_poster_id)
  SELECT d.space_id, d.author_id, d.name || ': week thread ' || d.n, d.started, d.started, d.author_id
    FROM dash_threads d
  RETURNING id, space_id, title)
UPDATE dash_threads d SET thread_id = m.id
  FROM made m WHERE m.space_id = d.space_id AND m.title = d.name || ': week thread ' || d.n;

INSERT INTO posts (thread_id, number, author_id, body_src, body_html, body_text, search, created_at)
SELECT d.thread_id, k,
       (SELECT u.id FROM users u
         WHERE u.handle = 'bench_dash_' || ((substr(d.name, 17)::int - 1) * 12 + 1 + (d.n + k * 5) % 12)),
       'What I noticed in today''s practice round: the pause after the headline.',
       '<p>What I noticed in today''s practice round: the pause after the headline.</p>',
       'What I noticed in today''s practice round: the pause after the headline.',
       to_tsvector('english', 'What I noticed in today''s practice round: the pause after the headline.'),
       d.started + (k * interval '2 hours')
  FROM dash_threads d, generate_series(1, d.posts) AS k;

UPDATE threads t SET last_number = d.posts, last_post_at = d.started + (d.posts * interval '2 hours'),
       last_poster_id = p.author_id
  FROM dash_threads d JOIN posts p ON p.thread_id = d.thread_id AND p.number = d.posts
 WHERE t.id = d.thread_id;

INSERT INTO flags (post_id, flagger_id, reason, note, created_at)
SELECT p.id, f.id, 'off_topic', '', p.created_at + interval '1 hour'
  FROM dash_threads d JOIN posts p ON p.thread_id = d.thread_id AND p.number = 1
  JOIN users f ON f.handle = 'bench_dash_' || ((substr(d.name, 17)::int - 1) * 12 + 12)
 WHERE d.n = 2 AND substr(d.name, 17)::int % 4 = 0;

COMMIT;

SELECT 'DASHBOARD_GROUPS=' || count(*) FROM group_facilitators gf
  JOIN groups g ON g.id = gf.group_id JOIN users u ON u.id = gf.user_id
 WHERE u.handle = 'okafor' AND g.name LIKE 'Dashboard group %';
