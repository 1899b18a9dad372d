-- Who a person is, how they sign in, and the keys that protect their journal
-- (DESIGN §4, §6, §7). Nothing here holds a password, a key-encryption key,
-- a session key, a journal master key in the clear, or a token in the clear.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254
                                       AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    handle        text NOT NULL CHECK (handle ~ '^[a-z0-9_]{2,30}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    profession    text NOT NULL CHECK (profession IN ('physician', 'nurse', 'np', 'pa',
                      'psychologist', 'psychiatrist', 'social_worker', 'chaplain',
                      'pharmacist', 'resident_fellow', 'other')),
    pronouns      text NOT NULL DEFAULT '' CHECK (length(pronouns) <= 40),
    time_zone     text NOT NULL DEFAULT 'America/New_York',
    track         text NOT NULL DEFAULT 'adult' CHECK (track IN ('adult', 'pediatric', 'both')),
    is_admin      boolean NOT NULL DEFAULT false,
    listed        boolean NOT NULL DEFAULT true,   -- fellow learners may see me on rosters
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE UNIQUE INDEX users_handle ON users (handle);

-- One row per user: the Argon2id salt and limits, the hash of the password
-- verifier (never the verifier itself), the recovery salt, and which
-- journal-key version and recovery-code generation are current.
CREATE TABLE credentials (
    user_id              bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    salt                 bytea NOT NULL CHECK (length(salt) = 16),
    verifier_hash        bytea NOT NULL CHECK (length(verifier_hash) = 32),
    opslimit             bigint NOT NULL,
    memlimit             bigint NOT NULL,
    recovery_salt        bytea NOT NULL CHECK (length(recovery_salt) = 16),
    key_version          int NOT NULL DEFAULT 1,
    recovery_generation  int NOT NULL DEFAULT 1,
    recovery_confirmed   boolean NOT NULL DEFAULT false,
    password_changed_at  timestamptz NOT NULL DEFAULT now()
);

-- Journal master keys, one per version, only ever wrapped:
--   kek_wrap       under the password's KEK (the current version only);
--   recovery_wrap  under the recovery key of code generation recovery_generation;
--   newer_wrap     under the JMK of version newer_version, so every older
--                  version is reachable from the current one.
-- After a password reset the old versions have no path from the current key
-- until the old recovery code is entered: their entries are locked.
CREATE TABLE journal_keys (
    user_id              bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version              int NOT NULL CHECK (version >= 1),
    kek_wrap             bytea,
    recovery_wrap        bytea,
    recovery_generation  int,
    newer_wrap           bytea,
    newer_version        int,
    created_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, version)
);

CREATE TABLE web_sessions (
    id                bigserial PRIMARY KEY,
    token_hash        bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id           bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_secret       bytea NOT NULL CHECK (length(csrf_secret) = 32),
    jmk_wrap          bytea,      -- the JMK under the session key (never stored)
    jmk_version       int,
    pending_recovery  bytea,      -- a new recovery code under the session key, until seen
    created_at        timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    user_agent        text NOT NULL DEFAULT '',
    client_addr       text NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Single-use tokens, stored hashed: invitations, password resets, and (later)
-- team invitations, confirmations and unsubscribes.
CREATE TABLE tokens (
    id           bigserial PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose      text NOT NULL CHECK (purpose IN ('invite', 'reset', 'team_invite',
                                                  'confirm', 'unsubscribe')),
    user_id      bigint REFERENCES users(id) ON DELETE CASCADE,
    email        text,
    grants_admin boolean NOT NULL DEFAULT false,
    created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    consumed_at  timestamptz,
    revoked_at   timestamptz,
    data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX tokens_purpose ON tokens (purpose, created_at DESC);

-- Failed sign-ins and recovery-code entries, for throttling. Keys are
-- 'email:<lower-case email>', 'addr:<client address>', 'recovery:<user id>'.
CREATE TABLE login_attempts (
    key  text NOT NULL,
    at   timestamptz NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts (key, at);

-- Every message Cairn would send, before and after email delivery exists.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    to_email    text NOT NULL,
    kind        text NOT NULL,
    subject     text NOT NULL,
    body        bytea NOT NULL,   -- sealed under the outbox key (outbox.c)
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;
