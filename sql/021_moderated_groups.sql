-- Who moderates a small group, as a set (issue 11: the facilitator's
-- dashboard lists 40 groups a page). cairn_space_role asked once per group
-- cost about half a millisecond each (PL/pgSQL, and the one clock read per
-- call); this set-returning LANGUAGE sql function is inlined by the planner,
-- so the dashboard asks for all of a person's groups in one statement, and
-- cairn_space_role's group branch asks the same function for one group:
-- the rule stays in one place.
--
-- A group is moderated by admins, by the series' directors (a confirmed
-- director of any offering of the series), and by its facilitators while
-- assigned for an offering that has not ended and still confirmed on that
-- offering's staff.
CREATE FUNCTION cairn_moderated_groups(p_user bigint) RETURNS TABLE (group_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT g.id FROM groups g
     WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = p_user AND u.is_admin)
        OR g.series_id IN (
            SELECT c.series_id FROM enrollments e JOIN offerings o ON o.id = e.offering_id
              JOIN courses c ON c.id = o.course_id
             WHERE e.user_id = p_user AND e.role = 'director' AND e.state = 'confirmed')
        OR g.id IN (
            SELECT gf.group_id FROM group_facilitators gf
              JOIN offerings o ON o.id = gf.offering_id
              JOIN enrollments e ON e.offering_id = gf.offering_id AND e.user_id = gf.user_id
             WHERE gf.user_id = p_user
               AND e.role IN ('facilitator', 'director') AND e.state = 'confirmed'
               AND cairn_offering_open(o.ends_on, o.time_zone))
$$;

-- The same rules as sql/011_groups.sql, with the group branch's moderators
-- taken from cairn_moderated_groups.
CREATE OR REPLACE FUNCTION cairn_space_role(p_user bigint, p_space bigint) RETURNS int
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s spaces%ROWTYPE;
    admin boolean;
    role int;
    g_series bigint;
BEGIN
    SELECT is_admin INTO admin FROM users WHERE id = p_user;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    SELECT * INTO s FROM spaces WHERE id = p_space;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    IF admin THEN
        RETURN 2;
    END IF;
    IF s.kind = 'series' THEN
        SELECT max(CASE WHEN e.role = 'director' THEN 2 ELSE 1 END) INTO role
          FROM enrollments e JOIN offerings o ON o.id = e.offering_id
          JOIN courses c ON c.id = o.course_id
         WHERE c.series_id = s.series_id AND e.user_id = p_user AND e.state = 'confirmed';
        RETURN coalesce(role, 0);
    ELSIF s.kind IN ('cohort', 'announcements') THEN
        SELECT max(CASE WHEN e.role IN ('director', 'facilitator') THEN 2 ELSE 1 END) INTO role
          FROM enrollments e
         WHERE e.offering_id = s.offering_id AND e.user_id = p_user AND e.state = 'confirmed';
        IF coalesce(role, 0) < 2 AND EXISTS (
            SELECT 1 FROM enrollments e JOIN offerings o ON o.id = e.offering_id
              JOIN courses c ON c.id = o.course_id
              JOIN offerings so ON so.id = s.offering_id JOIN courses sc ON sc.id = so.course_id
             WHERE c.series_id = sc.series_id AND e.user_id = p_user AND e.role = 'director'
               AND e.state = 'confirmed') THEN
            role := 2;
        END IF;
        RETURN coalesce(role, 0);
    ELSIF s.kind = 'group' THEN
        SELECT series_id INTO g_series FROM groups WHERE id = s.group_id;
        IF EXISTS (SELECT 1 FROM cairn_moderated_groups(p_user) m WHERE m.group_id = s.group_id) THEN
            RETURN 2;
        END IF;
        IF EXISTS (
            SELECT 1 FROM group_members m
             WHERE m.group_id = s.group_id AND m.user_id = p_user AND m.left_at IS NULL)
           AND EXISTS (
            SELECT 1 FROM enrollments e JOIN offerings o ON o.id = e.offering_id
              JOIN courses c ON c.id = o.course_id
             WHERE c.series_id = g_series AND e.user_id = p_user AND e.role = 'learner'
               AND e.state = 'confirmed' AND cairn_offering_open(o.ends_on, o.time_zone)) THEN
            RETURN 1;
        END IF;
        RETURN 0;
    END IF;
    RETURN 0;
END $$;
