-- Demo small groups (issue 10 item 6): what the May 2026 cohort needs so that
-- server/demo.c can place it into groups with the placement code, and so that
-- its learners can still read their group after the course has ended.
--
-- Run by `cairn demo` on every load, after enrollments.sql, inside the
-- transaction that then places the learners. Idempotent: rows that exist are
-- kept, and nothing a director changed since is overwritten.
--
-- A group is read by its members while they hold a confirmed place in a
-- current or upcoming offering of the series (sql/011_groups.sql). The May
-- cohort's course is over, so the demo gives the cohort its next course: a run
-- of the series' third course, which the course page announces without dates
-- or contents. Its dates, deadlines, fees and group size are chosen for the
-- demo and said so in its notes; it has no agenda, because nothing is known
-- of one.

INSERT INTO offerings (course_id, slug, starts_on, ends_on, time_zone, format,
                       registration_deadline, early_deadline, processing_fee_cents,
                       group_min_size, group_max_size, notes)
SELECT c.id, 'third-course-upcoming', u.starts_on, u.starts_on + 2, 'America/New_York',
       'live_online',
       -- Closed from the start: its places are the returning cohort's.
       -- (The start of today in New York: the server's current_date is
       -- already tomorrow there in the evening, which left it open.)
       date_trunc('day', now() AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York',
       NULL, 1000, 4, 6,
       'A demo run of the series'' third course, which the course page announces without '
       'dates or contents: it exists so that the May 2026 Core Practice cohort has a next '
       'course in which its small groups meet again. It is dated relative to the day the demo '
       'data was loaded (the first Wednesday at least 63 days after it) and its registration '
       'was closed from that day, as its places are the returning cohort''s. Its fee table '
       'and processing fee are copied from Core Practice, and its group size (4 to 6) was '
       'chosen for the demo. It has no agenda: none has been announced.'
  FROM courses c,
       -- isodow: Monday = 1 ... Wednesday = 3 ... Sunday = 7
       (SELECT d + ((10 - extract(isodow FROM d)::int) % 7) AS starts_on
          FROM (SELECT current_date + 63 AS d) AS x) AS u
 WHERE c.slug = 'third-course'
ON CONFLICT (slug) DO NOTHING;

INSERT INTO offering_fees (offering_id, category, regular_cents, early_cents)
SELECT o.id, f.code, 199500, 179550
  FROM offerings o CROSS JOIN fee_categories f
 WHERE o.slug = 'third-course-upcoming'
ON CONFLICT (offering_id, category) DO NOTHING;

-- The May cohort's groups: four to six, as small groups that practise
-- serious-illness conversations with a simulated patient often are (chosen
-- for the demo; the course page gives no size). Set only before the series
-- has any group, so a director's later choice stays.
UPDATE offerings SET group_min_size = 4, group_max_size = 6
 WHERE slug = 'core-practice-2026-05'
   AND NOT EXISTS (SELECT 1 FROM groups g JOIN series s ON s.id = g.series_id
                    WHERE s.slug = 'palliative-care');

-- The cohort returns for the third course, except Dr. Weiss, whose fellowship
-- has ended (her membership stays in her group's history). Lucia Ferrari is
-- new to the series: placement finds her a group. The same staff as in May.
INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category, price_kind,
                         course_fee_cents, discount_cents, processing_fee_cents, amount_cents,
                         created_at, confirmed_at)
SELECT o.id, u.id, p.role, 'confirmed', p.source, p.category,
       CASE WHEN p.role = 'learner' THEN 'regular' END,
       CASE WHEN p.role = 'learner' THEN 199500 ELSE 0 END, 0,
       CASE WHEN p.role = 'learner' THEN 1000 ELSE 0 END,
       CASE WHEN p.role = 'learner' THEN 200500 ELSE 0 END,
       now() - interval '7 days', now() - interval '6 days'
  FROM (VALUES
        ('rivera', 'director', 'staff', NULL),
        ('okafor', 'facilitator', 'staff', NULL),
        ('priya', 'learner', 'self', 'nurse'),
        ('sam', 'learner', 'self', 'allied_other'),
        ('tomas', 'learner', 'self', 'allied_other'),
        ('bell', 'learner', 'self', 'physician'),
        ('kim', 'learner', 'self', 'pa'),
        ('adeyemi', 'learner', 'self', 'psychologist'),
        ('cho', 'learner', 'self', 'nurse'),
        ('ferrari', 'learner', 'self', 'social_worker'),
        ('lee', 'learner', 'self', 'physician'),
        ('amara', 'learner', 'self', 'social_worker'),
        ('ruiz', 'learner', 'self', 'nurse'),
        ('mensah', 'learner', 'self', 'allied_other')
       ) AS p (handle, role, source, category)
  JOIN offerings o ON o.slug = 'third-course-upcoming'
  JOIN users u ON u.handle = p.handle
ON CONFLICT (offering_id, user_id) WHERE state <> 'cancelled' DO NOTHING;
