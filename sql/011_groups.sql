-- Small groups that persist across a series (issue 10 items 3-5).
--
-- A group belongs to a series and one track, not to an offering: the same
-- clinicians practise together through Foundations, Core Practice and the
-- third course. Membership is a history (a row per stay, closed when a
-- member is moved); facilitators are assigned per offering and may change
-- from course to course while the group stays. Each group has one space of
-- kind 'group' where its threads live.

-- The clock a request runs under. The shipped binary never sets cairn.now,
-- so this is now(); builds with test hooks set it on every connection they
-- hand out, so the database and the C code agree on "now" when a test pins
-- the clock (clock.h).
CREATE FUNCTION cairn_now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('cairn.now', true), '')::timestamptz, now())
$$;

-- An offering is current or upcoming until the end of its last day in its
-- own time zone.
CREATE FUNCTION cairn_offering_open(p_ends_on date, p_zone text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (cairn_now() AT TIME ZONE p_zone)::date <= p_ends_on
$$;

CREATE TABLE groups (
    id          bigserial PRIMARY KEY,
    series_id   bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    track       text NOT NULL CHECK (track IN ('adult', 'pediatric')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (series_id, name),
    UNIQUE (id, series_id)
);

-- One row per stay in a group. left_at is set when a member is moved to
-- another group of the series; a member whose enrollment lapses keeps the
-- open row (their access follows their enrollment, and they find the
-- group's history again when they return for the next course).
CREATE TABLE group_members (
    id           bigserial PRIMARY KEY,
    group_id     bigint NOT NULL,
    series_id    bigint NOT NULL,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    offering_id  bigint REFERENCES offerings(id) ON DELETE SET NULL, -- placed for this course
    joined_at    timestamptz NOT NULL,
    left_at      timestamptz,
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    placed_by    bigint REFERENCES users(id) ON DELETE SET NULL,
    FOREIGN KEY (group_id, series_id) REFERENCES groups (id, series_id) ON DELETE CASCADE,
    CHECK (left_at IS NULL OR left_at >= joined_at)
);
-- At most one group at a time per person per series.
CREATE UNIQUE INDEX group_members_current ON group_members (series_id, user_id) WHERE left_at IS NULL;
CREATE INDEX group_members_group ON group_members (group_id) WHERE left_at IS NULL;
CREATE INDEX group_members_user ON group_members (user_id);

-- Who facilitates a group for one offering.
CREATE TABLE group_facilitators (
    group_id     bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    offering_id  bigint NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_at  timestamptz NOT NULL,
    assigned_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (group_id, offering_id, user_id)
);
CREATE INDEX group_facilitators_user ON group_facilitators (user_id);

-- A group's space. series_id stays NULL on group spaces (it marks the
-- series-wide space); the series is the group's.
ALTER TABLE spaces ADD COLUMN group_id bigint UNIQUE REFERENCES groups(id) ON DELETE CASCADE;
ALTER TABLE spaces ADD CHECK ((kind = 'group') = (group_id IS NOT NULL));

-- Every group gets its space when it is made.
CREATE FUNCTION cairn_group_space() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spaces (kind, group_id, title, description)
    VALUES ('group', NEW.id, NEW.name,
            'Your small group''s own space: only its members and facilitators can read it.');
    RETURN NEW;
END $$;
CREATE TRIGGER groups_space AFTER INSERT ON groups
    FOR EACH ROW EXECUTE FUNCTION cairn_group_space();

-- The group's space follows its name.
CREATE FUNCTION cairn_group_space_title() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE spaces SET title = NEW.name WHERE group_id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER groups_space_title AFTER UPDATE OF name ON groups
    FOR EACH ROW EXECUTE FUNCTION cairn_group_space_title();

-- cairn_space_role with group spaces (DESIGN §5, issue 10 item 4). A group
-- is read by:
--   - its current members (an open group_members row) while they hold a
--     confirmed learner enrollment in a current or upcoming offering of the
--     series: cancelling ends access at once, returning restores it with
--     the group's history (1);
--   - its facilitators, while assigned for an offering that has not ended
--     and still confirmed on that offering's staff (2);
--   - the series' directors and admins (2).
-- Everyone else, including facilitators of other groups of the same
-- offering and former members, gets 0: the space does not exist for them.
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
        IF EXISTS (
            SELECT 1 FROM enrollments e JOIN offerings o ON o.id = e.offering_id
              JOIN courses c ON c.id = o.course_id
             WHERE c.series_id = g_series AND e.user_id = p_user AND e.role = 'director'
               AND e.state = 'confirmed') THEN
            RETURN 2;
        END IF;
        IF EXISTS (
            SELECT 1 FROM group_facilitators gf
              JOIN offerings o ON o.id = gf.offering_id
              JOIN enrollments e ON e.offering_id = gf.offering_id AND e.user_id = gf.user_id
             WHERE gf.group_id = s.group_id AND gf.user_id = p_user
               AND e.role IN ('facilitator', 'director') AND e.state = 'confirmed'
               AND cairn_offering_open(o.ends_on, o.time_zone)) THEN
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
