-- Who is in which offering, in what role, at what price; teams that enroll
-- together (DESIGN §4, issue 4).

-- One row per person per offering (a cancelled row does not block a new
-- enrollment). Learners carry the fee quote they confirmed, frozen at the
-- moment of confirmation: later changes to the fee table do not move it.
CREATE TABLE enrollments (
    id                    bigserial PRIMARY KEY,
    offering_id           bigint NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    user_id               bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role                  text NOT NULL CHECK (role IN ('learner', 'facilitator', 'director')),
    state                 text NOT NULL CHECK (state IN ('pending_payment', 'confirmed', 'cancelled')),
    source                text NOT NULL CHECK (source IN ('self', 'team', 'import', 'staff', 'invite')),
    fee_category          text REFERENCES fee_categories(code),
    price_kind            text CHECK (price_kind IN ('early', 'regular')),
    course_fee_cents      int NOT NULL DEFAULT 0 CHECK (course_fee_cents >= 0),
    discount_cents        int NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    processing_fee_cents  int NOT NULL DEFAULT 0 CHECK (processing_fee_cents >= 0),
    amount_cents          int NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    team_id               bigint,
    created_at            timestamptz NOT NULL,
    confirmed_at          timestamptz,
    cancelled_at          timestamptz,
    CHECK (amount_cents = course_fee_cents - discount_cents + processing_fee_cents)
);
CREATE UNIQUE INDEX enrollments_once ON enrollments (offering_id, user_id) WHERE state <> 'cancelled';
CREATE INDEX enrollments_user ON enrollments (user_id);

CREATE TABLE teams (
    id                   bigserial PRIMARY KEY,
    offering_id          bigint NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    institution          text NOT NULL DEFAULT '' CHECK (length(institution) <= 200),
    coordinator_id       bigint NOT NULL REFERENCES users(id),
    state                text NOT NULL CHECK (state IN ('draft', 'confirmed', 'cancelled')),
    created_at           timestamptz NOT NULL,
    confirmed_at         timestamptz
);
CREATE INDEX teams_coordinator ON teams (coordinator_id);
ALTER TABLE enrollments ADD FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL;

-- A member slot on a team. The quote is computed for the whole team (the
-- group discount depends on its size) and frozen when the team confirms.
CREATE TABLE team_members (
    id                    bigserial PRIMARY KEY,
    team_id               bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    position              int NOT NULL,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    email                 text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    profession            text NOT NULL,
    fee_category          text NOT NULL REFERENCES fee_categories(code),
    track                 text NOT NULL CHECK (track IN ('adult', 'pediatric', 'both')),
    state                 text NOT NULL CHECK (state IN ('listed', 'invited', 'accepted', 'revoked', 'replaced')),
    price_kind            text CHECK (price_kind IN ('early', 'regular')),
    course_fee_cents      int NOT NULL DEFAULT 0,
    discount_cents        int NOT NULL DEFAULT 0,
    processing_fee_cents  int NOT NULL DEFAULT 0,
    amount_cents          int NOT NULL DEFAULT 0,
    token_id              bigint REFERENCES tokens(id) ON DELETE SET NULL,
    user_id               bigint REFERENCES users(id) ON DELETE SET NULL,
    enrollment_id         bigint REFERENCES enrollments(id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL
);
CREATE INDEX team_members_team ON team_members (team_id, position);
-- One live slot per email on a team.
CREATE UNIQUE INDEX team_members_email ON team_members (team_id, lower(email))
    WHERE state IN ('listed', 'invited', 'accepted');

-- What the admin pastes or a director chooses stays written down.
ALTER TABLE offerings ADD COLUMN cancellation_policy text NOT NULL DEFAULT
    'Cancellations made in writing at least 14 days before the course begins are refunded '
    'in full, less the non-refundable processing fee. Later cancellations cannot be refunded; '
    'you may transfer your place to a colleague.';
