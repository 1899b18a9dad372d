-- Placing an offering's learners into small groups (issue 10 item 5).
--
-- The proposal itself is never stored: server/place.c computes it from the
-- offering's learners and the series' groups, the same way every time. What
-- a director changes before committing is stored here, as a draft per
-- offering: the moves (each with its reason) and the facilitators chosen
-- for each group. The draft remembers a fingerprint of the inputs it was
-- made from, so a commit after the cohort changed (a new learner, a
-- cancellation, a group changed by another placement) is refused instead of
-- committing moves made against another proposal.

-- The group size a director asks for, per offering (6 to 10 unless set).
ALTER TABLE offerings
    ADD COLUMN group_min_size int NOT NULL DEFAULT 6,
    ADD COLUMN group_max_size int NOT NULL DEFAULT 10,
    ADD CONSTRAINT offerings_group_size CHECK (group_min_size BETWEEN 1 AND 50
        AND group_max_size BETWEEN group_min_size AND 50);

CREATE TABLE placement_drafts (
    offering_id  bigint PRIMARY KEY REFERENCES offerings(id) ON DELETE CASCADE,
    -- BLAKE2b of the inputs the draft's moves were made against (hex).
    fingerprint  text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    -- Bumped by every change, so a form from an older page is refused.
    version      int NOT NULL DEFAULT 1 CHECK (version >= 1),
    started_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    started_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- A learner moved away from where the proposal put them: to an existing
-- group of the series, or to the draft's new group number to_new (one the
-- proposal opened, or one the move opens). Replayed in seq order on the
-- proposal; a learner has at most one move (moving again replaces it).
CREATE TABLE placement_moves (
    offering_id  bigint NOT NULL REFERENCES placement_drafts(offering_id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seq          bigserial NOT NULL,
    to_group_id  bigint REFERENCES groups(id) ON DELETE CASCADE,
    to_new       int CHECK (to_new BETWEEN 1 AND 1000),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    moved_by     bigint REFERENCES users(id) ON DELETE SET NULL,
    moved_at     timestamptz NOT NULL,
    PRIMARY KEY (offering_id, user_id),
    CHECK ((to_group_id IS NULL) <> (to_new IS NULL))
);

-- The facilitators chosen for each group: an existing group, or a new group
-- of the draft by number. A draft starts with the offering's assignments as
-- they are; committing makes them exactly these.
CREATE TABLE placement_facilitators (
    offering_id  bigint NOT NULL REFERENCES placement_drafts(offering_id) ON DELETE CASCADE,
    group_id     bigint REFERENCES groups(id) ON DELETE CASCADE,
    new_number   int CHECK (new_number BETWEEN 1 AND 1000),
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    CHECK ((group_id IS NULL) <> (new_number IS NULL))
);
CREATE UNIQUE INDEX placement_facilitators_once
    ON placement_facilitators (offering_id, coalesce(group_id, 0), coalesce(new_number, 0), user_id);
