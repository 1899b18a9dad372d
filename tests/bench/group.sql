-- A small group for the benchmark's reader, @lee (scripts/bench, "at scale"): lee holds a
-- confirmed place in a current or upcoming offering of the series (so may read a group), is in
-- a group (the demo's own, when the demo placed them; else one made here) of eight members, with
-- @okafor facilitating it for the demo's upcoming Core Practice run. Prints GROUP_ID=<id>.
-- Idempotent; set-based.
\set ON_ERROR_STOP 1
INSERT INTO enrollments (offering_id, user_id, role, state, source, created_at, confirmed_at)
SELECT o.id, u.id, 'learner', 'confirmed', 'import', now(), now()
  FROM offerings o, users u
 WHERE o.slug = 'core-practice-upcoming' AND u.handle = 'lee'
   AND NOT EXISTS (SELECT 1 FROM enrollments e JOIN offerings eo ON eo.id = e.offering_id
                    WHERE e.user_id = u.id AND e.role = 'learner' AND e.state = 'confirmed'
                      AND cairn_offering_open(eo.ends_on, eo.time_zone))
ON CONFLICT DO NOTHING;

WITH g AS (
    INSERT INTO groups (series_id, track, name)
    SELECT s.id, 'pediatric', 'Bench group' FROM series s
     WHERE s.slug = 'palliative-care'
       AND NOT EXISTS (SELECT 1 FROM group_members m JOIN users u ON u.id = m.user_id
                        WHERE u.handle = 'lee' AND m.left_at IS NULL AND m.series_id = s.id)
    RETURNING id, series_id)
INSERT INTO group_members (group_id, series_id, user_id, joined_at, reason)
SELECT g.id, g.series_id, u.id, now(), 'benchmark' FROM g, users u WHERE u.handle = 'lee';

-- Fill lee's group to eight with people in no group of the series.
INSERT INTO group_members (group_id, series_id, user_id, joined_at, reason)
SELECT m.group_id, m.series_id, f.id, now(), 'benchmark'
  FROM group_members m JOIN users lee ON lee.id = m.user_id AND lee.handle = 'lee'
 CROSS JOIN LATERAL (
       SELECT u.id FROM users u
        WHERE NOT EXISTS (SELECT 1 FROM group_members x
                           WHERE x.user_id = u.id AND x.series_id = m.series_id AND x.left_at IS NULL)
        ORDER BY u.id
        LIMIT greatest(0, 8 - (SELECT count(*) FROM group_members y
                                WHERE y.group_id = m.group_id AND y.left_at IS NULL))) f
 WHERE m.left_at IS NULL;

INSERT INTO group_facilitators (group_id, offering_id, user_id, assigned_at)
SELECT m.group_id, o.id, f.id, now()
  FROM group_members m JOIN users lee ON lee.id = m.user_id AND lee.handle = 'lee',
       offerings o, users f
 WHERE m.left_at IS NULL AND o.slug = 'core-practice-upcoming' AND f.handle = 'okafor'
ON CONFLICT DO NOTHING;

SELECT 'GROUP_ID=' || m.group_id FROM group_members m JOIN users u ON u.id = m.user_id
 WHERE u.handle = 'lee' AND m.left_at IS NULL;
