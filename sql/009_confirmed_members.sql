-- Only confirmed enrollments belong to a cohort's and the series' spaces
-- (DESIGN §5: "if enrolled (confirmed, not pending payment)"; issue 9).
-- cairn_space_role counted every enrollment that was not cancelled, so
-- whoever filled in the public enrollment form could read and write where
-- clinicians discuss real cases while the payment was still outstanding.
--
-- The paths that confirm an enrollment are listed in the README ("Who sees
-- what"). Three of them confirmed nothing before this migration: a learner
-- invited by an offering's staff, a team member accepting the coordinator's
-- confirmed quote, and a pending learner made facilitator or director. Rows
-- those paths left pending are confirmed here, so nobody who was meant to be
-- a member is shut out by the stricter check below.
UPDATE enrollments e
   SET state = 'confirmed', confirmed_at = coalesce(e.confirmed_at, e.created_at)
 WHERE e.state = 'pending_payment'
   AND (e.role <> 'learner' OR e.source = 'invite'
        OR (e.source = 'team' AND EXISTS (SELECT 1 FROM teams t
                                            WHERE t.id = e.team_id AND t.state = 'confirmed')));

CREATE OR REPLACE FUNCTION cairn_space_role(p_user bigint, p_space bigint) RETURNS int
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s spaces%ROWTYPE;
    admin boolean;
    role int;
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
    END IF;
    RETURN 0;
END $$;
