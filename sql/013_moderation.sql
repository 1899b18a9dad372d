-- Moderation for every space (issue 11): flags and their review, hidden and
-- held posts, locked and slow threads, muted members, pre-moderated spaces,
-- and an append-only log of every action.
--
-- Who moderates a space is cairn_space_role() = 2 (sql/011_groups.sql): a
-- group's facilitators, an offering's facilitators and directors for its
-- cohort and announcement spaces, the series' directors, admins.

-- A post hidden by a moderator keeps why (its author sees the reason); a
-- post held for approval reaches only its author and the moderators until
-- approved, and makes no notification, outbox message or search entry
-- before then.
ALTER TABLE posts
    ADD COLUMN hidden_reason text NOT NULL DEFAULT '' CHECK (length(hidden_reason) <= 500),
    ADD COLUMN held boolean NOT NULL DEFAULT false;
CREATE INDEX posts_held ON posts (thread_id) WHERE held;

-- Slow mode: at most one post per member per slow_minutes in the thread
-- (0: off). Moderators are not slowed.
ALTER TABLE threads
    ADD COLUMN slow_minutes int NOT NULL DEFAULT 0 CHECK (slow_minutes BETWEEN 0 AND 1440);

-- Pre-moderation: new posts of members are held for approval.
ALTER TABLE spaces ADD COLUMN premoderated boolean NOT NULL DEFAULT false;

-- A flag on a post. A person flags a post once (a second flag says so and
-- changes nothing); flagger_id NULL is Cairn itself (the patient-privacy
-- guard of issue 12). Who flagged is shown to moderators only.
CREATE TABLE flags (
    id           bigserial PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    flagger_id   bigint REFERENCES users(id) ON DELETE SET NULL,
    reason       text NOT NULL CHECK (reason IN ('disrespectful', 'off_topic',
                                                 'identifies_patient', 'other')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at   timestamptz NOT NULL,
    resolved_at  timestamptz,
    resolved_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    resolution   text CHECK (resolution IN ('hidden', 'dismissed', 'redacted', 'approved')),
    CHECK (reason <> 'other' OR length(btrim(note)) >= 1),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX flags_once ON flags (post_id, flagger_id) WHERE flagger_id IS NOT NULL;
CREATE INDEX flags_open ON flags (post_id) WHERE resolved_at IS NULL;

-- A member muted in a space reads but cannot post until `until`.
CREATE TABLE mutes (
    space_id    bigint NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    until       timestamptz NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    muted_by    bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

-- The moderation log: who did what to what, why, and when. Append-only:
-- the code has no UPDATE or DELETE of it, and the trigger below refuses
-- both and TRUNCATE. It names its targets by id without foreign keys, so a
-- space, thread or post that is deleted later leaves its history standing
-- (a cascading delete would otherwise be refused by the trigger). A purge
-- is logged as a purge: never with the text it removed.
CREATE TABLE moderation_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    actor_id     bigint,                 -- NULL: Cairn itself
    space_id     bigint NOT NULL,
    action       text NOT NULL CHECK (action IN (
                     'flag_dismissed', 'post_hidden', 'post_restored', 'post_approved',
                     'post_rejected', 'thread_locked', 'thread_unlocked', 'thread_pinned',
                     'thread_unpinned', 'thread_moved', 'member_muted', 'member_unmuted',
                     'premoderation_on', 'premoderation_off', 'slow_mode_on', 'slow_mode_off',
                     'revision_purged', 'post_redacted')),
    thread_id    bigint,
    post_id      bigint,
    subject_id   bigint,                 -- the person acted on (author, muted member)
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    detail       jsonb NOT NULL DEFAULT '{}'   -- e.g. {"until": ..., "to_space": ...}
);
CREATE INDEX moderation_log_space ON moderation_log (space_id, id DESC);

CREATE FUNCTION cairn_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER moderation_log_no_change BEFORE UPDATE OR DELETE ON moderation_log
    FOR EACH ROW EXECUTE FUNCTION cairn_log_is_append_only();
CREATE TRIGGER moderation_log_no_truncate BEFORE TRUNCATE ON moderation_log
    FOR EACH STATEMENT EXECUTE FUNCTION cairn_log_is_append_only();
