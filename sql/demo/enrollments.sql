-- Demo enrollments: the May 2026 Core Practice cohort (past, with history)
-- and the staff of the upcoming run. (The cohort's next course, where its
-- small groups meet again, is in groups.sql.) Idempotent: rows that exist are kept.
-- Prices follow the seed: the demo's learners enrolled early ($1,795.50 +
-- $10 processing) and have paid.
INSERT INTO enrollments (offering_id, user_id, role, state, source, fee_category, price_kind,
                         course_fee_cents, discount_cents, processing_fee_cents, amount_cents,
                         created_at, confirmed_at)
SELECT o.id, u.id, p.role, 'confirmed', p.source, p.category,
       CASE WHEN p.role = 'learner' THEN 'early' END,
       CASE WHEN p.role = 'learner' THEN 179550 ELSE 0 END, 0,
       CASE WHEN p.role = 'learner' THEN 1000 ELSE 0 END,
       CASE WHEN p.role = 'learner' THEN 180550 ELSE 0 END,
       timestamptz '2026-04-01 12:00 America/New_York', timestamptz '2026-04-03 12:00 America/New_York'
  FROM (VALUES
        ('core-practice-2026-05', 'rivera', 'director', 'staff', NULL),
        ('core-practice-2026-05', 'okafor', 'facilitator', 'staff', NULL),
        ('core-practice-2026-05', 'priya', 'learner', 'self', 'nurse'),
        ('core-practice-2026-05', 'sam', 'learner', 'self', 'allied_other'),
        ('core-practice-2026-05', 'lee', 'learner', 'self', 'physician'),
        ('core-practice-2026-05', 'amara', 'learner', 'self', 'social_worker'),
        ('core-practice-2026-05', 'tomas', 'learner', 'self', 'allied_other'),
        ('core-practice-2026-05', 'bell', 'learner', 'self', 'physician'),
        ('core-practice-2026-05', 'kim', 'learner', 'self', 'pa'),
        ('core-practice-2026-05', 'adeyemi', 'learner', 'self', 'psychologist'),
        ('core-practice-2026-05', 'cho', 'learner', 'self', 'nurse'),
        ('core-practice-2026-05', 'weiss', 'learner', 'self', 'resident_fellow'),
        ('core-practice-2026-05', 'ruiz', 'learner', 'self', 'nurse'),
        ('core-practice-2026-05', 'mensah', 'learner', 'self', 'allied_other'),
        ('core-practice-upcoming', 'rivera', 'director', 'staff', NULL),
        ('core-practice-upcoming', 'okafor', 'facilitator', 'staff', NULL),
        ('foundations-2026-01', 'priya', 'learner', 'self', 'nurse'),
        ('foundations-2026-01', 'amara', 'learner', 'self', 'social_worker')
       ) AS p (offering, handle, role, source, category)
  JOIN offerings o ON o.slug = p.offering
  JOIN users u ON u.handle = p.handle
ON CONFLICT (offering_id, user_id) WHERE state <> 'cancelled' DO NOTHING;
