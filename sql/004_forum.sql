-- Cohort discussion: spaces, threads, posts, revisions, reactions, reading
-- state, follows, mentions and notifications (issue 5).

-- Where threads live. Series spaces belong to a series; cohort and
-- announcement spaces to one offering; group spaces (a later migration) to
-- a small group.
CREATE TABLE spaces (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('series', 'cohort', 'announcements', 'group')),
    series_id    bigint REFERENCES series(id) ON DELETE CASCADE,
    offering_id  bigint REFERENCES offerings(id) ON DELETE CASCADE,
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'series') = (series_id IS NOT NULL AND offering_id IS NULL)),
    CHECK ((kind IN ('cohort', 'announcements')) = (offering_id IS NOT NULL))
);
CREATE UNIQUE INDEX spaces_series ON spaces (series_id) WHERE kind = 'series';
CREATE UNIQUE INDEX spaces_offering ON spaces (offering_id, kind) WHERE kind IN ('cohort', 'announcements');

-- A person's standing in a space: 0 none, 1 member (read, reply), 2
-- moderator. DESIGN §5: series spaces are for everyone enrolled in any of
-- the series' offerings (its directors moderate); cohort and announcement
-- spaces for those enrolled in the offering (its facilitators and
-- directors moderate, and so do the series' directors); admins moderate
-- everything. A cancelled enrollment grants nothing.
CREATE FUNCTION cairn_space_role(p_user bigint, p_space bigint) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT coalesce(CASE
        WHEN u.is_admin THEN 2
        WHEN s.kind = 'series' THEN (
            SELECT max(CASE WHEN e.role = 'director' THEN 2 ELSE 1 END)
              FROM enrollments e JOIN offerings o ON o.id = e.offering_id
              JOIN courses c ON c.id = o.course_id
             WHERE c.series_id = s.series_id AND e.user_id = u.id AND e.state <> 'cancelled')
        WHEN s.kind IN ('cohort', 'announcements') THEN greatest(
            (SELECT max(CASE WHEN e.role IN ('director', 'facilitator') THEN 2 ELSE 1 END)
               FROM enrollments e
              WHERE e.offering_id = s.offering_id AND e.user_id = u.id AND e.state <> 'cancelled'),
            (SELECT 2 FROM enrollments e JOIN offerings o ON o.id = e.offering_id
               JOIN courses c ON c.id = o.course_id
               JOIN offerings so ON so.id = s.offering_id JOIN courses sc ON sc.id = so.course_id
              WHERE c.series_id = sc.series_id AND e.user_id = u.id AND e.role = 'director'
                AND e.state <> 'cancelled' LIMIT 1))
        ELSE 0 END, 0)
      FROM spaces s, users u WHERE s.id = p_space AND u.id = p_user
$$;

CREATE TABLE threads (
    id              bigserial PRIMARY KEY,
    space_id        bigint NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    author_id       bigint NOT NULL REFERENCES users(id),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL,
    last_post_at    timestamptz NOT NULL,
    last_poster_id  bigint NOT NULL REFERENCES users(id),
    last_number     int NOT NULL DEFAULT 0,      -- number of the newest post
    pinned          boolean NOT NULL DEFAULT false,
    locked          boolean NOT NULL DEFAULT false,
    hidden          boolean NOT NULL DEFAULT false,
    agenda_item_id  bigint REFERENCES agenda_items(id) ON DELETE SET NULL
);
-- Thread lists: pinned first, then by last activity (keyset pagination).
CREATE INDEX threads_list ON threads (space_id, pinned DESC, last_post_at DESC, id DESC);
CREATE INDEX threads_agenda ON threads (agenda_item_id) WHERE agenda_item_id IS NOT NULL;

CREATE TABLE posts (
    id          bigserial PRIMARY KEY,
    thread_id   bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    number      int NOT NULL,                    -- 1 is the opening post
    author_id   bigint NOT NULL REFERENCES users(id),
    body_src    text NOT NULL,                   -- Markdown as written
    body_html   text NOT NULL,                   -- rendered once, at write time
    body_text   text NOT NULL,                   -- plain text: search, excerpts
    search      tsvector NOT NULL,
    created_at  timestamptz NOT NULL,
    edited_at   timestamptz,
    deleted_at  timestamptz,
    hidden      boolean NOT NULL DEFAULT false,
    UNIQUE (thread_id, number)
);
CREATE INDEX posts_search ON posts USING gin (search);
CREATE INDEX posts_author ON posts (author_id, created_at);

-- Earlier versions of an edited post (visible to the author and the
-- space's moderators only).
CREATE TABLE post_revisions (
    id          bigserial PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    body_src    text NOT NULL,
    created_at  timestamptz NOT NULL,            -- when this version was written
    replaced_at timestamptz NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE reactions (
    post_id     bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        text NOT NULL DEFAULT 'helpful' CHECK (kind = 'helpful'),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);

CREATE TABLE reads (
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    thread_id    bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    last_number  int NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

CREATE TABLE follows (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    thread_id  bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, thread_id)
);

CREATE TABLE mentions (
    post_id  bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE notifications (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('mention', 'reply', 'follow')),
    thread_id   bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    post_id     bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    excerpt     text NOT NULL,
    created_at  timestamptz NOT NULL,
    read_at     timestamptz,
    UNIQUE (user_id, post_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Every series and offering gets its spaces, now and whenever one is made.
CREATE FUNCTION cairn_make_spaces() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'series' THEN
        INSERT INTO spaces (kind, series_id, title, description)
        VALUES ('series', NEW.id, NEW.title || ' community',
                'Everyone enrolled in any course of the series.');
    ELSE
        INSERT INTO spaces (kind, offering_id, title, description)
        VALUES ('cohort', NEW.id, 'Cohort discussion',
                'Learners, facilitators and directors of this run of the course.'),
               ('announcements', NEW.id, 'Announcements',
                'News from the facilitators and directors. Everyone may reply.');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER series_spaces AFTER INSERT ON series FOR EACH ROW EXECUTE FUNCTION cairn_make_spaces();
CREATE TRIGGER offering_spaces AFTER INSERT ON offerings FOR EACH ROW EXECUTE FUNCTION cairn_make_spaces();

INSERT INTO spaces (kind, series_id, title, description)
SELECT 'series', id, title || ' community', 'Everyone enrolled in any course of the series.'
  FROM series;
INSERT INTO spaces (kind, offering_id, title, description)
SELECT k.kind, o.id, k.title, k.description FROM offerings o,
       (VALUES ('cohort', 'Cohort discussion',
                'Learners, facilitators and directors of this run of the course.'),
               ('announcements', 'Announcements',
                'News from the facilitators and directors. Everyone may reply.')) AS k (kind, title, description);
