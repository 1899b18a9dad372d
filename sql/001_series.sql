-- The series, its courses, their dated offerings and each offering's agenda.
-- A course holds what does not change between runs (overview, objectives,
-- audience); an offering is one dated cohort run with its own fees,
-- deadlines, capacity and agenda.

CREATE TABLE series (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE courses (
    id            bigserial PRIMARY KEY,
    series_id     bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    position      int NOT NULL,            -- order within the series (1, 2, 3)
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    tagline       text NOT NULL DEFAULT '',
    overview      text NOT NULL DEFAULT '',  -- paragraphs separated by blank lines
    audience      text NOT NULL DEFAULT '',
    prerequisites text NOT NULL DEFAULT '',
    announced     boolean NOT NULL DEFAULT true,  -- false: "to be announced"
    UNIQUE (series_id, position)
);

-- Ordered lists that belong to a course: its domains and learning objectives.
CREATE TABLE course_points (
    course_id  bigint NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('domain', 'objective', 'competency')),
    position   int NOT NULL,
    body       text NOT NULL,
    PRIMARY KEY (course_id, kind, position)
);

-- The fee categories an enrollment is priced in (distinct from profession).
CREATE TABLE fee_categories (
    code      text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    label     text NOT NULL,
    position  int NOT NULL UNIQUE
);

CREATE TABLE offerings (
    id                     bigserial PRIMARY KEY,
    course_id              bigint NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    starts_on              date NOT NULL,
    ends_on                date NOT NULL CHECK (ends_on >= starts_on),
    time_zone              text NOT NULL DEFAULT 'America/New_York',
    format                 text NOT NULL CHECK (format IN ('live_online', 'in_person')),
    location               text NOT NULL DEFAULT '',
    capacity               int CHECK (capacity IS NULL OR capacity > 0),
    registration_deadline  timestamptz,
    early_deadline         timestamptz,
    processing_fee_cents   int NOT NULL DEFAULT 0 CHECK (processing_fee_cents >= 0),
    -- Group discount: members of a team of at least min_size each get
    -- percent off their course fee (the processing fee is never discounted).
    group_discount_min_size int CHECK (group_discount_min_size IS NULL OR group_discount_min_size >= 2),
    group_discount_percent  int NOT NULL DEFAULT 0 CHECK (group_discount_percent BETWEEN 0 AND 100),
    credit_summary         text NOT NULL DEFAULT '',
    credits                text NOT NULL DEFAULT '',   -- paragraphs
    notes                  text NOT NULL DEFAULT '',   -- e.g. how the demo chose a date
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offerings_course ON offerings (course_id, starts_on);

CREATE TABLE offering_fees (
    offering_id   bigint NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    category      text NOT NULL REFERENCES fee_categories(code),
    regular_cents int NOT NULL CHECK (regular_cents >= 0),
    early_cents   int CHECK (early_cents IS NULL OR early_cents >= 0),
    PRIMARY KEY (offering_id, category)
);

-- One agenda slot. An item with tracks = true is one time slot with two
-- parallel breakouts (adult and pediatric); a learner's own agenda shows the
-- breakout of their track.
CREATE TABLE agenda_items (
    id           bigserial PRIMARY KEY,
    offering_id  bigint NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    day_number   int NOT NULL CHECK (day_number >= 1),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    kind         text NOT NULL CHECK (kind IN ('plenary', 'practice', 'small_group',
                                               'reflection', 'break', 'lunch')),
    faculty      text NOT NULL DEFAULT '',
    tracks       boolean NOT NULL DEFAULT false
);
CREATE INDEX agenda_items_offering ON agenda_items (offering_id, starts_at);

CREATE TABLE agenda_breakouts (
    agenda_item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
    track          text NOT NULL CHECK (track IN ('adult', 'pediatric')),
    title          text NOT NULL,
    faculty        text NOT NULL DEFAULT '',
    PRIMARY KEY (agenda_item_id, track)
);

INSERT INTO fee_categories (code, label, position) VALUES
    ('physician',       'Physician (MD/DO)', 1),
    ('nurse',           'Nurse (RN/APRN)', 2),
    ('pa',              'PA', 3),
    ('psychologist',    'Psychologist', 4),
    ('resident_fellow', 'Resident/Fellow', 5),
    ('social_worker',   'Social Worker', 6),
    ('allied_other',    'Allied Health Professional / Other', 7);
